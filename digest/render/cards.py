"""Event cards: what a reader needs to decide and act — when, where, who, and how to book.

- When: the newsletter's zone and language, with a short date badge; a series that meets
  several times in the window is one card ("Every Tuesday, 14:00–15:30 — 15, 22 and 29
  October and 5 November"), not four (digest/render/series.py).
- Where: the place, or "Online" (with its link when the calendar's LOCATION is a link).
- The action: the event's URL, or the first link of its description when the calendar gives
  none; "Book a place" when the page or the text says booking, else "Find out more".
The fixed words are here and in the templates only, so translating them is one change each.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from digest.dates import babel_locale
from digest.i18n import N_
from digest.model import Event
from digest.render.calendar import Occurrence

# marked for the catalogs (digest/i18n.py): the templates translate them as they write them
BOOK, MORE, ONLINE = N_("Book a place"), N_("Find out more"), N_("Online")
EVERY = N_("Every %(weekday)s")  # a weekly series (not every week: the weekday alone, "Wednesday — 2 and 30 October")
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
    day = local_day(start, tz)
    locale = babel_locale(language)
    return format_date(day, "LLL", locale=locale).rstrip(".").upper(), str(day.day)


def short_day(start: datetime | date, tz: ZoneInfo, language: str) -> tuple[str, str]:
    """("Tue", "15 Oct"): the first date in a compact row's date column."""
    day = local_day(start, tz)
    locale = babel_locale(language)
    return format_date(day, "EEE", locale=locale).rstrip("."), format_date(day, "d MMM", locale=locale)


def local_day(moment: datetime | date, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date() if isinstance(moment, datetime) and moment.tzinfo else (
        moment.date() if isinstance(moment, datetime) else moment)
