"""Sort collected items into the newsletter's sections.

Rules: duplicates across members are merged first (posts by canonical URL, then GUID;
events by UID+start, then title+start), keeping the first source in sources.toml order.
Each item then goes to the first section, in file order, whose kind, window and filters
(match, sources, tags) accept it — so nothing appears twice. Posts are newest first, events
soonest first; `limit` cuts a section (cut items do not fall through to later sections).
An item already sent in an earlier edition is left out of a section that does not repeat
(posts, by default) and does not fall through either; events sections repeat by default,
since "Coming up" shows an event until it happens.

A section's `match` is a pattern from sources.toml run over titles from members' feeds, so
it runs with a time budget per title (the `regex` module's timeout): a pattern that
backtracks without end on some title is reported once, with its key, and that section takes
no items in this build (they go on to later sections). A build never hangs on a title.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import regex

from digest.collect.normalize import canonical_url
from digest.config.keys import Config, Section
from digest.model import Event, Filled, Item, Post, as_instant

MATCH_BUDGET = 0.1  # seconds one title may take to match; a real title takes microseconds


def edition_start(edition: date, tz: ZoneInfo) -> datetime:
    """00:00 of the edition date in the newsletter's timezone."""
    return as_instant(edition, tz)


def event_window(config: Config, edition: date) -> tuple[datetime, datetime]:
    """The span calendars are expanded over: from the edition date to the furthest events section."""
    tz = config.newsletter.tz
    ahead = max((s.days_ahead for s in config.sections if s.kind == "events"), default=62)
    start = edition_start(edition, tz)
    return start, edition_start(edition + timedelta(days=ahead), tz)


def _start_of(item: Event, tz: ZoneInfo) -> datetime:
    return as_instant(item.start, tz)


def dedupe(items: Sequence[Item], source_order: Sequence[str], tz: ZoneInfo) -> list[Item]:
    """Drop the same post or event reported by a second member."""
    rank = {name: i for i, name in enumerate(source_order)}
    seen: set[str] = set()
    kept: list[Item] = []
    for item in sorted(items, key=lambda i: (rank.get(i.source, len(rank)), i.id)):
        if isinstance(item, Post):
            keys = {f"url:{canonical_url(item.url)}" if item.url else "", f"guid:{item.guid}" if item.guid else ""}
        else:
            start = _start_of(item, tz).isoformat()
            keys = {f"uid:{item.uid}|{start}" if item.uid else "", f"title:{item.title.casefold()}|{start}"}
        keys.discard("")
        if keys & seen:
            continue
        seen |= keys
        kept.append(item)
    return kept


class _Blown(Exception):
    """A section's pattern ran out of time on a title."""

    def __init__(self, index: int, title: str) -> None:
        super().__init__(index, title)
        self.index, self.title = index, title


class _Patterns:
    """Each section's `match`, compiled once per build, each match within MATCH_BUDGET."""

    def __init__(self, sections: tuple[Section, ...]) -> None:
        self.compiled: dict[int, regex.Pattern[str] | None] = {}
        self.off: set[int] = set()
        self.problems: list[str] = []
        for index, section in enumerate(sections):
            if section.match:
                try:
                    self.compiled[index] = regex.compile(section.match)
                except regex.error as exc:  # re accepted it (config checked), regex does not
                    self._switch_off(index, section, f"cannot be used ({exc})")

    def _switch_off(self, index: int, section: Section, why: str) -> None:
        self.off.add(index)
        self.problems.append(f"sections[{index + 1}].match {section.match!r} {why}: the section "
                             f"{section.title!r} takes no items in this build — simplify the pattern "
                             "(nested repeats such as (a+)+ or (a|aa)+ can take for ever)")

    def blown(self, failure: _Blown, sections: tuple[Section, ...]) -> None:
        shown = failure.title if len(failure.title) <= 60 else failure.title[:59] + "…"
        self._switch_off(failure.index, sections[failure.index],
                         f"took longer than {MATCH_BUDGET:g} s on the title {shown!r}")

    def accepts(self, index: int, title: str) -> bool:
        if index in self.off:
            return False
        pattern = self.compiled.get(index)
        if pattern is None:
            return True
        try:
            return pattern.search(title, timeout=MATCH_BUDGET) is not None
        except TimeoutError:
            raise _Blown(index, title) from None


def _accepts(section: Section, item: Item, source_tags: dict[str, tuple[str, ...]]) -> bool:
    if section.sources and item.source not in section.sources:
        return False
    if section.tags:
        have = {t.casefold() for t in source_tags.get(item.source, ())} | {c.casefold() for c in item.categories}
        if not have & {t.casefold() for t in section.tags}:
            return False
    return True


def _in_window(section: Section, item: Item, start: datetime, tz: ZoneInfo, late: AbstractSet[str]) -> bool:
    if section.kind == "posts" and isinstance(item, Post):
        return start - timedelta(days=section.days_back + (section.late_limit if item.id in late else 0)) \
            <= item.published < start
    if section.kind == "events" and isinstance(item, Event):
        begins = _start_of(item, tz)
        return start <= begins < start + timedelta(days=section.days_ahead)
    return False


def group(items: Sequence[Item], config: Config, edition: date, *, exclude: AbstractSet[str] = frozenset(),
          problems: list[str] | None = None, placed: Mapping[str, str] | None = None,
          late: AbstractSet[str] = frozenset()) -> list[Filled]:
    """Fill every section; `exclude` holds ids of items sent in an earlier edition, `late` of posts that
    arrived after the last edition was drafted (offered up to each section's late_limit days before its window).

    A `match` that runs out of time is named in `problems` and its section filled with nothing.
    `placed` names the section the editor chose for an item (an approved submission, by id): it
    goes there, whatever that section's filters, when its kind and days take it.
    """
    tz = config.newsletter.tz
    start = edition_start(edition, tz)
    source_tags = {s.name: s.tags for s in config.sources}
    unique = dedupe(items, [s.name for s in config.sources], tz)
    unique.sort(key=lambda i: (-i.published.timestamp(), i.id) if isinstance(i, Post) else (_start_of(i, tz).timestamp(), i.id))
    patterns = _Patterns(config.sections)
    while True:
        try:
            filled = _fill(unique, config, start, exclude, source_tags, patterns, placed or {}, late)
            break
        except _Blown as failure:  # fill again without that section: nothing depends on the order tried
            patterns.blown(failure, config.sections)
    if problems is not None:
        problems.extend(patterns.problems)
    return filled


def _fill(unique: list[Item], config: Config, start: datetime, exclude: AbstractSet[str],
          source_tags: dict[str, tuple[str, ...]], patterns: _Patterns, placed: Mapping[str, str],
          late: AbstractSet[str]) -> list[Filled]:
    tz = config.newsletter.tz
    filled = [Filled(section) for section in config.sections]
    titles = {section.title for section in config.sections}
    for item in unique:
        chosen = placed.get(item.id) if placed.get(item.id) in titles else None  # a section since renamed: the rules
        for index, box in enumerate(filled):
            if chosen is not None and box.section.title != chosen:
                continue
            if (box.section.kind != "text" and _in_window(box.section, item, start, tz, late)
                    and (chosen is not None or _accepts(box.section, item, source_tags)
                         and patterns.accepts(index, item.title))):
                if item.id in exclude and not box.section.repeats:
                    break
                box.matched += 1
                if box.section.limit is None or len(box.items) < box.section.limit:
                    box.items.append(item)
                else:
                    box.rest.append(item)
                break
    return filled
