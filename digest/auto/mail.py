"""The notes `digest auto` and `digest members notify` mail: plain text, from [schedule], through [schedule.smtp].

Sending is publish/send.py's `deliver` (the one SMTP client: TLS, the password from the environment,
every failure a sentence), told to name sources.toml's keys rather than `digest send`'s options in its
advice. The notes are plain text, so nothing a member's feed says can become markup in them; an
attachment (the newsletter) goes as a file, byte for byte.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from digest.config.keys import Config
from digest.config.schedule import Schedule
from digest.exceptions import DigestError
from digest.publish.send import Said, Server, deliver

AS_KEYS = Said(smtp="server in [schedule.smtp]", user="[schedule.smtp] user", ssl="ssl = true",
               starttls="starttls = true")


def schedule_of(config: Config) -> Schedule:
    """The network's [schedule], or a sentence saying how to add one."""
    if config.schedule is None:
        raise DigestError(f"{config.path.name} has no [schedule]: add one, e.g. [schedule] with "
                          "cadence = \"first tuesday\" and notify = [\"editor@example.org\"] (`digest init` writes every key)")
    return config.schedule


def server_of(schedule: Schedule) -> Server:
    """[schedule.smtp] as the SMTP client takes it (its keys were checked when sources.toml was read)."""
    smtp = schedule.server
    host, _, port = smtp.server.rpartition(":")
    return Server(host.strip("[]"), int(port), smtp.starttls, smtp.user, smtp.ssl, smtp.allow_unencrypted_login,
                  said=AS_KEYS)


def letter(schedule: Schedule, to: list[str], subject: str, text: str,
           attachments: dict[str, bytes] | None = None) -> EmailMessage:
    """A plain-text note from [schedule]'s sender, with files attached (HTML, by their names)."""
    sender = schedule.mail_from
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies stay away
    message.set_content(text, cte="quoted-printable")
    for name, data in (attachments or {}).items():
        message.add_attachment(data, maintype="text", subtype="html", filename=name, params={"charset": "utf-8"})
    return message


def post(schedule: Schedule, message: EmailMessage, what: str) -> None:
    """Mail a note through [schedule.smtp]; a failure is a FailedError naming the key to fix."""
    deliver(message, server_of(schedule), what=what)
