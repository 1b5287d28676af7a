"""Dates and times as a reader of the newsletter says them, via Babel (never strftime).

strftime follows the machine's locale and cannot say "Dydd Gwener"; Babel follows CLDR, so
the newsletter's `language` decides words, order and the 12/24-hour clock. The one house
rule on top of CLDR: English day-month locales drop the comma after the weekday
("Friday 28 June 2024", as UK style guides write it, where CLDR's en-GB says "Friday, 28 June
2024").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval
from babel.dates import format_time as babel_format_time

from digest.model import Event

FALLBACK_LANGUAGE = "en"
UK_DAY_PATTERN = "EEEE d MMMM y"
# CLDR spaces ranges with U+2009 and "10:00 AM" with U+202F; some email clients and fonts
# show those as boxes or gaps, so: an ordinary space, and a no-break space before "AM".
_EMAIL_SPACES = str.maketrans({"\u2009": " ", "\u202f": "\u00a0"})


@lru_cache(maxsize=64)
def babel_locale(language: str) -> Locale:
    """The Babel locale for "en-GB", "en_GB" or "cy"; unknown regions fall back to their
    language, unknown languages to English."""
    tag = (language or "").strip().replace("-", "_")
    for candidate in (tag, tag.split("_")[0], FALLBACK_LANGUAGE):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale.parse(FALLBACK_LANGUAGE)


@lru_cache(maxsize=64)
def _day_patterns(language: str) -> tuple[str, str | None, str | None]:
    """(full, without year, without month and year) day patterns for composing ranges.

    The shorter ones exist only when the locale puts the year (and month) last, so "Monday 1
    – Friday 5 July 2024" can share the tail; otherwise both ends are written in full.
    """
    locale = babel_locale(language)
    full = locale.date_formats["full"].pattern
    day_first = full.find("d") < full.find("M")
    if locale.language == "en" and day_first:
        full = UK_DAY_PATTERN
    no_year = _strip_last_field(full, "y")
    no_month = _strip_last_field(no_year, "M") if no_year and day_first else None
    return full, no_year, no_month


def _strip_last_field(pattern: str, letter: str) -> str | None:
    """The pattern without its trailing `letter` field (and the literal before it), or None."""
    stripped = re.sub(rf"[\s,]*(?:'[^']*')?[\s,]*{letter}+$", "", pattern)
    return stripped if stripped != pattern and stripped.strip() else None


def format_day(d: date, language: str) -> str:
    """A whole day: "Friday 28 June 2024" (en-GB), "Dydd Gwener, 28 Mehefin 2024" (cy)."""
    return format_date(d, _day_patterns(language)[0], locale=babel_locale(language)).translate(_EMAIL_SPACES)


def format_time(t: time | datetime, language: str) -> str:
    """A clock time in the locale's short style: "10:00" in en-GB, "10:00 AM" in en-US."""
    clock = babel_format_time(t if isinstance(t, time) else t.time(), "short", locale=babel_locale(language))
    return clock.translate(_EMAIL_SPACES)


def format_post_date(published: datetime, tz: ZoneInfo, language: str) -> str:
    """A post's date as its readers saw the day (in the newsletter's zone)."""
    moment = published if published.tzinfo else published.replace(tzinfo=UTC)
    return format_day(moment.astimezone(tz).date(), language)


def format_event_when(event: Event, tz: ZoneInfo, language: str) -> str:
    """When an event happens, in the newsletter's zone and language.

    "Tuesday 2 July 2024, 10:00–11:30"; across midnight both ends in full; all-day
    "Monday 1 July 2024" or a range "Monday 1 – Friday 5 July 2024" (ends are exclusive
    in the model, so the last day shown is end − 1).
    """
    if not isinstance(event.start, datetime):
        last = event.end - timedelta(days=1) if isinstance(event.end, date) else event.start
        return format_day_range(event.start, max(last, event.start), language)
    start = _local(event.start, tz)
    end = _local(event.end, tz) if isinstance(event.end, datetime) else None
    if end is None or end <= start:
        return _date_time(start, format_time(start, language), language)
    if end.date() == start.date():
        return _date_time(start, _time_range(start.time(), end.time(), language), language)
    return _range_separator(language).format(
        _date_time(start, format_time(start, language), language),
        _date_time(end, format_time(end, language), language),
    )


def format_event_clock(event: Event, tz: ZoneInfo, language: str) -> str:
    """The time alone ("14:00–15:30") of an event within one day, for where its date is shown beside it;
    "" for an all-day event or one that runs past midnight."""
    if not isinstance(event.start, datetime):
        return ""
    start = _local(event.start, tz)
    end = _local(event.end, tz) if isinstance(event.end, datetime) else None
    if end is None or end <= start:
        return format_time(start, language)
    return _time_range(start.time(), end.time(), language) if end.date() == start.date() else ""


def format_day_range(first: date, last: date, language: str) -> str:
    """Inclusive day range sharing what both ends have in common (month, year)."""
    if first == last:
        return format_day(first, language)
    full, no_year, no_month = _day_patterns(language)
    locale = babel_locale(language)
    if first.year == last.year and first.month == last.month and no_month:
        head = no_month
    elif first.year == last.year and no_year:
        head = no_year
    else:
        head = full
    start = format_date(first, head, locale=locale).translate(_EMAIL_SPACES)
    return _range_separator(language).format(start, format_day(last, language))


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz)


def _date_time(moment: datetime, clock: str, language: str) -> str:
    """Join a day and a time the locale's way ("{1}, {0}" in en-GB and cy)."""
    pattern = re.sub(r"'([^']*)'", r"\1", str(babel_locale(language).datetime_formats["full"]))  # "{1} 'a' {0}"
    return pattern.replace("{1}", format_day(moment.date(), language)).replace("{0}", clock)


def _time_range(first: time, last: time, language: str) -> str:
    """"10:00–11:30" with the locale's own interval style and clock."""
    locale = babel_locale(language)
    skeleton = "hm" if "h" in locale.time_formats["short"].pattern else "Hm"
    return format_interval(first, last, skeleton, locale=locale).translate(_EMAIL_SPACES)


def _range_separator(language: str) -> str:
    """The locale's "{0} – {1}" fallback interval pattern."""
    pattern = babel_locale(language).interval_formats.get(None)
    if isinstance(pattern, str) and "{0}" in pattern and "{1}" in pattern:
        return pattern.translate(_EMAIL_SPACES)
    return "{0} – {1}"
