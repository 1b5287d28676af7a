"""The fast path for well-formed RSS 2.0 and Atom 1.0: lxml instead of feedparser, for the same RawEntry.

feedparser costs ~850 µs per entry on a WordPress feed, most of it in its SAX handlers; lxml
reads the same entry in a few tens of µs. But feedparser's value is its robustness, so this
path is taken only for feeds where it gives feedparser's answer, and `fast_entries` returns
None for anything else, which then goes to feedparser:

- the body parses as strict XML (no recovery) and decodes as UTF-8 (declared or not);
- no DOCTYPE (feedparser's entity handling applies), no xml:base anywhere;
- the root is <rss version="2.0"> or an Atom 1.0 <feed>;
- every element of an entry is one this module maps (or ignores as feedparser's mapping would
  not reach a RawEntry field); Atom text constructs are text or html, never xhtml, and
  titles are plain text (an RSS title with a closing tag or an entity reference in it, which
  feedparser may take for HTML, goes to feedparser);
- no entry has fields that feedparser resolves by document order (two links, two dates...),
  and every Atom link has an href;
- every date is one readers/feed_dates.py reads by its strict rules (RFC 822 or W3C), which
  feedparser is given as its first date handler, so a date means the same on both paths.

tests/collect/test_fastfeed.py holds the two paths to the same items on feedparser's whole
corpus and the sample and benchmark feeds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from html import escape
from typing import Any

from lxml import etree

from digest.collect.normalize import RawEntry
from digest.collect.readers.feed_dates import strict

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
MEDIA = "{http://search.yahoo.com/mrss/}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8 = ("utf-8", "utf8", "us-ascii", "ascii")
# Elements of an RSS item that feedparser maps to nothing a RawEntry reads, or that are read here.
RSS_READ = {"title", "link", "description", "pubDate", "guid", "category", CONTENT + "encoded", "enclosure"}
RSS_IGNORED = {"author", "comments", "source", DC + "creator", "{http://wellformedweb.org/CommentAPI/}commentRss",
               "{http://purl.org/rss/1.0/modules/slash/}comments"}
ATOM_READ = {ATOM + n for n in ("title", "link", "id", "published", "updated", "summary", "content", "category")}
ATOM_IGNORED = {ATOM + n for n in ("author", "contributor", "rights")} | {"{http://purl.org/syndication/thread/1.0}total"}
_MAYBE_HTML = re.compile(r"</\w+>|&#?\w+;")  # what feedparser's looks_like_html needs before it looks further
ONCE = ("title", "link", "pubDate", "guid", "description", CONTENT + "encoded", ATOM + "title", ATOM + "id",
        ATOM + "published", ATOM + "updated", ATOM + "summary", ATOM + "content")


class NotEligible(Exception):
    """Why a body goes to feedparser instead (for tests and the comparison's figures)."""


def fast_entries(body: bytes) -> tuple[str, str | None, list[tuple[RawEntry, str, bool]]] | None:
    """(format, the feed's own link, [(entry, its raw title, whether it gives a date)]) for an eligible body, else None."""
    try:
        return read(body)
    except NotEligible:
        return None


def read(body: bytes) -> tuple[str, str | None, list[tuple[RawEntry, str, bool]]]:
    """As fast_entries, raising NotEligible with the reason instead of returning None."""
    root = _strict_tree(body)
    if root.tag == "rss" and root.get("version") == "2.0":
        channel = root.find("channel")
        if channel is None:
            raise NotEligible("no channel")
        items = list(channel.iterchildren("item"))
        if sum(1 for _ in root.iter("item")) != len(items):
            raise NotEligible("items outside the channel")
        link = _text(channel.find("link")) or None
        return "RSS 2.0", link, [_rss_item(item) for item in items]
    if root.tag == ATOM + "feed":
        if root.find(ATOM + "item") is not None:
            raise NotEligible("Atom items")  # feedparser reads them as entries
        link = next((_href(el) for el in root.iterchildren(ATOM + "link") if _alternate_html(el)), None)
        return "Atom 1.0", link, [_atom_entry(entry) for entry in root.iterchildren(ATOM + "entry")]
    raise NotEligible(f"not RSS 2.0 or Atom 1.0 ({root.tag})")


def _strict_tree(body: bytes) -> Any:
    head = body[:512]
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x3c\x00")):
        raise NotEligible("not UTF-8")
    declared = _DECLARED.match(head.lstrip(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8:
        raise NotEligible(f"declared {declared.group(1).decode('ascii')}")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise NotEligible("does not decode as UTF-8") from None
    if b"<!DOCTYPE" in body[:4096] or b"<!doctype" in body[:4096]:
        raise NotEligible("DOCTYPE")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotEligible(f"not well-formed ({exc})") from None
    if root.xpath("boolean(//@xml:base)"):
        raise NotEligible("xml:base")
    return root


def _check_children(entry: Any, read: set[str], ignored: set[str]) -> None:
    seen: set[str] = set()
    for child in entry:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag.startswith(MEDIA):
            continue
        if tag not in read and tag not in ignored:
            raise NotEligible(f"entry element {tag}")
        if tag in ONCE:
            if tag in seen:
                raise NotEligible(f"two {tag}")
            seen.add(tag)


def _text(element: Any) -> str:
    """An element's text content, stripped as feedparser strips it."""
    if element is None:
        return ""
    if len(element):
        raise NotEligible(f"markup inside {element.tag}")
    return (element.text or "").strip()


def _date(element: Any) -> datetime | None:
    value = _text(element)
    if not value:
        return None
    if (moment := strict(value)) is None:
        raise NotEligible(f"a date only feedparser's rules read ({value[:40]!r})")
    return moment


def _looks_like_html(value: str) -> bool:
    """Whether feedparser might read the title as HTML: it has a closing tag or an entity reference.

    feedparser then checks every tag and entity against its own lists; a title that passes this
    first test goes to feedparser instead, which gives the same answer with fewer rules here.
    """
    return _MAYBE_HTML.search(value) is not None


def _image(entry: Any, enclosures: Iterator[tuple[str | None, str]]) -> str | None:
    """feedparser's order: an image enclosure, then media:content that is an image, then a thumbnail."""
    for href, kind in enclosures:
        if kind.startswith("image/") and href:
            return href
    for media in entry.iter(MEDIA + "content"):
        if (media.get("medium") == "image" or (media.get("type") or "").startswith("image/")) and media.get("url"):
            return str(media.get("url"))
    for thumb in entry.iter(MEDIA + "thumbnail"):
        if thumb.get("url"):
            return str(thumb.get("url"))
    return None


def _rss_item(item: Any) -> tuple[RawEntry, str, bool]:
    _check_children(item, RSS_READ, RSS_IGNORED)
    title = _text(item.find("title"))
    if _looks_like_html(title):
        raise NotEligible("an HTML title (or one feedparser might take for HTML)")
    link_el, guid_el = item.find("link"), item.find("guid")
    link = _text(link_el) or None
    guid = _text(guid_el)
    permalink = guid_el is not None and (guid_el.get("isPermaLink") or "true") == "true"
    if guid_el is not None and link_el is not None and item.index(guid_el) < item.index(link_el):
        raise NotEligible("guid before link")  # feedparser's answer then depends on the order
    guid_is_link = permalink and link is None and bool(guid)
    if guid_is_link:
        link = guid
    content = item.find(CONTENT + "encoded")
    description = item.find("description")
    content_html = _text(content)
    summary_html = _text(description) if description is not None else content_html  # feedparser copies content
    enclosures = ((el.get("url"), el.get("type") or "") for el in item.iterchildren("enclosure"))
    return RawEntry(
        title=title,
        link=link,
        guid=guid,
        guid_is_link=guid_is_link,
        published=_date(item.find("pubDate")),
        summary_html=summary_html,
        content_html=content_html,
        categories=[_text(el) for el in item.iterchildren("category")],
        image_url=_image(item, enclosures),
    ), title, bool(_text(item.find("pubDate")))


def _alternate_html(link: Any) -> bool:
    rel = link.get("rel") or "alternate"
    kind = link.get("type") or "text/html"
    return rel == "alternate" and kind in ("text/html", "application/xhtml+xml")


def _href(link: Any) -> str | None:
    return (link.get("href") or "").strip() or None


def _construct(element: Any) -> tuple[str, bool]:
    """An Atom text construct: (value, is plain text)."""
    if element is None:
        return "", False
    kind = element.get("type") or "text"
    if kind not in ("text", "html", "text/html", "text/plain") or element.get("src") is not None:
        raise NotEligible(f"{element.tag} of type {kind}")
    return _text(element), kind in ("text", "text/plain")


def _atom_entry(entry: Any) -> tuple[RawEntry, str, bool]:
    _check_children(entry, ATOM_READ, ATOM_IGNORED)
    title, title_plain = _construct(entry.find(ATOM + "title"))
    if entry.find(ATOM + "title") is not None and not title_plain:
        raise NotEligible("an HTML title")
    links = list(entry.iterchildren(ATOM + "link"))
    if any(link.get("href") is None for link in links):
        raise NotEligible("a link without href")  # feedparser then reads the link's text
    alternates = [link for link in links if _alternate_html(link)]
    if len(alternates) > 1:
        raise NotEligible("two alternate links")
    summary, summary_plain = _construct(entry.find(ATOM + "summary"))
    content_el = entry.find(ATOM + "content")
    content, content_plain = _construct(content_el)
    if content_el is not None and entry.find(ATOM + "summary") is None:
        summary, summary_plain = content, content_plain  # feedparser copies content to summary
    enclosures = ((_href(link), link.get("type") or "") for link in links if link.get("rel") == "enclosure")
    guid = _text(entry.find(ATOM + "id"))
    link = _href(alternates[0]) if alternates else None
    guid_is_link = link is None and bool(guid)  # feedparser: an entry without a link is linked by its id
    return RawEntry(
        title=title,
        link=guid if guid_is_link else link,
        guid=guid,
        guid_is_link=guid_is_link,
        published=_date(entry.find(ATOM + "published")),
        updated=_date(entry.find(ATOM + "updated")),
        summary_html=escape(summary) if summary_plain else summary,
        content_html=escape(content) if content_plain else content,
        categories=[el.get("term") or el.get("label") or "" for el in entry.iterchildren(ATOM + "category")],
        image_url=_image(entry, enclosures),
    ), title, bool(_text(entry.find(ATOM + "published")) or _text(entry.find(ATOM + "updated")))
