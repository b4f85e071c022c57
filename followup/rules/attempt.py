"""One attempt as the rules of its life see it: a value the store loads, the rules change
into a new value, and the store writes back. Nothing here touches a database."""

from dataclasses import dataclass
from datetime import datetime

from followup.rules.domain import AttemptPurpose, AttemptState, Channel


@dataclass(frozen=True, slots=True)
class AttemptProgress:
    # What the attempt is; the rules never change these.
    id: int
    follow_up_id: int
    round_id: int | None
    channel: Channel
    purpose: AttemptPurpose
    phone_number_id: int | None
    to_address: str | None  # the number or address it went to
    # Where it is in its life; carrier reports and failures change these.
    state: AttemptState
    tries: int
    due_at: datetime
    sending_at: datetime | None = None
    sent_at: datetime | None = None
    finished_at: datetime | None = None
    carrier_sid: str | None = None  # the message, or the resident's leg of a call
    agent_leg_sid: str | None = None
    carrier_status: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    sip_response_code: int | None = None
    duration_seconds: int | None = None
    answered_by: str | None = None

    @property
    def handed_over(self) -> bool:
        """The carrier has it under a SID of its own."""
        return self.carrier_sid is not None or self.agent_leg_sid is not None


# The fields above that change in an attempt's life, in the order the store writes them.
CHANGING = (
    "state",
    "tries",
    "due_at",
    "sending_at",
    "sent_at",
    "finished_at",
    "carrier_sid",
    "agent_leg_sid",
    "carrier_status",
    "error_code",
    "error_message",
    "sip_response_code",
    "duration_seconds",
    "answered_by",
)
