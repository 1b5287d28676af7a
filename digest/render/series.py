"""A series as one card: the dates of an event that meets again and again, said once.

"Every Tuesday, 14:00–15:30 — 15, 22 and 29 October and 5 November" rather than four cards:
items with the same member, title, place and time of day are merged where the first stood
(digest/render/layout.py does it for each events section). The fixed words are digest/render/cards.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.lists import format_list

from digest.dates import babel_locale, format_time
from digest.render.calendar import Occurrence
from digest.render.cards import EVERY, local_day
from digest.render.views import ItemView


def _series_key(item: ItemView, tz: ZoneInfo) -> tuple[object, ...] | None:
    if item.event is None or len(item.event.occurrences) != 1:
        return None
    when = item.event.occurrences[0]
    if isinstance(when.start, datetime):
        start = when.start.astimezone(tz) if when.start.tzinfo else when.start
        end = when.end.astimezone(tz) if isinstance(when.end, datetime) and when.end.tzinfo else when.end
        if isinstance(end, datetime) and end.date() != start.date():
            return None  # overnight or longer: each date stays its own card
        clock: tuple[object, ...] = (start.time(), end.time() if isinstance(end, datetime) else None)
    else:
        clock = ("all day", (when.end - when.start).days if isinstance(when.end, date) else 1)
    return item.source, item.title.casefold(), item.location.casefold(), clock


def series_groups(items: list[ItemView], tz: ZoneInfo) -> list[list[int]]:
    """The items' indexes grouped by series (same member, title, place and time of day), each group in
    the order of its first item; an item that is no series is a group of its own."""
    groups: dict[object, list[int]] = {}
    for index, item in enumerate(items):
        key = _series_key(item, tz)
        groups.setdefault(("one", index) if key is None else key, []).append(index)
    return list(groups.values())


def merge_group(group: list[ItemView], tz: ZoneInfo, language: str, _: Callable[..., str]) -> ItemView:
    """One card for a series' items: it says every date and keeps the first date's link, text and picture."""
    first = group[0]
    if len(group) < 2 or first.event is None:
        return first
    dates = tuple(e.occurrences[0] for e in (i.event for i in group) if e is not None)  # one date each: _series_key
    return replace(first, event=replace(first.event, occurrences=dates), when=series_when(dates, tz, language, _))


def merge_series(items: list[ItemView], tz: ZoneInfo, language: str, _: Callable[..., str]) -> list[ItemView]:
    """One card for each series, standing where its first date stood (the Easy Read edition folds the same way)."""
    return [merge_group([items[i] for i in group], tz, language, _) for group in series_groups(items, tz)]


def series_when(dates: tuple[Occurrence, ...], tz: ZoneInfo, language: str, _: Callable[..., str], *,
                clock: bool = True) -> str:
    """"Every Wednesday, 10:30–12:00 — 2, 9, 16 and 23 October" (dates in the locale's list style, "Every" through
    `_`, the newsletter's gettext with the network's words); without the `clock` when the time is said on a line of
    its own (the Easy Read edition)."""
    locale = babel_locale(language)
    days = [local_day(d.start, tz) for d in dates]
    weekdays = {d.weekday() for d in days}
    first = dates[0]
    if len(weekdays) == 1:
        weekday = format_date(days[0], "EEEE", locale=locale)
        weekly = all((b - a) == timedelta(days=7) for a, b in pairwise(days))
        head = _(EVERY, weekday=weekday) if weekly else weekday
    else:
        head = ""
    if clock and isinstance(first.start, datetime):
        start = first.start.astimezone(tz)
        hours = format_time(start, language)
        if isinstance(first.end, datetime) and first.end > first.start:
            hours += "–" + format_time(first.end.astimezone(tz), language)
        head = f"{head}, {hours}" if head else hours
    listed = _day_list(days, language)
    return f"{head} — {listed}" if head else listed


def _day_list(days: list[date], language: str) -> str:
    """"15, 22 and 29 October and 5 November": days grouped by month, the year only when it is not the first's."""
    locale = babel_locale(language)
    months: list[tuple[tuple[int, int], list[date]]] = []
    for day in days:
        if months and months[-1][0] == (day.year, day.month):
            months[-1][1].append(day)
        else:
            months.append(((day.year, day.month), [day]))
    parts = []
    for (year, _month), in_month in months:
        numbers = [str(d.day) for d in in_month]
        month = format_date(in_month[0], "MMMM", locale=locale)
        numbers[-1] = f"{numbers[-1]} {month}" + (f" {year}" if year != days[0].year else "")
        parts.append(format_list(numbers, locale=locale) if len(numbers) > 1 else numbers[0])
    return format_list(parts, locale=locale) if len(parts) > 1 else parts[0]
