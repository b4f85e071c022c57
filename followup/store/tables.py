"""The residents' side of the data model: clients and their numbers, conversations,
follow-ups, rounds, attempts, what came back, and what agents recorded. The staff side is in
`staff_tables.py`; Alembic migrations must produce exactly the two together.

Unique keys carry the rules that must hold even when two processes race: one open
follow-up per conversation, one attempt per ladder step of a round, one carrier event
per SID and status, one outcome per follow-up, one active opt-out per client.
"""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from followup.rules.carrier_errors import MAX_DETAIL
from followup.rules.carrier_status import MAX_ANSWERED_BY, MAX_SID, MAX_STATUS
from followup.rules.client_messages import MAX_SMS
from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    CarrierResource,
    Channel,
    ContactKind,
    ContactStatus,
    EvidenceSource,
    FollowUpState,
    Initiative,
    MessageDirection,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    PhoneLabel,
    PhoneType,
    UnreachableReason,
    WrapUpResult,
)
from followup.store.model_base import Base, fk
from followup.store.types import enum_type

WAITING_CALL = "state = 'queued' AND channel = 'call' AND agent_id IS NULL"
WAITING_CALLBACK = f"{WAITING_CALL} AND purpose = 'callback'"
UNWRAPPED = "agent_id IS NOT NULL AND wrapped_up_at IS NULL"
# What the reach report counts of each follow-up, after the key it groups by.
REPORT_COUNTS = ("state", "outcome_category", "outcome_reason")
REPORT_KEYS = ("wijk", "round_number", "outcome_by_id", "channels", "outcome_source")


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    wijk: Mapped[str] = mapped_column(sa.String(100), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    email_status: Mapped[ContactStatus | None] = mapped_column(
        enum_type(ContactStatus, "email_status")
    )
    email_invalid_detail: Mapped[str | None] = mapped_column(sa.String(MAX_DETAIL))
    preferred_channel: Mapped[Channel | None] = mapped_column(
        enum_type(Channel, "preferred_channel")
    )
    # Said at the conversation: SMS should carry the resident's response link too.
    link_in_sms: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The part of the day the resident asked to be called in (`rules/call_parts.py`).
    call_part: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]


