"""A test send: the built newsletter to one address over SMTP, before it goes to the email service.

The message is multipart/alternative — the plain-text twin first, then the HTML, which is
attached as base64 of the exact bytes of newsletter.html (no line re-wrapping), so what arrives
is what was built. The SMTP password is read only from the environment (DIGEST_SMTP_PASSWORD):
sources.toml is shared and often committed, so it never holds one.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from digest.config import Config
from digest.dates import format_day
from digest.exceptions import DigestError, FailedError

PASSWORD_VARIABLE = "DIGEST_SMTP_PASSWORD"
TEST_PREFIX = "[Test] "


@dataclass(frozen=True)
class Server:
    """Where to send from: host, port, STARTTLS, and the user to log in as (if any)."""

    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    user: str | None = None

    @classmethod
    def parse(cls, address: str, *, starttls: bool = False, user: str | None = None) -> Server:
        """HOST or HOST:PORT (port 25 when not given)."""
        host, _, port = address.rpartition(":") if ":" in address else (address, "", "25")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise DigestError(f"{address!r} is not an SMTP server: write it as HOST:PORT, e.g. smtp.example.org:587")
        return cls(host.strip("[]"), int(port), starttls, user)


def subject(config: Config, edition: date) -> str:
    """The email's subject: [newsletter] subject with {title} and {date} filled in."""
    label = format_day(edition, config.newsletter.language)
    template = config.newsletter.subject or "{title} – {date}"
    return template.replace("{title}", config.newsletter.title).replace("{date}", label)


def test_message(config: Config, edition: date, html: bytes, text: str, *, to: str, sender: str) -> EmailMessage:
    """The test email: multipart/alternative, the text twin then the HTML byte for byte."""
    message = EmailMessage()
    message["Subject"] = TEST_PREFIX + subject(config, edition)
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] if "@" in sender else "localhost")
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, maintype="text", subtype="html", params={"charset": "utf-8"})
    return message


def read_built(config: Config, edition: date, out_dir: Path) -> tuple[bytes, str]:
    """newsletter.html (bytes, as sent) and newsletter.txt from a build folder."""
    try:
        return (out_dir / "newsletter.html").read_bytes(), (out_dir / "newsletter.txt").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DigestError(f"{exc.filename} not found: run `digest build -c {config.path} --date {edition}` first "
                          "(or pass --out with the folder it built into)") from None


def send_test(config: Config, edition: date, out_dir: Path, *, to: str, sender: str | None, server: Server) -> EmailMessage:
    """Send the built edition in out_dir to `to` as a test; returns the message sent."""
    html, text = read_built(config, edition, out_dir)
    message = test_message(config, edition, html, text, to=to, sender=sender or to)
    password = os.environ.get(PASSWORD_VARIABLE)
    if server.user and not password:
        raise DigestError(f"--user {server.user} needs a password: set it in the {PASSWORD_VARIABLE} environment "
                          "variable (never in sources.toml)")
    try:
        with smtplib.SMTP(server.host, server.port, timeout=30) as smtp:
            if server.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if server.user:
                smtp.login(server.user, password or "")
            smtp.send_message(message)
    except smtplib.SMTPNotSupportedError as exc:
        raise FailedError(f"{server.host}:{server.port} cannot do that ({_reason(exc)}): "
                          "leave out --starttls or --user, or use the server's submission port") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise FailedError(f"{server.host}:{server.port} refused the login for {server.user} ({_reason(exc)}): "
                          f"check --user and {PASSWORD_VARIABLE}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise FailedError(f"{server.host}:{server.port} refused {to} ({_reason(exc)})") from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise FailedError(f"{server.host}:{server.port}: the test send failed ({_reason(exc)})") from None
    except OSError as exc:
        raise FailedError(f"cannot reach the SMTP server {server.host}:{server.port} ({exc.strerror or exc}): "
                          "check --smtp HOST:PORT") from None
    return message


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {detail}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {msg.decode('utf-8', 'replace')}" for code, msg in exc.recipients.values())
    return str(exc)
