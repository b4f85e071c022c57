"""Benchmark the dialer on PostgreSQL with the simulated carrier, against procrastinate.

Requirements (issue: dialer): with rate limits lifted, one `followup dispatch` process claims,
sends and records at least 1,000 SMS attempts a second; four processes send 20,000 attempts
with zero duplicates and zero losses; with a rate limit of N a second, the send rate the
carrier sees stays within 5% of N. Baseline in the same run, on the same database: as many
no-op jobs through procrastinate (a PostgreSQL job queue). One JSON line on stdout.

Needs the bench extra: pip install -e '.[bench]'.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from bench_support import DEFAULT_URL, say, scratch_database
from procrastinate import App, PsycopgConnector

from followup.store.engine import create_engine
from followup.store.migrate import upgrade

FOLLOWUP = Path(sys.executable).with_name("followup")
# A Monday 10:00 in Amsterdam, no holiday: the message window is open.
NOW = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))
MINIMUM_RATE = 1_000
RATE_TOLERANCE = 0.05

# One open follow-up in round 1 per client, a valid mobile number each (ending in 7, which
# the simulated carrier delivers), and one queued opening SMS each, due now.
FILL = (
    """INSERT INTO clients (id, client_ref, name, wijk, created_at, updated_at)
       SELECT i, 'D' || i, 'Bewoner ' || i, 'Selwerd', $1, $1 FROM generate_series(1, $2) i""",
    """INSERT INTO conversations (id, client_id, conversation_date, follow_up_after_months,
                                  initiative, due_on, created_at, updated_at)
       SELECT i, i, DATE '2026-05-01', 3, 'municipality', DATE '2026-08-01', $1, $1
       FROM generate_series(1, $2) i""",
    """INSERT INTO follow_ups (id, client_id, conversation_id, state, round_number, opened_at)
       SELECT i, i, i, 'open', 1, $1 FROM generate_series(1, $2) i""",
    """INSERT INTO rounds (id, follow_up_id, number, opened_at, closes_at)
       SELECT i, i, 1, $1, $1::timestamptz + interval '14 days' FROM generate_series(1, $2) i""",
    """INSERT INTO phone_numbers (client_id, label, raw, e164, type, status, sms_blocked,
                                  source, created_at)
       SELECT i, 'primary', '06-2' || lpad((i * 10 + 7)::text, 7, '0'),
              '+3162' || lpad((i * 10 + 7)::text, 7, '0'), 'mobile', 'valid', false, 'import', $1
       FROM generate_series(1, $2) i""",
    """INSERT INTO attempts (follow_up_id, round_id, step, channel, purpose, state, due_at,
                             tries, created_at)
       SELECT i, i, 0, 'sms', 'opening', 'queued', $1, 0, $1 FROM generate_series(1, $2) i""",
)
# Back to queued, the first `$1` of them due now and the others next year; what a send wrote
# is gone, so every scenario starts from the same queue.
RESET = (
    """UPDATE attempts SET state = 'queued', tries = 0, claimed_at = NULL, sending_at = NULL,
              sent_at = NULL, carrier_sid = NULL, carrier_status = NULL, phone_number_id = NULL,
              to_address = NULL, error_code = NULL, error_message = NULL,
              due_at = CASE WHEN id <= $1 THEN $2::timestamptz
                            ELSE $2::timestamptz + interval '1 year' END""",
    "DELETE FROM sms_messages",
)


class Carrier:
    """`followup sim-carrier` in its own process, without callbacks: only sending counts."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> "Carrier":
        self.process = await asyncio.create_subprocess_exec(
            str(FOLLOWUP),
            "sim-carrier",
            "--port",
            str(self.port),
            "--no-callbacks",
            env=clean_env(),
            stdout=asyncio.subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                await asyncio.to_thread(self.received)
                return self
            except OSError:
                await asyncio.sleep(0.1)
        raise RuntimeError("the simulated carrier did not start")

    async def __aexit__(self, *_: object) -> None:
        self.process.terminate()
        await self.process.wait()

    def received(self) -> list[dict]:
        with urllib.request.urlopen(f"{self.base}/sim/messages", timeout=60) as response:
            return json.load(response)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    return env | extra


async def dispatch(url: str, carrier: Carrier, workers: int, rate: float) -> list[dict]:
    env = clean_env(
        FOLLOWUP_DATABASE_URL=url,
        FOLLOWUP_TWILIO_API_BASE=carrier.base,
        FOLLOWUP_PUBLIC_URL="http://127.0.0.1:9",
        FOLLOWUP_MESSAGES_PER_SECOND=str(rate),
    )
    processes = [
        await asyncio.create_subprocess_exec(
            str(FOLLOWUP),
            "dispatch",
            "--now",
            NOW.isoformat(),
            "--json",
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(workers)
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in processes))
    if any(p.returncode for p in processes):
        raise RuntimeError("a dispatch process failed")
    return [json.loads(out) for out, _ in outputs]


async def scenario(connection, url: str, port: int, due: int, workers: int, rate: float) -> dict:
    """Send `due` attempts with `workers` processes at most `rate` a second; what happened."""
    for statement in RESET:
        await connection.execute(statement, *((due, NOW) if "$1" in statement else ()))
    await connection.execute("VACUUM ANALYZE attempts")
    async with Carrier(port) as carrier:
        summaries = await dispatch(url, carrier, workers, rate)
        messages = await asyncio.to_thread(carrier.received)
    sent_sids = {
        row["carrier_sid"]
        for row in await connection.fetch(
            "SELECT carrier_sid FROM attempts WHERE state = 'sent' AND id <= $1", due
        )
    }
    times = sorted(m["received_monotonic"] for m in messages)
    return {
        "attempts": due,
        "workers": workers,
        "sent": sum(s["sent"] for s in summaries),
        "worker_seconds": max(s["seconds"] for s in summaries),
        "carrier_rate": round((len(times) - 1) / (times[-1] - times[0]), 1),
        "duplicates": len(messages) - len({m["to"] for m in messages}),
        "lost": due - len(sent_sids & {m["sid"] for m in messages}),
    }


async def procrastinate_baseline(url: str, jobs: int, concurrency: int) -> float:
    """Seconds for one procrastinate worker to run `jobs` no-op jobs."""
    logging.getLogger("procrastinate").setLevel(logging.ERROR)
    app = App(connector=PsycopgConnector(conninfo=url))

    @app.task(name="noop", queue="bench")
    async def noop() -> None:
        return None

    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        await noop.batch_defer_async(*[{} for _ in range(jobs)])
        start = time.perf_counter()
        await app.run_worker_async(
            queues=["bench"],
            wait=False,
            concurrency=concurrency,
            listen_notify=False,
            install_signal_handlers=False,
            delete_jobs="never",
        )
        seconds = time.perf_counter() - start
        done = await app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE status = 'succeeded'"
        )
    if done["n"] != jobs:
        raise RuntimeError(f"procrastinate ran {done['n']} of {jobs} jobs")
    return seconds


