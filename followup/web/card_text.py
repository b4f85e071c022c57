"""The resident card in the agent's words: each timeline event as a title and a detail, each
number with what we know of it. Plain Dutch (B1); no codes a call-team member has to look up."""

import re
from dataclasses import dataclass
from datetime import datetime

from followup.rules.domain import (
    OUTCOME_LABELS_NL,
    AttemptPurpose,
    AttemptState,
    Channel,
    ContactKind,
    ContactStatus,
    EvidenceSource,
    Initiative,
    MessageDirection,
    OptOutSource,
    OutcomeSource,
    PhoneType,
    Role,
    UnreachableReason,
    WrapUpResult,
)
from followup.rules.wrap_up import LABELS_NL as WRAP_UP_LABELS
from followup.store.resident_card import (
    AttemptEvent,
    ContactChangeEvent,
    Event,
    Number,
    OptOutEvent,
    OutcomeEvent,
    SmsEvent,
    WrapUpEvent,
)


@dataclass(frozen=True, slots=True)
class Line:
    at: datetime
    kind: str  # for the page's icon and colour: call, sms-in, sms-out, email, note, outcome, stop
    title: str
    detail: str | None = None
    quote: str | None = None  # the resident's or agent's own words


CHANNELS = {Channel.CALL: "Telefoon", Channel.SMS: "Sms", Channel.EMAIL: "E-mail"}
PURPOSES = {
    AttemptPurpose.OPENING: "eerste bericht",
    AttemptPurpose.CALL: "gesprek",
    AttemptPurpose.REMINDER: "herinnering",
    AttemptPurpose.CALLBACK: "terugbellen",
    AttemptPurpose.CONFIRMATION: "bevestiging",
    AttemptPurpose.AGENT_MESSAGE: "bericht van het belteam",
}
STATES = {
    AttemptState.QUEUED: "staat klaar",
    AttemptState.SENDING: "wordt verstuurd",
    AttemptState.SENT: "verstuurd",
    AttemptState.DELIVERED: "afgeleverd",
    AttemptState.ANSWERED: "opgenomen",
    AttemptState.FAILED: "niet gelukt",
    AttemptState.CANCELLED: "niet meer nodig",
}
SOURCES = {
    OutcomeSource.SMS: "per sms",
    OutcomeSource.EMAIL_LINK: "via de antwoordpagina",
    OutcomeSource.AGENT: "door het belteam",
    OutcomeSource.BACK_OFFICE: "door de backoffice",
    OutcomeSource.PLANNER: "na de laatste ronde",
    OutcomeSource.DIALER: "door de telefoonaanbieder",
}
OPT_OUT_SOURCES = {
    OptOutSource.SMS: "per sms (STOP)",
    OptOutSource.EMAIL_LINK: "via de antwoordpagina",
    OptOutSource.AGENT: "tegen het belteam",
    OptOutSource.BACK_OFFICE: "via de backoffice",
    OptOutSource.CARRIER: "bij de telefoonaanbieder",
}
REASONS = {
    UnreachableReason.NO_ANSWER: "niet opgenomen",
    UnreachableReason.INVALID_NUMBER: "nummer klopt niet",
    UnreachableReason.NO_CONTACT_DETAILS: "geen contactgegevens",
    UnreachableReason.OPTED_OUT: "wil geen contact",
}
PHONE_TYPES = {
    PhoneType.MOBILE: "mobiel",
    PhoneType.FIXED_LINE: "vast",
    PhoneType.FIXED_LINE_OR_MOBILE: "vast of mobiel",
    PhoneType.VOIP: "internetnummer",
}
EVIDENCE = {
    EvidenceSource.IMPORT: "bij het inlezen",
    EvidenceSource.CARRIER_ERROR: "de telefoonaanbieder gaf een fout",
    EvidenceSource.DELIVERY_ERROR: "het bericht kwam niet aan",
    EvidenceSource.LOOKUP: "het nummer bestaat niet meer",
    EvidenceSource.AGENT: "gemeld door het belteam",
}
INITIATIVES = {Initiative.MUNICIPALITY: "de gemeente", Initiative.CLIENT: "de inwoner zelf"}
CHANNEL_PREFERENCE = {Channel.CALL: "bellen", Channel.SMS: "sms", Channel.EMAIL: "e-mail"}


# The resident's leg as the carrier reports it, in the agent's words.
_LEG_STATUS = {
    "queued": "De inwoner wordt gebeld",
    "initiated": "De inwoner wordt gebeld",
    "ringing": "De telefoon van de inwoner gaat over",
    "in-progress": "In gesprek met de inwoner",
    "completed": "Gesprek afgelopen",
    "busy": "In gesprek: bezet",
    "no-answer": "Niet opgenomen",
    "failed": "Het nummer werkt niet",
    "canceled": "Afgebroken",
}
_BEFORE_THE_RESIDENT = {
    AttemptState.QUEUED: "Uw telefoon gaat zo over",
    AttemptState.SENDING: "Uw telefoon gaat over",
    AttemptState.SENT: "Uw telefoon gaat over",
    AttemptState.FAILED: "U nam niet op",
    AttemptState.CANCELLED: "Niet meer nodig",
}


