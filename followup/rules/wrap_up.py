"""What an agent may record after a call, and what it means: the five outcomes close the
follow-up; the other results keep it open, and some of them change what happens next (a
wrong number is flagged, an agreed callback is queued, an opt-out is absolute).

Checked here, before anything is written: a callback time must lie ahead and inside the call
window, a note must be short, a new number or address must be one we could use."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import (
    OUTCOME_LABELS_NL,
    OutcomeCategory,
    UnreachableReason,
    WrapUpResult,
)
from followup.rules.email_addresses import is_email_address
from followup.rules.phones import PhoneClassification, classify_phone
from followup.rules.planning_rules import WindowSpec

MAX_NOTE = 1000
# An agreed callback stays with the agent who agreed it this long after its time; then any
# colleague may take it, so it never goes stale.
CALLBACK_GRACE = timedelta(minutes=15)
# How far ahead a callback may be agreed: its round stays open until then (and a day more,
# `CALLBACK_ROOM`), so a follow-up cannot be kept open for years by a typing slip.
CALLBACK_AHEAD = timedelta(weeks=6)
CALLBACK_ROOM = timedelta(days=1)

CLOSING = {
    result: OutcomeCategory(result.value)
    for result in WrapUpResult
    if result.value in {category.value for category in OutcomeCategory}
}
# Results that say how the call went, so there must have been a call.
ABOUT_THE_CALL = frozenset(
    {WrapUpResult.NO_ANSWER, WrapUpResult.VOICEMAIL, WrapUpResult.BUSY, WrapUpResult.WRONG_NUMBER}
)

LABELS_NL = {
    **{result: OUTCOME_LABELS_NL[category] for result, category in CLOSING.items()},
    WrapUpResult.NO_ANSWER: "Geen gehoor",
    WrapUpResult.VOICEMAIL: "Voicemail ingesproken",
    WrapUpResult.BUSY: "In gesprek",
    WrapUpResult.WRONG_NUMBER: "Verkeerd nummer",
    WrapUpResult.CALL_BACK: "Terugbellen op …",
    WrapUpResult.NO_CONTACT_WANTED: "Wil geen contact meer",
}
# One key each for the frequent choices; the card lists them beside the buttons.
SHORTCUTS = {
    WrapUpResult.ACTIVE: "1",
    WrapUpResult.WITH_WIJ: "2",
    WrapUpResult.IN_PROGRESS: "3",
    WrapUpResult.NOT_ACTIVE: "4",
    WrapUpResult.NO_ANSWER: "g",
    WrapUpResult.VOICEMAIL: "v",
    WrapUpResult.BUSY: "b",
    WrapUpResult.WRONG_NUMBER: "n",
    WrapUpResult.CALL_BACK: "t",
}


class WrapUpProblem(ValueError):
    """The wrap-up cannot be recorded as given; the message is Dutch, for the agent."""


@dataclass(frozen=True, slots=True)
class WrapUpForm:
    result: WrapUpResult
    note: str | None = None
    callback_at: datetime | None = None
    new_phone: PhoneClassification | None = None
    new_email: str | None = None

    @property
    def outcome(self) -> OutcomeCategory | None:
        return CLOSING.get(self.result)

    @property
    def reason(self) -> UnreachableReason | None:
        """An agent who closes as not reached gave up calling."""
        return UnreachableReason.NO_ANSWER if self.outcome is OutcomeCategory.UNREACHABLE else None


def check_wrap_up(
    result: WrapUpResult,
    *,
    now: datetime,
    calendar: ContactCalendar,
    call_window: WindowSpec,
    note: str = "",
    callback_at: datetime | None = None,
    new_phone: str = "",
    new_email: str = "",
) -> WrapUpForm:
    """The form as it will be recorded, or WrapUpProblem saying what to change."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise WrapUpProblem(f"De notitie is te lang: maximaal {MAX_NOTE} tekens.")
    if result is WrapUpResult.CALL_BACK:  # the fields are there for any result; used for this
        _check_callback(callback_at, now, calendar, call_window)
    return WrapUpForm(
        result=result,
        note=note or None,
        callback_at=callback_at if result is WrapUpResult.CALL_BACK else None,
        new_phone=_new_phone(new_phone),
        new_email=_new_email(new_email),
    )


def require_call(result: WrapUpResult, call: int | None) -> None:
    """A result about how a call went needs the call."""
    if result in ABOUT_THE_CALL and call is None:
        raise WrapUpProblem(f"'{LABELS_NL[result]}' kan alleen na een gesprek. Bel eerst.")


def _check_callback(
    at: datetime | None, now: datetime, calendar: ContactCalendar, window: WindowSpec
) -> None:
    if at is None:
        raise WrapUpProblem("Kies een datum en tijd om terug te bellen.")
    if at <= now:
        raise WrapUpProblem("Deze tijd is al voorbij. Kies een tijd in de toekomst.")
    if at > now + CALLBACK_AHEAD:
        raise WrapUpProblem("Kies een tijd binnen zes weken. Later kan niet.")
    if not calendar.is_open(at, window):
        raise WrapUpProblem("Op deze tijd belt het team niet. Kies een tijd binnen de beltijden.")


def _new_phone(raw: str) -> PhoneClassification | None:
    """Classified as an imported number is; one we could neither call nor text is refused."""
    if not raw.strip():
        return None
    number = classify_phone(raw)
    if not (number.can_call or number.can_sms):
        raise WrapUpProblem(
            "Het nieuwe telefoonnummer klopt niet. Schrijf het als 06 12345678 of 050 1234567."
        )
    return number


def _new_email(raw: str) -> str | None:
    email = raw.strip().lower()
    if not email:
        return None
    if not is_email_address(email):
        raise WrapUpProblem("Het nieuwe e-mailadres klopt niet. Schrijf het als naam@voorbeeld.nl.")
    return email
