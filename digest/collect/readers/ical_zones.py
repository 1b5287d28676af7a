"""Time-zone resolution for calendars: every TZID becomes a real zone, or an honest floating time;
span() gives an occurrence's start and end as the model wants them.

A TZID may be an IANA name ("Europe/London"), a Windows zone id ("GMT Standard Time", mapped
by icalendar's CLDR table), a Windows *display name* that Outlook and Exchange write with no
VTIMEZONE ("(UTC-05:00) Eastern Time (US & Canada)", the older "(GMT+10:00) Canberra,
Melbourne, Sydney"; mapped by CLDR's windowsZones names, digest/data/windows-zones.json,
made by scripts/refresh-windows-zones), or a name nothing defines (`tzone://Microsoft/Custom`
with its VTIMEZONE left out). repair_tzids() rewrites the first kinds to their IANA zone
before parsing, and reads the last as floating — the calendar's own zone, else the
newsletter's — with a note in the report. An event is never dropped for its zone.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from digest.collect.readers.ical_props import values

if TYPE_CHECKING:
    from icalendar import Component

_ZONED_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
_DEFINED = re.compile(r"^TZID[;:]([^\n]*)", re.I | re.M)  # only a VTIMEZONE has a TZID property
# A property line's TZID parameter: quoted, or unquoted though it holds a colon (a display name's
# "(UTC-05:00)", Outlook's "tzone://Microsoft/Custom": the parser would cut the line there), or plain.
_TZID_PARAM = re.compile(
    r'^((?:DTSTART|DTEND|DUE|EXDATE|RDATE|RECURRENCE-ID)(?:;[^:\n]*?)?);TZID='
    r'("[^"\n]*"|\((?:UTC|GMT)[^)\n]*\)[^;:\n]*|tzone://[^;:\n]*|[^;:"\n]*)',
    re.I | re.M)
# A date (not a date-time) given a TZID, as some exporters write all-day events: the date, without it.
_ZONED_DATE = re.compile(
    r'^((?:DTSTART|DTEND|EXDATE|RDATE|RECURRENCE-ID)(?:;[^:\n]*?)?);TZID=(?:"[^"\n]*"|[^;:"\n]*)'
    r"((?:;[^:\n]*)?:[ \t]*\d{8}(?:[ \t]*,[ \t]*\d{8})*[ \t]*)$", re.I | re.M)
_OFFSET_PREFIX = re.compile(r"^\s*\((?:UTC|GMT)\s*(?:[+-]\s*\d{1,2}(?::?\d{2})?)?\)\s*", re.I)


@lru_cache(maxsize=1)
def _display_names() -> dict[str, str]:
    """Windows display names (without their offset, case-folded) → IANA zone."""
    table = json.loads(resources.files("digest").joinpath("data/windows-zones.json").read_text(encoding="utf-8"))
    return {_display_key(name): zone for name, zone in table["display_names"].items()}


def _display_key(name: str) -> str:
    return " ".join(_OFFSET_PREFIX.sub("", name).split()).casefold()


def display_zone(name: str) -> str | None:
    """The IANA zone of a Windows display name such as "(UTC-05:00) Eastern Time (US & Canada)".

    Names CLDR does not list (Windows XP's "(GMT) Greenwich Mean Time : Dublin, Edinburgh,
    Lisbon, London") are matched by the first city in them that names an IANA zone.
    """
    if not _OFFSET_PREFIX.match(name):
        return None
    key = _display_key(name)
    return _display_names().get(key) or next(
        (zone for city in re.split(r"\s*[,:]\s*", key)[::-1] if (zone := _cities().get(city))), None)


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """"london" → "Europe/London": the last part of every IANA zone name."""
    from zoneinfo import available_timezones

    return {zone.rsplit("/", 1)[-1].replace("_", " ").casefold(): zone
            for zone in sorted(available_timezones()) if "/" in zone and not zone.startswith(("Etc/", "SystemV/"))}


@lru_cache(maxsize=1)
def _windows_zones() -> dict[str, str]:
    """Windows zone ids → IANA names, as icalendar maps them."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    return dict(WINDOWS_TO_OLSON)


def zone_named(name: str) -> Any:
    """A tzinfo for an IANA name, a Windows zone id or display name, or anything icalendar knows; or None."""
    from icalendar.timezone import tzp

    name = name.strip().strip('"')
    for candidate in (_windows_zones().get(name.strip("/"), name), display_zone(name)):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except Exception:  # noqa: BLE001 - ValueError, ZoneInfoNotFoundError, odd paths
                pass
    try:
        return tzp.timezone(name)
    except Exception:  # noqa: BLE001 - icalendar's zone provider raises any kind for an unknown name
        return None


def repair_tzids(text: str) -> tuple[str, list[str]]:
    """Rewrite TZIDs no VTIMEZONE defines to their IANA zone; drop the ones nothing can resolve.

    Returns the text and the TZIDs dropped (their times are then floating, for the caller to
    report). A TZID the file defines is left alone: its VTIMEZONE says what it means. A date
    given a TZID (`DTSTART;TZID=Europe/London;VALUE=DATE:20241015`) is a date all the same: an
    all-day event, not a day from 00:00 to 00:00 in that zone, so its TZID is dropped.
    """
    text = _ZONED_DATE.sub(r"\1\2", text)
    defined = {m.group(1).strip().strip('"') for m in _DEFINED.finditer(text)}
    dropped: list[str] = []
    verdicts: dict[str, str | None] = {}

    def verdict(name: str) -> str | None:
        """The TZID to write instead ('' keeps it as it is), or None to drop it."""
        if name not in verdicts:
            if name in defined or name.upper() == "UTC":
                verdicts[name] = ""
            elif (shown := display_zone(name)) is not None:
                verdicts[name] = shown
            else:
                verdicts[name] = "" if zone_named(name) is not None else None
                if verdicts[name] is None:
                    dropped.append(name)
        return verdicts[name]

    def fix(match: re.Match[str]) -> str:
        name = match.group(2).strip().strip('"')
        instead = verdict(name)
        if instead == "":
            return match.group(0)
        return match.group(1) if instead is None else f"{match.group(1)};TZID={instead}"

    return _TZID_PARAM.sub(fix, text), dropped


def undefined_zones(component: Component) -> str | None:
    """A TZID the parser could not resolve (it leaves such times floating), if any."""
    for name in _ZONED_PROPERTIES:
        for prop in values(component, name):
            tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
            if not tzid or str(tzid).upper() == "UTC":
                continue
            stamps = [d.dt for d in prop.dts] if hasattr(prop, "dts") else [prop.dt]
            for stamp in stamps:
                if isinstance(stamp, tuple):
                    stamp = stamp[0]
                if isinstance(stamp, datetime) and stamp.tzinfo is None:
                    return str(tzid)
    return None


def aware(moment: datetime, tz: ZoneInfo) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz)


