"""[schedule] in sources.toml: when `digest auto` drafts an edition, who it tells and how it mails them.

The cadence is said in words, as an editor would ("first tuesday", "last friday", "monthly on 1",
"every monday"), and read here into a rule that knows whether a day is the day and which is the next.
The SMTP server is [schedule.smtp], the options `digest send` takes as keys; its password, as
there, only ever comes from the environment (DIGEST_SMTP_PASSWORD), never from this shared file.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from digest.config.schema import Problems, key
from digest.urls import is_email_address

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1}
_WEEKDAY = "(" + "|".join(WEEKDAYS) + ")s?"
_OF_THE_MONTH = r"(?:\s+of\s+(?:the|each|every)\s+month)?"
_SHAPES = "write it as \"first tuesday\", \"last friday\", \"monthly on 1\" or \"every monday\""


@dataclass(frozen=True)
class Cadence:
    """A cadence read from words: the nth (or last) weekday of each month, a day of each month, or a weekday each week."""

    words: str
    weekday: int | None = None  # 0 = Monday
    nth: int | None = None  # 1-4, or -1 for the last
    day: int | None = None  # a day of the month (1-31); past a short month's end, its last day

    @classmethod
    def parse(cls, words: str) -> Cadence:
        """The rule `words` says; ValueError with a sentence saying how to write it otherwise."""
        said = " ".join(words.lower().split())
        if m := re.fullmatch(r"(first|second|third|fourth|1st|2nd|3rd|4th|last)\s+" + _WEEKDAY + _OF_THE_MONTH, said):
            return cls(said, weekday=WEEKDAYS.index(m.group(2)), nth=ORDINALS[m.group(1)])
        if m := re.fullmatch(r"(?:monthly\s+)?on\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?" + _OF_THE_MONTH, said):
            if not 1 <= int(m.group(1)) <= 31:
                raise ValueError(f"{words!r}: a month has days 1 to 31 (past a short month's end, its last day is used)")
            return cls(said, day=int(m.group(1)))
        if m := re.fullmatch(r"(?:every|each)\s+" + _WEEKDAY, said):
            return cls(said, weekday=WEEKDAYS.index(m.group(1)))
        if re.fullmatch(r"(fifth|5th)\s+" + _WEEKDAY + _OF_THE_MONTH, said):
            raise ValueError(f"{words!r}: not every month has a fifth {said.split()[1]}: use \"last {said.split()[1]}\"")
        raise ValueError(f"{words!r} is not a cadence digest understands: {_SHAPES}")

    def falls_on(self, day: date) -> bool:
        """Is `day` a day this cadence runs?"""
        if self.day is not None:
            return day.day == min(self.day, calendar.monthrange(day.year, day.month)[1])
        if day.weekday() != self.weekday:
            return False
        if self.nth is None:
            return True
        if self.nth == -1:
            return (day + timedelta(days=7)).month != day.month
        return (day.day - 1) // 7 + 1 == self.nth

    def next_after(self, day: date) -> date:
        """The first day after `day` that this cadence runs (never more than a month and a week away)."""
        for ahead in range(1, 40):
            if self.falls_on(candidate := day + timedelta(days=ahead)):
                return candidate
        raise AssertionError(f"{self.words!r} never runs")  # every rule above runs at least monthly


def _cadence(value: str) -> str | None:
    try:
        Cadence.parse(value)
    except ValueError as exc:
        return str(exc)
    return None


def _clock(value: str) -> str | None:
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        return f"{value!r} is not a time of day: write it as HH:MM on the 24-hour clock, e.g. \"09:00\""
    return None


def _addresses(value: list[str]) -> str | None:
    if not value:
        return "needs at least one address to tell, e.g. [\"editor@example.org\"]"
    wrong = [v for v in value if not is_email_address(v)]
    return f"{wrong[0]!r} is not one email address: give each as its own \"name@example.org\"" if wrong else None


def email_address(value: str) -> str | None:
    """A key's check: one plain address (name@example.org), or "" for none."""
    if not value or is_email_address(value):
        return None
    return f"{value!r} is not one email address: write it as \"name@example.org\""


def _server(value: str) -> str | None:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return f"{value!r} is not an SMTP server: write it as HOST:PORT, e.g. \"smtp.example.org:587\""
    return None


def _min_items(value: int) -> str | None:
    return None if 0 <= value <= 1000 else f"{value} must be a whole number from 0 to 1,000"


@dataclass(frozen=True)
class Smtp:
    """How `digest auto` and `digest members notify` send mail: `digest send`'s options, as keys."""

    server: str = key("localhost:25", check=_server, example="smtp.example.org:587",
                      help="the SMTP server as HOST:PORT")
    starttls: bool = key(False, example=True, help="switch to TLS before logging in (most servers on port 587)")
    ssl: bool = key(False, help="TLS from the start (servers on port 465)")
    user: str | None = key(None, example="editor@example.org",
                           help="log in as this user; the password comes from the DIGEST_SMTP_PASSWORD environment "
                                "variable, never from this file")
    allow_unencrypted_login: bool = key(False, help="let `user` log in without TLS (a test server you trust only)")


@dataclass(frozen=True)
class Schedule:
    """[schedule]: the day `digest auto` drafts an edition and mails the editors a ready note."""

    cadence: str = key(check=_cadence, example="first tuesday", show=True,
                       help="the day each edition is drafted, in words: \"first tuesday\", \"last friday\", "
                            "\"monthly on 1\" or \"every monday\"")
    notify: tuple[str, ...] = key(check=_addresses, example=["editor@example.org"], show=True,
                                  help="who gets the ready note (the editors' addresses)")
    time: str = key("09:00", check=_clock, help="the time of day, in the newsletter's timezone, from which it runs")
    min_items: int = key(1, check=_min_items, example=5,
                         help="fewer items than this: no draft, a \"needs attention\" note instead")
    sender: str = key("", check=email_address, example="digest@example.org",
                      help="the notes' From address (\"\" means the first `notify` address)")
    smtp: Smtp | None = key(None, help="the SMTP server the notes go through (not set: localhost:25)")

    @property
    def rule(self) -> Cadence:
        return Cadence.parse(self.cadence)

    @property
    def clock(self) -> datetime.time:
        hours, minutes = self.time.strip().split(":")
        return datetime.time(int(hours), int(minutes))

    @property
    def mail_from(self) -> str:
        return self.sender or self.notify[0]

    @property
    def server(self) -> Smtp:
        return self.smtp or Smtp()


def check_schedule(values: dict[str, Any], problems: Problems) -> None:
    """Rules that span [schedule.smtp]'s keys (each key alone is checked by its declaration)."""
    smtp = values.get("smtp")
    if not isinstance(smtp, Smtp):
        return
    if smtp.ssl and smtp.starttls:
        problems.error("schedule.smtp", "ssl and starttls cannot both be true: ssl for port 465, starttls for port 587")
    elif smtp.user and not (smtp.ssl or smtp.starttls or smtp.allow_unencrypted_login):
        problems.error("schedule.smtp.user", f"{smtp.user} would send the password unencrypted: add starttls = true "
                       "(port 587) or ssl = true (port 465)")
