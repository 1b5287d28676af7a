"""Event cards: what a reader needs to decide and act — when, where, who, and how to book.

- When: the newsletter's zone and language, with a short date badge; a series that meets
  several times in the window is one card ("Every Tuesday, 14:00–15:30 — 15, 22 and 29
  October and 5 November"), not four.
- Where: the place, or "Online" (with its link when the calendar's LOCATION is a link).
- The action: the event's URL, or the first link of its description when the calendar gives
  none; "Book a place" when the page or the text says booking, else "Find out more".
The fixed words are here and in the templates only, so translating them is one change each.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.lists import format_list

from digest.dates import babel_locale, format_time
from digest.i18n import N_
from digest.model import Event
from digest.render.calendar import Occurrence

if TYPE_CHECKING:
    from digest.render.views import ItemView

# marked for the catalogs (digest/i18n.py): the templates translate them as they write them
BOOK, MORE, ONLINE = N_("Book a place"), N_("Find out more"), N_("Online")
EVERY = "Every {weekday}"  # a weekly series
ON_DAYS = "{weekday}"  # the same weekday, not every week ("Wednesday, 10:30–12:00 — 2, 9 and 30 October")
_BOOKING = re.compile(r"\b(book|booking|register|registration|ticket|tickets|rsvp|sign[ -]?up|eventbrite|places)\b", re.I)
_ONLINE = re.compile(r"\b(online|zoom|teams|google meet|webinar|virtual)\b|^https?://", re.I)
_HREF = re.compile(r'<a\b[^>]*\bhref="(https?://[^"]+)"', re.I)


def first_link(fragment: str) -> str | None:
    """The first web link of a sanitised HTML description (nh3 writes attributes double-quoted)."""
    found = _HREF.search(fragment or "")
    return found.group(1).replace("&amp;", "&") if found else None


def action_text(url: str | None, fragment: str) -> str:
    """"Book a place" when the link or the description talks of booking, else "Find out more"."""
    return BOOK if _BOOKING.search(url or "") or _BOOKING.search(re.sub(r"<[^>]+>", " ", fragment or "")) else MORE


def where(location: str) -> tuple[str, str | None]:
    """(what to show, a link): the place as written; a bare link or an online-only place says Online."""
    place = location.strip()
    if re.match(r"https?://\S+$", place):
        return ONLINE, place
    if _ONLINE.search(place) and not place.lower().startswith(ONLINE.lower()):
        return f"{ONLINE} ({place})", None
    return place, None


def occurrence(event: Event) -> Occurrence:
    return Occurrence(event.start, event.end, event.all_day)


def badge(start: datetime | date, tz: ZoneInfo, language: str) -> tuple[str, str]:
    """("OCT", "15"): the short month and the day of the first date, for the date badge."""
    day = _local_day(start, tz)
    locale = babel_locale(language)
    return format_date(day, "LLL", locale=locale).rstrip(".").upper(), str(day.day)


def _local_day(moment: datetime | date, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date() if isinstance(moment, datetime) and moment.tzinfo else (
        moment.date() if isinstance(moment, datetime) else moment)


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


def merge_series(items: list[ItemView], tz: ZoneInfo, language: str) -> list[ItemView]:
    """One card for each series: items with the same member, title, place and time of day.

    The card stands where the first date stood, says every date, and keeps the first date's
    link, text and picture.
    """
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, item in enumerate(items):
        if (key := _series_key(item, tz)) is not None:
            groups.setdefault(key, []).append(index)
    merged: dict[int, ItemView] = {}
    dropped: set[int] = set()
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        first = items[indexes[0]]
        assert first.event is not None
        dates = tuple(items[i].event.occurrences[0] for i in indexes)  # type: ignore[union-attr]
        event = replace(first.event, occurrences=dates)
        merged[indexes[0]] = replace(first, event=event, when=series_when(dates, tz, language))
        dropped.update(indexes[1:])
    return [merged.get(i, item) for i, item in enumerate(items) if i not in dropped]


def series_when(dates: tuple[Occurrence, ...], tz: ZoneInfo, language: str) -> str:
    """"Every Wednesday, 10:30–12:00 — 2, 9, 16 and 23 October" (dates in the locale's list style)."""
    locale = babel_locale(language)
    days = [_local_day(d.start, tz) for d in dates]
    weekdays = {d.weekday() for d in days}
    first = dates[0]
    if len(weekdays) == 1:
        weekday = format_date(days[0], "EEEE", locale=locale)
        weekly = all((b - a) == timedelta(days=7) for a, b in zip(days, days[1:]))
        head = (EVERY if weekly else ON_DAYS).format(weekday=weekday)
    else:
        head = ""
    if isinstance(first.start, datetime):
        start = first.start.astimezone(tz)
        clock = format_time(start, language)
        if isinstance(first.end, datetime) and first.end > first.start:
            clock += "–" + format_time(first.end.astimezone(tz), language)
        head = f"{head}, {clock}" if head else clock
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
