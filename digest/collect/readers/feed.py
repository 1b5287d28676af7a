"""RSS 0.9x/1.0/2.0 and Atom, read with feedparser, mapped to RawEntry for normalize.

feedparser's own sanitiser and relative-URI resolver are turned off: they cost about 7x the
parse time, and normalize sanitises every kept field with nh3 anyway. Dates are read by
readers/feed_dates.py's rules first (given to feedparser as its first date handler), then by
feedparser's own, and a date none of them reads is tried as one in another language.

This is the reader of last resort: anything no other reader claims is given to feedparser,
which copes with RSS 0.9x/1.0/2.0, Atom and broken XML.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urljoin

from digest.collect.normalize import RawEntry, Skip, normalize_post
from digest.collect.readers.fastfeed import fast_entries
from digest.collect.readers.feed_dates import as_struct, foreign
from digest.collect.readers.spec import MAX_SKIP_PROBLEMS, ReadContext, Reader
from digest.model import ReadResult

IMAGE_TYPES = ("image/",)
# bozo reasons feedparser copes with by itself: not worth an editor's time
HARMLESS = ("CharacterEncodingOverride", "NonXMLContentType")

_CHAR_REF = re.compile(r"&#\w+;")
_REBUILT_DOCTYPE = re.compile(rb"<!DOCTYPE feed \[\n.*?\n\]>", re.S)  # the DOCTYPE feedparser writes back


@functools.cache
def feedparser() -> Any:
    """feedparser, imported when a feed is first read (~35 ms a build that reads no feed never pays), set up
    for digest: feed_dates.py's rules tried before its own, and the DOCTYPE clean-up below."""
    import feedparser as module

    module.registerDateHandler(as_struct)  # handlers added later are tried first
    module.api.replace_doctype = functools.partial(_replace_doctype, module.api.replace_doctype)  # looked up per parse
    return module


def _replace_doctype(original: Callable[[bytes], tuple[str | None, bytes, dict[str, str]]],
                     data: bytes) -> tuple[str | None, bytes, dict[str, str]]:
    """feedparser's DOCTYPE clean-up (`original`), keeping only entities that stand for one character.

    feedparser already drops external (XXE) and nested (billion laughs) entities, but keeps
    any whose value has no "&": a 300-character entity referenced 20,000 times is 7 MB of
    text from a 100 KB feed (within expat's 100x amplification limit), and sanitising that
    takes seconds. Real feeds only ever declare character references (`<!ENTITY nbsp "&#160;">`).
    The loose parser (for broken XML) gets no entities: it turns declared character references
    into "&&#160;;", while it knows the HTML names (&nbsp;) by itself.
    """
    version, data, entities = original(data)
    kept = {name: value for name, value in entities.items() if _CHAR_REF.fullmatch(value)}
    if kept != entities:
        declarations = "".join(f'<!ENTITY {name} "{value}">\n' for name, value in kept.items())
        doctype = f"<!DOCTYPE feed [\n{declarations}]>".encode() if kept else b""
        data = _REBUILT_DOCTYPE.sub(lambda _match: doctype, data, count=1)
    return version, data, {}


def _when(parsed: Any, text: Any) -> datetime | None:
    """feedparser's reading of a date, or, when it has none, the date `text` as one in another language."""
    if not parsed:
        return foreign(text) if isinstance(text, str) else None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


def _html(detail: Any, value: str) -> str:
    """Feed text as HTML: plain-text fields are escaped so they stay text."""
    if detail and detail.get("type") == "text/plain":
        return escape(value)
    return value


def _image(entry: Any) -> tuple[str | None, str]:
    for enclosure in entry.get("enclosures") or []:
        if str(enclosure.get("type", "")).startswith(IMAGE_TYPES) and enclosure.get("href"):
            return enclosure["href"], ""
    for media in entry.get("media_content") or []:
        if (media.get("medium") == "image" or str(media.get("type", "")).startswith(IMAGE_TYPES)) and media.get("url"):
            return media["url"], ""
    for thumb in entry.get("media_thumbnail") or []:
        if thumb.get("url"):
            return thumb["url"], ""
    return None, ""


def raw_entry(entry: Any, feed_base: str | None) -> RawEntry:
    """Map one feedparser entry to a RawEntry, keeping the entry's own xml:base."""
    summary_detail = entry.get("summary_detail") or {}
    content = (entry.get("content") or [{}])[0]
    title_detail = entry.get("title_detail") or {}
    image_url, image_alt = _image(entry)
    return RawEntry(
        title=entry.get("title", "") or "",
        title_is_html=title_detail.get("type") in ("text/html", "application/xhtml+xml"),
        link=entry.get("link"),
        guid=entry.get("id", "") or "",
        guid_is_link=bool(entry.get("guidislink")),
        published=_when(entry.get("published_parsed"), dict.get(entry, "published")),
        updated=_when(dict.get(entry, "updated_parsed"), dict.get(entry, "updated")),  # .get() warns when only published exists
        summary_html=_html(summary_detail, entry.get("summary", "") or ""),
        content_html=_html(content, content.get("value", "") or ""),
        categories=[t.get("term") or t.get("label") or "" for t in entry.get("tags") or []],
        image_url=image_url,
        image_alt=image_alt,
        base=_entry_base(content.get("base") or summary_detail.get("base") or title_detail.get("base"), feed_base),
    )


