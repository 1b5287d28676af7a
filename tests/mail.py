"""A real SMTP server on 127.0.0.1 for the tests that send mail (aiosmtpd): it keeps every message it is given."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def received(self) -> list[EmailMessage]:
        """Every message as the recipient's mail program reads it."""
        return [received(raw) for _, _, raw in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def received(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def plain(message: EmailMessage) -> str:
    """The message's plain-text part, its lines ended as Python's are (SMTP sends CRLF)."""
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


@contextmanager
def smtp_server(inbox: Inbox, authenticator: Callable[..., Any] | None = None, **options: Any) -> Iterator[int]:
    """Serve `inbox` on a free loopback port (logins over plain text: it is loopback); yields the port.

    `options` go to aiosmtpd's Controller (ssl_context= for implicit TLS)."""
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False,
                            **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
