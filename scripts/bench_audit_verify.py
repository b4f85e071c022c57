"""Benchmark `followup audit verify` on PostgreSQL over a chain of a million audit records
(requirement: under 30 s), beside a baseline in the same run: `SELECT count(*)` over the
same table, the least any check that reads every record can cost.

The records are made in Python (each hash needs the one before it, which SQL would have to
walk row by row) and loaded with COPY, in a scratch database dropped afterwards. The check
runs as the real command, in its own process, as an operator would run it.

    .venv/bin/python scripts/bench_audit_verify.py [--postgres URL] [--records N]

One JSON line on stdout; nothing asserts a duration.
"""

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from bench_support import DEFAULT_URL, say, scratch_database

from followup.rules.audit_chain import GENESIS, detail_text, link_hash, moment_of
from followup.services.audit_verify import verify_chain
from followup.store.engine import create_engine, session_factory
from followup.store.migrate import upgrade

LIMIT_S = 30.0
START = datetime(2026, 1, 1, 8, tzinfo=UTC)
ACTIONS = ("card_opened", "call_wrapped_up", "queue_viewed", "signed_in", "contact_changed")
COLUMNS = ("at", "actor", "action", "detail", "seq", "prev_hash", "hash")
BATCH = 50_000


def records(count: int):
    """Chained rows as the application writes them; details like a wrap-up's."""
    last = GENESIS
    for seq in range(1, count + 1):
        at = START + timedelta(seconds=seq * 7)
        actor = f"agent{seq % 40}@gemeente.example"
        action = ACTIONS[seq % len(ACTIONS)]
        detail = detail_text({"attempt": seq, "result": "no_answer", "outcome": None})
        digest = link_hash(
            last, seq=seq, moment=moment_of(at), actor=actor, action=action, user_id=None,
            client_id=None, detail=detail,
        )  # fmt: skip
        yield (at, actor, action, detail, seq, last, digest)
        last = digest


async def copy(connection: asyncpg.Connection, rows: list[tuple]) -> None:
    await connection.copy_records_to_table("audit_records", records=rows, columns=COLUMNS)


async def fill(url: str, count: int) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows, last = [], None
        for row in records(count):
            rows.append(row)
            if len(rows) == BATCH:
                await copy(connection, rows)
                last, rows = rows[-1], []
                say(f"{last[4]:,} records")
        if rows:
            await copy(connection, rows)
            last = rows[-1]
        await connection.execute(
            "UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1", last[4], last[6]
        )
        await connection.execute("VACUUM ANALYZE audit_records")
    finally:
        await connection.close()


async def count_all(url: str) -> tuple[int, float]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        began = time.perf_counter()
        counted = await connection.fetchval("SELECT count(*) FROM audit_records")
        return counted, time.perf_counter() - began
    finally:
        await connection.close()


async def verify_in_process(url: str) -> float:
    """The same check without the command's start (Python, imports, the schema check)."""
    engine = create_engine(url)
    try:
        began = time.perf_counter()
        await verify_chain(session_factory(engine))
        return time.perf_counter() - began
    finally:
        await engine.dispose()


def verify(url: str) -> tuple[dict, float, int]:
    command = [str(Path(sys.executable).with_name("followup")), "audit", "verify", "--json"]
    began = time.perf_counter()
    done = subprocess.run(
        command, env={"FOLLOWUP_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    took = time.perf_counter() - began
    return json.loads(done.stdout), took, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=DEFAULT_URL)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    with scratch_database(args.postgres) as url:
        began = time.perf_counter()
        asyncio.run(fill(url, args.records))
        fill_s = time.perf_counter() - began
        say(f"filled in {fill_s:.1f} s")
        counted, count_s = asyncio.run(count_all(url))
        answer, verify_s, exit_code = verify(url)
        in_process_s = asyncio.run(verify_in_process(url))
    print(
        json.dumps(
            {
                "records": counted,
                "fill_s": round(fill_s, 1),
                "baseline_count_s": round(count_s, 3),
                "verify_s": round(verify_s, 2),
                "verify_in_process_s": round(in_process_s, 2),
                "verify_exit": exit_code,
                "whole": answer["whole"],
                "verified_records": answer["records"],
                "limit_s": LIMIT_S,
                "within_limit": verify_s < LIMIT_S and answer["whole"],
            }
        )
    )


if __name__ == "__main__":
    main()