def _entry_base(xml_base: str | None, feed_base: str | None) -> str | None:
    """The entry's xml:base (itself possibly relative) resolved against the feed's address."""
    if not xml_base:
        return feed_base
    return urljoin(feed_base, xml_base) if feed_base else xml_base


def parse_feed(body: bytes, base_url: str | None) -> tuple[Any, str | None]:
    """feedparser's view of a body, and the base that entry links resolve against.

    Safe on hostile XML: feedparser drops DOCTYPE entities that are external (XXE) or that
    refer to other entities (billion laughs), and never fetches external DTDs; expat's own
    amplification limit catches what is left (tests/test_faults.py holds both to it).
    """
    # No content-location header: with one, feedparser resolves URLs at every element (+30% parse
    # time) although normalize makes every kept URL absolute anyway (see _entry_base).
    parsed = feedparser().parse(body, sanitize_html=False, resolve_relative_uris=False)
    feed_base = parsed.feed.get("link") if isinstance(parsed.feed.get("link"), str) else None
    return parsed, base_url if base_url and base_url.startswith("http") else feed_base


def read_feed(body: bytes, *, source: str, base_url: str | None, summary_length: int, fast: bool = True) -> ReadResult:
    """Parse an RSS/Atom body; keep every entry that can be used, say what could not.

    A well-formed RSS 2.0 or Atom 1.0 body is read by the fast path (readers/fastfeed.py)
    when it is eligible; everything else, and everything with `fast=False`, by feedparser.
    """
    if fast and (quick := fast_entries(body)) is not None:
        version, feed_link, entries = quick
        base = base_url if base_url and base_url.startswith("http") else feed_link
        result = ReadResult(format=version)
        _normalize_all(result, ((replace(raw, base=base), title) for raw, title, _dated in entries),
                       source, summary_length)
        return result
    parsed, base = parse_feed(body, base_url)
    result = ReadResult(format=_format_name(parsed.get("version", "")))
    _normalize_all(result, ((raw_entry(entry, base), entry.get("title"))
                            for entry in parsed.entries), source, summary_length)
    broken = bool(parsed.get("bozo")) and not _harmless(parsed)
    if not parsed.entries and not parsed.get("version"):
        why = _bozo(parsed) if broken else "no RSS or Atom in it"
        result.problems.append(f"not a readable feed ({why}): check the URL points at the RSS/Atom feed")
    elif broken:
        result.problems.append(f"the feed has XML errors ({_bozo(parsed)}); {len(parsed.entries)} entries were still read")
    return result


def _normalize_all(result: ReadResult, entries: Iterable[tuple[RawEntry, str | None]], source: str,
                   summary_length: int) -> None:
    """Every entry that can be used becomes an item; the others are counted and named (a few of them).

    Each entry comes with its title as the feed gave it (for the report). One without a date, or
    with one no rule reads in any language, is dated when digest first saw it.
    """
    for raw, title in entries:
        try:
            result.items.append(normalize_post(raw, source=source, summary_length=summary_length,
                                               undated=result.undated))
        except Skip as why:
            result.skipped += 1
            if result.skipped <= MAX_SKIP_PROBLEMS:
                result.problems.append(f"skipped {(title or 'an untitled entry')[:60]!r}: {why}")
    if result.skipped > MAX_SKIP_PROBLEMS:
        result.problems.append(f"…and {result.skipped - MAX_SKIP_PROBLEMS} more entries were skipped")


def _format_name(version: str) -> str:
    names = {"rss20": "RSS 2.0", "rss10": "RSS 1.0", "atom10": "Atom 1.0", "atom03": "Atom 0.3", "rss090": "RSS 0.90"}
    if version.startswith("rss09"):
        return "RSS 0.9x"
    return names.get(version, version or "feed")


def _bozo(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    return str(getattr(exc, "getMessage", lambda: exc)()) if exc else "unknown error"


def _harmless(parsed: Any) -> bool:
    """A wrong charset label or a missing Content-Type: feedparser fixed it by itself."""
    return type(parsed.get("bozo_exception")).__name__ in HARMLESS


def _read(body: bytes, ctx: ReadContext) -> ReadResult:
    return read_feed(body, source=ctx.source, base_url=ctx.base_url, summary_length=ctx.summary_length)


READER = Reader("feed", lambda head: True, _read)  # asked last: whatever is left is feedparser's
