"""Use case: the carrier reports a status of a message or of one leg of a call.

Every report is kept as an event under the unique key (SID, status), so a report that comes
twice changes nothing the second time. A status is applied to its attempt only when it ranks
above the one known (a late `sent` never undoes `delivered`). A failed delivery or call goes
through the same failure handling as a refusal at sending: a wrong number is flagged and the
next channel takes over, a transient failure is tried again later.

A report names its attempt in the callback URL we gave the carrier (signed, so trusted), and
its SID; the two must agree. A report that fits no attempt is kept as an orphan.

`carrier_status_batch` applies many reports at once with the same effect, through the
parts here that take an attempt's copy as well as its row (`advance`, `knows`).
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules import carrier_status as ranks
from followup.rules.carrier_errors import Failure, classify_code, classify_delivery
from followup.rules.domain import AttemptState, CarrierResource, Channel, EvidenceSource
from followup.services.attempt_failures import Recovery, follow_on, handle_failure
from followup.services.ports import Rejected
from followup.store.conflicts import insert_ignoring_conflicts
from followup.store.tables import Attempt, CarrierEvent


class Leg(StrEnum):
    AGENT = "agent"  # the call we created: it rings the agent
    CLIENT = "client"  # the call the agent's <Dial> makes to the resident


class Applied(StrEnum):
    APPLIED = "applied"
    OUTRANKED = "outranked"  # kept as an event; the attempt already knows better
    DUPLICATE = "duplicate"
    ORPHAN = "orphan"


@dataclass(frozen=True, slots=True)
class StatusReport:
    resource: CarrierResource
    sid: str
    status: str
    attempt_id: int | None = None
    leg: Leg | None = None
    error_code: int | None = None
    sip_response_code: int | None = None
    duration_seconds: int | None = None
    answered_by: str | None = None
    payload: dict[str, str] = field(default_factory=dict)


# A delivery can only fail for the resident's side; our account was fine when it was sent.
_NOT_AT_DELIVERY = frozenset({Failure.ACCOUNT, Failure.UNCERTAIN})


async def apply_status(
    sessions: async_sessionmaker[AsyncSession],
    report: StatusReport,
    *,
    now: datetime,
    recovery: Recovery,
) -> Applied:
    async with sessions() as session, session.begin():
        attempt = await _attempt_for(session, report)
        inserted = await session.execute(
            insert_ignoring_conflicts(session, CarrierEvent.__table__).values(
                event_row(report, attempt.id if attempt else None, now)
            )
        )
        if inserted.rowcount == 0:
            return Applied.DUPLICATE
        if attempt is None:
            return Applied.ORPHAN
        return await apply_to_attempt(session, attempt, report, now, recovery)


def event_row(report: StatusReport, attempt_id: int | None, now: datetime) -> dict[str, Any]:
    return {
        "resource": report.resource.value,
        "sid": report.sid,
        "status": report.status,
        "attempt_id": attempt_id,
        "error_code": report.error_code,
        "payload": report.payload,
        "received_at": now,
    }


async def apply_to_attempt(
    session: AsyncSession, attempt: Attempt, report: StatusReport, now: datetime, recovery: Recovery
) -> Applied:
    if report.leg is Leg.AGENT:
        return await _apply_agent_leg(session, attempt, report, now)
    return await _apply_to_client(session, attempt, report, now, recovery)


async def _attempt_for(session: AsyncSession, report: StatusReport) -> Attempt | None:
    if report.attempt_id is None:
        column = Attempt.agent_leg_sid if report.leg is Leg.AGENT else Attempt.carrier_sid
        found = await session.scalar(sa.select(Attempt.id).where(column == report.sid).limit(1))
        if found is None:
            return None
        attempt_id = found
    else:
        attempt_id = report.attempt_id
    attempt = await session.get(Attempt, attempt_id, with_for_update=True)
    if attempt is None or not _fits(attempt, report):
        return None
    return attempt if _known_sid(attempt, report) in (None, report.sid) else None


def _fits(attempt: Attempt | Any, report: StatusReport) -> bool:
    return (attempt.channel is Channel.CALL) == (report.resource is CarrierResource.CALL)


def _known_sid(attempt: Attempt | Any, report: StatusReport) -> str | None:
    return attempt.agent_leg_sid if report.leg is Leg.AGENT else attempt.carrier_sid


def knows(attempt: Attempt | Any, report: StatusReport) -> bool:
    """The report is about this attempt (a row, or a copy with its channel and SIDs), whose
    SID is already recorded."""
    return _fits(attempt, report) and _known_sid(attempt, report) == report.sid


def _adopt(attempt: Attempt, report: StatusReport, now: datetime) -> None:
    """A SID for an attempt still `sending`: its worker died before recording the carrier's
    answer, or has not recorded it yet. The callback settles it. A resident's message or
    leg reported for an attempt put back in the queue (the carrier did not know it when
    asked) was sent after all, and must not be sent again."""
    if report.leg is Leg.AGENT:
        if attempt.agent_leg_sid is None and attempt.state is AttemptState.SENDING:
            attempt.agent_leg_sid = report.sid
            attempt.state, attempt.sent_at = AttemptState.SENT, now
        return
    if attempt.carrier_sid is None:
        attempt.carrier_sid = report.sid
        if attempt.state in (AttemptState.SENDING, AttemptState.QUEUED):
            attempt.state, attempt.sent_at = AttemptState.SENT, now


async def _apply_agent_leg(
    session: AsyncSession, attempt: Attempt, report: StatusReport, now: datetime
) -> Applied:
    _adopt(attempt, report, now)
    never_answered = report.status in ("busy", "no-answer", "failed", "canceled")
    if never_answered and attempt.carrier_sid is None and attempt.state is AttemptState.SENT:
        # The agent did not pick up, so the resident was never dialled: the call goes back
        # to the agents' queue, as a new attempt, for whoever takes it next.
        attempt.state, attempt.finished_at = AttemptState.FAILED, now
        attempt.error_message = "medewerker nam niet op"
        await follow_on(session, attempt, Channel.CALL, now, attempt.tries - 1, now)
        return Applied.APPLIED
    return Applied.OUTRANKED


async def _apply_to_client(
    session: AsyncSession,
    attempt: Attempt,
    report: StatusReport,
    now: datetime,
    recovery: Recovery,
) -> Applied:
    _adopt(attempt, report, now)
    applied = advance(attempt, report, now)
    if applied is None:
        await fail(session, attempt, report, now, recovery)
        return Applied.APPLIED
    return applied


@dataclass(slots=True)
class Progress:
    """What a report on the resident's side may change on its attempt: a copy of those
    columns, for work on many attempts without a row object each."""

    state: AttemptState
    carrier_status: str | None
    finished_at: datetime | None
    sip_response_code: int | None
    duration_seconds: int | None
    answered_by: str | None


def advance(attempt: Attempt | Progress, report: StatusReport, now: datetime) -> Applied | None:
    """Apply a report on the resident's side to its attempt (the row, or its `Progress`),
    whose SID it is. None: the report is a failure the attempt must now go through (`fail`);
    its status is recorded."""
    if report.sip_response_code is not None:
        attempt.sip_response_code = report.sip_response_code
    if report.duration_seconds is not None:
        attempt.duration_seconds = report.duration_seconds
    if report.answered_by:
        attempt.answered_by = report.answered_by
    if not ranks.outranks(report.resource, report.status, attempt.carrier_status):
        return Applied.OUTRANKED
    attempt.carrier_status = report.status
    state = ranks.attempt_state(report.resource, report.status)
    if state is not AttemptState.FAILED:
        if attempt.state in (AttemptState.SENT, AttemptState.DELIVERED, AttemptState.ANSWERED):
            attempt.state = state
        if ranks.is_final(report.resource, report.status):
            attempt.finished_at = now
        return Applied.APPLIED
    if attempt.state in (AttemptState.SENT, AttemptState.ANSWERED):
        return None
    return Applied.APPLIED


async def fail(
    session: AsyncSession, attempt: Attempt, report: StatusReport, now: datetime, recovery: Recovery
) -> None:
    """A failed delivery or call goes the way of a refusal at sending."""
    source = (
        EvidenceSource.DELIVERY_ERROR
        if report.resource is CarrierResource.MESSAGE
        else EvidenceSource.CARRIER_ERROR
    )
    detail = f"{report.status} (fout {report.error_code})" if report.error_code else report.status
    rejected = Rejected(_failure_of(report), report.error_code, detail, source)
    await handle_failure(session, attempt, rejected, now, recovery)


def _failure_of(report: StatusReport) -> Failure:
    if report.resource is CarrierResource.MESSAGE:
        failure = classify_delivery(report.error_code)
        return Failure.PERMANENT if failure in _NOT_AT_DELIVERY else failure
    # A call that was busy or not answered reached a real phone; only a Dial error on the
    # number says it is wrong.
    known = classify_code(report.error_code)
    return known if known is Failure.INVALID_ADDRESS else Failure.PERMANENT
