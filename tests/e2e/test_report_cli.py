"""`followup report` as coordinators and scripts run it: formats, files and exit codes."""

import csv
import io
import json
import os
import pty
import subprocess
from datetime import UTC, datetime

import openpyxl
import pytest

from followup.rules.domain import (
    Channel,
    OutcomeCategory,
    UnreachableReason,
)
from tests.support.processes import FOLLOWUP, clean_env, followup
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


async def _populate(sessions, follow_ups=FOLLOW_UPS, opened=None) -> None:
    opened = opened or [NOW] * len(follow_ups)
    async with sessions() as session, session.begin():
        for number, (wijk, round_number, outcome, channel) in enumerate(follow_ups):
            client_id, conversation_id = await add_client(session, str(number), wijk)
            await add_follow_up(
                session,
                client_id,
                conversation_id,
                round_number=round_number,
                opened_at=opened[number],
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
    ("option", "choices"),
    [
        (["--by", "week"], "'wijk', 'round', 'channel', 'agent', 'month', 'all'"),
        (["--format", "pdf"], "'table', 'csv', 'json', 'xlsx'"),
    ],
    ids=["by-week", "format-pdf"],
)
def test_unknown_choice_exits_2_naming_the_choices(tmp_path, option, choices):
    result = followup("report", *option, cwd=tmp_path, env=clean_env())
    assert result.returncode == 2
    assert f"argument {option[0]}: invalid choice" in result.stderr
    assert f"(choose from {choices})" in result.stderr


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (
            ["--from", "2026-13"],
            "--from: '2026-13' is geen maand: schrijf jaar en maand als JJJJ-MM",
        ),
        (["--to", "juni"], "--to: 'juni' is geen maand"),
        (["--from", "2026-06", "--to", "2026-05"], "--to: 2026-05 ligt vóór de beginmaand 2026-06"),
        (["--wijk", " "], "--wijk: is leeg"),
        (["--suppress-below", "0"], "argument --suppress-below: moet 1 of meer zijn"),
        (["--suppress-below", "-2"], "argument --suppress-below: moet 1 of meer zijn"),
        (["--suppress-below", "2.5"], "argument --suppress-below: '2.5' is geen heel getal"),
        (["--suppress-below", "tien"], "argument --suppress-below: 'tien' is geen heel getal"),
    ],
    ids=[
        "month-13",
        "not-a-month",
        "to-before-from",
        "empty-wijk",
        "zero",
        "negative",
        "2.5",
        "word",
    ],
)
def test_bad_filters_and_thresholds_exit_2_naming_the_option(tmp_path, option, words):
    # No database here: the input is refused before the report is read.
    result = followup("report", *option, cwd=tmp_path, env=clean_env())
    assert result.returncode == 2
    assert words in result.stderr
    assert result.stdout == ""


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
    assert "--by {wijk,round,channel,agent,month,all}" in result.stdout
    assert "--format {table,csv,json,xlsx}" in result.stdout
    for option in ("--from JJJJ-MM", "--to JJJJ-MM", "--wijk WIJK", "--suppress-below N"):
        assert option in result.stdout


# wijk, round, outcome, channel; opened in May or June (local time)
PERIOD = [
    ("Selwerd", 1, (OutcomeCategory.ACTIVE, None), Channel.SMS),
    ("Selwerd", 1, (OutcomeCategory.ACTIVE, None), Channel.SMS),
    ("Selwerd", 1, None, None),
    ("Paddepoel", 1, (OutcomeCategory.UNREACHABLE, UnreachableReason.NO_ANSWER), Channel.CALL),
]
OPENED = (
    datetime(2026, 5, 31, 21, 59, tzinfo=UTC),  # 23:59 on 31 May in Groningen
    datetime(2026, 5, 31, 22, 0, tzinfo=UTC),  # midnight: June
    datetime(2026, 6, 20, 9, 0, tzinfo=UTC),
    datetime(2026, 6, 21, 9, 0, tzinfo=UTC),
)
SELWERD_JUNE = {"approached": 2, "reached": 1, "reach_rate": 0.5, **ZERO, "active": 1, "open": 1}


