"""Which calls count for the answer rate by weekday and hour: a call to a resident counts once,
when the carrier reports its final status, in the local weekday and hour it was placed; it was
answered when the carrier says it was picked up and ended normally ("completed") by a person,
not by an answering machine."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from followup.rules.attempt import AttemptProgress
from followup.rules.carrier_status import is_final
from followup.rules.domain import CarrierResource, Channel

ANSWERED = "completed"
# Twilio's AnsweredBy verdicts that are a person (or that it could not tell).
PERSON = frozenset({"human", "unknown"})


@dataclass(frozen=True, slots=True)
class CallSlot:
    """The counts table's key: the local month the follow-up opened, its wijk, and the local
    weekday (0 Monday) and hour the call was placed."""

    opened_month: str
    wijk: str
    weekday: int
    hour: int


def answered(carrier_status: str | None, answered_by: str | None) -> bool:
    return carrier_status == ANSWERED and (answered_by is None or answered_by in PERSON)


def newly_finished(before: str | None, attempt: AttemptProgress) -> bool:
    """A call whose resident's leg got its final status just now (and had none before)."""
    return (
        attempt.channel is Channel.CALL
        and is_final(CarrierResource.CALL, attempt.carrier_status)
        and not is_final(CarrierResource.CALL, before)
    )


def placed_at(attempt: AttemptProgress, now: datetime) -> datetime:
    """When the call was placed: the carrier took it (`sent_at`); else when it ended."""
    return attempt.sent_at or attempt.finished_at or now


def call_slot(placed: datetime, opened_at: datetime, wijk: str, zone: ZoneInfo) -> CallSlot:
    local = placed.astimezone(zone)
    return CallSlot(opened_at.astimezone(zone).strftime("%Y-%m"), wijk, local.weekday(), local.hour)
