"""The reach report's figures per grouping, on a population where each follow-up matters."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    FollowUpState,
    Initiative,
    OutcomeCategory,
    OutcomeSource,
    Role,
    UnreachableReason,
)
from followup.services.reach_report import ReportGrouping, reach_report
from followup.store.tables import Attempt, Client, Conversation, FollowUp, Outcome, User

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
ANNA, BART = "anna@gemeente.nl", "bart@gemeente.nl"
C = OutcomeCategory
R = UnreachableReason
CALL, SMS, EMAIL = Channel.CALL, Channel.SMS, Channel.EMAIL

# number, wijk, round, opened at (UTC), outcome or None while open, recorded by, channels
POPULATION = [
    (1, "Selwerd", 1, "2026-05-10T08:00", (C.ACTIVE, None), ANNA, [SMS, CALL]),
    (2, "Selwerd", 1, "2026-05-31T21:30", (C.WITH_WIJ, None), None, [SMS]),  # 23:30 local
    (3, "Selwerd", 2, "2026-05-31T22:30", (C.UNREACHABLE, R.NO_ANSWER), None, [SMS, CALL, CALL]),
    (4, "Selwerd", 1, "2026-06-02T09:00", None, None, [EMAIL]),
    # Closed at once for lack of contact details: never attempted. 00:30 on 1 January (CET).
    (5, "Paddepoel", 1, "2025-12-31T23:30", (C.UNREACHABLE, R.NO_CONTACT_DETAILS), None, []),
    (6, "Paddepoel", 2, "2026-06-30T22:30", (C.UNREACHABLE, R.INVALID_NUMBER), None, [CALL]),
    (7, "Paddepoel", 1, "2026-06-20T10:00", (C.IN_PROGRESS, None), ANNA, [CALL, EMAIL]),
    (8, "Paddepoel", 1, "2026-06-21T10:00", (C.NOT_ACTIVE, None), BART, [CALL]),
    (9, "Paddepoel", 2, "2026-06-22T10:00", (C.UNREACHABLE, R.OPTED_OUT), None, [SMS]),
    (10, "Paddepoel", 2, "2026-06-23T10:00", None, None, [SMS, CALL]),
]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _add_client(session, number: int, wijk: str) -> tuple[int, int]:
    client = Client(
        client_ref=str(number), name="Inwoner", wijk=wijk, created_at=NOW, updated_at=NOW
    )
    session.add(client)
    await session.flush()
    conversation = Conversation(
        client_id=client.id,
        conversation_date=date(2026, 1, 1),
        follow_up_after_months=3,
        initiative=Initiative.MUNICIPALITY,
        due_on=date(2026, 4, 1),
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(conversation)
    await session.flush()
    return client.id, conversation.id


async def _populate(sessions) -> None:
    async with sessions() as session, session.begin():
        users = {
            email: User(email=email, password_hash="x", role=Role.AGENT, created_at=NOW)
            for email in (ANNA, BART)
        }
        session.add_all(users.values())
        # A client whose follow-up is not due yet has no follow-up and counts nowhere.
        await _add_client(session, 99, "Beijum")
        for number, wijk, round_number, opened, outcome, agent, channels in POPULATION:
            client_id, conversation_id = await _add_client(session, number, wijk)
            follow_up = FollowUp(
                client_id=client_id,
                conversation_id=conversation_id,
                state=FollowUpState.OPEN if outcome is None else FollowUpState.CLOSED,
                round_number=round_number,
                opened_at=_utc(opened),
                closed_at=None if outcome is None else NOW,
            )
            session.add(follow_up)
            await session.flush()
            if outcome:
                session.add(
                    Outcome(
                        follow_up_id=follow_up.id,
                        category=outcome[0],
                        reason=outcome[1],
                        source=OutcomeSource.AGENT if agent else OutcomeSource.PLANNER,
                        recorded_by_id=users[agent].id if agent else None,
                        recorded_at=NOW,
                    )
                )
            session.add_all(
                Attempt(
                    follow_up_id=follow_up.id,
                    channel=channel,
                    purpose=AttemptPurpose.CALL if channel is CALL else AttemptPurpose.OPENING,
                    state=AttemptState.DELIVERED,
                    due_at=_utc(opened),
                    created_at=_utc(opened),
                )
                for channel in channels
            )


def figures(approached: int, reached: int, rate: float, **counts: int) -> dict:
    keys = [*(c.value for c in OutcomeCategory), *(r.value for r in UnreachableReason), "open"]
    assert set(counts) <= set(keys)
    return {
        "approached": approached,
        "reached": reached,
        "reach_rate": rate,
        **{key: counts.get(key, 0) for key in keys},
    }


TOTAL = figures(
    10,
    4,
    0.4,
    active=1,
    with_wij=1,
    in_progress=1,
    not_active=1,
    unreachable=4,
    no_answer=1,
    invalid_number=1,
    no_contact_details=1,
    opted_out=1,
    open=2,
)

EXPECTED_ROWS = {
    ReportGrouping.WIJK: {
        "Paddepoel": figures(
            6,
            2,
            0.3333,
            in_progress=1,
            not_active=1,
            unreachable=3,
            invalid_number=1,
            no_contact_details=1,
            opted_out=1,
            open=1,
        ),
        "Selwerd": figures(4, 2, 0.5, active=1, with_wij=1, unreachable=1, no_answer=1, open=1),
    },
    ReportGrouping.ROUND: {
        1: figures(
            6,
            4,
            0.6667,
            active=1,
            with_wij=1,
            in_progress=1,
            not_active=1,
            unreachable=1,
            no_contact_details=1,
            open=1,
        ),
        2: figures(4, 0, 0, unreachable=3, no_answer=1, invalid_number=1, opted_out=1, open=1),
    },
    # Local months: 2025-12-31T23:30Z is January, 2026-05-31T22:30Z is June (CEST), and
    # 2026-06-30T22:30Z is July; months without a follow-up have no row.
    ReportGrouping.MONTH: {
        "2026-01": figures(1, 0, 0, unreachable=1, no_contact_details=1),
        "2026-05": figures(2, 2, 1.0, active=1, with_wij=1),
        "2026-06": figures(
            6,
            2,
            0.3333,
            in_progress=1,
            not_active=1,
            unreachable=2,
            no_answer=1,
            opted_out=1,
            open=2,
        ),
        "2026-07": figures(1, 0, 0, unreachable=1, invalid_number=1),
    },
    ReportGrouping.AGENT: {
        "-": figures(
            7,
            1,
            0.1429,
            with_wij=1,
            unreachable=4,
            no_answer=1,
            invalid_number=1,
            no_contact_details=1,
            opted_out=1,
            open=2,
        ),
        ANNA: figures(2, 2, 1.0, active=1, in_progress=1),
        BART: figures(1, 1, 1.0, not_active=1),
    },
    # A follow-up counts once under each channel it was tried on, however often.
    ReportGrouping.CHANNEL: {
        "call": figures(
            6,
            3,
            0.5,
            active=1,
            in_progress=1,
            not_active=1,
            unreachable=2,
            no_answer=1,
            invalid_number=1,
            open=1,
        ),
        "email": figures(2, 1, 0.5, in_progress=1, open=1),
        "none": figures(1, 0, 0, unreachable=1, no_contact_details=1),
        "sms": figures(
            5, 2, 0.4, active=1, with_wij=1, unreachable=2, no_answer=1, opted_out=1, open=1
        ),
    },
}


@pytest.mark.parametrize("by", list(ReportGrouping), ids=str)
async def test_every_grouping_counts_exactly(sessions, by):
    await _populate(sessions)
    report = await reach_report(sessions, by, AMSTERDAM)
    assert report.as_dict() == {
        "by": by.value,
        "rows": [{"key": key, **counts} for key, counts in EXPECTED_ROWS[by].items()],
        "total": TOTAL,
    }


async def test_months_follow_the_zone_given(sessions):
    await _populate(sessions)
    report = await reach_report(sessions, ReportGrouping.MONTH, ZoneInfo("UTC"))
    assert {row.key: row.figures.approached for row in report.rows} == {
        "2025-12": 1,
        "2026-05": 3,
        "2026-06": 6,
    }


@pytest.mark.parametrize("by", list(ReportGrouping), ids=str)
async def test_empty_database_gives_no_rows_and_zeros(sessions, by):
    report = await reach_report(sessions, by, AMSTERDAM)
    assert report.as_dict() == {"by": by.value, "rows": [], "total": figures(0, 0, 0)}