def _report(db_url, tmp_path, *options):
    result = followup("report", *options, cwd=tmp_path, env=clean_env(db_url))
    assert result.returncode == 0, result.stderr
    return result


async def test_filters_on_the_local_month_opened_and_the_wijk(sessions, db_url, tmp_path):
    await _populate(sessions, PERIOD, OPENED)
    options = ["--from", "2026-06", "--to", "2026-06", "--wijk", "Selwerd", "--format", "json"]
    result = _report(db_url, tmp_path, *options)
    assert json.loads(result.stdout) == {
        "by": "wijk",
        "rows": [{"key": "Selwerd", **SELWERD_JUNE}],
        "total": SELWERD_JUNE,
    }
    assert result.stderr == ""
    may = json.loads(_report(db_url, tmp_path, "--to", "2026-05", "--format", "json").stdout)
    assert may["total"]["approached"] == 1


@pytest.mark.parametrize(("below", "hidden"), [(2, False), (3, True)])
async def test_suppression_at_the_boundary_in_json(sessions, db_url, tmp_path, below, hidden):
    await _populate(sessions, PERIOD, OPENED)
    options = ["--from", "2026-06", "--wijk", "Selwerd", "--format", "json"]
    document = json.loads(
        _report(db_url, tmp_path, *options, "--suppress-below", str(below)).stdout
    )
    assert document["suppress_below"] == below
    total = document["total"]
    # approached is 2: shown at N=2, hidden at N=3; reached is 1: hidden at both
    assert total["approached"] == (None if hidden else 2)
    assert (total["reached"], total["reach_rate"]) == (None, None)
    assert total["open"] is None  # 1
    # every other count is 0 or 1, so everything but approached at N=2 is hidden
    assert total["suppressed"] == [n for n in SELWERD_JUNE if hidden or n != "approached"]
    assert document["rows"][0]["key"] == "Selwerd"
    assert document["rows"][0]["suppressed"] == total["suppressed"]


@pytest.mark.parametrize(("below", "hidden"), [(2, False), (3, True)])
async def test_suppression_at_the_boundary_in_csv_and_table(
    sessions, db_url, tmp_path, below, hidden
):
    await _populate(sessions, PERIOD, OPENED)
    options = ["--from", "2026-06", "--wijk", "Selwerd", "--suppress-below", str(below)]
    approached = f"<{below}" if hidden else "2"
    lines = list(
        csv.reader(io.StringIO(_report(db_url, tmp_path, *options, "--format", "csv").stdout))
    )
    assert lines[1][:5] == ["Selwerd", approached, f"<{below}", "", f"<{below}"]
    table = _report(db_url, tmp_path, *options).stdout.splitlines()
    assert table[2].split()[:3] == ["Selwerd", approached, f"<{below}"]


async def test_xlsx_to_a_file_holds_every_grouping_on_its_own_sheet(sessions, db_url, tmp_path):
    await _populate(sessions, PERIOD, OPENED)
    output = tmp_path / "bereik.xlsx"
    options = ["--by", "all", "--format", "xlsx", "--output", str(output), "--from", "2026-06"]
    result = _report(db_url, tmp_path, *options)
    assert result.stdout == ""
    assert str(output) in result.stderr
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["Per wijk", "Per ronde", "Per kanaal", "Per medewerker", "Per maand"]
    sheet = book["Per wijk"]
    assert [cell.value for cell in sheet[1]][:4] == ["wijk", "benaderd", "bereikt", "bereik"]
    assert [[cell.value for cell in line[:4]] for line in sheet.iter_rows(min_row=2)] == [
        ["Paddepoel", 1, 0, 0],
        ["Selwerd", 2, 1, 0.5],
        ["Totaal", 3, 1, 0.3333],
    ]
    assert (sheet["B2"].number_format, sheet["D2"].number_format) == ("#,##0", "0.0%")
    assert [cell.value for cell in book["Per maand"]["A"]] == ["maand", "2026-06", "Totaal"]


