"""What a failed attempt leads to, decided without I/O: a retry later, a number or address
flagged wrong and the next channel taking over, an opt-out, or nothing more (the ladder moves
on). One rule for failures reported when sending, found by the reconciler, or told by
callbacks. The services load the attempt, ask here, and apply the decision.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from followup.rules.attempt import AttemptProgress
from followup.rules.carrier_errors import MAX_DETAIL, Failure, Rejected
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, AttemptState, Channel, EvidenceSource
from followup.rules.planning_rules import PlanningRules
from followup.rules.retry import RetryPolicy
from followup.rules.targeting import Reach, choose_target, own_address

AGENT_MISSED = "medewerker nam niet op"
NO_LONGER_CALLABLE = "niet meer te bellen"


@dataclass(frozen=True)
class Recovery:
    """When a retry or a fallback may go out: after the backoff, inside the contact window.
    `jitter` is the random source that spreads retries of attempts that failed together."""

    rules: PlanningRules
    calendar: ContactCalendar
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    jitter: Callable[[], float] = random.random

    def next_moment(self, channel: Channel, earliest: datetime) -> datetime:
        return self.calendar.next_open(earliest, self.rules.window_of(channel))


class FlagKind(StrEnum):
    WRONG_NUMBER = "wrong_number"  # never use the number again
    NO_SMS = "no_sms"  # the number cannot take SMS; calling it is still possible
    WRONG_EMAIL = "wrong_email"


@dataclass(frozen=True, slots=True)
class Flag:
    """The proof that a number or address is wrong, kept with it so it is never used again
    and a coordinator can see why."""

    kind: FlagKind
    reason: str  # for a number: why it is invalid ("carrier_21211")
    source: EvidenceSource
    detail: str


@dataclass(frozen=True, slots=True)
class FollowOn:
    """A new attempt that takes over the failed one's purpose, unless one already did or the
    follow-up closed meanwhile."""

    channel: Channel
    due_at: datetime
    tries: int


@dataclass(frozen=True, slots=True)
class FailureDecision:
    attempt: AttemptProgress  # as it is after the failure
    follow_on: FollowOn | None = None  # the same channel tries again under a new attempt
    flag: Flag | None = None
    opted_out: bool = False  # the resident unsubscribed at the carrier
    # The number or address proved wrong, or the resident opted out: another channel may take
    # over (`fallback`), and the follow-up closes if nothing is left to reach them by.
    contact_lost: bool = False


def decide(
    attempt: AttemptProgress, rejected: Rejected, now: datetime, recovery: Recovery
) -> FailureDecision:
    attempt = replace(attempt, error_code=rejected.code, error_message=_clip(rejected.detail))
    failure = rejected.failure
    if failure is Failure.UNCERTAIN:
        return FailureDecision(attempt)  # stays `sending`: the reconciler asks the carrier
    if failure is Failure.ACCOUNT:
        # Our own credentials are wrong, not this resident's data: not a try of theirs.
        return FailureDecision(_requeue(attempt, attempt.due_at, attempt.tries - 1))
    if failure is Failure.UNREACHABLE:
        # An outage of the carrier or mail server: not a try of theirs either. It waits at
        # the back of the queue, so one attempt the service chokes on cannot block the rest.
        return FailureDecision(_requeue(attempt, max(attempt.due_at, now), attempt.tries - 1))
    if failure is Failure.TRANSIENT:
        return _retry(attempt, now, recovery)
    failed = _finish(attempt, now)
    if _own(attempt):
        # A code to a number being checked: on no list, so nothing to flag, no opt-out of
        # the resident's, and no other channel takes it over (the code is for that number).
        return FailureDecision(failed)
    if failure is Failure.PERMANENT:
        return FailureDecision(failed)
    if failure is Failure.OPTED_OUT:
        return FailureDecision(failed, opted_out=True, contact_lost=True)
    return FailureDecision(failed, flag=_flag(attempt, rejected), contact_lost=True)


def fallback(
    purpose: AttemptPurpose, reach: Reach, now: datetime, recovery: Recovery
) -> FollowOn | None:
    """The next channel takes over a failed attempt's purpose: another number, or e-mail for
    a message. Nothing left: the ladder goes on with what there is."""
    target = None if reach.opted_out else choose_target(purpose, reach)
    if target is None:
        return None
    return FollowOn(target.channel, recovery.next_moment(target.channel, now), tries=0)


def agent_missed(attempt: AttemptProgress, now: datetime) -> FailureDecision:
    """The agent's phone rang out: the call goes back to the agents' queue, as a new attempt
    for whoever takes it next. The resident was never dialled, so it is no try of theirs."""
    failed = replace(_finish(attempt, now), error_message=AGENT_MISSED)
    return FailureDecision(failed, follow_on=FollowOn(Channel.CALL, now, attempt.tries - 1))


def no_longer_callable(attempt: AttemptProgress, now: datetime) -> AttemptProgress:
    """The agent picked up, but the resident may no longer be called (opted out, number
    proven wrong, follow-up closed since): the attempt fails, and the ladder goes on with
    what is left."""
    return replace(_finish(attempt, now), error_message=NO_LONGER_CALLABLE)


def _retry(attempt: AttemptProgress, now: datetime, recovery: Recovery) -> FailureDecision:
    delay = recovery.policy.next_delay(Failure.TRANSIENT, attempt.tries, recovery.jitter())
    if delay is None:
        given_up = f"{attempt.error_message} (opgegeven na {attempt.tries} keer)"
        return FailureDecision(replace(_finish(attempt, now), error_message=_clip(given_up)))
    due = recovery.next_moment(attempt.channel, now + delay)
    if attempt.handed_over and _own(attempt):
        # A new attempt would not know the number: the resident asks for a new code.
        return FailureDecision(_finish(attempt, now))
    if attempt.handed_over:
        # The carrier has this one under its SID: a new attempt carries the next try.
        follow_on = FollowOn(attempt.channel, due, attempt.tries)
        return FailureDecision(_finish(attempt, now), follow_on=follow_on)
    return FailureDecision(_requeue(attempt, due, attempt.tries))


def _flag(attempt: AttemptProgress, rejected: Rejected) -> Flag | None:
    if attempt.channel is Channel.EMAIL:
        kind = FlagKind.WRONG_EMAIL
    elif attempt.phone_number_id is None:
        return None
    elif rejected.failure is Failure.NOT_MOBILE:
        kind = FlagKind.NO_SMS
    else:
        kind = FlagKind.WRONG_NUMBER
    reason = f"carrier_{rejected.code}" if rejected.code else "carrier"
    return Flag(kind, reason, rejected.source, rejected.detail)


def _own(attempt: AttemptProgress) -> bool:
    return (
        own_address(attempt.purpose, attempt.channel, attempt.phone_number_id, attempt.to_address)
        is not None
    )


def _finish(attempt: AttemptProgress, now: datetime) -> AttemptProgress:
    return replace(attempt, state=AttemptState.FAILED, finished_at=now)


def _requeue(attempt: AttemptProgress, due_at: datetime, tries: int) -> AttemptProgress:
    return replace(attempt, state=AttemptState.QUEUED, due_at=due_at, tries=tries, sending_at=None)


def _clip(text: str) -> str:
    return text[:MAX_DETAIL]
