"""UTM tagging of members' links, so members can see in their analytics what the digest sent them.

Only links to members' own pages are tagged: each item's title link and the links inside its
blurb. Never the intro, text sections or footer (the network's own words), never mailto:, never
a merge tag (an ESP must find `*|ARCHIVE|*` exactly as written), and never a link that already
carries utm_* parameters (the member tagged it on purpose).
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from digest.config.keys import Utm
from digest.render.views import ItemView, SectionView

_HREF = re.compile(r'href="([^"]*)"')
_MERGE_TAG_MARKS = ("*|", "|*", "{{", "}}", "{$", "{%", "[", "]", "<", ">")


def taggable(url: str) -> bool:
    """An absolute http(s) link with no merge-tag syntax and no utm_* parameter of its own."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    if any(mark in url for mark in _MERGE_TAG_MARKS):
        return False
    return not any(key.lower().startswith("utm_") for key, _ in parse_qsl(parts.query, keep_blank_values=True))


def tag_url(url: str, utm: Utm, edition: date) -> str:
    """The link with utm_source/utm_medium/utm_campaign added (or unchanged when not taggable)."""
    if not taggable(url):
        return url
    when = edition.isoformat()
    params = [(k, v.replace("{date}", when)) for k, v in
              (("utm_source", utm.source), ("utm_medium", utm.medium), ("utm_campaign", utm.campaign)) if v]
    parts = urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def tag_html(fragment: str, utm: Utm, edition: date) -> str:
    """Tag every href of sanitised HTML (nh3 writes attributes double-quoted and escaped)."""
    def swap(match: re.Match[str]) -> str:
        return 'href="' + html.escape(tag_url(html.unescape(match.group(1)), utm, edition), quote=True) + '"'

    return _HREF.sub(swap, fragment)


def tag_sections(sections: list[SectionView], utm: Utm | None, edition: date) -> list[SectionView]:
    """The sections with their items' links tagged; text sections are the network's own and stay as they are."""
    if utm is None:
        return sections
    return [replace(s, items=[_tag_item(i, utm, edition) for i in s.items]) if s.items else s for s in sections]


def _tag_item(item: ItemView, utm: Utm, edition: date) -> ItemView:
    return replace(item, url=tag_url(item.url, utm, edition) if item.url else None,
                   blurb_html=tag_html(item.blurb_html, utm, edition))
