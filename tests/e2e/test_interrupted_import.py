"""An import killed half-way leaves whole rows or none, and running it again finishes it."""

import asyncio
import json
import signal
import subprocess
import time
from datetime import date

import sqlalchemy as sa

from followup.demo_data import demo_rows, write_demo_file
from followup.rules.phones import classify_phone
from followup.store.engine import create_engine
from followup.store.staff_tables import AuditRecord
from tests.support.processes import FOLLOWUP, clean_env, followup

ROWS = 30_000


async def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                sa.text("""
                SELECT
                  (SELECT count(*) FROM clients) AS clients,
                  (SELECT count(*) FROM clients c WHERE NOT EXISTS
                     (SELECT 1 FROM conversations v WHERE v.client_id = c.id)) AS bare,
                  (SELECT count(*) FROM phone_numbers) AS phones
            """)
            )
            return dict(result.mappings().one())
    finally:
        await engine.dispose()


def _expected_phones(rows: list[dict[str, str]]) -> dict[str, int]:
    expected = {}
    for row in rows:
        numbers = {classify_phone(row[f]).identity for f in ("phone", "phone_alt") if row[f]}
        expected[row["client_ref"]] = len(numbers)
    return expected


def test_killed_import_leaves_only_whole_rows_and_a_rerun_completes(db_url, tmp_path):
    rows = demo_rows(ROWS, date(2026, 11, 1))
    path = write_demo_file(tmp_path / "big.csv", rows)
    env = clean_env(db_url)
    process = subprocess.Popen(
        [str(FOLLOWUP), "import", str(path)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while asyncio.run(_counts(db_url))["clients"] == 0:
            assert process.poll() is None, "the import ended before it could be interrupted"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    partial = asyncio.run(_counts(db_url))
    assert 0 < partial["clients"] < ROWS
    assert partial["bare"] == 0  # no client without its conversation
    # Every row written is accounted for: each chunk committed its audit record with its rows.
    assert asyncio.run(_audited(db_url)) == {"clients_written": partial["clients"]}
    engine_rows = asyncio.run(_phones_per_client(db_url))
    expected = _expected_phones(rows)
    assert all(expected[ref] == count for ref, count in engine_rows.items())

    rerun = followup("import", str(path), "--json", cwd=tmp_path, env=env, timeout=300)
    summary = json.loads(rerun.stdout)
    assert rerun.returncode == 0, rerun.stderr
    assert summary["imported"] == ROWS - partial["clients"]
    assert summary["unchanged"] == partial["clients"]
    final = asyncio.run(_counts(db_url))
    assert (final["clients"], final["bare"]) == (ROWS, 0)
    assert final["phones"] == sum(expected.values())
    # The killed run left no summary; the re-run's summary counts what it imported itself.
    assert asyncio.run(_audited(db_url)) == {
        "clients_written": ROWS,
        "clients_imported": ROWS - partial["clients"],
    }


async def _phones_per_client(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                sa.text(
                    "SELECT c.client_ref, count(p.id) FROM clients c "
                    "LEFT JOIN phone_numbers p ON p.client_id = c.id GROUP BY c.client_ref"
                )
            )
            return dict(result.all())
    finally:
        await engine.dispose()


async def _audited(url: str) -> dict[str, int]:
    """Clients imported according to the audit trail, by action."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            records = await connection.execute(
                sa.select(AuditRecord.action, AuditRecord.detail).where(
                    AuditRecord.action.in_(["clients_written", "clients_imported"])
                )
            )
            audited: dict[str, int] = {}
            for action, detail in records:
                audited[action] = audited.get(action, 0) + detail["imported"]
            return audited
    finally:
        await engine.dispose()
