"""Find the feeds a web page advertises, for when a member gave us their home page."""

from __future__ import annotations

import contextlib
import re

from lxml import etree
from lxml import html as lxml_html

from digest.sanitize import absolute_url
from digest.urls import is_web_url

_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")  # lxml refuses text that declares an encoding
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "text/calendar")


def html_document(body: bytes) -> lxml_html.HtmlElement | None:
    """The page as lxml reads it, or None when it cannot be parsed.

    UTF-8 when the bytes decode as UTF-8 (nearly every page, with or without a charset
    <meta>: lxml alone would read one without as Latin-1), else lxml's own guess.
    """
    source: str | bytes = body
    with contextlib.suppress(UnicodeDecodeError):
        source = _XML_DECLARATION.sub("", body.decode("utf-8"), count=1)
    try:
        return lxml_html.document_fromstring(source)
    except (etree.ParserError, ValueError):
        return None


def alternate_feeds(body: bytes, base_url: str | None) -> list[str]:
    """Absolute URLs of `<link rel="alternate">` feeds in an HTML page, the site's own feeds first.

    Page order, except that comment feeds go last: a WordPress post page advertises its
    comments feed too, and the editor wants the posts.
    """
    doc = html_document(body)
    if doc is None:
        return []
    base = doc.find(".//base[@href]")
    if base is not None:
        base_url = absolute_url(base.get("href"), base_url) or base_url
    found: dict[str, bool] = {}
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        url = absolute_url(link.get("href"), base_url) if "alternate" in rel and kind in FEED_TYPES else None
        if url and is_web_url(url) and url not in found:
            found[url] = "comment" in f"{link.get('title') or ''} {url}".lower()
    return sorted(found, key=lambda url: found[url])  # stable: page order within each group
