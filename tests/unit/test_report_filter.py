"""The reach report's filters: local months as UTC instants, and the input refused."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from followup.rules.report_filter import ReportFilter, ReportFilterError

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_no_filter_leaves_both_ends_open():
    assert ReportFilter().opened_from(AMSTERDAM) is None
    assert ReportFilter().opened_before(AMSTERDAM) is None


def test_months_begin_at_local_midnight_in_winter_and_in_summer():
    period = ReportFilter(first_month="2026-01", last_month="2026-06")
    assert period.opened_from(AMSTERDAM) == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert period.opened_before(AMSTERDAM) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)


def test_the_month_after_december_is_january_of_the_next_year():
    period = ReportFilter(last_month="2026-12")
    assert period.opened_before(AMSTERDAM) == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


def test_one_month_from_and_to():
    period = ReportFilter(first_month="2026-03", last_month="2026-03")
    assert period.opened_from(AMSTERDAM) == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert period.opened_before(AMSTERDAM) == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "2026-1", "26-01", "januari", "2026-01-05", ""]
)
@pytest.mark.parametrize("field", ["first_month", "last_month"])
def test_a_month_that_is_not_yyyy_mm_is_refused_naming_the_field(field, month):
    with pytest.raises(ReportFilterError, match="JJJJ-MM") as refused:
        ReportFilter(**{field: month})
    assert refused.value.field == field


def test_a_last_month_before_the_first_is_refused():
    with pytest.raises(
        ReportFilterError, match="2026-01 ligt vóór de beginmaand 2026-05"
    ) as refused:
        ReportFilter(first_month="2026-05", last_month="2026-01")
    assert refused.value.field == "last_month"


@pytest.mark.parametrize("wijk", ["", "  "])
def test_an_empty_wijk_is_refused(wijk):
    with pytest.raises(ReportFilterError) as refused:
        ReportFilter(wijk=wijk)
    assert refused.value.field == "wijk"
