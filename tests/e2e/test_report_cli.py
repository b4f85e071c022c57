"""`followup report` as coordinators and scripts run it: formats, files and exit codes."""

import csv
import json
from datetime import UTC, datetime

import pytest

from followup.rules.domain import (
    Channel,
    OutcomeCategory,
    UnreachableReason,
)
from tests.support.processes import clean_env, followup
from tests.support.rows import add_client, add_follow_up

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)

# wijk, round, outcome (category, reason) or None while open, channel tried or None
FOLLOW_UPS = [
    ("Selwerd", 1, (OutcomeCategory.ACTIVE, None), Channel.SMS),
    ("Selwerd", 1, None, None),
    ("Oosterpoort", 2, (OutcomeCategory.UNREACHABLE, UnreachableReason.NO_ANSWER), Channel.CALL),
]
ZERO = {
    "active": 0,
    "with_wij": 0,
    "in_progress": 0,
    "not_active": 0,
    "unreachable": 0,
    "no_answer": 0,
    "invalid_number": 0,
    "no_contact_details": 0,
    "opted_out": 0,
    "open": 0,
}


async def _populate(sessions) -> None:
    async with sessions() as session, session.begin():
        for number, (wijk, round_number, outcome, channel) in enumerate(FOLLOW_UPS):
            client_id, conversation_id = await add_client(session, str(number), wijk)
            await add_follow_up(
                session,
                client_id,
                conversation_id,
                round_number=round_number,
                opened_at=NOW,
                outcome=outcome,
                channels=[channel] if channel else [],
            )


async def test_json_document_on_stdout(sessions, db_url, tmp_path):
    await _populate(sessions)
    result = followup("report", "--format", "json", cwd=tmp_path, env=clean_env(db_url))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "by": "wijk",
        "rows": [
            {
                "key": "Oosterpoort",
                "approached": 1,
                "reached": 0,
                "reach_rate": 0.0,
                **ZERO,
                "unreachable": 1,
                "no_answer": 1,
            },
            {
                "key": "Selwerd",
                "approached": 2,
                "reached": 1,
                "reach_rate": 0.5,
                **ZERO,
                "active": 1,
                "open": 1,
            },
        ],
        "total": {
            "approached": 3,
            "reached": 1,
            "reach_rate": 0.3333,
            **ZERO,
            "active": 1,
            "unreachable": 1,
            "no_answer": 1,
            "open": 1,
        },
    }


async def test_csv_goes_to_the_output_file(sessions, db_url, tmp_path):
    await _populate(sessions)
    output = tmp_path / "bereik.csv"
    result = followup(
        "report",
        "--by",
        "round",
        "--format",
        "csv",
        "--output",
        str(output),
        cwd=tmp_path,
        env=clean_env(db_url),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    with output.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines == [
        ["key", "approached", "reached", "reach_rate", *ZERO],
        ["1", "2", "1", "0.5", "1", "0", "0", "0", "0", "0", "0", "0", "0", "1"],
        ["2", "1", "0", "0.0", "0", "0", "0", "0", "1", "1", "0", "0", "0", "0"],
        ["total", "3", "1", "0.3333", "1", "0", "0", "0", "1", "1", "0", "0", "0", "1"],
    ]


async def test_table_speaks_dutch(sessions, db_url, tmp_path):
    await _populate(sessions)
    result = followup("report", "--by", "channel", cwd=tmp_path, env=clean_env(db_url))
    assert result.returncode == 0, result.stderr
    header, _, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["kanaal", "benaderd", "bereikt", "bereik"]
    for heading in ("Actief geworden", "Niet bereikt", "geen antwoord", "afgemeld", "nog open"):
        assert heading in header
    assert [row.split()[:4] for row in rows if not row.startswith("-")] == [
        ["bellen", "1", "0", "0,0%"],
        ["geen", "1", "0", "0,0%"],
        ["sms", "1", "1", "100,0%"],
        ["Totaal", "3", "1", "33,3%"],
    ]


@pytest.mark.parametrize(
    "option", [["--by", "week"], ["--format", "xlsx"]], ids=["by-week", "format-xlsx"]
)
def test_unknown_choice_exits_2(tmp_path, option):
    result = followup("report", *option, cwd=tmp_path, env=clean_env())
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_unwritable_output_exits_2_naming_the_file(db_url, tmp_path):
    output = tmp_path / "no-such-folder" / "bereik.csv"
    result = followup(
        "report", "--format", "csv", "--output", str(output), cwd=tmp_path, env=clean_env(db_url)
    )
    assert result.returncode == 2
    assert str(output) in result.stderr
    assert result.stdout == ""


def test_report_has_help(tmp_path):
    result = followup("report", "--help", cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert "--by {wijk,round,channel,agent,month}" in result.stdout
