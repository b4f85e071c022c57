"""`followup report`: the reach report per wijk, round, channel, agent or month."""

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from followup.cli.runtime import OK, Refused, database, load_settings
from followup.dutch import file_problem, percent
from followup.rules.domain import OUTCOME_LABELS_NL, OutcomeCategory, ReportGrouping
from followup.services.reach_report import Figures, Report, reach_report

FORMATS = ("table", "csv", "json")

KEY_HEADINGS = {
    ReportGrouping.WIJK: "wijk",
    ReportGrouping.ROUND: "ronde",
    ReportGrouping.CHANNEL: "kanaal",
    ReportGrouping.AGENT: "medewerker",
    ReportGrouping.MONTH: "maand",
}
FIGURE_HEADINGS = {
    "approached": "benaderd",
    "reached": "bereikt",
    "reach_rate": "bereik",
    **{category.value: OUTCOME_LABELS_NL[category] for category in OutcomeCategory},
    "no_answer": "geen antwoord",
    "invalid_number": "onjuist nummer",
    "no_contact_details": "geen gegevens",
    "opted_out": "afgemeld",
    "open": "nog open",
}
# Only the table is for people; csv and json keep the keys scripts rely on.
CHANNEL_NAMES_NL = {"call": "bellen", "sms": "sms", "email": "e-mail", "none": "geen"}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "report",
        help="bereikrapport: hoeveel inwoners zijn bereikt",
        description="Telt per groep de benaderde inwoners, hoeveel er bereikt zijn, de uitkomsten "
        "en waarom inwoners niet bereikt zijn. Inwoners die nog niet aan de beurt zijn, "
        "tellen niet mee. Per kanaal telt een inwoner mee bij elk kanaal dat is geprobeerd, "
        "dus de regels tellen dan niet op tot het totaal.",
    )
    parser.add_argument(
        "--by",
        choices=[grouping.value for grouping in ReportGrouping],
        default=ReportGrouping.WIJK.value,
        help="groeperen per wijk (standaard), ronde, kanaal (channel), medewerker (agent) "
        "of maand waarin de follow-up begon (month)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (standaard): een tabel om te lezen; csv of json: voor andere programma's",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="BESTAND",
        help="schrijf het rapport naar dit bestand in plaats van naar stdout",
    )
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    async with database(settings) as sessions:
        report = await reach_report(sessions, ReportGrouping(args.by), settings.zone)
    render = {"table": _table, "csv": _csv, "json": _json}[args.format]
    _write(render(report), args.output)
    return OK


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        # newline="": the csv module already ends its rows with \r\n.
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise Refused(
            f"kan het rapport niet schrijven naar {output}: {file_problem(error)}"
        ) from None
    print(f"bereikrapport geschreven naar {output}", file=sys.stderr)


def _json(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False) + "\n"


def _csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    total = report.total.as_dict()
    writer.writerow(["key", *total])
    writer.writerows(row.as_dict().values() for row in report.rows)
    writer.writerow(["total", *total.values()])
    return buffer.getvalue()


def _table(report: Report) -> str:
    header = [KEY_HEADINGS[report.by], *(FIGURE_HEADINGS[name] for name in report.total.as_dict())]
    body = [[_key_text(report.by, row.key), *_cells(row.figures)] for row in report.rows]
    total = ["Totaal", *_cells(report.total)]
    widths = [max(len(line[i]) for line in [header, *body, total]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        numbers = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([cells[0].ljust(widths[0]), *numbers])

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *map(line, body), rule, line(total)]) + "\n"


def _key_text(by: ReportGrouping, key: str | int) -> str:
    return CHANNEL_NAMES_NL[str(key)] if by is ReportGrouping.CHANNEL else str(key)


def _cells(figures: Figures) -> list[str]:
    return [
        percent(value) if name == "reach_rate" else str(value)
        for name, value in figures.as_dict().items()
    ]
