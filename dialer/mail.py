"""E-mail to residents: through an SMTP server (`FOLLOWUP_SMTP_URL`), or by default into a
local outbox folder of `.eml` files that any mail program opens.

A message counts as sent only when the server answered 250 to the end of DATA. SMTP gives
no way to ask afterwards whether a message went out: a connection lost or timed out after
DATA began is therefore "unsure", and the reconciler records such a message as sent but
unconfirmed rather than sending it a second time (at most once: a resident gets no message
twice, at the price of one that may not have arrived). A server that cannot be reached, or
that stops answering before DATA, has nothing: that is an outage, and the e-mail waits.
"""

import asyncio
import os
from collections.abc import Collection
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib
from aiosmtplib.email import flatten_message

from followup.rules.carrier_errors import Failure, Rejected, classify_smtp
from followup.services.ports import Accepted, Outbound, SendResult, Unsure


def compose_email(outbound: Outbound, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outbound.to
    message["Subject"] = outbound.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(outbound.attempt_id, sender)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(outbound.body)
    return message


def message_id(attempt_id: int, sender: str) -> str:
    """The same for every try of one attempt: mail systems drop a repeated Message-ID."""
    return f"<followup-attempt-{attempt_id}@{sender.rpartition('@')[2] or 'localhost'}>"


class OutboxMailer:
    """Writes each message to `<folder>/attempt-<id>.eml`, whole or not at all."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def path(self, attempt_id: int) -> Path:
        return self.folder / f"attempt-{attempt_id}.eml"

    async def send(self, outbound: Outbound) -> SendResult:
        message = compose_email(outbound, self.sender)
        try:
            await asyncio.to_thread(self._write, outbound.attempt_id, bytes(message))
        except OSError as error:
            return Rejected(Failure.TRANSIENT, None, f"outbox: {error.strerror or error}")
        return Accepted(message["Message-ID"], "outbox")

    def _write(self, attempt_id: int, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.path(attempt_id)
        partial = final.with_suffix(".part")
        partial.write_bytes(content)
        os.replace(partial, final)

    async def find(
        self, outbound: Outbound, known_sids: Collection[str]
    ) -> Accepted | Unsure | None:
        if self.path(outbound.attempt_id).exists():
            return Accepted(message_id(outbound.attempt_id, self.sender), "outbox")
        return None


class SmtpMailer:
    """`smtp://user:password@host:port` (STARTTLS when the server offers it) or `smtps://`
    (TLS from the start)."""

    def __init__(self, url: str, sender: str, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("use smtp://USER:PASSWORD@HOST:PORT or smtps://…")
        self.options = {
            "hostname": parts.hostname,
            "port": parts.port,
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_tls": parts.scheme == "smtps",
            "timeout": timeout,
        }
        self.sender = sender

    async def send(self, outbound: Outbound) -> SendResult:
        """Sent only when the server answered 250 to the end of DATA. Whatever goes wrong
        before DATA sent nothing; a connection lost or timed out after it is unsure."""
        content = flatten_message(compose_email(outbound, self.sender))
        smtp = aiosmtplib.SMTP(**self.options)
        try:
            try:
                await smtp.connect()
                await smtp.mail(self.sender)
                await smtp.rcpt(outbound.to)
            except aiosmtplib.SMTPException as error:
                return _before_data(error)
            except OSError as error:  # refused, unreachable, name not found
                return Rejected(Failure.UNREACHABLE, None, f"geen verbinding: {_kind(error)}")
            try:
                await smtp.data(content)
            except aiosmtplib.SMTPResponseException as error:  # the server said no: not taken
                return Rejected(classify_smtp(error.code), error.code, f"mailserver: {error.code}")
            except (aiosmtplib.SMTPException, OSError) as error:
                return Unsure(f"verbinding verbroken tijdens verzenden: {_kind(error)}")
            return Accepted(message_id(outbound.attempt_id, self.sender), "accepted")
        finally:
            smtp.close()

    async def find(
        self, outbound: Outbound, known_sids: Collection[str]
    ) -> Accepted | Unsure | None:
        return Accepted(message_id(outbound.attempt_id, self.sender), "unconfirmed")


def _before_data(error: aiosmtplib.SMTPException) -> Rejected:
    """Nothing was sent yet: the server's answer says whose problem it is."""
    if isinstance(error, aiosmtplib.SMTPRecipientRefused):
        return Rejected(
            classify_smtp(error.code), error.code, f"mailserver weigert het adres ({error.code})"
        )
    if isinstance(error, aiosmtplib.SMTPAuthenticationError | aiosmtplib.SMTPSenderRefused):
        return Rejected(Failure.ACCOUNT, error.code, f"mailserver weigert ons ({error.code})")
    if isinstance(error, aiosmtplib.SMTPResponseException) and error.code != 421:
        failure = Failure.TRANSIENT if 400 <= error.code < 500 else Failure.PERMANENT
        return Rejected(failure, error.code, f"mailserver: {error.code}")
    # No connection, a timeout, a dropped connection or 421: the server is not working.
    code = getattr(error, "code", None)
    return Rejected(Failure.UNREACHABLE, code, f"mailserver niet bereikbaar: {_kind(error)}")


def _kind(error: BaseException) -> str:
    return type(error).__name__