async def bench(url: str, attempts: int, rates: list[float], port: int) -> dict:
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(plain)
    try:
        for statement in FILL:
            await connection.execute(statement, NOW, attempts)
        for table in ("clients", "conversations", "follow_ups", "rounds"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {attempts})"
            )
        say(f"filled {attempts} queued SMS attempts")
        one = await scenario(connection, url, port, attempts, 1, 1e9)
        say(f"one worker: {one}")
        four = await scenario(connection, url, port, attempts, 4, 1e9)
        say(f"four workers: {four}")
        limited = []
        for rate in rates:
            due = int(rate * 15)  # about fifteen seconds of sending each
            limited.append(await scenario(connection, url, port, due, 1, rate) | {"limit": rate})
            say(f"rate limit {rate}/s: {limited[-1]}")
    finally:
        await connection.close()
    # The same number of jobs as attempts: procrastinate slows down as its queue grows.
    baseline = await procrastinate_baseline(plain, attempts, concurrency=32)
    say(f"procrastinate: {attempts} no-op jobs in {baseline:.2f} s")
    rate = one["sent"] / one["worker_seconds"]
    baseline_rate = attempts / baseline
    return {
        "one_worker": one | {"rate": round(rate, 1)},
        "four_workers": four,
        "rate_limited": [
            r | {"deviation": round(abs(r["carrier_rate"] - r["limit"]) / r["limit"], 4)}
            for r in limited
        ],
        "procrastinate_noop_jobs_per_second": round(baseline_rate, 1),
        "ratio_to_procrastinate": round(rate / baseline_rate, 2),
        "within_limits": rate >= MINIMUM_RATE
        and four["duplicates"] == four["lost"] == 0
        and four["sent"] == attempts
        and all(
            abs(r["carrier_rate"] - r["limit"]) <= RATE_TOLERANCE * r["limit"] for r in limited
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=20_000)
    parser.add_argument("--rates", type=float, nargs="+", default=[10.0, 100.0])
    parser.add_argument("--port", type=int, default=8091, help="for the simulated carrier")
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_URL, help="the server")
    args = parser.parse_args()
    with scratch_database(args.postgres) as url:
        figures = asyncio.run(bench(url, args.attempts, args.rates, args.port))
    print(json.dumps({"benchmark": "dispatch"} | figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
