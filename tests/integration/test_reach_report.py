"""The reach report's figures per grouping, on a population where each follow-up matters."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from followup.rules.domain import (
    Channel,
    FollowUpState,
    OutcomeCategory,
    OutcomeSource,
    ReportGrouping,
    Role,
    UnreachableReason,
)
from followup.services.reach_report import (
    ReportFilter,
    known_wijken,
    reach_report,
    reach_reports,
)
from followup.store.staff_tables import User
from tests.support.rows import add_client, add_follow_up

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
ANNA, BART = "anna@gemeente.nl", "bart@gemeente.nl"
C, R = OutcomeCategory, UnreachableReason
CALL, SMS, EMAIL = Channel.CALL, Channel.SMS, Channel.EMAIL
OPEN, CLOSED = FollowUpState.OPEN, FollowUpState.CLOSED


def lost(reason: UnreachableReason) -> tuple[OutcomeCategory, UnreachableReason]:
    return OutcomeCategory.UNREACHABLE, reason


# wijk, round, opened at (UTC), state, outcome, recorded by, channels tried
POPULATION = [
    ("Selwerd", 1, "2026-05-10T08:00", CLOSED, (C.ACTIVE, None), ANNA, [SMS, CALL]),
    ("Selwerd", 1, "2026-05-31T21:30", CLOSED, (C.WITH_WIJ, None), None, [SMS]),  # 23:30 local
    ("Selwerd", 2, "2026-05-31T22:30", CLOSED, lost(R.NO_ANSWER), None, [SMS, CALL, CALL]),
    ("Selwerd", 1, "2026-06-02T09:00", OPEN, None, None, [EMAIL]),
    # Closed at once for lack of contact details, never tried; 00:30 on 1 January (CET).
    ("Paddepoel", 1, "2025-12-31T23:30", CLOSED, lost(R.NO_CONTACT_DETAILS), None, []),
    ("Paddepoel", 2, "2026-06-30T22:30", CLOSED, lost(R.INVALID_NUMBER), None, [CALL]),
    ("Paddepoel", 1, "2026-06-20T10:00", CLOSED, (C.IN_PROGRESS, None), ANNA, [CALL, EMAIL]),
    ("Paddepoel", 1, "2026-06-21T10:00", CLOSED, (C.NOT_ACTIVE, None), BART, [CALL]),
    ("Paddepoel", 2, "2026-06-22T10:00", CLOSED, lost(R.OPTED_OUT), None, [SMS]),
    ("Paddepoel", 2, "2026-06-23T10:00", OPEN, None, None, [SMS, CALL]),
]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _populate(sessions, population) -> None:
    async with sessions() as session, session.begin():
        users = {
            email: User(email=email, password_hash="x", role=Role.AGENT, created_at=NOW)
            for email in (ANNA, BART)
        }
        session.add_all(users.values())
        # A client whose follow-up is not due yet has no follow-up and counts nowhere.
        await add_client(session, "not-due", "Beijum")
        for number, (wijk, round_number, opened, state, outcome, agent, channels) in enumerate(
            population
        ):
            client_id, conversation_id = await add_client(session, str(number), wijk)
            await add_follow_up(
                session,
                client_id,
                conversation_id,
                round_number=round_number,
                opened_at=_utc(opened),
                outcome=outcome,
                state=state,
                source=OutcomeSource.AGENT if agent else OutcomeSource.PLANNER,
                recorded_by_id=users[agent].id if agent else None,
                channels=channels,
            )


FIELDS = ["approached", "reached", "reach_rate", *C, *R, "open"]


def figures(*values: float) -> dict:
    return dict(zip(FIELDS, values, strict=True))


# approached, reached, reach_rate, active, with_wij, in_progress, not_active, unreachable,
# no_answer, invalid_number, no_contact_details, opted_out, open
TOTAL = figures(10, 4, 0.4, 1, 1, 1, 1, 4, 1, 1, 1, 1, 2)
EXPECTED_ROWS = {
    ReportGrouping.WIJK: {
        "Paddepoel": figures(6, 2, 0.3333, 0, 0, 1, 1, 3, 0, 1, 1, 1, 1),
        "Selwerd": figures(4, 2, 0.5, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1),
    },
    ReportGrouping.ROUND: {
        1: figures(6, 4, 0.6667, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1),
        2: figures(4, 0, 0, 0, 0, 0, 0, 3, 1, 1, 0, 1, 1),
    },
    # Local months: 2025-12-31T23:30Z is January, 2026-05-31T22:30Z is June (CEST) and
    # 2026-06-30T22:30Z is July; months without a follow-up have no row.
    ReportGrouping.MONTH: {
        "2026-01": figures(1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0),
        "2026-05": figures(2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
        "2026-06": figures(6, 2, 0.3333, 0, 0, 1, 1, 2, 1, 0, 0, 1, 2),
        "2026-07": figures(1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0),
    },
    ReportGrouping.AGENT: {
        "-": figures(7, 1, 0.1429, 0, 1, 0, 0, 4, 1, 1, 1, 1, 2),
        ANNA: figures(2, 2, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0),
        BART: figures(1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0),
    },
    # A follow-up counts once under each channel it was tried on, however often.
    ReportGrouping.CHANNEL: {
        "call": figures(6, 3, 0.5, 1, 0, 1, 1, 2, 1, 1, 0, 0, 1),
        "email": figures(2, 1, 0.5, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1),
        "none": figures(1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0),
        "sms": figures(5, 2, 0.4, 1, 1, 0, 0, 2, 1, 0, 0, 1, 1),
    },
}


@pytest.mark.parametrize("by", list(ReportGrouping), ids=str)
async def test_every_grouping_counts_exactly(sessions, by):
    await _populate(sessions, POPULATION)
    report = await reach_report(sessions, by, AMSTERDAM)
    assert report.as_dict() == {
        "by": by.value,
        "rows": [{"key": key, **counts} for key, counts in EXPECTED_ROWS[by].items()],
        "total": TOTAL,
    }


async def test_months_follow_the_zone_given(sessions):
    await _populate(sessions, POPULATION)
    report = await reach_report(sessions, ReportGrouping.MONTH, ZoneInfo("UTC"))
    assert {row.key: row.figures.approached for row in report.rows} == {
        "2025-12": 1,
        "2026-05": 3,
        "2026-06": 6,
    }


async def test_an_outcome_counts_once_its_follow_up_is_closed(sessions):
    # An SMS reply records the outcome; the next planning pass closes the follow-up.
    recorded = [("Selwerd", 1, "2026-06-01T10:00", OPEN, (C.ACTIVE, None), ANNA, [SMS])]
    await _populate(sessions, recorded)
    report = await reach_report(sessions, ReportGrouping.AGENT, AMSTERDAM)
    open_only = figures(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
    assert report.as_dict()["rows"] == [{"key": ANNA, **open_only}]
    assert report.total.as_dict() == open_only


@pytest.mark.parametrize("by", list(ReportGrouping), ids=str)
async def test_empty_database_gives_no_rows_and_zeros(sessions, by):
    report = await reach_report(sessions, by, AMSTERDAM)
    assert report.as_dict() == {"by": by.value, "rows": [], "total": figures(0, 0, 0, *[0] * 10)}


MONTHS = EXPECTED_ROWS[ReportGrouping.MONTH]
ZEROS = figures(0, 0, 0, *[0] * 10)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # 2026-05-31T21:30Z is 23:30 in May, 22:30Z is 00:30 in June: the bounds are local.
        (ReportFilter("2026-06", "2026-06"), MONTHS["2026-06"]),
        (ReportFilter("2026-01", "2026-01"), MONTHS["2026-01"]),
        (ReportFilter(first_month="2026-06"), figures(7, 2, 0.2857, 0, 0, 1, 1, 3, 1, 1, 0, 1, 2)),
        (ReportFilter(last_month="2026-05"), figures(3, 2, 0.6667, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0)),
        (ReportFilter("2026-02", "2026-04"), ZEROS),
        (ReportFilter(wijk="Paddepoel"), EXPECTED_ROWS[ReportGrouping.WIJK]["Paddepoel"]),
        (
            ReportFilter("2026-06", "2026-07", "Selwerd"),
            figures(2, 0, 0, *[0] * 4, 1, 1, *[0] * 3, 1),
        ),
        (ReportFilter(wijk="Nergenshuizen"), ZEROS),
    ],
    ids=["june", "january", "from-june", "to-may", "empty-period", "wijk", "both", "no-such-wijk"],
)
async def test_filters_count_the_follow_ups_opened_in_those_local_months_of_that_wijk(
    sessions, filters, expected
):
    await _populate(sessions, POPULATION)
    by_month = await reach_report(sessions, ReportGrouping.MONTH, AMSTERDAM, filters)
    assert by_month.total.as_dict() == expected
    assert sum(row.figures.approached for row in by_month.rows) == expected["approached"]
    by_wijk = await reach_report(sessions, ReportGrouping.WIJK, AMSTERDAM, filters)
    assert by_wijk.total == by_month.total
    if filters.wijk:
        assert {row.key for row in by_wijk.rows} <= {filters.wijk}


async def test_a_filter_on_wijk_keeps_the_other_groupings_within_it(sessions):
    await _populate(sessions, POPULATION)
    report = await reach_report(
        sessions, ReportGrouping.AGENT, AMSTERDAM, ReportFilter(wijk="Paddepoel")
    )
    assert {row.key: row.figures.approached for row in report.rows} == {"-": 4, ANNA: 1, BART: 1}


async def test_every_grouping_from_one_call(sessions):
    await _populate(sessions, POPULATION)
    june = ReportFilter("2026-06", "2026-06")
    reports = await reach_reports(sessions, AMSTERDAM, june)
    assert list(reports) == list(ReportGrouping)
    for by, report in reports.items():
        assert report == await reach_report(sessions, by, AMSTERDAM, june)
    assert {report.total for report in reports.values()} == {reports[ReportGrouping.WIJK].total}


async def test_every_grouping_of_an_empty_database_is_zeros(sessions):
    reports = await reach_reports(sessions, AMSTERDAM)
    assert [report.as_dict() for report in reports.values()] == [
        {"by": by.value, "rows": [], "total": ZEROS} for by in ReportGrouping
    ]


async def test_known_wijken_are_those_clients_live_in(sessions):
    assert await known_wijken(sessions) == []
    await _populate(sessions, POPULATION)
    assert await known_wijken(sessions) == ["Beijum", "Paddepoel", "Selwerd"]
