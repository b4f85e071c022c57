"""Benchmark `followup purge` on PostgreSQL: 100,000 residents whose follow-ups closed three
years ago, each with a number, SMS both ways, attempts with their carrier events, outcome
notes, some wrap-up notes and opt-outs, erased while a running `followup serve` takes signed
status callbacks for other residents at a steady rate.

Requirement (issue 14): the purge takes under a minute and the service keeps taking webhooks
meanwhile. Baseline in the same run: the same rate of callbacks for the same time without a
purge. Also checked: the reach report is the same before and after. A scratch database of its
own, dropped afterwards. One JSON line on stdout; nothing asserts a duration.
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from bench_support import DEFAULT_URL, say, scratch_database
from bench_webhooks import fill as fill_live
from bench_webhooks import followup_server, lives_for, scheduler_lock, signed
from http_load import figures, load

from dialer.sim.replay import in_carrier_order
from followup.demo_data import WIJKEN
from followup.rules.report_filter import ReportFilter
from followup.services.reach_report import reach_reports
from followup.store.engine import create_engine, session_factory

FOLLOWUP = Path(sys.executable).with_name("followup")
LIMIT_SECONDS = 60
ZONE = ZoneInfo("Europe/Amsterdam")
LONG_AGO = datetime.now(UTC) - timedelta(days=3 * 365)
# Residents past their period, after the live ones (ids 1..live); $1 the moment they opened,
# $2 the first id, $3 the last. Two SMS attempts each, so every table erasure touches is full.
CLOSED_FILL = (
    """INSERT INTO clients (id, client_ref, name, wijk, email, email_status, created_at,
                            updated_at)
       SELECT i, 'P' || i, 'Bewoner ' || i, (CAST($4 AS text[]))[1 + i % 12],
              CASE WHEN i % 3 = 0 THEN 'bewoner' || i || '@example.nl' END,
              CASE WHEN i % 3 = 0 THEN 'valid' END, $1::timestamptz, $1
       FROM generate_series($2::int, $3) i""",
    """INSERT INTO conversations (id, client_id, conversation_date, follow_up_after_months,
                                  initiative, due_on, created_at, updated_at)
       SELECT i, i, ($1::timestamptz - interval '3 months')::date, 3, 'municipality',
              $1::date, $1, $1
       FROM generate_series($2::int, $3) i""",
    """INSERT INTO follow_ups (id, client_id, conversation_id, state, round_number, opened_at,
                               closed_at)
       SELECT i, i, i, 'closed', 1, $1::timestamptz, $1 + interval '9 days'
       FROM generate_series($2::int, $3) i""",
    """INSERT INTO rounds (id, follow_up_id, number, opened_at, closes_at, closed_at)
       SELECT i, i, 1, $1::timestamptz, $1 + interval '14 days', $1 + interval '9 days'
       FROM generate_series($2::int, $3) i""",
    """INSERT INTO phone_numbers (id, client_id, label, raw, e164, type, status, sms_blocked,
                                  source, created_at)
       SELECT i, i, 'primary', '06-' || (30000000 + i), '+316' || (30000000 + i), 'mobile',
              'valid', false, 'import', $1::timestamptz
       FROM generate_series($2::int, $3) i""",
    """INSERT INTO attempts (follow_up_id, round_id, step, channel, purpose, state, due_at,
                             tries, sent_at, carrier_sid, phone_number_id, to_address,
                             error_message, created_at)
       SELECT i, i, k, 'sms', CASE k WHEN 0 THEN 'opening' ELSE 'reminder' END, 'delivered',
              $1::timestamptz, 1, $1, 'SM' || lpad(to_hex(1000000000 + 2 * i + k), 32, '0'), i,
              '+316' || (30000000 + i), NULL, $1
       FROM generate_series($2::int, $3) i, generate_series(0, 1) k""",
    """INSERT INTO carrier_events (resource, sid, status, attempt_id, payload, received_at)
       SELECT 'message', carrier_sid, 'delivered', id,
              json_build_object('MessageStatus', 'delivered', 'To', to_address), $1::timestamptz
       FROM attempts WHERE follow_up_id BETWEEN $2 AND $3""",
    """INSERT INTO sms_messages (direction, client_id, phone_number_id, attempt_id, carrier_sid,
                                 from_number, to_number, body, needs_review, created_at)
       SELECT 'outbound', follow_up_id, phone_number_id, id, carrier_sid, '+3197010000001',
              to_address, 'Beste inwoner, hoe gaat het? Antwoord 1, 2, 3 of 4.', false,
              $1::timestamptz
       FROM attempts WHERE follow_up_id BETWEEN $2 AND $3""",
    """INSERT INTO sms_messages (direction, client_id, phone_number_id, from_number, to_number,
                                 body, interpretation, needs_review, created_at)
       SELECT 'inbound', i, i, '+316' || (30000000 + i), '+3197010000001',
              CASE WHEN i % 5 = 0 THEN 'ik heb werk gevonden' ELSE '1' END,
              CASE WHEN i % 5 = 0 THEN 'other' ELSE 'active' END, i % 5 = 0, $1::timestamptz
       FROM generate_series($2::int, $3) i WHERE i % 5 < 2""",
    """INSERT INTO outcomes (follow_up_id, category, source, recorded_at, note)
       SELECT i, (ARRAY['active', 'with_wij', 'in_progress', 'not_active'])[1 + i % 4], 'sms',
              $1::timestamptz + interval '9 days', CASE WHEN i % 5 = 0 THEN 'belt zelf terug' END
       FROM generate_series($2::int, $3) i""",
    """INSERT INTO wrap_ups (follow_up_id, result, note, recorded_at)
       SELECT i, 'no_answer', 'voicemail ingesproken bij ' || i, $1::timestamptz
       FROM generate_series($2::int, $3) i WHERE i % 5 = 1""",
    """INSERT INTO opt_outs (client_id, source, created_at)
       SELECT i, 'sms', $1::timestamptz FROM generate_series($2::int, $3) i WHERE i % 14 = 0""",
)
SEQUENCES = ("clients", "conversations", "follow_ups", "rounds", "phone_numbers")


async def fill(plain_url: str, live: int, closed: int) -> None:
    """The webhook benchmark's live residents (ids 1..live), then the closed ones."""
    await fill_live(plain_url, live)
    connection = await asyncpg.connect(plain_url)
    try:
        for statement in CLOSED_FILL:
            values = (LONG_AGO, live + 1, live + closed)
            if "$4" in statement:
                values += (list(WIJKEN),)
            await connection.execute(statement, *values)
        for table in SEQUENCES:
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {live + closed})"
            )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def report(url: str) -> str:
    """The reach report over the purged residents' months (the callbacks meanwhile change the
    live residents' figures, on purpose)."""
    engine = create_engine(url)
    months = ReportFilter(last_month=(LONG_AGO + timedelta(days=31)).strftime("%Y-%m"))
    try:
        reports = await reach_reports(session_factory(engine), ZONE, months)
    finally:
        await engine.dispose()
    return repr(reports)


