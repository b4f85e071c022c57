"""The reach report as files for people: the workbook opened with openpyxl, and the CSV
for a Dutch Excel, checked cell by cell."""

import csv
import io

import openpyxl
import pytest

from followup.rules.domain import ReportGrouping
from followup.services.reach_report import Figures, Group, Report
from followup.services.report_files import spreadsheet_csv, workbook

FORMULA_WIJK = "=cmd|' /C calc'!A0"


def figures(approached: int, reached: int, open_: int = 0) -> Figures:
    return Figures(
        approached=approached,
        reached=reached,
        active=reached,
        with_wij=0,
        in_progress=0,
        not_active=0,
        unreachable=approached - reached - open_,
        no_answer=approached - reached - open_,
        invalid_number=0,
        no_contact_details=0,
        opted_out=0,
        open=open_,
    )


BY_WIJK = Report(
    by=ReportGrouping.WIJK,
    rows=(
        Group(FORMULA_WIJK, figures(9, 9)),
        Group("Selwerd", figures(1200, 400, open_=10)),
    ),
    total=figures(1209, 409, open_=10),
)
BY_CHANNEL = Report(
    by=ReportGrouping.CHANNEL,
    rows=(Group("call", figures(1000, 300)), Group("none", figures(3, 0))),
    total=figures(1209, 409, open_=10),
)
BY_ROUND = Report(
    by=ReportGrouping.ROUND,
    rows=(Group(1, figures(1209, 409, open_=10)),),
    total=figures(1209, 409, open_=10),
)


def _open(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def test_one_sheet_per_grouping_with_dutch_headings():
    book = _open(workbook([BY_WIJK, BY_ROUND, BY_CHANNEL]))
    assert book.sheetnames == ["Per wijk", "Per ronde", "Per kanaal"]
    sheet = book["Per wijk"]
    headings = [cell.value for cell in sheet[1]]
    assert headings[:4] == ["wijk", "benaderd", "bereikt", "bereik"]
    assert headings[-1] == "nog open"
    assert all(cell.font.bold for cell in sheet[1])
    assert [cell.value for cell in book["Per kanaal"]["A"]] == [
        "kanaal",
        "bellen",
        "geen",
        "Totaal",
    ]
    assert [cell.value for cell in book["Per ronde"]["A"]] == ["ronde", 1, "Totaal"]


def test_counts_and_rates_are_numbers_with_their_formats():
    sheet = _open(workbook([BY_WIJK]))["Per wijk"]
    selwerd = sheet[3]
    assert [cell.value for cell in selwerd[:4]] == ["Selwerd", 1200, 400, 0.3333]
    assert selwerd[1].data_type == "n" and selwerd[1].number_format == "#,##0"
    assert selwerd[3].data_type == "n" and selwerd[3].number_format == "0.0%"
    assert selwerd[-1].value == 10 and selwerd[-1].number_format == "#,##0"
    total = sheet[4]
    assert [cell.value for cell in total[:4]] == ["Totaal", 1209, 409, 0.3383]
    assert all(cell.font.bold for cell in total)


def test_the_header_row_and_key_column_are_frozen_and_columns_fit():
    sheet = _open(workbook([BY_WIJK]))["Per wijk"]
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width == len(FORMULA_WIJK) + 2
    assert sheet.column_dimensions["B"].width == len("benaderd") + 2


def test_a_wijk_that_looks_like_a_formula_is_stored_as_text():
    content = workbook([BY_WIJK])
    cell = _open(content)["Per wijk"]["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA_WIJK, "s", True)
    assert b"<f>" not in content  # no formula anywhere in the file
    assert _open(content)["Per wijk"]["A3"].quotePrefix is False


@pytest.mark.parametrize(("below", "hidden"), [(9, False), (10, True)])
def test_suppression_at_the_boundary_in_the_workbook(below, hidden):
    sheet = _open(workbook([BY_WIJK], suppress_below=below))["Per wijk"]
    approached, reached, rate = (cell.value for cell in sheet[2][1:4])
    if hidden:  # 9 is under 10
        assert (approached, reached, rate) == (f"<{below}", f"<{below}", None)
        assert sheet["B2"].data_type == "s" and sheet["B2"].alignment.horizontal == "right"
        # Selwerd's 1200 would give the 9 back from the total: hidden too, as "x".
        assert sheet["B3"].value == "x"
    else:  # 9 is not under 9
        assert (approached, reached, rate) == (9, 9, 1.0)
        assert sheet["B3"].value == 1200


def test_a_workbook_needs_a_report():
    with pytest.raises(ValueError):
        workbook([])


def _csv_lines(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM a Dutch Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_spreadsheet_csv_for_a_dutch_excel():
    content = spreadsheet_csv([BY_WIJK])
    assert b"\r\n" in content
    header, formula, selwerd, total = _csv_lines(content)
    assert header[:4] == ["wijk", "benaderd", "bereikt", "bereik"]
    assert formula[0] == "'" + FORMULA_WIJK
    assert selwerd[:4] == ["Selwerd", "1200", "400", "33,3%"]
    assert total[:4] == ["Totaal", "1209", "409", "33,8%"]


def test_a_separator_inside_a_value_never_starts_a_cell_of_its_own():
    for separator in (";", ","):
        hostile = Report(
            by=ReportGrouping.WIJK,
            rows=(Group(f"Noord{separator}=cmd|' /C calc'!A0", figures(9, 9)),),
            total=figures(9, 9),
        )
        content = spreadsheet_csv([hostile]).decode("utf-8-sig")
        # Every cell quoted: an Excel splitting on either separator keeps the value whole.
        assert f'"Noord{separator}=cmd|\' /C calc\'!A0";"9"' in content


def test_spreadsheet_csv_names_the_grouping_first_when_it_holds_several():
    lines = _csv_lines(spreadsheet_csv([BY_WIJK, BY_CHANNEL]))
    assert lines[0][:4] == ["indeling", "groep", "benaderd", "bereikt"]
    assert [line[:2] for line in lines[1:]] == [
        ["wijk", "'" + FORMULA_WIJK],
        ["wijk", "Selwerd"],
        ["wijk", "Totaal"],
        ["kanaal", "bellen"],
        ["kanaal", "geen"],
        ["kanaal", "Totaal"],
    ]


@pytest.mark.parametrize(("below", "hidden"), [(3, False), (4, True)])
def test_suppression_at_the_boundary_in_the_spreadsheet_csv(below, hidden):
    none = _csv_lines(spreadsheet_csv([BY_CHANNEL], suppress_below=below))[2]
    # approached 3, reached 0: reached is always hidden, so the rate is empty either way
    assert none[:4] == ["geen", f"<{below}" if hidden else "3", f"<{below}", ""]