def zoned(moment: datetime, tzid: str | None, floating: Any) -> datetime:
    """An aware datetime: floating → the calendar's zone; Windows zone → its IANA twin.

    With an embedded VTIMEZONE, icalendar builds "GMT Standard Time" from the file (and
    caches it for the whole process); the IANA zone says the same thing, reliably.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=floating)
    if not isinstance(moment.tzinfo, ZoneInfo) and tzid and tzid in _windows_zones():
        return moment.replace(tzinfo=ZoneInfo(_windows_zones()[tzid]))
    return moment


def span(occ: Component, floating: Any) -> tuple[date | datetime, date | datetime | None, bool]:
    """(start, end, all_day) with the model's invariants; an end that adds nothing is None."""
    start_prop: Any = occ["DTSTART"]  # icalendar types a property as any of its 30 kinds; DTSTART is a date or time
    start = start_prop.dt
    end_prop: Any = occ.get("DTEND")
    end = end_prop.dt if end_prop is not None else None
    if not isinstance(start, datetime):
        last = end.date() if isinstance(end, datetime) else end
        if not isinstance(last, date) or last <= start:
            last = start + timedelta(days=1)
        return start, last, True
    start = zoned(start, start_prop.params.get("TZID"), floating)
    if not isinstance(end, datetime):
        return start, None, False
    end = zoned(end, end_prop.params.get("TZID"), floating)
    return start, (end if end > start else None), False
