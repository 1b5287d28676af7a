"""Add to calendar: Google Calendar and Outlook.com links, and an .ics file per event.

Both web calendars take the event's times in UTC (Google as 20241015T130000Z, Outlook.com as
ISO 8601 with Z), so an event at 14:00 in London is 13:00Z in October and 14:00Z in
November; all-day events are plain dates with iCalendar's exclusive end. An event without an
end is given an hour (a day, all-day), which is what both calendars assume. The .ics file is
for every other calendar (Apple, Thunderbird, Outlook on the desktop): one VEVENT per date,
so a series card's file adds every session shown.

A series adds every date it shows. Google Calendar takes a recurrence (its `recur` parameter
holds an RRULE or RDATE line, as in an .ics): evenly spaced dates are "RRULE:FREQ=WEEKLY;COUNT=4",
others the RDATE of each further date; the times are then written in the newsletter's zone with
`ctz`, so a weekly 14:00 stays 14:00 across the clocks changing. Outlook.com's link takes one date,
so a series has one link a date (on the web version, which offers the choice of calendars).

The links are written short: ":", "/" and "," stand as they are (a query may carry them, RFC 3986
§3.4; "%3A" cost 16 bytes a link in the times alone), and the times come last, so a link never
ends in punctuation a plain-text reader would leave off the link.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/action/compose"
PRODID = "-//digest//newsletter//EN"


@dataclass(frozen=True)
class Occurrence:
    """One date of an event: aware datetimes, or dates (all day, end exclusive)."""

    start: datetime | date
    end: datetime | date | None
    all_day: bool = False

    def span(self) -> tuple[datetime | date, datetime | date]:
        """(start, end) with a default length when the calendar gave no end."""
        if self.all_day or not isinstance(self.start, datetime):
            start = self.start if not isinstance(self.start, datetime) else self.start.date()
            end = self.end if isinstance(self.end, date) and not isinstance(self.end, datetime) and self.end > start \
                else start + timedelta(days=1)
            return start, end
        end = self.end if isinstance(self.end, datetime) and self.end > self.start else self.start + timedelta(hours=1)
        return self.start, end


def _utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def google_link(title: str, dates: Sequence[Occurrence], tz: ZoneInfo, *, place: str = "", details: str = "") -> str:
    """A Google Calendar "create event" link: one date in UTC, a series in `tz` with its recurrence."""
    start, end = dates[0].span()
    params = [("action", "TEMPLATE"), ("text", title)]
    params += [("details", details)] if details else []
    params += [("location", place)] if place else []
    timed = isinstance(start, datetime) and isinstance(end, datetime)
    if len(dates) > 1:
        params += [("ctz", tz.key)] if timed else []
        params.append(("recur", recurrence(dates, tz)))
        return f"{GOOGLE}?{_query([*params, ('dates', f'{_stamp(start, tz)}/{_stamp(end, tz)}')])}"
    if timed:
        assert isinstance(start, datetime) and isinstance(end, datetime)
        span = f"{_utc(start):%Y%m%dT%H%M%SZ}/{_utc(end):%Y%m%dT%H%M%SZ}"
    else:
        span = f"{start:%Y%m%d}/{end:%Y%m%d}"
    return f"{GOOGLE}?{_query([*params, ('dates', span)])}"


def _stamp(moment: datetime | date, tz: ZoneInfo) -> str:
    """iCalendar's local form: 20241015T140000 (wall time in `tz`), or 20241015 for a day."""
    if isinstance(moment, datetime):
        return f"{(moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz):%Y%m%dT%H%M%S}"
    return f"{moment:%Y%m%d}"


def recurrence(dates: Sequence[Occurrence], tz: ZoneInfo) -> str:
    """The iCalendar line that repeats the first date on the others: an RRULE when they are evenly
    spaced by whole days or weeks (wall time in `tz`), else an RDATE listing each further date."""
    starts = [_stamp(d.span()[0], tz) for d in dates]
    walls = [datetime.strptime(s, "%Y%m%dT%H%M%S" if "T" in s else "%Y%m%d") for s in starts]
    gaps = {b - a for a, b in pairwise(walls)}
    if len(gaps) == 1 and (gap := gaps.pop()) > timedelta(0) and gap % timedelta(days=1) == timedelta(0):
        weeks, days = divmod(gap.days, 7)
        freq, every = ("WEEKLY", weeks) if not days else ("DAILY", gap.days)
        return f"RRULE:FREQ={freq};" + (f"INTERVAL={every};" if every > 1 else "") + f"COUNT={len(dates)}"
    value = "" if "T" in starts[0] else ";VALUE=DATE"
    return f"RDATE{value}:{','.join(starts[1:])}"


def outlook_link(title: str, when: Occurrence, *, place: str = "", details: str = "") -> str:
    """An Outlook.com "new event" link, times in UTC."""
    start, end = when.span()
    if isinstance(start, datetime) and isinstance(end, datetime):
        times = [("startdt", f"{_utc(start):%Y-%m-%dT%H:%M:%SZ}"), ("enddt", f"{_utc(end):%Y-%m-%dT%H:%M:%SZ}")]
    else:
        times = [("allday", "true"), ("startdt", start.isoformat()), ("enddt", end.isoformat())]
    params = [("rru", "addevent"), ("subject", title)]
    params += [("body", details)] if details else []
    params += [("location", place)] if place else []
    return f"{OUTLOOK}?{_query([*params, *times])}"


def _query(params: list[tuple[str, str]]) -> str:
    return urlencode(params, safe=":/,")


def ics_name(title: str, first: date | datetime) -> str:
    """A readable, stable file name: co-production-board-drop-in-2024-10-15.ics."""
    day = first.date() if isinstance(first, datetime) else first
    return f"{slug(title, 'event')}-{day.isoformat()}.ics"


def slug(title: str, otherwise: str = "section") -> str:
    """Lower-case ASCII words joined by "-", at most 48 characters: for file names and ids."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:48].rstrip("-") or otherwise


def ics_file(title: str, dates: list[Occurrence], *, place: str = "", url: str | None = None, details: str = "",
             uid: str = "", stamp: datetime) -> str:
    """An iCalendar file with one VEVENT per date (icalendar writes it, folding and escaping as RFC 5545 says).

    `stamp` (DTSTAMP) is given, not now(), so the same edition gives the same file.
    """
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for when in dates:
        start, end = when.span()
        event = Event()
        base = uid or title
        event.add("uid", hashlib.sha1(f"{base}\n{start.isoformat()}".encode()).hexdigest()[:20] + "@digest")
        event.add("dtstamp", _utc(stamp))
        event.add("summary", title)
        event.add("dtstart", _utc(start) if isinstance(start, datetime) else start)
        event.add("dtend", _utc(end) if isinstance(end, datetime) else end)
        if place:
            event.add("location", place)
        if url:
            event.add("url", url)
        if details:
            event.add("description", details)
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()  # icalendar is untyped here
    return ical.decode("utf-8")
