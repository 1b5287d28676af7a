"""tests/auto's SMTP server: a real one on 127.0.0.1 (aiosmtpd) that keeps what it is sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail import Inbox, smtp_server


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A loopback SMTP server: what it was sent, and its port."""
    box = Inbox()
    with smtp_server(box) as port:
        yield box, port
