"""Series that meet too often to list: at most MAX_OCCURRENCES dates of one series in one build,
and none closer than MIN_INTERVAL to the one before; the rest said in one sentence.

A 532-byte VEVENT with `RRULE:FREQ=MINUTELY` is 44,640 occurrences a month: as cards, megabytes
of email and minutes of build. crowded() picks, from each rule's frequency, interval and BY-parts
(without walking it), the series that could pass either bound; thin() walks only those, lazily
and only as far as it must (recurring_ical_events' `after`, in start order), and keeps:
- a series whose dates come closer than MIN_INTERVAL: its first date in the window, described as
  "Repeats every 15 minutes from … to …";
- a series with more dates than MAX_OCCURRENCES: its first MAX_OCCURRENCES, each saying
  "Also every day to …: not every date is listed".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from itertools import pairwise
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from digest.collect.readers.ical_props import holder, text, values
from digest.collect.readers.ical_rules import rule_period
from digest.model import as_instant
from digest.sanitize import clean_line, plain_text

if TYPE_CHECKING:
    from icalendar import Component

MAX_OCCURRENCES = 100  # dates of one series in one build: a daily event over the 62-day window fits
MIN_INTERVAL = timedelta(hours=1)  # dates of one series closer than this are summarised, not listed


@dataclass
class Thinned:
    """What is left of a crowded series: the occurrences to list, the sentence they carry, the report's line."""

    kept: list[Component] = field(default_factory=list)
    note_html: str = ""
    report: str | None = None


def crowded(series: Iterable[Component], lo: datetime, hi: datetime, tz: ZoneInfo) -> bool:
    """Whether a series (a UID's components) could pass MAX_OCCURRENCES or MIN_INTERVAL in [lo, hi)."""
    for component in series:
        if len(values(component, "RDATE")) > MAX_OCCURRENCES:
            return True
        for rule in values(component, "RRULE"):
            if not rule:
                continue
            period = rule_period(rule)
            start = _start(component, tz)
            if period < MIN_INTERVAL.total_seconds() or (hi - max(lo, start)).total_seconds() / period > MAX_OCCURRENCES:
                return True
    return False


def thin(series: list[Component], lo: datetime, hi: datetime, tz: ZoneInfo) -> Thinned:
    """The occurrences of a crowded series to list, walking no further than the bounds need."""
    import recurring_ical_events  # with icalendar, when a calendar is first read (see ical_props)

    walked: list[tuple[datetime, Component]] = []
    ended = True  # whether the walk saw the series' last date in the window
    for occurrence in recurring_ical_events.of(holder(series)).after(lo):
        start = _start(occurrence, tz)
        if start >= hi:
            break
        if start < lo:  # under way when the window opens: the window rule counts starts
            continue
        walked.append((start, occurrence))
        if len(walked) > MAX_OCCURRENCES:
            ended = False
            break
    if not walked:
        return Thinned()
    title = clean_line(plain_text(text(walked[0][1].get("SUMMARY")))) or "an untitled event"
    gaps = [later - earlier for (earlier, _), (later, _) in pairwise(walked)]
    if gaps and min(gaps) < MIN_INTERVAL:
        last = walked[-1][0] if ended else _last(walked[0][0], gaps, series, hi, tz)
        often = _every(gaps)
        return Thinned([walked[0][1]], _html(f"Repeats {often} from {_when(walked[0][0], tz)} to {_when(last, tz)}."),
                       f"'{title}' repeats {often}, more often than {_every([MIN_INTERVAL])}: it is listed "
                       f"once, as \"{often} from {_when(walked[0][0], tz)} to {_when(last, tz)}\"")
    if ended:
        return Thinned([occurrence for _, occurrence in walked])
    kept = walked[:MAX_OCCURRENCES]
    last = _last(walked[0][0], gaps, series, hi, tz)
    often = _every(gaps)
    return Thinned([occurrence for _, occurrence in kept],
                   _html(f"Also {often} to {_when(last, tz)}: not every date is listed."),
                   f"'{title}' has more than {MAX_OCCURRENCES} dates in this edition's window: the first "
                   f"{MAX_OCCURRENCES} are listed, the rest said as \"{often} to {_when(last, tz)}\"")


def _last(first: datetime, gaps: list[timedelta], series: list[Component], hi: datetime, tz: ZoneInfo) -> datetime:
    """The series' last date in the window, worked out from its steady gap (or the window's end when it has none)."""
    end = hi - timedelta(seconds=1)
    for component in series:
        for rule in values(component, "RRULE"):
            until = (rule.get("UNTIL") or [None])[0] if rule else None
            if until is not None:
                end = min(end, as_instant(until, tz))
            count = int((rule.get("COUNT") or [0])[0]) if rule else 0
            start = _start(component, tz)
            if count > 0 and start == first and len(set(gaps)) == 1:
                end = min(end, first + gaps[0] * (count - 1))
    if len(set(gaps)) != 1:
        return end
    return first + gaps[0] * ((end - first) // gaps[0])


def _start(component: Component, tz: ZoneInfo) -> datetime:
    start: Any = component["DTSTART"]  # a date or date-time property (read_calendar checked it)
    return as_instant(start.dt, tz)


def _every(gaps: list[timedelta]) -> str:
    """'every 15 minutes', 'every day'; 'as often as every 5 minutes' when the gaps differ."""
    gap = min(gaps)
    seconds = int(gap.total_seconds())
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            count = seconds // size
            every = f"every {unit}" if count == 1 else f"every {count} {unit}s"
            break
    else:  # pragma: no cover - every whole number of seconds divides by 1
        every = f"every {seconds} seconds"
    return every if len(set(gaps)) == 1 else f"as often as {every}"


def _when(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"


def _html(sentence: str) -> str:
    return f"<p>{escape(sentence)}</p>"


def described(summary_html: str, note_html: str) -> str:
    """An occurrence's description with its series' sentence first."""
    return note_html + summary_html if note_html else summary_html


def by_series(components: list[Component]) -> dict[str, list[Component]]:
    """The components of each UID (a series and its moved dates)."""
    series: dict[str, list[Component]] = {}
    for component in components:
        series.setdefault(str(component["UID"]).strip(), []).append(component)
    return series
