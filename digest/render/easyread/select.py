"""Which items the Easy Read edition tells: the editor's choice, each series once.

Nothing a member wrote reaches the Easy Read edition unless the editor chose it: an item is in
it when its draft block has an `easy:` line (ticked at the desk's Easy Read tab). Without a draft
(a build from the feeds), and in a new draft, the choice starts as none of the posts and the next
EASY_EVENTS events, each series counted once. A series is folded as in the newsletter
(digest/render/series.py): one card with every date, in the Easy Read edition when any of its
dates is chosen, told in the words the editor wrote for the first chosen date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from digest.model import as_instant
from digest.render.series import merge_group, series_groups
from digest.render.views import SectionView

EASY_EVENTS = 4


def default_choice(sections: list[SectionView], tz: ZoneInfo) -> set[str]:
    """The ids of the first date of the EASY_EVENTS soonest series of the events sections."""
    firsts: list[tuple[datetime, int, str]] = []
    for section in sections:
        if section.kind != "events":
            continue
        for group in series_groups(section.items, tz):
            item = section.items[group[0]]
            if item.event is not None and item.id:
                firsts.append((as_instant(item.event.occurrences[0].start, tz), len(firsts), item.id))
    return {item_id for _start, _n, item_id in sorted(firsts)[:EASY_EVENTS]}


def chosen_sections(sections: list[SectionView], tz: ZoneInfo, language: str, _: Callable[..., str], *,
                    default: bool) -> list[SectionView]:
    """The sections with only their chosen items, series folded (text sections as they are).

    `default`: there is no draft, so the choice is default_choice's.
    """
    picks = default_choice(sections, tz) if default else set()
    out = []
    for section in sections:
        if section.kind == "text":
            out.append(section)
            continue
        items = []
        for group in series_groups(section.items, tz):
            members = [section.items[i] for i in group]
            picked = [m for m in members if m.easy_read or (m.id and m.id in picks)]
            if picked:
                own = next((m for m in picked if m.easy_read), picked[0])
                card = merge_group(members, tz, language, _)
                items.append(replace(card, easy=own.easy, easy_title=own.easy_title, easy_read=True, line=own.line))
        if items:
            out.append(replace(section, items=items))
    return out
