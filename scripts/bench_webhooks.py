"""Benchmark the carrier's status callbacks on PostgreSQL against a bare aiohttp handler.

Requirement (issue: webhooks): status callbacks signed like Twilio's, 64 concurrent
connections: at least half the throughput of a bare aiohttp handler that does one
`INSERT … ON CONFLICT DO NOTHING` on the same database, measured in the same run, with p99
latency under 60 ms. Replaying 100,000 callbacks with 30% duplicates in shuffled order leaves
every message and call in the highest-ranked status it received, with zero lost and zero
duplicate events. One JSON line on stdout.

Throughput and p99 are measured as the requirement says: 64 connections, each posting its
next callback as soon as the last one is answered. Both servers are then saturated, and a
request's latency is mostly its wait behind the other 63 (about 64 / throughput), on a
machine the client, PostgreSQL and the server share. So the script also sends callbacks at
fixed rates, shares of the bare handler's throughput, whatever the answers' speed (as the
carrier does), and reports the latency there too, for both servers.

Needs the bench extra (pip install -e '.[bench]'): the residents are filled with the dialer
benchmark's statements.
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from aiohttp import web
from bench_dispatch import FILL as DISPATCH_FILL
from bench_support import DEFAULT_URL, say, scratch_database
from http_load import Run, Server, figures, load

from dialer.sim.replay import (
    Callback,
    Replay,
    Signed,
    in_carrier_order,
    life,
    replay,
    sign,
    verdict,
)
from followup.rules.domain import CarrierResource
from followup.store.engine import create_engine
from followup.store.leadership import LOCK_KEY
from followup.store.migrate import upgrade

FOLLOWUP = Path(sys.executable).with_name("followup")
PUBLIC_URL = "https://nabellen.gemeente.example"  # what the carrier calls; signed over
UNUSED_PORT = "http://127.0.0.1:9"  # a carrier nobody answers on: no simulator in the app
MIN_RATIO = 0.5
MAX_P99_MS = 60.0
BASELINE_POOL = 15  # SQLAlchemy's default pool: 5 connections and 10 more on demand
# Paced runs: requests sent at a fixed rate, a share of the baseline's throughput, whatever
# the answers' speed (the carrier does not wait for us either).
PACED_SHARES = (0.1, 0.25, 0.5)
MAX_RATE = 3_000  # per second: callbacks made for each paced run, more than it will take
CARRIER_TOKEN = "the-benchmarks-own-carrier-token"
PACED_FIGURES = ("requests", "p50_ms", "p99_ms", "server_cpu_ms_per_request", "answers")
RESIDENTS = DISPATCH_FILL[:4]  # clients, conversations, follow-ups, rounds

# One resident per attempt, as in the dialer's benchmark: a follow-up in round 1 and a valid
# mobile number. Attempt i is a call when i is a multiple of 5, else an SMS (the dialer's
# default rate limits allow ten messages a second and one call), already sent, with the SID
# the replay uses for it.
FILL = (
    *RESIDENTS,
    """INSERT INTO phone_numbers (id, client_id, label, raw, e164, type, status, sms_blocked,
                                  source, created_at)
       SELECT i, i, 'primary', '06-' || lpad(i::text, 8, '0'), '+316' || lpad(i::text, 8, '0'),
              'mobile', 'valid', false, 'import', $1
       FROM generate_series(1, $2) i""",
    """INSERT INTO attempts (id, follow_up_id, round_id, step, channel, purpose, state, due_at,
                             tries, claimed_at, sending_at, sent_at, carrier_sid,
                             phone_number_id, to_address, created_at)
       SELECT i, i, i, 0, CASE WHEN i % 5 = 0 THEN 'call' ELSE 'sms' END,
              CASE WHEN i % 5 = 0 THEN 'call' ELSE 'opening' END, 'sent', $1, 1, $1, $1, $1,
              CASE WHEN i % 5 = 0 THEN 'CA' ELSE 'SM' END || lpad(to_hex(i), 32, '0'),
              i, '+316' || lpad(i::text, 8, '0'), $1
       FROM generate_series(1, $2) i""",
)
SEQUENCES = ("clients", "conversations", "follow_ups", "rounds", "phone_numbers", "attempts")
BASELINE_TABLE = "CREATE TABLE bench_events (sid text, status text, PRIMARY KEY (sid, status))"
BASELINE_INSERT = "INSERT INTO bench_events (sid, status) VALUES ($1, $2) ON CONFLICT DO NOTHING"


def resource_of(attempt_id: int) -> CarrierResource:
    return CarrierResource.CALL if attempt_id % 5 == 0 else CarrierResource.MESSAGE


async def fill(plain_url: str, attempts: int) -> None:
    engine = create_engine(plain_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    await upgrade(engine)
    await engine.dispose()
    connection = await asyncpg.connect(plain_url)
    try:
        sent_at = datetime.now(UTC) - timedelta(minutes=5)
        for statement in FILL:
            await connection.execute(statement, sent_at, attempts)
        for table in SEQUENCES:
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {attempts})"
            )
        await connection.execute(BASELINE_TABLE)
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def followup_server(url: str, port: int) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")} | {
        "FOLLOWUP_DATABASE_URL": url,
        "FOLLOWUP_CARRIER": "sim",
        "FOLLOWUP_TWILIO_API_BASE": UNUSED_PORT,
        # Outside --demo the service takes no webhook signed with the simulator's public token.
        "FOLLOWUP_TWILIO_AUTH_TOKEN": CARRIER_TOKEN,
        "FOLLOWUP_PUBLIC_URL": PUBLIC_URL,
        "FOLLOWUP_PLAN_INTERVAL_SECONDS": "86400",
        "FOLLOWUP_DISPATCH_INTERVAL_SECONDS": "86400",
    }
    return Server(port, [str(FOLLOWUP), "serve", "--port", str(port)], env)


def baseline_server(plain_url: str, port: int) -> Server:
    args = [sys.executable, __file__, "--serve-baseline", str(port), "--postgres", plain_url]
    return Server(port, args, dict(os.environ))


def serve_baseline(port: int, plain_url: str) -> None:
    """The bare handler: read the form, one INSERT … ON CONFLICT DO NOTHING, answer 200."""
    pool_key = web.AppKey("pool", asyncpg.Pool)

    async def pool(app: web.Application):
        async with asyncpg.create_pool(plain_url, min_size=5, max_size=BASELINE_POOL) as p:
            app[pool_key] = p
            yield

    async def handler(request: web.Request) -> web.Response:
        if request.method != "POST":
            return web.Response(text="baseline")
        form = await request.post()
        sid = form.get("MessageSid") or form.get("CallSid")
        status = form.get("MessageStatus") or form.get("CallStatus")
        await request.app[pool_key].execute(BASELINE_INSERT, sid, status)
        return web.Response(status=200)

    app = web.Application()
    app.cleanup_ctx.append(pool)
    app.router.add_route("*", "/{tail:.*}", handler)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def first_lives(lives: list[list[Callback]], callbacks: float) -> list[list[Callback]]:
    """The first of these lives, about `callbacks` callbacks in all."""
    taken, count = [], 0
    for life_ in lives:
        if count >= callbacks:
            break
        taken.append(life_)
        count += len(life_)
    return taken


def lives_for(first: int, callbacks: int, rng: random.Random) -> list[list[Callback]]:
    """Whole lives of consecutive attempts from `first` on, at least `callbacks` in all."""
    lives, count, attempt_id = [], 0, first
    while count < callbacks:
        lives.append(life(attempt_id, resource_of(attempt_id), rng))
        count += len(lives[-1])
        attempt_id += 1
    return lives


async def check_replay(plain_url: str, plan: Replay) -> dict:
    ids = sorted(plan.expected)
    connection = await asyncpg.connect(plain_url)
    try:
        attempts = await connection.fetch(
            "SELECT id, carrier_status, state FROM attempts WHERE id = ANY($1)", ids
        )
        events = await connection.fetch(
            """SELECT e.sid, e.status FROM carrier_events e
               JOIN attempts a ON a.carrier_sid = e.sid WHERE a.id = ANY($1)""",
            ids,
        )
        retries = await connection.fetch(
            "SELECT replaces_id FROM attempts WHERE replaces_id = ANY($1)", ids
        )
    finally:
        await connection.close()
    found = verdict(
        plan, [tuple(r) for r in attempts], [tuple(r) for r in events], [r[0] for r in retries]
    )
    return asdict(found) | {"retried": len(plan.retried), "ok": found.ok}


@asynccontextmanager
async def scheduler_lock(plain_url: str) -> AsyncIterator[None]:
    """Hold the scheduler's advisory lock, as another process of the installation would: the
    app under test then never plans or dispatches, and serves callbacks only."""
    connection = await asyncpg.connect(plain_url)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
        yield
    finally:
        await connection.close()


def signed(callbacks: list[Callback]) -> list[Signed]:
    return [sign(callback, PUBLIC_URL, CARRIER_TOKEN) for callback in callbacks]


async def bench(url: str, args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    warm = lives_for(1, args.warmup, rng)
    rounds, next_id = [], 1 + len(warm)
    for _ in range(args.rounds):  # other callbacks in each round: every one changes something
        rounds.append(lives_for(next_id, args.requests // args.rounds, rng))
        next_id += len(rounds[-1])
    paced_lives = []  # for each share of the baseline's rate, new again
    for share in PACED_SHARES:
        paced_lives.append(lives_for(next_id, int(share * MAX_RATE * args.paced_seconds), rng))
        next_id += len(paced_lives[-1])
    plan = replay(
        ((i, resource_of(i)) for i in itertools.count(next_id)), args.replay, args.duplicates, rng
    )
    attempts = max(plan.expected)
    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    await fill(plain, attempts)
    say(f"filled {attempts} sent attempts (SMS and calls) with their SIDs")
    warm_requests = signed(in_carrier_order(warm, rng))
    round_requests = [signed(in_carrier_order(lives, rng)) for lives in rounds]
    replay_requests = signed(plan.callbacks)
    runs: dict[str, list[Run]] = {"baseline": [], "webhooks": []}
    async with (
        scheduler_lock(plain),
        followup_server(url, args.port) as app,
        baseline_server(plain, args.port + 1) as bare,
    ):
        for server in (app, bare):
            await load(server, warm_requests, args.concurrency)
        # Taking turns, so a change in the machine's load weighs on both alike.
        for number, requests in enumerate(round_requests):
            turns = [("baseline", bare), ("webhooks", app)]
            for name, server in turns if number % 2 == 0 else reversed(turns):
                runs[name].append(await load(server, requests, args.concurrency))
        baseline, webhooks = figures(runs["baseline"]), figures(runs["webhooks"])
        say(f"baseline: {baseline}")
        say(f"webhooks: {webhooks}")
        paced = []
        for share, lives in zip(PACED_SHARES, paced_lives, strict=True):
            rate = share * baseline["per_second"]
            requests = signed(in_carrier_order(first_lives(lives, rate * args.paced_seconds), rng))
            step = {"share_of_baseline": share, "per_second": round(rate, 1)}
            for name, server in (("baseline", bare), ("webhooks", app)):
                run = await load(server, requests, args.concurrency, rate)
                step[name] = {k: v for k, v in figures([run]).items() if k in PACED_FIGURES}
            say(f"paced: {step}")
            paced.append(step)
        replayed = figures([await load(app, replay_requests, args.concurrency)])
        say(f"replay: {replayed}")
    check = await check_replay(plain, plan)
    say(f"replay check: {check}")
    ratio = webhooks["per_second"] / baseline["per_second"]
    pacing = [step[name] for step in paced for name in ("baseline", "webhooks")]
    all_answered = all(
        set(r["answers"]) == {"200"} for r in (baseline, webhooks, replayed, *pacing)
    )
    return {
        "attempts": attempts,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "baseline": baseline,
        "webhooks": webhooks,
        "ratio_to_baseline": round(ratio, 2),
        "paced": paced,
        "replay": replayed
        | {"attempts": len(plan.expected), "duplicates": plan.duplicates}
        | check,
        "p99_under_limit": {
            name: figures_["p99_ms"] < MAX_P99_MS
            for name, figures_ in (("baseline", baseline), ("webhooks", webhooks))
        },
        "within_limits": ratio >= MIN_RATIO
        and webhooks["p99_ms"] < MAX_P99_MS
        and all_answered
        and check["ok"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000, help="measured callbacks")
    parser.add_argument("--warmup", type=int, default=2_000, help="callbacks before measuring")
    parser.add_argument("--rounds", type=int, default=4, help="turns of baseline and webhooks")
    parser.add_argument("--paced-seconds", type=float, default=5, help="length of each paced run")
    parser.add_argument("--replay", type=int, default=100_000, help="callbacks replayed")
    parser.add_argument("--duplicates", type=float, default=0.3, help="share of the replay")
    parser.add_argument("--concurrency", type=int, default=64, help="connections")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--port", type=int, default=8092, help="for the app; the next for the baseline"
    )
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_URL, help="the server")
    parser.add_argument("--serve-baseline", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_baseline:
        serve_baseline(args.serve_baseline, args.postgres)
        return 0
    with scratch_database(args.postgres) as url:
        figures = asyncio.run(bench(url, args))
    print(json.dumps({"benchmark": "webhooks"} | figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
