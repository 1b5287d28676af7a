"""How much of one body a reader takes: JSON nested no deeper than MAX_JSON_DEPTH, at most
MAX_ITEMS items from one source in one build.

A member's site cannot know these, so each bound, when met, is a sentence in the report that
names what was left out, never a failed build: Python's JSON reader (and everything that walks
what it returns) recurses once per level and dies of RecursionError near 1,000, and a page of
30,000 events would cost minutes and gigabytes to sanitise, store and render, for an email
nobody could read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from digest.model import Item, Post, as_instant

MAX_JSON_DEPTH = 64  # levels of [ and {: a JSON Feed nests 4, schema.org data a dozen
MAX_ITEMS = 500  # items one source brings to one build: a month of a very busy member's posts and events
NAMED = 3  # how many left-out items the report names

T = TypeVar("T")


class TooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH; the message says so in an editor's words."""

    def __init__(self) -> None:
        super().__init__(f"its JSON nests more than {MAX_JSON_DEPTH} levels deep, more than digest reads")


def nests_deeper(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists and dicts nest more than `limit` levels in a parsed JSON value (a loop, not recursion)."""
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        node, depth = level.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                level.append((child, depth + 1))
    return False


def load_json(text: str | bytes, *, strict: bool = True) -> Any:
    """json.loads, refusing (TooDeep) what nests deeper than MAX_JSON_DEPTH instead of recursing into it."""
    try:
        value = json.loads(text, strict=strict)
    except RecursionError:  # the C decoder counts its levels against Python's recursion limit
        raise TooDeep from None
    if isinstance(value, (dict, list)) and nests_deeper(value):
        raise TooDeep
    return value


def _newest_first(item: Item, lo: datetime, tz: ZoneInfo) -> tuple[int, float]:
    """Posts newest first; events from the window's start soonest first, then earlier ones, latest first."""
    if isinstance(item, Post):
        return 0, -item.published.timestamp()
    start = as_instant(item.start, tz).timestamp()
    return (1, start) if start >= lo.timestamp() else (2, -start)


def keep_first(candidates: Sequence[T], limit: int, *, title: Callable[[T], str], when: Callable[[T], str]) -> \
        tuple[list[T], str | None]:
    """The first `limit` candidates (already in order), and the report's sentence for the rest (None: nothing left out)."""
    if len(candidates) <= limit:
        return list(candidates), None
    rest = candidates[limit:]
    named = ", ".join(f"{title(c)[:60]!r} ({when(c)})" for c in rest[:NAMED])
    more = f" and {len(rest) - NAMED:,} more" if len(rest) > NAMED else ""
    return list(candidates[:limit]), (
        f"it lists {len(candidates):,} items, more than the {limit:,} digest takes from one source in a build: "
        f"the newest (for events, the soonest) {limit:,} are kept; left out: {named}{more}")


def capped(items: list[Item], lo: datetime, tz: ZoneInfo, limit: int = MAX_ITEMS) -> tuple[list[Item], str | None]:
    """At most `limit` items, newest posts and soonest events first (see keep_first)."""
    if len(items) <= limit:
        return items, None
    ordered = sorted(items, key=lambda item: _newest_first(item, lo, tz))
    return keep_first(ordered, limit, title=lambda item: item.title, when=lambda item: _day(item, tz))


def _day(item: Item, tz: ZoneInfo) -> str:
    moment = item.published if isinstance(item, Post) else as_instant(item.start, tz)
    return moment.astimezone(tz).date().isoformat()
