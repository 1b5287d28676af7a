"""Turn what a reader found (a RawEntry) into a Post every later stage can trust.

The fixes, in order:
1. title: HTML titles (Atom type="html", RSS titles with tags) lose their tags; entities are
   decoded exactly once, so "&amp;amp;" shows as "&amp;" and "&amp;" as "&"; whitespace
   collapsed; merge-tag look-alikes defused; an entry without a title gets one from its
   summary's first words, or "(untitled)".
2. link: made absolute against the entry's base; only http(s) kept; none → the item is shown
   without a link (never an empty href). A GUID that is a permalink stands in for a missing link.
3. published: the published date, else the updated date, in UTC; entries with neither, or
   with an absurd year (before 1990 or more than a year ahead), are skipped and counted.
4. summary: the feed's summary, else its content; sanitised with the strict nh3 policy, links
   absolute; WordPress's "The post … appeared first on …" footer dropped; trimmed to the
   configured length at a word boundary.
5. image: the enclosure / media:content / media:thumbnail / JSON Feed image, else the first
   <img> of the content, made absolute (http(s) only), with the feed's alt text.
6. id: a stable hash of the source and the GUID (or link, or title+date), so re-fetches update
   the same stored item.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import html as lxml_html

from digest.model import Image, Post
from digest.sanitize import absolute_url, clean_html, defuse_merge_tags, is_web_url, plain_text, trim_html

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


class Skip(Exception):
    """An entry that cannot become a Post; the message says why, for the report."""


def stable_id(*parts: str) -> str:
    """A short hash that stays the same across fetches."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def normalize_entry(raw: RawEntry, *, source: str, summary_length: int, now: datetime | None = None) -> Post:
    """Apply every fix listed in the module docstring; raise Skip when the entry cannot be used."""
    published = _published(raw, now or datetime.now(timezone.utc))
    summary = _summary(raw, summary_length)
    title = _title(raw, summary)
    link = absolute_url(raw.link, raw.base)
    if link and not is_web_url(link):
        link = None
    if not link and raw.guid_is_link:
        link = absolute_url(raw.guid, raw.base)
    guid = raw.guid or link or ""
    return Post(
        id=stable_id(source, guid or f"{title}|{published.isoformat()}"),
        source=source,
        title=title,
        url=link,
        published=published,
        summary_html=summary,
        categories=tuple(dict.fromkeys(c.strip() for c in raw.categories if c and c.strip())),
        guid=guid,
        image=_image(raw),
    )


def _title(raw: RawEntry, summary_html: str) -> str:
    text = plain_text(raw.title) if raw.title_is_html else " ".join(raw.title.split())
    if not text:
        words = plain_text(summary_html).split()
        text = " ".join(words[:10]) + ("…" if len(words) > 10 else "") if words else "(untitled)"
    return defuse_merge_tags(text)


def _published(raw: RawEntry, now: datetime) -> datetime:
    when = raw.published or raw.updated
    if when is None:
        raise Skip("it has no publication date")
    when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    if when.year < EARLIEST_YEAR or when > now + timedelta(days=366):
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
    absolute = absolute_url(url, raw.base)
    if not absolute or not is_web_url(absolute):
        return None
    return Image(url=absolute, alt=defuse_merge_tags(plain_text(alt)))


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
