"""A test send: the built newsletter to one address over SMTP, before it goes to the email service.

The message is multipart/alternative — the plain-text twin first, then the HTML, which is
attached as base64 of the bytes of newsletter.html (no line re-wrapping), so what arrives is
what was built, with one change: the email service's merge tags (`*|UNSUB|*`…), which only
the service fills in, become harmless preview links (https://merge-tag.invalid/…, or the
edition's web version when [newsletter] url is set) and the command says so — a test that
arrives with dead `*|UNSUB|*` links looks broken. The SMTP password is read only from the
environment (DIGEST_SMTP_PASSWORD): sources.toml is shared and often committed, so it never
holds one.

The password never crosses the network in clear text: a login needs --starttls (port 587)
or --ssl (implicit TLS, port 465), unless --allow-unencrypted-login is given for a test server.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import partial
from pathlib import Path

from digest import esp
from digest.config.keys import Config
from digest.dates import format_day
from digest.exceptions import DigestError, FailedError
from digest.render.email import archive_home

PASSWORD_VARIABLE = "DIGEST_SMTP_PASSWORD"
TEST_PREFIX = "[Test] "


@dataclass(frozen=True)
class Said:
    """How the editor names the server's settings, for the advice in an error: `digest send`'s options by default."""

    smtp: str = "--smtp HOST:PORT"
    user: str = "--user"
    ssl: str = "--ssl"
    starttls: str = "--starttls"


AS_OPTIONS = Said()


@dataclass(frozen=True)
class Server:
    """Where to send from: host, port, how the connection is encrypted, and the user to log in as (if any)."""

    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    user: str | None = None
    ssl: bool = False  # implicit TLS from the first byte (SMTPS, port 465)
    allow_plain_login: bool = False
    said: Said = AS_OPTIONS

    @classmethod
    def parse(cls, address: str, *, starttls: bool = False, user: str | None = None, ssl: bool = False,
              allow_plain_login: bool = False) -> Server:
        """HOST or HOST:PORT (port 465 with --ssl, 25 otherwise)."""
        if starttls and ssl:
            raise DigestError("--ssl and --starttls cannot be used together: --ssl for port 465, --starttls for port 587")
        default = "465" if ssl else "25"
        host, _, port = address.rpartition(":") if ":" in address else (address, "", default)
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise DigestError(f"{address!r} is not an SMTP server: write it as HOST:PORT, e.g. smtp.example.org:587")
        server = cls(host.strip("[]"), int(port), starttls, user, ssl, allow_plain_login)
        if user and not server.encrypted and not allow_plain_login:
            raise DigestError(f"--user {user} would send the password unencrypted: add --starttls (port 587) or "
                              "--ssl (port 465); --allow-unencrypted-login only for a test server you trust")
        return server

    @property
    def encrypted(self) -> bool:
        return self.starttls or self.ssl


def subject(config: Config, edition: date) -> str:
    """The email's subject: [newsletter] subject with {title} and {date} filled in."""
    label = format_day(edition, config.newsletter.language)
    template = config.newsletter.subject or "{title} – {date}"
    return template.replace("{title}", config.newsletter.title).replace("{date}", label)


def test_message(config: Config, edition: date, html: bytes, text: str, *, to: list[str], sender: str) -> EmailMessage:
    """The test email: multipart/alternative, the text twin then the HTML byte for byte."""
    message = EmailMessage()
    message["Subject"] = TEST_PREFIX + subject(config, edition)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] if "@" in sender else "localhost")
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, maintype="text", subtype="html", params={"charset": "utf-8"})
    return message


def _as_link(link: str, element: re.Match[str]) -> str:
    """<unsubscribe class="x">text</unsubscribe> → <a href="link" class="x">text</a>."""
    return f'<a href="{link}"{element.group(1)}>{element.group(2)}</a>'


