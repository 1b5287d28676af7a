"""Turn what a reader found into items every later stage can trust: normalize_post, normalize_event.

Every item's id comes from stable_id(): a short hash of the source and what identifies the
item within it (a post's GUID, an event's UID or title, and its start), so a re-fetch updates
the same stored item and a draft's `<!-- id: … -->` lines keep pointing at it.

normalize_post's fixes are listed in its docstring, normalize_event's in its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import html as lxml_html

from digest.model import Event, Image, Post
from digest.sanitize import TITLE_LIMIT, absolute_url, clean_html, clean_line, plain_text, trim_html
from digest.urls import is_web_url

EARLIEST_YEAR = 1990
_WP_FOOTER = re.compile(r"<p>\s*The post .{0,400}? appeared first on .{0,400}?</p>", re.S | re.I)


@dataclass
class RawEntry:
    """An entry as a reader found it, before any fix. HTML fields are untrusted."""

    title: str = ""
    title_is_html: bool = False
    link: str | None = None
    guid: str = ""
    guid_is_link: bool = False
    published: datetime | None = None
    updated: datetime | None = None
    summary_html: str = ""
    content_html: str = ""
    categories: list[str] = field(default_factory=list)
    image_url: str | None = None
    image_alt: str = ""
    base: str | None = None


@dataclass
class RawEvent:
    """One occurrence as a calendar or sheet gave it, before any fix. Text fields are untrusted;
    summary_html is already sanitised by the reader (a series shares one description)."""

    title: str
    start: date | datetime
    end: date | datetime | None = None
    all_day: bool = False
    location: str = ""
    url: str | None = None
    summary_html: str = ""
    categories: list[str] = field(default_factory=list)
    uid: str = ""  # the calendar's UID, "" when it gives none
    series: str = ""  # what identifies the series when there is no UID (a made-up stand-in), else ""
    base: str | None = None
    image_url: str | None = None  # the event's picture (ATTACH, a sheet's image column)
    image_alt: str = ""


class Skip(Exception):
    """An entry that cannot become a Post; the message says why, for the report."""


def stable_id(*parts: str) -> str:
    """A short hash that stays the same across fetches."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def normalize_post(raw: RawEntry, *, source: str, summary_length: int, now: datetime | None = None,
                   undated: list[str] | None = None) -> Post:
    """A Post every later stage can trust; raise Skip when the entry cannot be used. The fixes, in order:

    1. title: HTML titles (Atom type="html", RSS titles with tags) lose their tags; entities are
       decoded exactly once, so "&amp;amp;" shows as "&amp;" and "&amp;" as "&"; control and
       bidi-override characters stripped; whitespace collapsed; capped at 200 characters with an
       ellipsis; merge-tag look-alikes defused; an entry without a title gets one from its
       summary's first words, or "(untitled)".
    2. link: made absolute against the entry's base; only http(s) kept; none → the item is shown
       without a link (never an empty href). A GUID that is a permalink stands in for a missing link.
    3. published: the published date, else the updated date, in UTC; entries dated before 1990
       are skipped and counted. Entries with neither (or none a reader could read) are skipped
       too, unless the reader passes `undated` and the entry has a title, link or GUID to know it
       by: then it is dated now, its id is listed in `undated`, and collect dates it when digest
       first saw it (the store remembers). A date in the future is kept as the feed gives it:
       collect treats it as unknown (collect/dating.py), since what "the future" is depends on
       the clock of the run, and nothing a parse keeps may (a wrong clock would poison it).
    4. summary: the feed's summary, else its content; sanitised with the strict nh3 policy, links
       absolute; WordPress's "The post … appeared first on …" footer dropped; trimmed to the
       configured length at a word boundary.
    5. image: the enclosure / media:content / media:thumbnail / JSON Feed image, else the first
       <img> of the content, made absolute (http(s) only), with the feed's alt text.
    6. id: stable_id(source, GUID (or link, or title+date; title alone when undated)).
    """
    now = now or datetime.now(UTC)
    # an undated entry needs something to know it by next time (a truncated feed's last fragment has nothing)
    dateless = (raw.published is None and raw.updated is None and undated is not None
                and bool(raw.guid or raw.link or raw.title.strip()))
    published = now if dateless else _published(raw)
    summary = _summary(raw, summary_length)
    title = _title(raw, summary)
    link = absolute_url(raw.link, raw.base)
    if link and not is_web_url(link):
        link = None
    if not link and raw.guid_is_link:
        link = absolute_url(raw.guid, raw.base)
    guid = raw.guid or link or ""
    post_id = stable_id(source, guid or (title if dateless else f"{title}|{published.isoformat()}"))
    if dateless and undated is not None:
        undated.append(post_id)
    return Post(
        id=post_id,
        source=source,
        title=title,
        url=link,
        published=published,
        summary_html=summary,
        categories=_categories(raw.categories),
        guid=guid,
        image=_image(raw),
    )