def call_progress(state: AttemptState, carrier_status: str | None) -> str:
    """An agent's call as it goes, from their phone ringing to the end of the conversation."""
    if carrier_status in _LEG_STATUS:
        return _LEG_STATUS[carrier_status]
    return _BEFORE_THE_RESIDENT.get(state, "Onbekend")


# What the carrier said of the resident's leg suggests the result the agent records.
SUGGESTED = {"no-answer": WrapUpResult.NO_ANSWER, "busy": WrapUpResult.BUSY}


_IN_FLIGHT = (AttemptState.QUEUED, AttemptState.SENDING, AttemptState.SENT)


def current_call(
    timeline: list[Event], agent_email: str, to_wrap_up: int | None
) -> AttemptEvent | None:
    """The agent's call of this resident that is going on, or waits for its result."""
    for event in timeline:
        if (
            isinstance(event, AttemptEvent)
            and event.channel is Channel.CALL
            and event.agent == agent_email
            and (event.id == to_wrap_up or event.state in _IN_FLIGHT)
        ):
            return event
    return None


# A resident's own response link opens their page as them: staff never see it whole.
_RESPONSE_LINK = re.compile(r"https?://\S+/antwoord/\S+")


def line(event: Event, role: Role) -> Line:
    match event:
        case AttemptEvent():
            return _attempt(event)
        case SmsEvent():
            incoming = event.direction is MessageDirection.INBOUND
            title = "Sms van de inwoner" if incoming else "Sms naar de inwoner"
            body = _RESPONSE_LINK.sub("[persoonlijke link]", event.body)
            return Line(event.at, "sms-in" if incoming else "sms-out", title, quote=body)
        case WrapUpEvent():
            detail = f"door {event.agent}" if event.agent else None
            return Line(event.at, "note", WRAP_UP_LABELS[event.result], detail, event.note)
        case OutcomeEvent():
            title = f"Uitkomst: {OUTCOME_LABELS_NL[event.category]}"
            if event.reason is not None:
                title += f" ({REASONS[event.reason]})"
            return Line(event.at, "outcome", title, SOURCES[event.source], event.note)
        case OptOutEvent():
            if event.lifted:
                return Line(event.at, "stop", "Wil weer contact", OPT_OUT_SOURCES[event.source])
            return Line(event.at, "stop", "Wil geen contact meer", OPT_OUT_SOURCES[event.source])
        case ContactChangeEvent():
            phone = event.kind is ContactKind.PHONE
            what = "Nieuw telefoonnummer" if phone else "Nieuw e-mailadres"
            new, old = (masked(v, role) if phone else v for v in (event.new_value, event.old_value))
            before = f"eerder {old}" if old else "eerder geen"
            who = event.agent or "de inwoner zelf, op de antwoordpagina"
            return Line(event.at, "note", f"{what}: {new}", f"{before}, door {who}")
    raise TypeError(type(event))


def _attempt(event: AttemptEvent) -> Line:
    channel = CHANNELS[event.channel]
    title = f"{channel}: {PURPOSES[event.purpose]}"
    if event.channel is Channel.CALL and event.carrier_status in _LEG_STATUS:
        parts = [_LEG_STATUS[event.carrier_status]]
    else:
        parts = [STATES[event.state]]
    if event.duration_seconds:
        parts.append(f"{event.duration_seconds // 60} min {event.duration_seconds % 60} s")
    if event.agent:
        parts.append(f"door {event.agent}")
    kind = {Channel.CALL: "call", Channel.SMS: "sms-out", Channel.EMAIL: "email"}[event.channel]
    return Line(event.at, kind, title, ", ".join(parts), event.message)


def number_facts(number: Number) -> list[str]:
    """What we know of a number, for the card: its kind and whether it works."""
    facts = [PHONE_TYPES.get(number.type, "onbekend soort nummer")]
    if number.retired_at is not None:
        facts.append("oud nummer")
    if number.status is ContactStatus.INVALID:
        how = EVIDENCE.get(number.invalid_source) if number.invalid_source else None
        facts.append(f"klopt niet ({how})" if how else "klopt niet")
    elif number.sms_blocked:
        facts.append("kan geen sms krijgen")
    return facts


def shown_number(number: Number, role: Role) -> str:
    """Calls are connected by the service, so an agent never needs a whole number: they see
    its last digits, enough to check it with the resident. An admin, who corrects data,
    sees it whole."""
    return masked(number.e164 or number.raw, role)


def masked(written: str | None, role: Role) -> str | None:
    if written is None or role is Role.ADMIN or len(written) <= 4:
        return written
    return "•••• " + written[-4:]