def preview_links(config: Config, edition: date, html: bytes, text: str) -> tuple[bytes, str, list[str]]:
    """The email with its service's merge tags swapped for harmless links; and the tags swapped."""
    chosen = esp.preset(config.newsletter.esp)
    if chosen is None:
        return html, text, []
    home = archive_home(config)
    view = f"{home}{edition.isoformat()}/" if home else esp.VIEW_ONLINE_PLACEHOLDER
    page = html.decode("utf-8")
    swapped = []
    for tag, text_tag, link in ((chosen.unsubscribe, chosen.text_tags[1], esp.UNSUBSCRIBE_PLACEHOLDER),
                                (chosen.view_online, chosen.text_tags[0], view)):
        before = (page, text)
        if chosen.elements:  # <unsubscribe>text</unsubscribe> is the link itself
            page = re.sub(rf"<{re.escape(tag)}\b([^>]*)>(.*?)</{re.escape(tag)}>",
                          partial(_as_link, link), page, flags=re.S)
        else:
            page = page.replace(tag, link)
        text = text.replace(text_tag, link)
        if (page, text) != before:
            swapped.append(text_tag)
    return page.encode("utf-8"), text, swapped


def read_built(config: Config, edition: date, out_dir: Path) -> tuple[bytes, str]:
    """newsletter.html (bytes, as sent) and newsletter.txt from a build folder."""
    try:
        return (out_dir / "newsletter.html").read_bytes(), (out_dir / "newsletter.txt").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DigestError(f"{exc.filename} not found: run `digest build -c {config.path} --date {edition}` first "
                          "(or pass --out with the folder it built into)") from None


def send_test(config: Config, edition: date, out_dir: Path, *, to: list[str], sender: str | None,
              server: Server) -> tuple[EmailMessage, list[str]]:
    """Send the built edition in out_dir to `to` as a test; the message sent, and the merge tags it replaced."""
    html, text = read_built(config, edition, out_dir)
    html, text, swapped = preview_links(config, edition, html, text)
    message = test_message(config, edition, html, text, to=to, sender=sender or to[0])
    deliver(message, server)
    return message, swapped


def deliver(message: EmailMessage, server: Server, *, what: str = "the test send") -> None:
    """Hand `message` to the SMTP server (to its To addresses); every way it can fail is a FailedError saying what to do.

    The one SMTP client of digest: test sends, `digest auto`'s notes and members' feed notes all go through it.
    """
    said = server.said
    password = os.environ.get(PASSWORD_VARIABLE)
    if server.user and not password:
        raise DigestError(f"{said.user} {server.user} needs a password: set it in the {PASSWORD_VARIABLE} environment "
                          "variable (never in sources.toml)")
    where = f"{server.host}:{server.port}"
    try:
        smtp = (smtplib.SMTP_SSL(server.host, server.port, timeout=30, context=ssl.create_default_context())
                if server.ssl else smtplib.SMTP(server.host, server.port, timeout=30))
        with smtp:
            if server.starttls:
                try:
                    smtp.starttls(context=ssl.create_default_context())
                except smtplib.SMTPNotSupportedError:
                    raise FailedError(f"{where} does not offer STARTTLS: use {said.ssl} if it takes TLS from the start "
                                      f"(usually port 465), or its submission port 587 with {said.starttls}") from None
            if server.user:
                try:
                    smtp.login(server.user, password or "")
                except smtplib.SMTPNotSupportedError:
                    raise FailedError(f"{where} does not offer a login on this connection: check {said.smtp}, "
                                      f"and whether it needs {said.starttls} or {said.ssl} first") from None
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise FailedError(f"{where} refused the login for {server.user} ({_reason(exc)}): "
                          f"check {said.user} and {PASSWORD_VARIABLE}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise FailedError(f"{where} refused {message['To']} ({_reason(exc)})") from None
    except ssl.SSLError as exc:
        hint = f" (is it a STARTTLS port? then use {said.starttls})" if server.ssl else ""
        raise FailedError(f"{where}: the TLS connection failed{hint} ({_reason(exc)})") from None
    except smtplib.SMTPException as exc:
        raise FailedError(f"{where}: {what} failed ({_reason(exc)})") from None
    except OSError as exc:
        raise FailedError(f"cannot reach the SMTP server {where} ({exc.strerror or exc}): "
                          f"check {said.smtp}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {detail}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {msg.decode('utf-8', 'replace')}" for code, msg in exc.recipients.values())
    return str(exc)
