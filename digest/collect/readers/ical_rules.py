"""The runaway-RRULE guard: refuse a repeat rule before dateutil walks it for seconds.

dateutil walks a rule from DTSTART until the window's end (about 3 µs a step), and a rule
that never matches (BYMONTH=13, 30 February) until the year 9999. rule_fault() estimates the
steps from the rule's frequency, interval and BY-parts, and names rules that cannot be
walked, so "every second since 1970" or "every 30 February" costs nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from digest.collect.readers.ical_props import values
from digest.model import as_instant

if TYPE_CHECKING:
    from icalendar import Component

# This caps one series at about a second, so "every second since 1970" cannot stall a build.
MAX_RULE_STEPS = 300_000
_RULE_PERIOD = {
    "SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400,
    "WEEKLY": 7 * 86400, "MONTHLY": 28 * 86400, "YEARLY": 365 * 86400,
}
_EXPANDING_PARTS = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY")
_RULE_RANGES = {
    "BYSECOND": (0, 60), "BYMINUTE": (0, 59), "BYHOUR": (0, 23), "BYMONTH": (1, 12),
    "BYMONTHDAY": (-31, 31), "BYYEARDAY": (-366, 366), "BYWEEKNO": (-53, 53), "BYSETPOS": (-366, 366),
}
_RULE_PARTS = {"FREQ", "UNTIL", "COUNT", "INTERVAL", "WKST", "RSCALE", "SKIP", *_RULE_RANGES, "BYDAY"}
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def rule_fault(component: Component, hi: datetime, tz: ZoneInfo) -> str | None:
    """Why the RRULEs cannot be listed or would stall dateutil (an editor's sentence), or None."""
    steps = 0.0
    start: Any = component["DTSTART"]  # a date or date-time property (read_calendar checked it)
    first = as_instant(start.dt, tz)
    for rule in values(component, "RRULE"):
        if not rule:  # "RRULE:" with nothing after it (seen in holiday feeds) repeats nothing
            continue
        scale = str((rule.get("RSCALE") or ["GREGORIAN"])[0]).upper()
        if scale != "GREGORIAN":  # RFC 7529: Chinese, Hebrew... calendars
            return f"its repeat rule follows the {scale.title()} calendar, which is not supported"
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        if freq not in _RULE_PERIOD or {str(k).upper() for k in rule} - _RULE_PARTS:
            return "its repeat rule could not be read"  # and dateutil may read it otherwise
        if never_matches(rule):
            return "its repeat rule asks for dates that do not exist"
        until = (rule.get("UNTIL") or [None])[0]
        stop = min(hi, as_instant(until, tz)) if until is not None else hi
        walked = (stop - first).total_seconds() / rule_period(rule)
        count = int((rule.get("COUNT") or [0])[0])
        if count > 0:  # recurring_ical_events drops a negative COUNT, making the rule endless
            walked = min(walked, count)
        steps += max(walked, 0)
    return "it repeats too often to list" if steps > MAX_RULE_STEPS else None


def rule_period(rule: Any) -> float:
    """Seconds between a readable rule's steps, on average: its frequency and interval over what its BY-parts add."""
    period = float(_RULE_PERIOD.get(str((rule.get("FREQ") or [""])[0]).upper(), _RULE_PERIOD["DAILY"]))
    period *= max(int((rule.get("INTERVAL") or [1])[0] or 1), 1)
    for part in _EXPANDING_PARTS:
        period /= max(len(rule.get(part) or []), 1)
    return period


def never_matches(rule: Any) -> bool:
    """A BY-part out of range (RFC 5545 3.3.10), or month days no listed month has."""
    parts: dict[str, list[int]] = {}
    for part, (low, high) in _RULE_RANGES.items():
        try:
            parts[part] = [int(str(v)) for v in rule.get(part) or []]
        except ValueError:  # "5L" (RFC 7529 leap months): dateutil cannot do those either
            return True
        if any(not low <= v <= high or (v == 0 and low < 0) for v in parts[part]):
            return True
    months, days = parts["BYMONTH"], parts["BYMONTHDAY"]
    return bool(months and days) and all(abs(d) > _MONTH_DAYS[m - 1] for m in months for d in days)