UNTITLED_EVENT = "(untitled event)"


def normalize_event(raw: RawEvent, *, source: str) -> Event:
    """One occurrence as an Event every later stage can trust. The fixes, in order:

    1. title: tags removed, entities decoded once, control and bidi-override characters
       stripped, whitespace collapsed, capped at 200 characters with an ellipsis, merge tags
       defused; none → "(untitled event)".
    2. location: the same, as one line of text.
    3. url: made absolute against the calendar's address; only http(s) kept, else no link.
    4. summary: kept as the reader sanitised it (one nh3 policy for every item).
    5. categories: plain text, defused, each once, in order.
    6. id: stable_id("event", UID, start) — a UID is the same whichever member lists the event,
       so is the id — or, without a UID, stable_id(source, "event", the series' stand-in or
       the title, start); the start in UTC for timed events, the date for all-day ones. A
       moved occurrence is a new item; the same one fetched again is not.
    7. image: the calendar's picture, made absolute; only http(s) kept (as for posts).
    """
    title = clean_line(plain_text(raw.title), TITLE_LIMIT) or UNTITLED_EVENT
    start_key = raw.start.isoformat() if not isinstance(raw.start, datetime) or raw.start.tzinfo is None \
        else raw.start.astimezone(UTC).isoformat()
    url = absolute_url(raw.url, raw.base)
    return Event(
        id=stable_id("event", raw.uid, start_key) if raw.uid else stable_id(source, "event", raw.series or title, start_key),
        source=source,
        title=title,
        start=raw.start,
        end=raw.end,
        all_day=raw.all_day,
        location=clean_line(plain_text(raw.location), TITLE_LIMIT),
        url=url if url and is_web_url(url) else None,
        summary_html=raw.summary_html,
        categories=_categories(raw.categories),
        uid=raw.uid,
        image=_picture(raw.image_url, raw.image_alt, raw.base),
    )


def _categories(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in (clean_line(plain_text(n)) for n in names if n) if c))


def _title(raw: RawEntry, summary_html: str) -> str:
    text = clean_line(plain_text(raw.title) if raw.title_is_html else raw.title, TITLE_LIMIT)
    if not text:
        words = plain_text(summary_html).split()
        text = clean_line(" ".join(words[:10]) + ("…" if len(words) > 10 else "")) if words else "(untitled)"
    return text


def _published(raw: RawEntry) -> datetime:
    when = raw.published or raw.updated
    if when is None:
        raise Skip("it has no publication date")
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    if when.year < EARLIEST_YEAR:
        raise Skip(f"its date {when.date().isoformat()} is not believable")
    return when


def _summary(raw: RawEntry, limit: int) -> str:
    source = raw.summary_html if raw.summary_html.strip() else raw.content_html
    cleaned = clean_html(_WP_FOOTER.sub("", source), raw.base)
    return trim_html(cleaned, limit)


def _image(raw: RawEntry) -> Image | None:
    """The enclosure's picture, else the post's first <img>; alt falls back to that <img>'s own."""
    url, alt = raw.image_url, raw.image_alt
    body = raw.content_html if "<img" in (raw.content_html or "") else raw.summary_html
    if (not url or not alt) and body and "<img" in body:
        try:
            for img in lxml_html.fragment_fromstring(body, create_parent="div").iter("img"):
                url, alt = url or img.get("src"), alt or img.get("alt") or ""
                break
        except (ValueError, TypeError):
            pass
    return _picture(url, alt, raw.base)


def _picture(url: str | None, alt: str, base: str | None) -> Image | None:
    absolute = absolute_url(url, base)
    if not absolute or not is_web_url(absolute):
        return None
    return Image(url=absolute, alt=clean_line(plain_text(alt), TITLE_LIMIT))


def canonical_url(url: str | None) -> str | None:
    """The form of a URL used to spot the same post from two members.

    Scheme-insensitive, host lower-cased without "www.", no fragment, no utm_* parameters,
    trailing slash ignored.
    """
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith("utm_")])
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, query, ""))
