"""A real SMTP server (aiosmtpd) that keeps what it receives and refuses some recipients the
way mail servers do: by the reply code their local part asks for."""

import asyncio
import re
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

from tests.support.processes import listening_socket

# "refuse-550@example.nl" is refused with 550 at RCPT, "refuse-451@…" with 451, and so on.
_REFUSE = re.compile(r"^refuse-(\d{3})@")


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if refused := _REFUSE.match(address):
            code = refused.group(1)
            return f"{code} {'5' if code[0] == '5' else '4'}.1.1 refused for the test"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class _OnSocket(Controller):
    """aiosmtpd's threaded server on a socket that listens already: its port was chosen and
    bound in one step, so no other process can take it in between."""

    def __init__(self, handler: Mailbox) -> None:
        self.socket = listening_socket()
        super().__init__(handler, hostname="127.0.0.1", port=self.socket.getsockname()[1])

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self.loop.create_server(self._factory_invoker, sock=self.socket)


@contextmanager
def smtp_server() -> Iterator[tuple[str, Mailbox]]:
    """Yields the server's `smtp://` URL and the mailbox it fills."""
    mailbox = Mailbox()
    controller = _OnSocket(mailbox)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}", mailbox
    finally:
        controller.stop()
