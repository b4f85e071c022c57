"""The carrier's statuses of a message or call, in order of meaning, and what a report of one
does to its attempt. Callbacks come twice, late and out of order: a status is applied only
when it ranks above the one already known, so `delivered` is never overwritten by `sent`, and
the first final status of a resource is the one that stays."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from followup.rules.attempt import AttemptProgress
from followup.rules.domain import AttemptState, CallLeg, CarrierResource, Channel

FINAL = 5
# The longest SID, status and answering-machine verdict the carrier sends (and we keep).
MAX_SID = 64
MAX_STATUS = 32
MAX_ANSWERED_BY = 32

_MESSAGE_RANKS = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": FINAL,
    "undelivered": FINAL,
    "failed": FINAL,
    "canceled": FINAL,
    "read": FINAL + 1,  # a delivered message that was also read
}
_CALL_RANKS = {
    "queued": 1,
    "initiated": 2,
    "ringing": 3,
    "in-progress": 4,
    "completed": FINAL,
    "busy": FINAL,
    "no-answer": FINAL,
    "failed": FINAL,
    "canceled": FINAL,
}
_RANKS = {CarrierResource.MESSAGE: _MESSAGE_RANKS, CarrierResource.CALL: _CALL_RANKS}

_MESSAGE_STATES = {
    "delivered": AttemptState.DELIVERED,
    "read": AttemptState.DELIVERED,
    "undelivered": AttemptState.FAILED,
    "failed": AttemptState.FAILED,
    "canceled": AttemptState.FAILED,
}
_CALL_STATES = {
    # "completed" means the call was answered and then ended normally.
    "in-progress": AttemptState.ANSWERED,
    "completed": AttemptState.ANSWERED,
    "busy": AttemptState.FAILED,
    "no-answer": AttemptState.FAILED,
    "failed": AttemptState.FAILED,
    "canceled": AttemptState.FAILED,
}


def rank(resource: CarrierResource, status: str | None) -> int:
    """-1 for no status yet; an unknown status never outranks anything."""
    if status is None:
        return -1
    return _RANKS[resource].get(status, -1)


def outranks(resource: CarrierResource, new: str, current: str | None) -> bool:
    """Whether `new` may replace `current`. Two different final statuses do not replace
    each other: the first one reported stays."""
    new_rank, current_rank = rank(resource, new), rank(resource, current)
    if current_rank == FINAL and new_rank == FINAL:
        return False
    return new_rank > current_rank


def is_final(resource: CarrierResource, status: str | None) -> bool:
    return rank(resource, status) >= FINAL


def attempt_state(resource: CarrierResource, status: str) -> AttemptState:
    """The attempt's state once the carrier reports `status` for it (the client's leg for a
    call): accepted and on its way is `sent`."""
    states = _MESSAGE_STATES if resource is CarrierResource.MESSAGE else _CALL_STATES
    return states.get(status, AttemptState.SENT)


# A call that ended in one of these was never picked up.
NEVER_ANSWERED = frozenset({"busy", "no-answer", "failed", "canceled"})


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One status callback: the attempt named in the callback URL we gave the carrier (signed,
    so trusted), and the carrier's SID, which must agree."""

    resource: CarrierResource
    sid: str
    status: str
    attempt_id: int | None = None
    leg: CallLeg | None = None  # of a call: CLIENT when not said
    error_code: int | None = None
    sip_response_code: int | None = None
    duration_seconds: int | None = None
    answered_by: str | None = None
    payload: dict[str, str] = field(default_factory=dict)

    @property
    def about_agent(self) -> bool:
        return self.leg is CallLeg.AGENT


class Applied(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"  # applied, and the attempt failed: what follows from that is done
    OUTRANKED = "outranked"  # kept as an event; the attempt already knows better
    DUPLICATE = "duplicate"
    ORPHAN = "orphan"  # kept as an event; it fits no attempt


def reported_sid(attempt: AttemptProgress, report: StatusReport) -> str | None:
    """The SID the attempt has for what the report is about."""
    return attempt.agent_leg_sid if report.about_agent else attempt.carrier_sid


def fits(attempt: AttemptProgress, report: StatusReport) -> bool:
    """The report may be about this attempt: the same kind of resource, and no other SID."""
    return (attempt.channel is Channel.CALL) == (
        report.resource is CarrierResource.CALL
    ) and reported_sid(attempt, report) in (None, report.sid)


def adopt(
    attempt: AttemptProgress, sid: str, now: datetime, *, agent_leg: bool = False
) -> AttemptProgress:
    """A SID the carrier reports for an attempt that has none yet: its worker died before
    recording the carrier's answer, or has not recorded it yet, and the report settles it.
    A resident's message or leg reported for an attempt put back in the queue (the carrier
    did not know it when asked) was sent after all, and must not be sent again."""
    if agent_leg:
        if attempt.agent_leg_sid is None and attempt.state is AttemptState.SENDING:
            return replace(attempt, agent_leg_sid=sid, state=AttemptState.SENT, sent_at=now)
        return attempt
    if attempt.carrier_sid is not None:
        return attempt
    if attempt.state in (AttemptState.SENDING, AttemptState.QUEUED):
        return replace(attempt, carrier_sid=sid, state=AttemptState.SENT, sent_at=now)
    return replace(attempt, carrier_sid=sid)


def advance(
    attempt: AttemptProgress, report: StatusReport, now: datetime
) -> tuple[AttemptProgress, Applied]:
    """A report on the resident's side applied to its attempt, whose SID it is. FAILED: the
    status is recorded and the attempt must now go through failure handling."""
    changes: dict[str, object] = {}
    if report.sip_response_code is not None:
        changes["sip_response_code"] = report.sip_response_code
    if report.duration_seconds is not None:
        changes["duration_seconds"] = report.duration_seconds
    if report.answered_by:
        changes["answered_by"] = report.answered_by
    if not outranks(report.resource, report.status, attempt.carrier_status):
        applied = Applied.OUTRANKED
    elif (state := attempt_state(report.resource, report.status)) is AttemptState.FAILED:
        changes["carrier_status"] = report.status
        fails = attempt.state in (AttemptState.SENT, AttemptState.ANSWERED)
        applied = Applied.FAILED if fails else Applied.APPLIED
    else:
        changes["carrier_status"] = report.status
        if attempt.state in (AttemptState.SENT, AttemptState.DELIVERED, AttemptState.ANSWERED):
            changes["state"] = state
        if is_final(report.resource, report.status):
            changes["finished_at"] = now
        applied = Applied.APPLIED
    return (replace(attempt, **changes) if changes else attempt), applied


def agent_missed(attempt: AttemptProgress, report: StatusReport) -> bool:
    """The agent did not pick up, so the resident was never dialled: the call goes back to
    the agents' queue."""
    return (
        report.status in NEVER_ANSWERED
        and attempt.carrier_sid is None
        and attempt.state is AttemptState.SENT
    )
