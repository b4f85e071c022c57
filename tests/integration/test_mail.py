"""E-mail through a real SMTP server (aiosmtpd) and through the outbox folder."""

import pytest

from dialer.mail import OutboxMailer, SmtpMailer, message_id
from followup.rules.carrier_errors import Failure, Rejected
from followup.rules.domain import AttemptPurpose, Channel
from followup.services.ports import Accepted, Outbound, Unsure
from tests.support.processes import refusing_port
from tests.support.smtp import HangingSmtp, smtp_server

SENDER = "belteam@gemeente.example"


def outbound(to: str, attempt_id: int = 7) -> Outbound:
    return Outbound(
        attempt_id=attempt_id,
        client_id=1,
        channel=Channel.EMAIL,
        purpose=AttemptPurpose.OPENING,
        to=to,
        subject="Hoe gaat het met u?",
        body="Hallo,\n\nWe willen graag weten hoe het nu gaat. Groetjes, één team",
    )


async def test_smtp_delivers_a_plain_dutch_message():
    with smtp_server() as (url, mailbox):
        mailer = SmtpMailer(url, SENDER, timeout=5)
        result = await mailer.send(outbound("inwoner@example.nl"))
    assert result == Accepted(message_id(7, SENDER), "accepted")
    [message] = mailbox.messages
    assert message["To"] == "inwoner@example.nl"
    assert message["From"] == SENDER
    assert message["Subject"] == "Hoe gaat het met u?"
    assert message["Message-ID"] == "<followup-attempt-7@gemeente.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "één team" in message.get_payload(decode=True).decode(message.get_content_charset())


@pytest.mark.parametrize(
    ("code", "failure"),
    [
        (550, Failure.INVALID_ADDRESS),  # no such mailbox: the address is wrong
        (553, Failure.INVALID_ADDRESS),
        (451, Failure.TRANSIENT),  # try again later
        (452, Failure.TRANSIENT),
        (554, Failure.PERMANENT),
    ],
)
async def test_smtp_refusals_say_what_to_do_next(code, failure):
    with smtp_server() as (url, mailbox):
        result = await SmtpMailer(url, SENDER, timeout=5).send(outbound(f"refuse-{code}@x.nl"))
    assert isinstance(result, Rejected)
    assert (result.failure, result.code) == (failure, code)
    assert "refuse" not in result.detail  # no address in the record of why
    assert mailbox.messages == []


async def test_no_smtp_server_is_an_outage():
    with refusing_port() as port:
        mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", SENDER, timeout=2)
        result = await mailer.send(outbound("inwoner@example.nl"))
    assert isinstance(result, Rejected) and result.failure is Failure.UNREACHABLE


async def test_smtp_cannot_be_asked_afterwards_so_an_unclear_send_is_unconfirmed():
    mailer = SmtpMailer("smtp://127.0.0.1:25", SENDER, timeout=2)
    found = await mailer.find(outbound("inwoner@example.nl"), known_sids=set())
    assert found == Accepted(message_id(7, SENDER), "unconfirmed")


@pytest.mark.parametrize("url", ["http://mail.example.nl", "smtp://", "mail.example.nl:25"])
def test_a_smtp_url_that_cannot_work_is_refused(url):
    with pytest.raises(ValueError, match="smtp://"):
        SmtpMailer(url, SENDER, timeout=2)


async def test_the_outbox_writes_whole_messages_and_can_tell_what_it_wrote(tmp_path):
    mailer = OutboxMailer(tmp_path / "outbox", SENDER)
    assert await mailer.find(outbound("a@example.nl"), set()) is None
    result = await mailer.send(outbound("a@example.nl"))
    assert result == Accepted(message_id(7, SENDER), "outbox")
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == ["attempt-7.eml"]  # no half-written leftovers
    assert await mailer.find(outbound("a@example.nl"), set()) == result


async def test_an_outbox_that_cannot_be_written_is_transient(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    result = await OutboxMailer(blocked, SENDER).send(outbound("a@example.nl"))
    assert isinstance(result, Rejected) and result.failure is Failure.TRANSIENT


async def test_a_server_that_greets_and_then_hangs_has_sent_nothing():
    async with HangingSmtp("greeting") as url:
        result = await SmtpMailer(url, SENDER, timeout=0.5).send(outbound("inwoner@example.nl"))
    assert isinstance(result, Rejected)
    assert (result.failure, result.detail) == (
        Failure.UNREACHABLE,
        "mailserver niet bereikbaar: SMTPReadTimeoutError",
    )


async def test_a_server_that_hangs_after_the_whole_message_may_have_sent_it():
    server = HangingSmtp("data")
    async with server as url:
        result = await SmtpMailer(url, SENDER, timeout=0.5).send(outbound("a@example.nl"))
    assert server.messages_heard == 1  # it had the whole message: sending again could double it
    assert isinstance(result, Unsure)
    assert result.detail == "verbinding verbroken tijdens verzenden: SMTPReadTimeoutError"
