"""What a reader is: the contract each reader module fills in (pluggy's hookspec, as a dataclass).

A reader module (feed, jsonfeed, ical, csv, page) declares one `READER`: the format's name,
how to tell a body is in it from the body's first bytes, and how to read a body into items.
readers/registry.py lists them in the order they are asked and picks the first that says yes;
nothing else names a format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from digest.model import ReadResult

MAX_SKIP_PROBLEMS = 10  # a reader names this many skipped entries; the rest get one summary line
HEAD_BYTES = 2048  # what detection looks at


@dataclass(frozen=True)
class Head:
    """The first HEAD_BYTES of a body, a BOM and leading white space taken off: what detection looks at."""

    raw: bytes
    lower: bytes

    @classmethod
    def of(cls, body: bytes) -> Head:
        raw = body[:HEAD_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
        return cls(raw, raw.lower())


@dataclass(frozen=True)
class ReadContext:
    """Everything a reader may use besides the body: who sent it, from where, and for which edition."""

    source: str
    base_url: str | None
    summary_length: int
    tz: ZoneInfo
    window: tuple[datetime, datetime]
    language: str = "en"  # the newsletter's: how a form's dates are written (day first but in en-US)
    columns: tuple[tuple[str, str], ...] = ()  # a form source's [sources.columns]: (field, heading) pairs


@dataclass(frozen=True)
class Reader:
    """One format: its name (as the store and the report give it), its test and its reader."""

    format: str
    detects: Callable[[Head], bool]
    read: Callable[[bytes, ReadContext], ReadResult]
