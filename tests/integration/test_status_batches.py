"""Status reports stored together have the effect of the same reports stored one by one:
two identical sets of attempts get the same reports, one set in batches of one, the other in
larger batches, and must end up alike, down to the events, retries, flagged numbers and
closed follow-ups."""

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.attempt_failures import Recovery
from followup.rules.carrier_status import StatusReport
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, AttemptState, CallLeg, CarrierResource, Channel
from followup.rules.planning_rules import PlanningRules
from followup.services.carrier_status import apply_statuses
from followup.store.staff_tables import User
from followup.store.tables import Attempt, CarrierEvent, FollowUp, Outcome, PhoneNumber
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up, add_phone

MONDAY = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))
RECOVERY = Recovery(
    PlanningRules(), ContactCalendar(ZoneInfo("Europe/Amsterdam")), jitter=lambda: 0.5
)
MESSAGE, CALL = CarrierResource.MESSAGE, CarrierResource.CALL
# (channel, state, whether its SID is known) of each attempt of a set.
ATTEMPTS = [
    (Channel.SMS, AttemptState.SENT, True),
    (Channel.SMS, AttemptState.SENT, True),
    (Channel.SMS, AttemptState.SENT, True),
    (Channel.CALL, AttemptState.SENT, True),
    (Channel.CALL, AttemptState.SENT, True),
    (Channel.SMS, AttemptState.SENDING, False),  # its worker died: a callback tells the SID
    (Channel.CALL, AttemptState.SENT, False),  # the agent's leg rings; nobody answers
]
# (attempt, status, extra report fields): None as attempt is a SID nobody knows.
REPORTS = [
    (0, "sent", {}),
    (0, "delivered", {}),
    (0, "sent", {}),
    (1, "sent", {}),
    (1, "undelivered", {"error_code": 30003}),  # tried again later
    (1, "sent", {}),
    (2, "failed", {"error_code": 30005}),  # the number is wrong: flagged, follow-up closed
    (2, "delivered", {}),
    (3, "ringing", {}),
    (3, "in-progress", {"answered_by": "human"}),
    (3, "completed", {"sip_response_code": 200, "duration_seconds": 42}),
    (3, "completed", {"sip_response_code": 200, "duration_seconds": 42}),
    (4, "busy", {"sip_response_code": 486}),
    (5, "sent", {}),
    (5, "delivered", {}),
    (6, "no-answer", {"leg": CallLeg.AGENT}),
    (None, "delivered", {}),
    (0, "delivered", {}),
]


async def make_set(sessions, name: str) -> list[int]:
    async with sessions() as session, session.begin():
        agent = User(
            email=f"{name}@x.nl",
            password_hash="-",
            role="agent",
            phone="+31611111111",
            created_at=NOW,
        )
        session.add(agent)
        await session.flush()
        ids = []
        for i, (channel, state, known) in enumerate(ATTEMPTS):
            client_id, conversation_id = await add_client(session, ref=f"{name}{i}")
            follow_up = await add_follow_up(
                session, client_id, conversation_id, round_number=1, opened_at=NOW
            )
            number = await add_phone(session, client_id, f"+316{len(name)}{i:07d}")
            call = channel is Channel.CALL
            attempt = await add_attempt(
                session,
                follow_up.id,
                channel=channel,
                purpose=AttemptPurpose.CALL if call else AttemptPurpose.OPENING,
                state=state,
                phone_number_id=number.id,
                to_address=number.e164,
            )
            sid = f"{'CA' if call else 'SM'}{name}{i:030d}"
            if known:
                attempt.carrier_sid = sid
            elif call:
                attempt.agent_leg_sid, attempt.agent_id = sid, agent.id
            ids.append(attempt.id)
        return ids


def reports_for(ids: list[int], name: str) -> list[StatusReport]:
    reports = []
    for index, status, extra in REPORTS:
        attempt_id = ids[index] if index is not None else None
        call = index is not None and ATTEMPTS[index][0] is Channel.CALL
        number = index if index is not None else 999_999
        report = StatusReport(
            resource=CALL if call else MESSAGE,
            sid=f"{'CA' if call else 'SM'}{name}{number:030d}",
            status=status,
            attempt_id=attempt_id,
            leg=CallLeg.CLIENT if call else None,
            payload={"Status": status},
        )
        reports.append(replace(report, **extra))
    return reports


async def snapshot(sessions, ids: list[int], name: str) -> dict:
    """Everything the reports changed, with ids and SIDs made comparable between sets."""
    position = {attempt_id: i for i, attempt_id in enumerate(ids)}

    def plain(sid: str | None) -> str | None:
        return sid.replace(name, "", 1) if sid else sid

    async with sessions() as session:
        attempts = {a.id: a for a in await session.scalars(sa.select(Attempt))}
        events = await session.execute(
            sa.select(CarrierEvent.sid, CarrierEvent.status, CarrierEvent.attempt_id)
        )
        follow_ups = {f.id: f for f in await session.scalars(sa.select(FollowUp))}
        numbers = {n.id: n for n in await session.scalars(sa.select(PhoneNumber))}
        outcomes = {o.follow_up_id: o for o in await session.scalars(sa.select(Outcome))}
    mine = [a for a in attempts.values() if a.id in position or a.replaces_id in position]
    return {
        "attempts": sorted(
            (
                position.get(a.id, -1),
                position.get(a.replaces_id, -1),
                a.state,
                a.carrier_status,
                plain(a.carrier_sid),
                plain(a.agent_leg_sid),
                a.finished_at,
                a.sent_at,
                a.due_at,
                a.tries,
                a.error_code,
                a.error_message,
                a.sip_response_code,
                a.duration_seconds,
                a.answered_by,
                follow_ups[a.follow_up_id].state,
                numbers[a.phone_number_id].status if a.phone_number_id else None,
                outcomes[a.follow_up_id].reason if a.follow_up_id in outcomes else None,
            )
            for a in mine
        ),
        "events": sorted(
            (plain(sid), status, position.get(attempt_id, -1))
            for sid, status, attempt_id in events
            if name in sid
        ),
    }


async def store(sessions, reports: list[StatusReport], size: int) -> list:
    results = []
    async with sessions.kw["bind"].connect() as connection:
        for start in range(0, len(reports), size):
            batch = reports[start : start + size]
            results += await apply_statuses(connection, batch, now=MONDAY, recovery=RECOVERY)
    return results


@pytest.mark.parametrize("size", [len(REPORTS), 5, 2], ids=["one-batch", "batches-of-5", "2"])
async def test_reports_stored_together_change_what_they_change_one_by_one(sessions, size):
    alone_ids, together_ids = await make_set(sessions, "a"), await make_set(sessions, "bb")
    one_by_one = await store(sessions, reports_for(alone_ids, "a"), 1)
    together = await store(sessions, reports_for(together_ids, "bb"), size)
    assert together == one_by_one
    expected = await snapshot(sessions, alone_ids, "a")
    assert await snapshot(sessions, together_ids, "bb") == expected
    # The reports did reach every path: retries, flags, closures, adoption, the agent's leg.
    rows = expected["attempts"]
    assert {row[2] for row in rows} >= {AttemptState.DELIVERED, AttemptState.FAILED}
    assert any(row[1] == 1 for row in rows) and any(row[1] == 6 for row in rows)
    assert any(row[16] is not None and row[16] != "valid" for row in rows)
    assert any(row[0] == 5 and row[4] is not None for row in rows)
