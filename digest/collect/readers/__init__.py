"""Pick a reader by what the body is, not by the source's name or extension.

detect() looks at the first bytes: a VCALENDAR, a JSON object, an HTML page (read for its
schema.org events and posts; without any, the editor is told the feed it advertises or what
was tried), a CSV sheet (a first row
naming title and date or start columns), or anything else, which feedparser gets (it copes
with RSS 0.9x/1.0/2.0, Atom and broken XML).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from digest.model import Post, ReadResult

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}

MAX_SKIP_PROBLEMS = 10  # a reader names this many skipped entries; the rest get one summary line


def detect(body: bytes) -> str:
    """The body's format: "ical", "jsonfeed", "html", "csv", "empty" or "feed"."""
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
        from digest.collect.readers.csv import is_csv

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
    return _without_loopback_links(_read(body, source=source, base_url=base_url, summary_length=summary_length,
                                         tz=tz, window=window))


def _loopback(url: str | None) -> bool:
    host = (urlsplit(url).hostname or "") if url else ""
    return host in LOOPBACK_HOSTS or host.endswith(".localhost")


def _without_loopback_links(result: ReadResult) -> ReadResult:
    """Links to localhost (a Ghost or WordPress site set up with its local address) work only on the
    member's own computer: they are left out, and the report names the problem once."""
    first = next((i.url for i in result.items if _loopback(i.url)), None) or next(
        (i.image.url for i in result.items if isinstance(i, Post) and i.image and _loopback(i.image.url)), None)
    if first is None:
        return result
    result.items = [replace(item, url=None if _loopback(item.url) else item.url,
                            **({"image": None} if isinstance(item, Post) and item.image and _loopback(item.image.url) else {}))
                    for item in result.items]
    result.problems.append(f"its links point at {urlsplit(first).hostname} (e.g. {first}), which works only on the "
                           "member's own computer, so they are left out: ask the member to set their site's public address")
    return result


def _read(body: bytes, *, source: str, base_url: str | None, summary_length: int, tz: ZoneInfo,
          window: tuple[datetime, datetime]) -> ReadResult:
    kind = detect(body)
    if kind == "empty":
        return ReadResult(problems=["the source sent an empty body: the feed may be broken or moved"])
    if kind == "html":
        from digest.collect.readers.page import read_page

        return read_page(body, source=source, base_url=base_url, summary_length=summary_length, tz=tz)
    if kind == "ical":
        from digest.collect.readers.ical import read_calendar

        return read_calendar(body, source=source, tz=tz, start=window[0], end=window[1], base_url=base_url)
    if kind == "csv":
        from digest.collect.readers.csv import read_csv

        return read_csv(body, source=source, summary_length=summary_length, tz=tz)
    if kind == "jsonfeed":
        from digest.collect.readers.jsonfeed import read_jsonfeed

        return read_jsonfeed(body, source=source, base_url=base_url, summary_length=summary_length)
    from digest.collect.readers.feed import read_feed

    return read_feed(body, source=source, base_url=base_url, summary_length=summary_length)
