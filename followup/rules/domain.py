"""The vocabulary of the domain: what the store, services and edges all agree on."""

from enum import StrEnum


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"


class Initiative(StrEnum):
    MUNICIPALITY = "municipality"
    CLIENT = "client"


class Role(StrEnum):
    AGENT = "agent"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class OutcomeCategory(StrEnum):
    ACTIVE = "active"
    WITH_WIJ = "with_wij"
    IN_PROGRESS = "in_progress"
    NOT_ACTIVE = "not_active"
    UNREACHABLE = "unreachable"


OUTCOME_LABELS_NL = {
    OutcomeCategory.ACTIVE: "Actief geworden",
    OutcomeCategory.WITH_WIJ: "Gemeld bij WIJ-team",
    OutcomeCategory.IN_PROGRESS: "Stappen aan het zetten",
    OutcomeCategory.NOT_ACTIVE: "Niet actief geworden",
    OutcomeCategory.UNREACHABLE: "Niet bereikt",
}


class WrapUpResult(StrEnum):
    """What an agent records after a call: one of the outcomes, which closes the follow-up,
    or a result that keeps it open."""

    ACTIVE = "active"
    WITH_WIJ = "with_wij"
    IN_PROGRESS = "in_progress"
    NOT_ACTIVE = "not_active"
    UNREACHABLE = "unreachable"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    CALL_BACK = "call_back"
    NO_CONTACT_WANTED = "no_contact_wanted"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


class UnreachableReason(StrEnum):
    NO_ANSWER = "no_answer"
    INVALID_NUMBER = "invalid_number"
    NO_CONTACT_DETAILS = "no_contact_details"
    OPTED_OUT = "opted_out"


class OutcomeSource(StrEnum):
    SMS = "sms"
    EMAIL_LINK = "email_link"
    AGENT = "agent"
    BACK_OFFICE = "back_office"
    PLANNER = "planner"
    DIALER = "dialer"


class FollowUpState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AttemptState(StrEnum):
    """Life of one call, SMS or e-mail; `sending` is written before the carrier is asked."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    ANSWERED = "answered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class AttemptPurpose(StrEnum):
    OPENING = "opening"
    CALL = "call"
    REMINDER = "reminder"
    CALLBACK = "callback"
    CONFIRMATION = "confirmation"
    AGENT_MESSAGE = "agent_message"  # an SMS an agent sent from the resident's card


class PhoneType(StrEnum):
    MOBILE = "mobile"
    FIXED_LINE = "fixed_line"
    FIXED_LINE_OR_MOBILE = "fixed_line_or_mobile"
    VOIP = "voip"
    PERSONAL = "personal"
    OTHER = "other"
    UNKNOWN = "unknown"


class ContactStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"


class EvidenceSource(StrEnum):
    """Where a phone number or e-mail address (or the proof that it is wrong) came from."""

    IMPORT = "import"
    CARRIER_ERROR = "carrier_error"
    DELIVERY_ERROR = "delivery_error"
    LOOKUP = "lookup"
    AGENT = "agent"


class PhoneLabel(StrEnum):
    PRIMARY = "primary"
    ALTERNATE = "alternate"


class MessageDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CarrierResource(StrEnum):
    MESSAGE = "message"
    CALL = "call"


class CallLeg(StrEnum):
    """The two calls of a click-to-call: the carrier rings the agent first, and the agent's
    call then dials the resident."""

    AGENT = "agent"
    CLIENT = "client"


class OptOutSource(StrEnum):
    """Where a resident's answer or wish reached us."""

    SMS = "sms"
    EMAIL_LINK = "email_link"
    AGENT = "agent"
    BACK_OFFICE = "back_office"
    CARRIER = "carrier"


# Opt-outs residents made themselves (an SMS to us or to the carrier, the response page) they
# may lift themselves; one recorded by an agent or the back office only a person lifts.
MADE_BY_RESIDENT = frozenset({OptOutSource.SMS, OptOutSource.CARRIER, OptOutSource.EMAIL_LINK})


def may_lift(asked_by: OptOutSource, recorded_by: OptOutSource) -> bool:
    return asked_by not in MADE_BY_RESIDENT or recorded_by in MADE_BY_RESIDENT


# The outcome an answer leads to is recorded as coming from where the answer came from.
OUTCOME_SOURCE = {
    OptOutSource.SMS: OutcomeSource.SMS,
    OptOutSource.EMAIL_LINK: OutcomeSource.EMAIL_LINK,
    OptOutSource.AGENT: OutcomeSource.AGENT,
    OptOutSource.BACK_OFFICE: OutcomeSource.BACK_OFFICE,
    OptOutSource.CARRIER: OutcomeSource.DIALER,
}


class ReportGrouping(StrEnum):
    """What the reach report counts per."""

    WIJK = "wijk"
    ROUND = "round"
    CHANNEL = "channel"
    AGENT = "agent"
    MONTH = "month"


class AuditAction(StrEnum):
    """What an audit record says happened, always in the past tense."""

    CLIENTS_IMPORTED = "clients_imported"
    CLIENTS_WRITTEN = "clients_written"  # one chunk of an import, in its own transaction
    OUTCOME_RECORDED = "outcome_recorded"
    QUEUE_VIEWED = "queue_viewed"
    CALL_TAKEN = "call_taken"
    REPLY_REVIEWED = "reply_reviewed"
    SIGNED_IN = "signed_in"
    SIGN_IN_LOCKED = "sign_in_locked"  # too many wrong passwords: signing in waits a while
    PASSWORD_CHANGED = "password_changed"
    USER_ADDED = "user_added"
    USER_DISABLED = "user_disabled"
    USER_PHONE_CHANGED = "user_phone_changed"
    PLANNING_CHANGED = "planning_changed"
    CARD_OPENED = "card_opened"
    CALL_WRAPPED_UP = "call_wrapped_up"
    CONTACT_CHANGED = "contact_changed"
    SMS_SENT = "sms_sent"
    TEMPLATES_CHANGED = "templates_changed"
    PACING_LIMITS_CHANGED = "pacing_limits_changed"
    WIJK_HELD = "wijk_held"
    WIJK_RELEASED = "wijk_released"
    CHANNEL_PAUSED = "channel_paused"
    CHANNEL_RESUMED = "channel_resumed"
    REPORT_DOWNLOADED = "report_downloaded"  # the reach report as a file, from /bereik
    # Erasure says how many, never whom: no client_id, and the client row is anonymous.
    RESIDENTS_ERASED = "residents_erased"  # one batch of a purge, or one `followup erase`
    RETENTION_PURGED = "retention_purged"  # one run of `followup purge` (not a dry run)
    CLIENT_EXPORTED = "client_exported"  # everything held about one resident, as JSON
    REPORT_EXPORTED = "report_exported"  # the reach report from `followup report`
    AUDIT_VIEWED = "audit_viewed"  # an admin read the audit trail of one resident
    CARE_MARKED = "care_marked"  # an agent saw the resident needs care: automated contact stops
    CARE_HANDED_OVER = "care_handed_over"  # the named colleague reported them to the WIJ-team
    CARE_WORDS_CHANGED = "care_words_changed"  # a coordinator replaced the team's care words
