"""What the resident card shows staff of a timeline line: an agent never sees a resident's
whole number or their personal response link; an admin, who corrects data, sees numbers."""

from datetime import UTC, datetime

import pytest

from followup.rules.domain import ContactKind, MessageDirection, Role
from followup.store.resident_card import ContactChangeEvent, SmsEvent
from followup.web.card_text import line

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_residents_response_link_is_never_shown_whole():
    sms = SmsEvent(
        AT,
        MessageDirection.OUTBOUND,
        "Hoe gaat het?\nOf antwoord via deze link: https://nabellen.example/antwoord/abc.def",
        None,
    )
    shown = line(sms, Role.ADMIN)
    assert shown.quote == "Hoe gaat het?\nOf antwoord via deze link: [persoonlijke link]"


@pytest.mark.parametrize(
    ("role", "title", "detail"),
    [
        (Role.AGENT, "Nieuw telefoonnummer: •••• 9876", "eerder •••• 0001, door a@gemeente.nl"),
        (
            Role.COORDINATOR,
            "Nieuw telefoonnummer: •••• 9876",
            "eerder •••• 0001, door a@gemeente.nl",
        ),
        (
            Role.ADMIN,
            "Nieuw telefoonnummer: +31612349876",
            "eerder +31600000001, door a@gemeente.nl",
        ),
    ],
)
def test_a_changed_number_is_shown_as_the_role_may_see_it(role, title, detail):
    change = ContactChangeEvent(
        AT, ContactKind.PHONE, "+31600000001", "+31612349876", "a@gemeente.nl"
    )
    shown = line(change, role)
    assert (shown.title, shown.detail) == (title, detail)


def test_a_new_address_says_there_was_none_before():
    change = ContactChangeEvent(AT, ContactKind.EMAIL, None, "n@voorbeeld.nl", "a@gemeente.nl")
    shown = line(change, Role.AGENT)
    assert (shown.title, shown.detail) == (
        "Nieuw e-mailadres: n@voorbeeld.nl",
        "eerder geen, door a@gemeente.nl",
    )


def test_a_change_without_an_agent_is_the_residents_own():
    """Confirmed by the resident on the response page (services/self_service.py)."""
    change = ContactChangeEvent(AT, ContactKind.EMAIL, "o@voorbeeld.nl", "n@voorbeeld.nl", None)
    assert line(change, Role.AGENT).detail == (
        "eerder o@voorbeeld.nl, door de inwoner zelf, op de antwoordpagina"
    )
