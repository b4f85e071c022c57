"""`followup purge`, `erase` and `export-client` as an operator runs them: the report the same
before and after a purge, `--json` one document, and bad usage refused with exit 2 and
nothing changed."""

import json
import stat
from datetime import datetime

import pytest
import sqlalchemy as sa

from followup.rules.domain import OutcomeCategory
from followup.store.client_export import client_rows
from followup.store.staff_tables import AuditRecord
from followup.store.tables import FollowUp
from tests.support.processes import clean_env, followup
from tests.support.rows import NOW, add_client, add_follow_up, add_phone

LONG_AGO = datetime(2021, 3, 1, 12, 0, tzinfo=NOW.tzinfo)  # further back than any period


@pytest.fixture
async def closed_long_ago(sessions) -> list[int]:
    """Three residents whose follow-ups closed years ago, in two wijken, and one still open."""
    ids = []
    async with sessions() as session, session.begin():
        for ref, wijk, outcome in (
            ("K-1", "Selwerd", (OutcomeCategory.ACTIVE, None)),
            ("K-2", "Beijum", (OutcomeCategory.NOT_ACTIVE, None)),
            ("K-3", "Beijum", (OutcomeCategory.WITH_WIJ, None)),
            ("K-4", "Beijum", None),
        ):
            client_id, conversation_id = await add_client(session, ref, wijk)
            await add_phone(session, client_id, f"+316123456{client_id:02d}")
            await add_follow_up(
                session,
                client_id,
                conversation_id,
                round_number=1,
                opened_at=LONG_AGO,
                outcome=outcome,
            )
            ids.append(client_id)
        await session.execute(
            sa.update(FollowUp).where(FollowUp.closed_at.is_not(None)).values(closed_at=LONG_AGO)
        )
    return ids


def run(db_url, tmp_path, *args, **env):
    return followup(*args, cwd=tmp_path, env=clean_env(db_url, **env))


async def held(sessions, client_ids) -> list[str]:
    async with sessions() as session:
        return [json.dumps(await client_rows(session, i), default=str) for i in client_ids]


async def audit_actions(sessions) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(sa.select(AuditRecord.action).order_by(AuditRecord.id)))


async def test_purge_keeps_the_report_and_says_how_many_in_json(
    sessions, db_url, tmp_path, closed_long_ago
):
    report = ["report", "--format", "json", "--by", "all"]
    before = run(db_url, tmp_path, *report)
    assert before.returncode == 0, before.stderr

    dry = run(db_url, tmp_path, "purge", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["residents"] == 3
    unchanged = await held(sessions, closed_long_ago)

    purged = run(db_url, tmp_path, "purge", "--older-than", "12", "--json")

    assert purged.returncode == 0, purged.stderr
    counts = json.loads(purged.stdout)
    assert (counts["residents"], counts["follow_ups"], counts["older_than_months"]) == (3, 3, 12)
    assert run(db_url, tmp_path, *report).stdout == before.stdout
    after = await held(sessions, closed_long_ago)
    assert after[3] == unchanged[3] and all("+316" not in text for text in after[:3])
    erasure = [a for a in await audit_actions(sessions) if a != "report_exported"]
    assert erasure == ["residents_erased", "retention_purged"]


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["purge", "--older-than", "11"], {}, "--older-than is 11 maanden"),
        (["purge", "--older-than", "twaalf"], {}, "--older-than moet een heel aantal maanden"),
        (["purge"], {"FOLLOWUP_RETENTION_MONTHS": "6"}, "FOLLOWUP_RETENTION_MONTHS"),
        (["erase", "K-99"], {}, "klantnummer 'K-99' bestaat niet"),
        (["export-client", "K-99"], {}, "klantnummer 'K-99' bestaat niet"),
    ],
)
async def test_bad_usage_is_refused_and_changes_nothing(
    sessions, db_url, tmp_path, closed_long_ago, args, env, says
):
    before = await held(sessions, closed_long_ago)
    result = run(db_url, tmp_path, *args, **env)
    assert result.returncode == 2
    assert says in result.stderr and result.stdout == ""
    assert await held(sessions, closed_long_ago) == before
    assert await audit_actions(sessions) == []


async def test_erase_and_export_one_resident(sessions, db_url, tmp_path, closed_long_ago):
    exported = run(db_url, tmp_path, "export-client", "K-4")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["tables"]["clients"][0]["client_ref"] == "K-4"

    target = tmp_path / "K-4.json"
    assert run(db_url, tmp_path, "export-client", "K-4", "--output", str(target)).returncode == 0
    assert json.loads(target.read_text())["tables"]["follow_ups"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = run(db_url, tmp_path, "export-client", "K-4", "--output", str(target))
    assert again.returncode == 2 and "bestaat al" in again.stderr

    erased = run(db_url, tmp_path, "erase", "K-4")
    assert erased.returncode == 0, erased.stderr
    assert "gesloten als afgemeld" in erased.stdout
    assert "Inwoner" not in (await held(sessions, closed_long_ago[3:]))[0]
    assert run(db_url, tmp_path, "erase", "K-4").returncode == 2
    async with sessions() as session:
        audits = (
            await session.execute(
                sa.select(AuditRecord.action, AuditRecord.client_id).order_by(AuditRecord.id)
            )
        ).all()
    assert [tuple(a) for a in audits] == [
        ("client_exported", closed_long_ago[3]),
        ("client_exported", closed_long_ago[3]),
        ("residents_erased", None),
    ]


@pytest.mark.parametrize("command", ["purge", "erase", "export-client"])
def test_each_command_has_help(command, tmp_path):
    result = followup(command, "--help", cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert "usage: followup" in result.stdout
