"""What residents read: who, why, how to answer; never their name or their benefit."""

import pytest

from followup.rules.client_messages import REPLY_OPTIONS, Sender, email_message, sms_text
from followup.rules.domain import AttemptPurpose

SENDER = Sender(name="het belteam van de gemeente Groningen", sms_number="097 010000001")
# GSM 03.38 basic characters: an SMS outside it costs three times as many parts.
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@pytest.mark.parametrize("purpose", [AttemptPurpose.OPENING, AttemptPurpose.REMINDER])
def test_sms_says_who_why_and_how_to_answer(purpose):
    text = sms_text(purpose, SENDER, 1)
    assert SENDER.name in text
    assert "hoe het" in text
    for answer in ("1", "2", "3", "4", "BEL", "STOP", "WIJ-team"):
        assert answer in text
    assert set(text) <= GSM7
    assert len(text) <= 3 * 153  # three SMS parts at most


def test_reply_options_take_two_lines():
    assert len(REPLY_OPTIONS.splitlines()) == 2
    assert sms_text(AttemptPurpose.OPENING, SENDER, 1).endswith(REPLY_OPTIONS)


def test_a_later_round_says_we_come_back():
    assert "u hoort weer van" in sms_text(AttemptPurpose.OPENING, SENDER, 2)
    assert "weer" not in sms_text(AttemptPurpose.OPENING, SENDER, 1).split(".")[0]


@pytest.mark.parametrize("purpose", [AttemptPurpose.OPENING, AttemptPurpose.REMINDER])
def test_email_explains_every_answer_and_where_to_send_it(purpose):
    email = email_message(purpose, SENDER, 1)
    assert email.subject.endswith("hoe gaat het met u?") or email.subject == "Hoe gaat het met u?"
    assert SENDER.sms_number in email.body
    for line in ("1 als", "2 als", "3 als", "4 als", "Stuur dan BEL", "Stuur dan STOP"):
        assert line in email.body
    assert "vrijwillig" in email.body
    assert email.body.rstrip().endswith("Het belteam van de gemeente Groningen")


@pytest.mark.parametrize("word", ["bijstand", "uitkering", "Participatiewet"])
def test_nothing_reveals_a_benefit_to_a_wrong_number(word):
    texts = [
        sms_text(AttemptPurpose.OPENING, SENDER, 1),
        sms_text(AttemptPurpose.REMINDER, SENDER, 1),
        email_message(AttemptPurpose.OPENING, SENDER, 1).body,
    ]
    assert all(word.lower() not in text.lower() for text in texts)


def test_sms_carries_the_response_link_after_the_options_when_given():
    url = "https://nabellen.example/antwoord/7.20270122.abcdefghijklmnopqrstuv"
    text = sms_text(AttemptPurpose.OPENING, SENDER, 1, url)
    assert text.endswith(f"{REPLY_OPTIONS}\nOf antwoord via deze link: {url}")
    assert set(text) <= GSM7
    assert len(text) <= 3 * 153


def test_email_offers_the_personal_response_link_when_given():
    url = "https://nabellen.example/antwoord/7.20270122.abc"
    assert url in email_message(AttemptPurpose.OPENING, SENDER, 1, url).body
    assert "antwoord" not in email_message(AttemptPurpose.OPENING, SENDER, 1).body


def test_reminder_subject():
    assert email_message(AttemptPurpose.REMINDER, SENDER, 1).subject.startswith("Herinnering")