async def paced_load(server, requests, rate: float, concurrency: int, until) -> list:
    """One second of callbacks at a time at `rate`, until `until()` says stop."""
    runs, per_second = [], int(rate)
    while not until():
        chunk, requests = requests[:per_second], requests[per_second:]
        if not chunk:
            raise RuntimeError("ran out of callbacks: make more (--callbacks)")
        runs.append(await load(server, chunk, concurrency, rate))
    return runs


async def bench(url: str, args: argparse.Namespace) -> dict:
    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    rng = random.Random(args.seed)
    lives = lives_for(1, args.callbacks, rng)
    live = len(lives)
    await fill(plain, live, args.residents)
    say(f"filled {args.residents} closed residents and {live} live ones")
    requests = signed(in_carrier_order(lives, rng))
    half = len(requests) // 2
    before = await report(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    env["FOLLOWUP_DATABASE_URL"] = url
    async with scheduler_lock(plain), followup_server(url, args.port) as app:
        started = time.perf_counter()
        baseline = await paced_load(
            app,
            requests[:half],
            args.rate,
            args.concurrency,
            lambda: time.perf_counter() - started > args.baseline_seconds,
        )
        say(f"baseline: {figures(baseline)}")
        purge = subprocess.Popen(
            [str(FOLLOWUP), "purge", "--json"], env=env, stdout=subprocess.PIPE, text=True
        )
        started = time.perf_counter()
        during = await paced_load(
            app, requests[half:], args.rate, args.concurrency, lambda: purge.poll() is not None
        )
        seconds = time.perf_counter() - started
        counts = json.loads(purge.stdout.read())
    say(f"purge: {seconds:.1f} s, {counts}")
    say(f"during: {figures(during)}")
    unchanged = await report(url) == before
    during_figures, baseline_figures = figures(during), figures(baseline)
    return {
        "residents": args.residents,
        "purge_seconds": round(seconds, 1),
        "erased": counts["residents"],
        "report_unchanged": unchanged,
        "rate_per_second": args.rate,
        "baseline": baseline_figures,
        "during_purge": during_figures,
        "p99_ratio": round(during_figures["p99_ms"] / baseline_figures["p99_ms"], 2),
        "within_limits": seconds < LIMIT_SECONDS
        and unchanged
        and counts["residents"] == args.residents
        and set(during_figures["answers"]) == {"200"},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000, help="closed, to be purged")
    parser.add_argument("--rate", type=float, default=100, help="status callbacks per second")
    parser.add_argument("--callbacks", type=int, default=30_000, help="callbacks made ready")
    parser.add_argument("--baseline-seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=16, help="connections")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8094)
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_URL, help="the server")
    args = parser.parse_args()
    with scratch_database(args.postgres) as url:
        result = asyncio.run(bench(url, args))
    print(json.dumps({"benchmark": "purge"} | result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
