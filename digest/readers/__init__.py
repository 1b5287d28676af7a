"""Pick a reader by what the body is, not by the source's name or extension.

detect() looks at the first bytes: a VCALENDAR, a JSON object, an HTML page (read for its
schema.org events and posts; without any, the editor is told the feed it advertises or what
was tried), a CSV sheet (a first row
naming title and date or start columns), or anything else, which feedparser gets (it copes
with RSS 0.9x/1.0/2.0, Atom and broken XML).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from digest.model import ReadResult

FORMATS = ("ical", "jsonfeed", "html", "csv", "empty", "feed")


def detect(body: bytes) -> str:
    """The body's format: one of FORMATS."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        return "empty"
    if head.startswith(b"begin:vcalendar"):
        return "ical"
    if head.startswith((b"{", b"[")):
        return "jsonfeed"
    if (b"<html" in head or b"<!doctype html" in head) and not any(t in head for t in (b"<rss", b"<feed", b"<rdf")):
        return "html"
    if not head.startswith(b"<"):
        from digest.readers.csv import is_csv

        if is_csv(body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")):
            return "csv"
    return "feed"


def read(
    body: bytes,
    *,
    source: str,
    base_url: str | None,
    summary_length: int,
    tz: ZoneInfo,
    window: tuple[datetime, datetime],
) -> ReadResult:
    """Read any supported body into items; never raises for bad content."""
    kind = detect(body)
    if kind == "empty":
        return ReadResult(problems=["the source sent an empty body: the feed may be broken or moved"])
    if kind == "html":
        from digest.readers.page import read_page

        return read_page(body, source=source, base_url=base_url, summary_length=summary_length, tz=tz)
    if kind == "ical":
        from digest.readers.ical import read_calendar

        return read_calendar(body, source=source, tz=tz, start=window[0], end=window[1], base_url=base_url)
    if kind == "csv":
        from digest.readers.csv import read_csv

        return read_csv(body, source=source, summary_length=summary_length, tz=tz)
    if kind == "jsonfeed":
        from digest.readers.jsonfeed import read_jsonfeed

        return read_jsonfeed(body, source=source, base_url=base_url, summary_length=summary_length)
    from digest.readers.feed import read_feed

    return read_feed(body, source=source, base_url=base_url, summary_length=summary_length)
