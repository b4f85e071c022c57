"""A real SMTP server (aiosmtpd) that keeps what it receives and refuses some recipients the
way mail servers do: by the reply code their local part asks for."""

import asyncio
import re
import socket
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

    def __init__(self, handler: Mailbox, sock: socket.socket | None = None) -> None:
        self.socket = sock or listening_socket()
        super().__init__(handler, hostname="127.0.0.1", port=self.socket.getsockname()[1])

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self.loop.create_server(self._factory_invoker, sock=self.socket)


@contextmanager
def smtp_server(sock: socket.socket | None = None) -> Iterator[tuple[str, Mailbox]]:
    """Yields the server's `smtp://` URL and the mailbox it fills; on `sock` when given (a
    bound socket: it starts listening now)."""
    mailbox = Mailbox()
    if sock is not None:
        sock.listen()
    controller = _OnSocket(mailbox, sock)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}", mailbox
    finally:
        controller.stop()


class HangingSmtp:
    """A mail server that answers until `hang_at` and then says nothing more, keeping the
    connection open: "greeting" hangs right after its 220, "data" takes the whole message
    and never answers its end. It counts connections and the messages whose end it heard."""

    def __init__(self, hang_at: str) -> None:
        self.hang_at = hang_at
        self.messages_heard = 0
        self.connections = 0
        self._server: asyncio.AbstractServer | None = None
        self._clients: dict[asyncio.StreamWriter, asyncio.Task] = {}

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._serve, sock=listening_socket())
        return f"smtp://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._clients:
            writer.close()
        await asyncio.gather(*self._clients.values(), return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients[writer] = asyncio.current_task()
        self.connections += 1
        writer.write(b"220 mail.example ESMTP\r\n")
        await writer.drain()
        if self.hang_at == "greeting":
            await reader.read()  # until the client gives up
            return
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250 mail.example\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                while (line := await reader.readline()) not in (b".\r\n", b""):
                    pass
                self.messages_heard += 1
                await reader.read()  # the end of the message is never answered
                return
            else:
                writer.write(b"250 OK\r\n")
            await writer.drain()
