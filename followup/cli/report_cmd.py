"""`followup report`: the reach report per wijk, round, channel, agent or month, or all of
them; filtered on period and wijk; as a table, CSV or JSON, or an Excel workbook."""

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from followup.cli.runtime import CLI_ACTOR, OK, Refused, database, load_settings
from followup.clock import utc_now
from followup.dutch import file_problem
from followup.rules.domain import ReportGrouping
from followup.rules.report_filter import ReportFilter, ReportFilterError
from followup.rules.report_suppression import Hidden, Shown, parse_threshold
from followup.rules.spreadsheet_cells import safe_cell
from followup.services.reach_report import (
    Report,
    known_wijken,
    reach_report,
    reach_reports,
    record_export,
)
from followup.services.report_files import people_table, shown_figures, workbook

FORMATS = ("table", "csv", "json", "xlsx")
ALL = "all"
OPTIONS = {"first_month": "--from", "last_month": "--to", "wijk": "--wijk"}


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
        choices=[*(grouping.value for grouping in ReportGrouping), ALL],
        default=ReportGrouping.WIJK.value,
        help="groeperen per wijk (standaard), ronde, kanaal (channel), medewerker (agent) "
        "of maand waarin de follow-up begon (month); all: alle indelingen",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (standaard): een tabel om te lezen; xlsx: een Excel-bestand (met --output); "
        "csv of json: voor andere programma's",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="BESTAND",
        help="schrijf het rapport naar dit bestand in plaats van naar stdout",
    )
    parser.add_argument(
        "--from",
        dest="first_month",
        metavar="JJJJ-MM",
        help="alleen follow-ups die in deze maand of later begonnen",
    )
    parser.add_argument(
        "--to",
        dest="last_month",
        metavar="JJJJ-MM",
        help="alleen follow-ups die in deze maand of eerder begonnen",
    )
    parser.add_argument("--wijk", metavar="WIJK", help="alleen inwoners van deze wijk")
    parser.add_argument(
        "--suppress-below",
        type=_threshold,
        metavar="N",
        help="toon aantallen onder N als <N en laat percentages die daarvan afhangen leeg, "
        "voor cijfers die buiten het team komen",
    )
    parser.set_defaults(handler=run)


def _threshold(text: str) -> int:
    try:
        return parse_threshold(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


async def run(args: argparse.Namespace) -> int:
    filters = _filters(args)
    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        raise Refused(
            "een Excel-bestand is niet te lezen in de terminal: geef --output BESTAND, "
            "of stuur de uitvoer naar een bestand"
        )
    settings = load_settings()
    async with database(settings) as sessions:
        if args.by == ALL:
            reports = list((await reach_reports(sessions, settings.zone, filters)).values())
        else:
            reports = [
                await reach_report(sessions, ReportGrouping(args.by), settings.zone, filters)
            ]
        wijken = await known_wijken(sessions) if filters.wijk is not None else []
        render = {"table": _table, "csv": _csv, "json": _json, "xlsx": _xlsx}[args.format]
        _write(render(reports, args.suppress_below), args.output)
        await record_export(
            sessions,
            by=args.by,
            kind=args.format,
            filters=filters,
            suppress_below=args.suppress_below,
            to_file=args.output is not None,
            actor=CLI_ACTOR,
            now=utc_now(),
        )
    if filters.wijk is not None and filters.wijk not in wijken:
        print(_unknown_wijk(filters.wijk, wijken), file=sys.stderr)
    return OK


def _filters(args: argparse.Namespace) -> ReportFilter:
    try:
        return ReportFilter(args.first_month, args.last_month, args.wijk)
    except ReportFilterError as error:
        raise Refused(f"{OPTIONS[error.field]}: {error}") from None


def _unknown_wijk(wijk: str, known: list[str]) -> str:
    known_text = f"; bekende wijken: {', '.join(known)}" if known else ""
    return f"let op: geen inwoner woont in wijk {wijk!r}, dus alle aantallen zijn 0{known_text}"


def _write(content: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(content)
    except OSError as error:
        raise Refused(
            f"kan het rapport niet schrijven naar {output}: {file_problem(error)}"
        ) from None
    print(f"bereikrapport geschreven naar {output}", file=sys.stderr)


def _xlsx(reports: Sequence[Report], suppress_below: int | None) -> bytes:
    return workbook(reports, suppress_below=suppress_below)


def _json(reports: Sequence[Report], suppress_below: int | None) -> bytes:
    documents = [_document(report, suppress_below) for report in reports]
    document = documents[0] if len(documents) == 1 else {"reports": documents}
    return (json.dumps(document, ensure_ascii=False) + "\n").encode()


def _document(report: Report, suppress_below: int | None) -> dict[str, Any]:
    """The report as JSON (CONTRACT 7). With a threshold, a hidden count or rate is null, and
    each row and the total name the figures hidden in "suppressed"."""
    if suppress_below is None:
        return report.as_dict()

    def shown(values: dict[str, Shown]) -> dict[str, Any]:
        hidden = [
            name for name, value in values.items() if value is None or isinstance(value, Hidden)
        ]
        return {
            **{name: None if name in hidden else value for name, value in values.items()},
            "suppressed": hidden,
        }

    rows, total = shown_figures(report, suppress_below)
    return {
        "by": report.by.value,
        "suppress_below": suppress_below,
        "rows": [
            {"key": row.key, **shown(values)} for row, values in zip(report.rows, rows, strict=True)
        ],
        "total": shown(total),
    }


def _csv(reports: Sequence[Report], suppress_below: int | None) -> bytes:
    """Comma-separated with the English keys, for programs; with several reports a first
    column "by" names each line's grouping. Hidden counts are "<N", hidden rates empty."""
    several = len(reports) > 1
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    for index, report in enumerate(reports):
        names = list(report.total.as_dict())
        if index == 0:
            writer.writerow(["by", "key", *names] if several else ["key", *names])
        rows, total = shown_figures(report, suppress_below)
        keys = [*(row.key for row in report.rows), "total"]
        for key, values in zip(keys, [*rows, total], strict=True):
            cells = [key, *("" if value is None else str(value) for value in values.values())]
            writer.writerow(map(safe_cell, [report.by.value, *cells] if several else cells))
    return buffer.getvalue().encode()


def _table(reports: Sequence[Report], suppress_below: int | None) -> bytes:
    return "\n".join(_aligned(people_table(r, suppress_below).texts()) for r in reports).encode()


def _aligned(texts: list[list[str]]) -> str:
    header, *body, total = texts
    widths = [max(len(line[i]) for line in texts) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        numbers = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([cells[0].ljust(widths[0]), *numbers])

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *map(line, body), rule, line(total)]) + "\n"
