"""Pick a reader by what the body is, not by the source's name or extension.

Each reader module declares its READER (readers/spec.py): how it recognises its format from the
body's first bytes, and how it reads a body. READERS lists them in the order they are asked;
the first that says yes reads the body. Importing them is cheap: each imports its heavy library
(feedparser, icalendar) when it first reads. The order is the only rule here: an empty body first, a
VCALENDAR, a JSON object, an HTML page (read for its schema.org events and posts; without any,
the editor is told the feed it advertises or what was tried), a CSV sheet (a first row naming
title and date or start columns), and last feedparser, which takes anything (it copes with RSS
0.9x/1.0/2.0, Atom and broken XML). A new format is a module with a READER, and a line here.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from digest.collect.readers.bounds import capped
from digest.collect.readers.csv import READER as CSV
from digest.collect.readers.feed import READER as FEED
from digest.collect.readers.feed import feedparser
from digest.collect.readers.form import READER as FORM
from digest.collect.readers.ical import READER as ICAL
from digest.collect.readers.jsonfeed import READER as JSONFEED
from digest.collect.readers.mail import READER as MAIL
from digest.collect.readers.page import READER as PAGE
from digest.collect.readers.spec import Head, ReadContext, Reader
from digest.model import Item, Post, ReadResult

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}

EMPTY = Reader("empty", lambda head: not head.raw,
               lambda body, ctx: ReadResult(problems=["the source sent an empty body: the feed may be broken or moved"]))
READERS: tuple[Reader, ...] = (EMPTY, MAIL, ICAL, JSONFEED, PAGE, FORM, CSV, FEED)


def warm() -> None:
    """Import the libraries the readers import on first use (feedparser, icalendar, recurring_ical_events,
    x_wr_timezone): a parse worker does this before its first body arrives, while the build still downloads."""
    feedparser()
    for name in ("recurring_ical_events", "x_wr_timezone"):
        importlib.import_module(name)


def reader_for(body: bytes) -> Reader:
    """The first reader that recognises the body (feedparser's, when none does)."""
    head = Head.of(body)
    return next(reader for reader in READERS if reader.detects(head))


def detect(body: bytes) -> str:
    """The body's format: "ical", "jsonfeed", "html", "csv", "empty" or "feed"."""
    return reader_for(body).format


def read(
    body: bytes,
    *,
    source: str,
    base_url: str | None,
    summary_length: int,
    tz: ZoneInfo,
    window: tuple[datetime, datetime],
    language: str = "en",
    columns: tuple[tuple[str, str], ...] = (),
) -> ReadResult:
    """Read any supported body into items; never raises for bad content.

    A source with `columns` is a form's responses whatever its headings (a sheet or a feed by detection).
    At most MAX_ITEMS items come from one source (readers/bounds.py).
    """
    context = ReadContext(source=source, base_url=base_url, summary_length=summary_length, tz=tz, window=window,
                          language=language, columns=columns)
    reader = reader_for(body)
    if columns and reader in (CSV, FEED):
        reader = FORM
    result = _without_loopback_links(reader.read(body, context))
    result.items, left_out = capped(result.items, window[0], tz)
    result.problems.extend([left_out] if left_out else [])
    return result


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
    result.items = [_unlinked(item) for item in result.items]
    result.problems.append(f"its links point at {urlsplit(first).hostname} (e.g. {first}), which works only on the "
                           "member's own computer, so they are left out: ask the member to set their site's public address")
    return result


def _unlinked(item: Item) -> Item:
    url = None if _loopback(item.url) else item.url
    if isinstance(item, Post) and item.image is not None and _loopback(item.image.url):
        return replace(item, url=url, image=None)
    return item if url == item.url else replace(item, url=url)
