"""The reach report as files for people: an Excel workbook and a CSV that a Dutch Excel opens
in columns. Dutch headings, channels in Dutch, small counts hidden on request, and never a
cell a spreadsheet would run as a formula (CONTRACT 8)."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from followup.dutch import percent
from followup.rules.domain import ReportGrouping
from followup.rules.report_labels import (
    FIGURE_HEADINGS,
    GROUPING_HEADING,
    KEY_HEADINGS,
    TOTAL_LABEL,
    key_text,
    sheet_name,
)
from followup.rules.report_suppression import Hidden, Shown, suppress_lines
from followup.rules.spreadsheet_cells import formula_like, safe_cell
from followup.services.reach_report import Report

COUNT_FORMAT = "#,##0"
RATE_FORMAT = "0.0%"
RATE = "reach_rate"
_BOLD = Font(bold=True)
_RIGHT = Alignment(horizontal="right")


@dataclass(frozen=True, slots=True)
class Table:
    """One report as people read it: Dutch headings, then one line per group and a last
    line "Totaal"; each line the group's key and its figures as shown (`names` in order)."""

    headings: tuple[str, ...]
    names: tuple[str, ...]
    lines: tuple[tuple[str | int, tuple[Shown, ...]], ...]

    def texts(self) -> list[list[str]]:
        """The headings and every line, each cell written out."""
        return [
            list(self.headings),
            *([str(key), *map(figure_text, self.names, figures)] for key, figures in self.lines),
        ]


def shown_figures(
    report: Report, suppress_below: int | None
) -> tuple[list[dict[str, Shown]], dict[str, Shown]]:
    """Each row's figures and the total's as shown with threshold `suppress_below` (None:
    all), small counts and what would give them back hidden."""
    lines = [row.figures.as_dict() for row in report.rows] + [report.total.as_dict()]
    # Grouped by channel a follow-up counts under each channel tried: rows overlap.
    partition = report.by is not ReportGrouping.CHANNEL
    *rows, total = suppress_lines(lines, suppress_below, last_is_total=partition)
    return rows, total


def people_table(report: Report, suppress_below: int | None = None) -> Table:
    """The report for people, small counts hidden below `suppress_below` (None: none)."""
    rows, total = shown_figures(report, suppress_below)
    names = tuple(report.total.as_dict())
    keys = [key_text(report.by, row.key) for row in report.rows]
    return Table(
        headings=(KEY_HEADINGS[report.by], *(FIGURE_HEADINGS[name] for name in names)),
        names=names,
        lines=tuple(
            (key, tuple(figures.values()))
            for key, figures in [*zip(keys, rows, strict=True), (TOTAL_LABEL, total)]
        ),
    )


def figure_text(name: str, value: Shown) -> str:
    """A figure written out: "33,3%" for a rate, "<10" for a hidden count, "" for a rate
    left empty."""
    if value is None:
        return ""
    if name == RATE:  # a rate is never Hidden, only left empty
        return percent(value)
    return str(value)


def spreadsheet_csv(reports: Sequence[Report], *, suppress_below: int | None = None) -> bytes:
    """`;`-separated UTF-8 with a byte order mark, as a Dutch Excel opens it; with several
    reports the first column names each line's grouping."""
    several = len(reports) > 1
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for index, report in enumerate(reports):
        headings, *lines = people_table(report, suppress_below).texts()
        if index == 0:
            writer.writerow([GROUPING_HEADING, "groep", *headings[1:]] if several else headings)
        for cells in lines:
            cells = [KEY_HEADINGS[report.by], *cells] if several else cells
            writer.writerow(map(safe_cell, cells))
    return buffer.getvalue().encode("utf-8-sig")


ABOUT_SHEET = "Over dit bestand"


def workbook(
    reports: Sequence[Report],
    *,
    suppress_below: int | None = None,
    about: Sequence[tuple[str, str]] = (),
) -> bytes:
    """An XLSX file with one sheet per report, named after its grouping; `about` (label,
    text), when given, first on a sheet of its own: what the figures are, so a file passed
    on still says which period and wijk it holds."""
    if not reports:
        raise ValueError("a workbook needs at least one report")
    book = Workbook()
    book.remove(book.active)
    if about:
        sheet = book.create_sheet(ABOUT_SHEET)
        for label, text in about:
            sheet.append([safe_cell(label), safe_cell(text)])
            sheet.cell(sheet.max_row, 1).font = _BOLD
        sheet.column_dimensions["A"].width = max(len(label) for label, _ in about) + 2
        sheet.column_dimensions["B"].width = max(len(text) for _, text in about) + 2
    for report in reports:
        _fill(book.create_sheet(sheet_name(report.by)), people_table(report, suppress_below))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(sheet: Worksheet, table: Table) -> None:
    sheet.append(table.headings)
    for cell in sheet[1]:
        cell.font = _BOLD
    for key, figures in table.lines:
        row = sheet.max_row + 1
        _text_or_number(sheet.cell(row, 1), key)
        for column, (name, value) in enumerate(zip(table.names, figures, strict=True), start=2):
            _figure(sheet.cell(row, column), name, value)
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    # The headings and the keys stay in view while scrolling either way.
    sheet.freeze_panes = "B2"
    _fit_columns(sheet, table)


def _text_or_number(cell: Cell, value: str | int) -> None:
    if not isinstance(value, str):
        cell.value = value
        return
    # openpyxl stores text beginning with "=" as a formula: keep it text, and mark it with
    # Excel's own quote prefix so it stays text when someone edits the cell.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    cell.quotePrefix = formula_like(cell.value)


def _figure(cell: Cell, name: str, value: Shown) -> None:
    if isinstance(value, Hidden):
        cell.value = str(value)
        cell.alignment = _RIGHT  # beside the numbers it stands in for
    else:
        cell.value = value
        cell.number_format = RATE_FORMAT if name == RATE else COUNT_FORMAT


def _fit_columns(sheet: Worksheet, table: Table) -> None:
    for column, texts in enumerate(zip(*table.texts(), strict=True), start=1):
        width = min(max(map(len, texts)) + 2, 60)
        sheet.column_dimensions[get_column_letter(column)].width = width