async def test_xlsx_goes_to_stdout_when_it_is_not_a_terminal(sessions, db_url, tmp_path):
    await _populate(sessions)
    result = subprocess.run(
        [str(FOLLOWUP), "report", "--format", "xlsx", "--suppress-below", "2"],
        cwd=tmp_path,
        env=clean_env(db_url),
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(io.BytesIO(result.stdout))["Per wijk"]
    # Selwerd's 2 would give Oosterpoort's hidden 1 back from the total of 3: hidden too.
    assert [cell.value for cell in sheet["B"]] == ["benaderd", "<2", "x", 3]


def test_xlsx_to_a_terminal_is_refused(db_url, tmp_path):
    terminal, child_end = pty.openpty()
    try:
        result = subprocess.run(
            [str(FOLLOWUP), "report", "--format", "xlsx"],
            cwd=tmp_path,
            env=clean_env(db_url),
            stdout=child_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(child_end)
        os.close(terminal)
    assert result.returncode == 2
    assert "Excel-bestand" in result.stderr and "--output" in result.stderr


async def test_all_groupings_in_csv_json_and_table(sessions, db_url, tmp_path):
    await _populate(sessions)
    lines = list(
        csv.reader(io.StringIO(_report(db_url, tmp_path, "--by", "all", "--format", "csv").stdout))
    )
    assert lines[0][:3] == ["by", "key", "approached"]
    assert [line[:3] for line in lines[1:4]] == [
        ["wijk", "Oosterpoort", "1"],
        ["wijk", "Selwerd", "2"],
        ["wijk", "total", "3"],
    ]
    assert [line[0] for line in lines[1:]].count("month") == 2
    document = json.loads(_report(db_url, tmp_path, "--by", "all", "--format", "json").stdout)
    assert [report["by"] for report in document["reports"]] == [
        "wijk",
        "round",
        "channel",
        "agent",
        "month",
    ]
    assert document["reports"][0] == json.loads(
        _report(db_url, tmp_path, "--format", "json").stdout
    )
    tables = _report(db_url, tmp_path, "--by", "all").stdout.split("\n\n")
    assert [table.split()[0] for table in tables] == [
        "wijk",
        "ronde",
        "kanaal",
        "medewerker",
        "maand",
    ]


async def test_an_unknown_wijk_gives_zeros_and_says_so(sessions, db_url, tmp_path):
    await _populate(sessions)
    result = _report(db_url, tmp_path, "--wijk", "Nergenshuizen", "--format", "json")
    assert json.loads(result.stdout)["total"] == {
        "approached": 0,
        "reached": 0,
        "reach_rate": 0.0,
        **ZERO,
    }
    assert "'Nergenshuizen'" in result.stderr
    assert "bekende wijken: Oosterpoort, Selwerd" in result.stderr


@pytest.mark.parametrize("form", ["table", "csv", "json", "xlsx"])
def test_an_empty_database_gives_a_report_of_zeros(db_url, tmp_path, form):
    output = tmp_path / f"bereik.{form}"
    _report(db_url, tmp_path, "--by", "all", "--format", form, "--output", str(output))
    assert output.stat().st_size > 0
    if form == "json":
        document = json.loads(output.read_text(encoding="utf-8"))
        assert all(report["total"]["approached"] == 0 for report in document["reports"])


FORMULA_WIJK = "=cmd|' /C calc'!A0"


async def test_a_wijk_that_looks_like_a_formula_reaches_no_file_as_one(sessions, db_url, tmp_path):
    await _populate(sessions, [(FORMULA_WIJK, 1, None, None)])
    result = _report(db_url, tmp_path, "--format", "csv")
    assert list(csv.reader(io.StringIO(result.stdout)))[1][0] == "'" + FORMULA_WIJK
    output = tmp_path / "bereik.xlsx"
    _report(db_url, tmp_path, "--format", "xlsx", "--output", str(output))
    cell = openpyxl.load_workbook(output)["Per wijk"]["A2"]
    assert (cell.value, cell.data_type) == (FORMULA_WIJK, "s")
