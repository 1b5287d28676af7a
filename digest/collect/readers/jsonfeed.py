"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1): plain JSON, read with the stdlib.

feedparser does not read JSON Feed; the format is small enough that the mapping to RawEntry
is all there is to it.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import Any

from digest.collect.normalize import RawEntry, Skip, normalize_post
from digest.collect.readers.bounds import TooDeep, load_json
from digest.collect.readers.feed_dates import foreign, strict
from digest.collect.readers.spec import ReadContext, Reader
from digest.model import ReadResult


def is_jsonfeed(data: Any) -> bool:
    return isinstance(data, dict) and "jsonfeed.org/version" in str(data.get("version", ""))


def _date(value: Any) -> datetime | None:
    """JSON Feed 1.1 asks for RFC 3339; feeds write RFC 822 too, or dates in their own language."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return strict(value) or datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return foreign(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def raw_entry(item: dict[str, Any], base: str | None) -> RawEntry:
    content_html = _text(item.get("content_html")) or escape(_text(item.get("content_text")))
    image = _text(item.get("image")) or _text(item.get("banner_image"))
    if not image:
        for attachment in item.get("attachments") or []:
            if isinstance(attachment, dict) and _text(attachment.get("mime_type")).startswith("image/"):
                image = _text(attachment.get("url"))
                break
    return RawEntry(
        title=_text(item.get("title")),
        link=_text(item.get("url")) or _text(item.get("external_url")) or None,
        guid=str(item.get("id", "")),
        published=_date(item.get("date_published")),
        updated=_date(item.get("date_modified")),
        summary_html=escape(_text(item.get("summary"))),
        content_html=content_html,
        categories=[t for t in item.get("tags") or [] if isinstance(t, str)],
        image_url=image or None,
        base=base,
    )


def read_jsonfeed(body: bytes, *, source: str, base_url: str | None, summary_length: int) -> ReadResult:
    """Parse a JSON Feed body into Posts."""
    result = ReadResult(format="JSON Feed")
    try:
        data = load_json(body.decode("utf-8-sig"))
    except TooDeep as exc:
        result.problems.append(f"the feed cannot be read: {exc} — tell the member's web person")
        return result
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.problems.append(f"not readable JSON ({exc}): check the feed address")
        return result
    if not is_jsonfeed(data):
        result.problems.append("this is JSON but not a JSON Feed (no jsonfeed.org version): check the feed address")
        return result
    home = _text(data.get("home_page_url")) or _text(data.get("feed_url")) or None
    base = base_url if base_url and base_url.startswith("http") else home
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            result.skipped += 1
            continue
        try:
            result.items.append(normalize_post(raw_entry(item, base), source=source, summary_length=summary_length,
                                               undated=result.undated))
        except Skip as why:
            result.skipped += 1
            result.problems.append(f"skipped {(_text(item.get('title')) or 'an untitled item')[:60]!r}: {why}")
    return result


def _read(body: bytes, ctx: ReadContext) -> ReadResult:
    return read_jsonfeed(body, source=ctx.source, base_url=ctx.base_url, summary_length=ctx.summary_length)


READER = Reader("jsonfeed", lambda head: head.lower.startswith((b"{", b"[")), _read)