class PhoneNumber(Base):
    """One number of one client. A number proven wrong keeps its row and its evidence;
    a number replaced by a new import is retired, so past attempts still point at it."""

    __tablename__ = "phone_numbers"
    __table_args__ = (
        sa.Index(
            "uq_phone_numbers_client_id_label_current",
            "client_id",
            "label",
            unique=True,
            sqlite_where=sa.text("retired_at IS NULL"),
            postgresql_where=sa.text("retired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed for erasure, which blanks every number a client ever had, retired ones too.
    client_id: Mapped[int] = mapped_column(fk("clients.id"), index=True)
    label: Mapped[PhoneLabel] = mapped_column(enum_type(PhoneLabel, "phone_label"))
    raw: Mapped[str] = mapped_column(sa.String(40))
    e164: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    type: Mapped[PhoneType] = mapped_column(enum_type(PhoneType, "phone_type"))
    status: Mapped[ContactStatus] = mapped_column(enum_type(ContactStatus, "phone_status"))
    invalid_reason: Mapped[str | None] = mapped_column(sa.String(64))
    invalid_source: Mapped[EvidenceSource | None] = mapped_column(
        enum_type(EvidenceSource, "invalid_source")
    )
    invalid_detail: Mapped[str | None] = mapped_column(sa.String(MAX_DETAIL))
    sms_blocked: Mapped[bool] = mapped_column(default=False)
    source: Mapped[EvidenceSource] = mapped_column(enum_type(EvidenceSource, "phone_source"))
    created_at: Mapped[datetime]
    status_changed_at: Mapped[datetime | None]
    looked_up_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]


class Conversation(Base):
    """`followed_up`: a follow-up was opened for it (kept by a trigger, migration 0010), so
    the due residents still waiting for their turn are found in an index of the few."""

    __tablename__ = "conversations"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "conversation_date"),
        sa.Index(
            "ix_conversations_due_on_waiting",
            "due_on",
            sqlite_where=sa.text("NOT followed_up"),
            postgresql_where=sa.text("NOT followed_up"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(fk("clients.id"))
    conversation_date: Mapped[date]
    follow_up_after_months: Mapped[int]
    initiative: Mapped[Initiative] = mapped_column(enum_type(Initiative, "initiative"))
    due_on: Mapped[date] = mapped_column(index=True)
    followed_up: Mapped[bool] = mapped_column(server_default=sa.false())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FollowUp(Base):
    """A follow-up is created when its conversation is due. `next_round_at` is when the
    planner opens its next round; empty while a round runs and once it is closed."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.Index(
            "ix_follow_ups_next_round_at_open",
            "next_round_at",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        ),
        # One open follow-up per client (so per client and conversation too), and one
        # follow-up per conversation ever: a closed one is never opened again.
        # Whom an agent holds: released each time they take the next resident.
        sa.Index(
            "ix_follow_ups_leased_to_id",
            "leased_to_id",
            sqlite_where=sa.text("leased_to_id IS NOT NULL"),
            postgresql_where=sa.text("leased_to_id IS NOT NULL"),
        ),
        # The reach report: per grouping, its key and then what it counts (state, outcome),
        # read from the index alone. Few distinct values each, so PostgreSQL stores each
        # value once with its rows (a few MB for a million follow-ups). The one by agent has
        # the outcome's source too, for the dashboard's "reached through". The one by
        # opened_at (the first and last follow-up, each month, the period filter) holds every
        # key, so a period's figures in any grouping come from it alone.
        sa.Index("ix_follow_ups_report_opened_at", "opened_at", *REPORT_COUNTS, *REPORT_KEYS),
        sa.Index("ix_follow_ups_report_wijk", "wijk", *REPORT_COUNTS),
        sa.Index("ix_follow_ups_report_round", "round_number", *REPORT_COUNTS),
        sa.Index("ix_follow_ups_report_agent", "outcome_by_id", *REPORT_COUNTS, "outcome_source"),
        sa.Index("ix_follow_ups_report_channels", "channels", *REPORT_COUNTS),
        # The dashboard's open follow-ups by round and ladder step, from the index alone.
        sa.Index(
            "ix_follow_ups_report_open",
            "round_number",
            "step_sent",
            "opened_at",
            "wijk",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        ),
        sa.Index(
            "uq_follow_ups_client_id_open",
            "client_id",
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(fk("clients.id"))
    conversation_id: Mapped[int] = mapped_column(fk("conversations.id"), unique=True)
    state: Mapped[FollowUpState] = mapped_column(enum_type(FollowUpState, "follow_up_state"))
    round_number: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime]
    next_round_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    callback_requested_at: Mapped[datetime | None]
    # The agent who agreed a callback with the resident keeps it, for a grace period.
    assigned_agent_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    # The agent working this resident now ("Volgende inwoner"), until the lease runs out.
    leased_to_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    lease_until: Mapped[datetime | None]
    # Kept by database triggers (store/follow_up_facts.py), never written by the code: what
    # the reach report and the dashboard group and count by, so they read this table alone.
    # The client's wijk when the follow-up opened; the outcome's category, reason, source
    # and who recorded it; the channels tried, one bit each (call 1, sms 2, email 4).
    wijk: Mapped[str | None] = mapped_column(sa.String(100))
    outcome_category: Mapped[OutcomeCategory | None] = mapped_column(
        enum_type(OutcomeCategory, "outcome_category", checked=False)
    )
    outcome_reason: Mapped[UnreachableReason | None] = mapped_column(
        enum_type(UnreachableReason, "outcome_reason", checked=False)
    )
    outcome_source: Mapped[OutcomeSource | None] = mapped_column(
        enum_type(OutcomeSource, "outcome_source", checked=False)
    )
    # A copy, not a reference: outcomes.recorded_by_id holds the foreign key.
    outcome_by_id: Mapped[int | None]
    channels: Mapped[int] = mapped_column(sa.SmallInteger, server_default="0")
    # The ladder step (attempts.step) of the running round that went out last; None: none yet.
    step_sent: Mapped[int | None]


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (
        sa.UniqueConstraint("follow_up_id", "number"),
        sa.Index(
            "ix_rounds_closes_at_running",
            "closes_at",
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(fk("follow_ups.id"))
    number: Mapped[int]
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Attempt(Base):
    """One call, SMS or e-mail: the queue is this table.

    A ladder step's attempt has a `step`. A retry after the carrier took the message, or a
    fallback to another channel when a number proved wrong, is a new attempt without a step
    that `replaces` the failed one, so each carrier SID keeps its own row and history.
    """

    __tablename__ = "attempts"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "step"),
        sa.Index("ix_attempts_state_due_at", "state", "due_at"),
        # A follow-up's attempts; with the channel, the reach report reads each channel a
        # follow-up was tried on from the index alone.
        sa.Index("ix_attempts_follow_up_id_channel", "follow_up_id", "channel"),
        # "Volgende inwoner" walks the calls waiting for an agent in the order they came due.
        sa.Index(
            "ix_attempts_due_at_id_waiting_call",
            "due_at",
            "id",
            sqlite_where=sa.text(WAITING_CALL),
            postgresql_where=sa.text(WAITING_CALL),
        ),
        # Callbacks due, read before the other calls.
        sa.Index(
            "ix_attempts_due_at_waiting_callback",
            "due_at",
            sqlite_where=sa.text(WAITING_CALLBACK),
            postgresql_where=sa.text(WAITING_CALLBACK),
        ),
        # An agent's calls still waiting for their result.
        sa.Index(
            "ix_attempts_agent_id_unwrapped",
            "agent_id",
            sqlite_where=sa.text(UNWRAPPED),
            postgresql_where=sa.text(UNWRAPPED),
        ),
        # Partial: most attempts wait without a SID, and planning inserts them by the 100,000.
        *(
            sa.Index(
                f"uq_attempts_{column}",
                column,
                unique=True,
                sqlite_where=sa.text(f"{column} IS NOT NULL"),
                postgresql_where=sa.text(f"{column} IS NOT NULL"),
            )
            for column in ("carrier_sid", "agent_leg_sid", "replaces_id")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(fk("follow_ups.id"))
    round_id: Mapped[int | None] = mapped_column(fk("rounds.id"))
    step: Mapped[int | None]
    replaces_id: Mapped[int | None] = mapped_column(fk("attempts.id", "SET NULL"))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "attempt_channel"))
    purpose: Mapped[AttemptPurpose] = mapped_column(enum_type(AttemptPurpose, "attempt_purpose"))
    state: Mapped[AttemptState] = mapped_column(enum_type(AttemptState, "attempt_state"))
    phone_number_id: Mapped[int | None] = mapped_column(fk("phone_numbers.id", "SET NULL"))
    to_address: Mapped[str | None] = mapped_column(sa.String(254))
    agent_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    due_at: Mapped[datetime]
    tries: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    sending_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    carrier_sid: Mapped[str | None] = mapped_column(sa.String(MAX_SID))
    agent_leg_sid: Mapped[str | None] = mapped_column(sa.String(MAX_SID))
    carrier_status: Mapped[str | None] = mapped_column(sa.String(MAX_STATUS))
    error_code: Mapped[int | None]
    error_message: Mapped[str | None] = mapped_column(sa.String(MAX_DETAIL))
    sip_response_code: Mapped[int | None]
    duration_seconds: Mapped[int | None]
    answered_by: Mapped[str | None] = mapped_column(sa.String(MAX_ANSWERED_BY))
    cancelled_reason: Mapped[str | None] = mapped_column(sa.String(64))
    # An agent's call: when the agent recorded its result (a wrap-up).
    wrapped_up_at: Mapped[datetime | None]
    # An agent's SMS: the text they sent (other messages are rendered from their purpose).
    message: Mapped[str | None] = mapped_column(sa.String(MAX_SMS))
    # An opening message: the moment it tells the resident the first call comes (UTC). The
    # text is rendered from it, and the first call keeps to it (`store/attempt_queue.py`).
    announces_call_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class CarrierEvent(Base):
    """Append-only: every status callback as it arrived, orphans included."""

    __tablename__ = "carrier_events"
    __table_args__ = (sa.UniqueConstraint("sid", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[CarrierResource] = mapped_column(enum_type(CarrierResource, "resource"))
    sid: Mapped[str] = mapped_column(sa.String(MAX_SID))
    status: Mapped[str] = mapped_column(sa.String(MAX_STATUS))
    attempt_id: Mapped[int | None] = mapped_column(fk("attempts.id", "SET NULL"), index=True)
    error_code: Mapped[int | None]
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]


class SmsMessage(Base):
    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[MessageDirection] = mapped_column(enum_type(MessageDirection, "direction"))
    client_id: Mapped[int | None] = mapped_column(fk("clients.id", "SET NULL"), index=True)
    phone_number_id: Mapped[int | None] = mapped_column(fk("phone_numbers.id", "SET NULL"))
    attempt_id: Mapped[int | None] = mapped_column(fk("attempts.id", "SET NULL"))
    carrier_sid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    from_number: Mapped[str] = mapped_column(sa.String(32))
    to_number: Mapped[str] = mapped_column(sa.String(32))
    body: Mapped[str] = mapped_column(sa.Text)
    interpretation: Mapped[str | None] = mapped_column(sa.String(32))
    needs_review: Mapped[bool] = mapped_column(default=False)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    created_at: Mapped[datetime]


class Outcome(Base):
    """Exactly one per follow-up; `unreachable` always says why, the others never do."""

    __tablename__ = "outcomes"
    __table_args__ = (
        sa.CheckConstraint(
            "(category = 'unreachable') = (reason IS NOT NULL)", name="reason_iff_unreachable"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(fk("follow_ups.id"), unique=True)
    category: Mapped[OutcomeCategory] = mapped_column(enum_type(OutcomeCategory, "category"))
    reason: Mapped[UnreachableReason | None] = mapped_column(enum_type(UnreachableReason, "reason"))
    source: Mapped[OutcomeSource] = mapped_column(enum_type(OutcomeSource, "outcome_source"))
    recorded_by_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    recorded_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(sa.Text)


class WrapUp(Base):
    """What an agent recorded after a call (or from the card without one): append-only, the
    resident's history."""

    __tablename__ = "wrap_ups"
    __table_args__ = (
        sa.Index(
            "uq_wrap_ups_attempt_id",
            "attempt_id",
            unique=True,
            sqlite_where=sa.text("attempt_id IS NOT NULL"),
            postgresql_where=sa.text("attempt_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(fk("follow_ups.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(fk("attempts.id", "SET NULL"))
    user_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    result: Mapped[WrapUpResult] = mapped_column(enum_type(WrapUpResult, "wrap_up_result"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    callback_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime]


class ContactChange(Base):
    """A phone number or e-mail address a resident gave an agent; the old one stays here."""

    __tablename__ = "contact_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(fk("clients.id"), index=True)
    kind: Mapped[ContactKind] = mapped_column(enum_type(ContactKind, "contact_kind"))
    old_value: Mapped[str | None] = mapped_column(sa.String(254))
    new_value: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    changed_at: Mapped[datetime]


class SmsTemplate(Base):
    """A short message agents send from the card; the team edits them."""

    __tablename__ = "sms_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(60))
    body: Mapped[str] = mapped_column(sa.String(MAX_SMS))
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))


class OptOut(Base):
    """A client's wish not to be contacted. Active while `lifted_at` is empty."""

    __tablename__ = "opt_outs"
    __table_args__ = (
        sa.Index(
            "uq_opt_outs_client_id_active",
            "client_id",
            unique=True,
            sqlite_where=sa.text("lifted_at IS NULL"),
            postgresql_where=sa.text("lifted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(fk("clients.id"))
    source: Mapped[OptOutSource] = mapped_column(enum_type(OptOutSource, "opt_out_source"))
    sms_message_id: Mapped[int | None] = mapped_column(fk("sms_messages.id", "SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    created_at: Mapped[datetime]
    lifted_at: Mapped[datetime | None]
    lifted_source: Mapped[OptOutSource | None] = mapped_column(
        enum_type(OptOutSource, "lifted_source")
    )


class CallAnswerCount(Base):
    """Calls to residents and how many were answered, per local month the follow-up opened,
    wijk, and local weekday and hour the call was placed: the dashboard's answer rates read
    these few rows instead of millions of attempts. Counted in the transaction that stores a
    call's final status (`services/carrier_status.py`); counts stay when retention erases
    the attempts, being no personal data."""

    __tablename__ = "call_answer_counts"

    opened_month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    wijk: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    weekday: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    hour: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    calls: Mapped[int] = mapped_column(default=0)
    answered: Mapped[int] = mapped_column(default=0)


class OptOutHash(Base):
    """An opt-out that outlived the erasure of its resident: only a keyed one-way digest of a
    number or address they had (`rules/erasure.py`), so a resident imported again with it
    is opted out at once and never contacted."""

    __tablename__ = "opt_out_hashes"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    created_at: Mapped[datetime]


class CareSignal(Base):
    """An agent saw that the resident needs care rather than a follow-up: no automated contact
    from `marked_at` on, and the follow-up is with `colleague_id` until `deadline`, who records
    the hand-off to the WIJ-team. One per follow-up (a second mark changes nothing); kept on
    the follow-up, not the client, because the colleague, the deadline and the hand-off belong
    to this follow-up, and a later conversation starts afresh."""

    __tablename__ = "care_signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(fk("follow_ups.id"), unique=True)
    # A copy of the follow-up's client, so the dialer asks "is this resident marked" by index.
    client_id: Mapped[int] = mapped_column(fk("clients.id"), index=True)
    marked_by_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    marked_at: Mapped[datetime]
    colleague_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"), index=True)
    deadline: Mapped[date]
    handed_over_at: Mapped[datetime | None]
    handed_over_by_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))


class NumberCheck(Base):
    """A mobile number a resident gave on the response page, waiting for the code sent to it
    (`rules/self_service.py`). Only a MAC of the code is kept. Once settled the number and
    the MAC are blanked; the row stays, so the codes a follow-up got can be counted."""

    __tablename__ = "number_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(fk("follow_ups.id"), index=True)
    # Indexed for erasure and export, which go by client.
    client_id: Mapped[int] = mapped_column(fk("clients.id"), index=True)
    e164: Mapped[str | None] = mapped_column(sa.String(16))
    code_mac: Mapped[str | None] = mapped_column(sa.String(32))
    attempt_id: Mapped[int | None] = mapped_column(fk("attempts.id", "SET NULL"))
    wrong_codes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]
    # confirmed, void (wrong too often), expired, replaced (a new code was asked)
    result: Mapped[str | None] = mapped_column(sa.String(16))
