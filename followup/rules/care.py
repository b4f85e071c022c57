"""The care signal: an agent saw that a resident needs care rather than a follow-up. From
that moment nothing automated reaches the resident; a named colleague takes the follow-up
on before a deadline and records the hand-off to the WIJ-team, which closes it as
`with_wij`.

Pure decisions: who may mark and hand over, which deadline is acceptable, what stops, and
what a resident's SMS reply still does once they are marked. `today` is an argument."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from followup.rules.domain import AttemptPurpose, Role
from followup.rules.sms_replies import ReplyKind

# The colleague's default time: two working days (counted by the caller's calendar).
DEFAULT_WORKING_DAYS = 2
# Further ahead is a typing slip, not a plan: a resident in need should not wait for months.
MAX_AHEAD = timedelta(weeks=6)
MAY_MARK = frozenset({Role.AGENT, Role.COORDINATOR})
# Only these still go out to a marked resident: what a person started. An agent's own SMS
# from the card; and calls, which the dialer places only once an agent has taken them (it
# rings the agent first). The calls queued before the mark are cancelled by it; the dialer
# queues no retry and the response page no callback for a marked follow-up, and "Volgende
# inwoner" leaves it to the named colleague, who calls from the card.
BY_A_PERSON = frozenset(
    {AttemptPurpose.AGENT_MESSAGE, AttemptPurpose.CALL, AttemptPurpose.CALLBACK}
)


class CareProblem(ValueError):
    """Not marked, nothing changed; the message is Dutch, for the agent."""


@dataclass(frozen=True, slots=True)
class CareMark:
    colleague_id: int
    deadline: date


def check_mark(
    colleague_id: int | None, deadline: date | None, today: date, colleagues: Collection[int]
) -> CareMark:
    """The colleague must be one who may take it on (an active staff user); the deadline lies
    from today up to `MAX_AHEAD`."""
    if colleague_id is None or colleague_id not in colleagues:
        raise CareProblem("Kies de collega die de zorg voor deze inwoner oppakt.")
    if deadline is None:
        raise CareProblem("Vul een datum in waarop de collega het uiterlijk oppakt.")
    if deadline < today:
        raise CareProblem("De datum ligt in het verleden. Kies vandaag of een latere dag.")
    if deadline > today + MAX_AHEAD:
        raise CareProblem("De datum ligt te ver weg. Kies een dag binnen zes weken.")
    return CareMark(colleague_id, deadline)


def may_mark(role: Role) -> bool:
    return role in MAY_MARK


def may_hand_over(role: Role, user_id: int, colleague_id: int | None) -> bool:
    """The named colleague, or a coordinator or admin (the colleague is away, say)."""
    return user_id == colleague_id or role in (Role.COORDINATOR, Role.ADMIN)


def is_overdue(deadline: date, today: date) -> bool:
    return today > deadline


def stops(purpose: AttemptPurpose) -> bool:
    """Whether a marked resident's attempt of this purpose must not go out."""
    return purpose not in BY_A_PERSON


class MarkedReply(StrEnum):
    """What an SMS reply of a marked resident does. Never an automatic confirmation: the
    named colleague is the one who gets in touch."""

    OPT_OUT = "opt_out"  # recorded all the same: nobody who says STOP is contacted again
    REVIEW = "review"  # kept for a person to read; no outcome, no callback is queued


def reply_of_marked(kind: ReplyKind) -> MarkedReply:
    return MarkedReply.OPT_OUT if kind is ReplyKind.OPT_OUT else MarkedReply.REVIEW
