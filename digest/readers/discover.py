"""Find the feeds a web page advertises, for when a member gave us their home page."""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from digest.sanitize import absolute_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "text/calendar")


def alternate_feeds(body: bytes, base_url: str | None) -> list[str]:
    """Absolute URLs of `<link rel="alternate">` feeds in an HTML page, in page order."""
    try:
        doc = lxml_html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        if "alternate" in rel and kind in FEED_TYPES:
            url = absolute_url(link.get("href"), base_url)
            if url and url not in found:
                found.append(url)
    return found
