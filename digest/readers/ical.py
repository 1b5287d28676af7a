"""Read a member's iCalendar feed into the `Event` occurrences that fall in a window.

Parsing is icalendar's and recurrence expansion is recurring_ical_events'; this module only
decides what to trust. Member calendars come from WordPress, Google, Outlook and Meetup
exports and are often damaged, so every step is defensive: one bad VEVENT is skipped and
named in `problems`, a damaged file is salvaged block by block, and nothing the libraries
raise escapes `read_calendar`.

Window rule: an occurrence is kept when its *start* falls in [start, end). All-day events
count from 00:00 of their date in the newsletter zone. So an all-day or multi-day event that
began before the window and is still running is left out (the previous edition listed it).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar, Component
from icalendar.parser import unescape_backslash
from icalendar.prop import vBroken, vText
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from digest.model import Event, Image, ReadResult, as_instant
from digest.sanitize import absolute_url, clean_html, defuse_merge_tags, is_web_url, plain_text, text_to_html

NOT_ICALENDAR = "this is not an iCalendar file"
UNTITLED = "(untitled event)"
CANCELLED = {"CANCELLED", "CANCELED"}  # RFC spelling, and the US one some exporters write
MAX_SKIP_PROBLEMS = 10  # beyond this the report gets one summary line, not hundreds
# dateutil walks a rule from DTSTART to the window's end at roughly 3 µs a step; this caps
# one series at about a second, so "every second since 1970" cannot stall a build.
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
_ZONED_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")

_VEVENT_BLOCK = re.compile(r"^BEGIN:VEVENT[ \t]*$.*?^END:VEVENT[ \t]*$", re.I | re.M | re.S)
_VTIMEZONE_BLOCK = re.compile(r"^BEGIN:VTIMEZONE[ \t]*$.*?^END:VTIMEZONE[ \t]*$", re.I | re.M | re.S)
_RECURRING_LINE = re.compile(r"^(?:RRULE|RDATE|EXRULE|RECURRENCE-ID)[;:]", re.I | re.M)
_RRULE_LINE = re.compile(r"^RRULE[;:][^\n]*", re.I | re.M)
_DTSTART_LINE = re.compile(r"^DTSTART[;:][^\n]*", re.I | re.M)
_UID_LINE = re.compile(r"^UID[;:][^\n]*", re.I | re.M)
_SUMMARY_LINE = re.compile(r"^SUMMARY[;:][^\n]*", re.I | re.M)
_X_WR_TIMEZONE_LINE = re.compile(r"^X-WR-TIMEZONE[;:][^\n]*", re.I | re.M)
_LOOKS_LIKE_HTML = re.compile(
    r"<(?:/?(?:p|br|b|i|u|em|strong|ul|ol|li|span|div)\b[^>]*|a\s+href=[^>]*)>", re.I
)
_BARE_URL = re.compile(r"https?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s<>\"'])+")


def read_calendar(
    body: bytes,
    *,
    source: str,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    base_url: str | None = None,
) -> ReadResult:
    """One `Event` per occurrence starting in [start, end), sorted by start.

    Never raises: whatever goes wrong ends up in `problems` (and `skipped` for events).
    """
    reader = _Reader(source=source, tz=tz, lo=_aware(start, tz), hi=_aware(end, tz), base_url=base_url)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            reader.read(body)
        except Exception as exc:  # noqa: BLE001 - last line of defence: the libraries raise anything
            reader.result.problems.append(f"the calendar could not be read ({_brief(exc)})")
    # icalendar warns (e.g. it guessed a vendor-prefixed TZID): the editor sees that in the report,
    # not as a Python warning on the terminal.
    for message in dict.fromkeys(str(w.message).split(". ")[0] for w in caught):
        reader.result.problems.append(f"note: {message}")
    return reader.finish()


@dataclass
class _Reader:
    """State for one read: the window, the result so far, and the skip report."""

    source: str
    tz: ZoneInfo
    lo: datetime
    hi: datetime
    base_url: str | None
    result: ReadResult = field(default_factory=lambda: ReadResult(format="iCalendar"))
    _skip_lines: list[str] = field(default_factory=list)
    _html_cache: dict[tuple[str, str], str] = field(default_factory=dict)

    def read(self, body: bytes) -> None:
        text = _decode(body)
        if not re.search(r"^BEGIN:(?:VCALENDAR|VEVENT)", text, re.I | re.M):
            self.result.problems.append(NOT_ICALENDAR)
            return
        text = _drop_events_outside(text, self.lo.date() - timedelta(days=2), self.hi.date() + timedelta(days=2))
        for calendar in self._parse(text):
            self._read_calendar(calendar)

    def finish(self) -> ReadResult:
        """Dedupe (a file may repeat a calendar), sort, and fold the skip report."""
        unique = {item.id: item for item in reversed(self.result.items)}
        self.result.items = sorted(unique.values(), key=lambda e: (as_instant(e.start, self.tz), e.title))
        shown = self._skip_lines[:MAX_SKIP_PROBLEMS]
        hidden = len(self._skip_lines) - len(shown)
        self.result.problems.extend(shown)
        if hidden:
            self.result.problems.append(f"…and {hidden} more events were skipped")
        return self.result

    def skip(self, title: str | None, reason: str) -> None:
        self.result.skipped += 1
        name = f"'{title}'" if title and title != UNTITLED else "an untitled event"
        self._skip_lines.append(f"skipped {name}: {reason}")

    # -- parsing --------------------------------------------------------------------------

    def _parse(self, text: str) -> list[Calendar]:
        """Every VCALENDAR in the file; loose VEVENTs (no VCALENDAR) get one of their own."""
        try:
            components = Calendar.from_ical(text.encode("utf-8"), multiple=True)
        except Exception as exc:  # noqa: BLE001
            return self._salvage(text, _brief(exc))
        if not components:
            return self._salvage(text, "the calendar is never closed")
        calendars = [c for c in components if c.name == "VCALENDAR"]
        loose = [e for c in components if c.name != "VCALENDAR" for e in c.walk("VEVENT")]
        if loose:
            calendars.append(_holder(loose))
        return calendars

    def _salvage(self, text: str, detail: str) -> list[Calendar]:
        """Re-read a damaged file from its VTIMEZONE and VEVENT blocks alone.

        A stray line at calendar level, an unclosed VCALENDAR or one impossible VTIMEZONE
        makes icalendar refuse the whole file; the events themselves are usually fine.
        """
        events = _VEVENT_BLOCK.findall(text)
        if not events:
            self.result.problems.append(f"the calendar could not be read ({detail})")
            return []
        zones = [b for b in _VTIMEZONE_BLOCK.findall(text) if _parses(_wrap([b]))]
        header = [m.group(0) for m in _X_WR_TIMEZONE_LINE.finditer(text)][:1]
        calendar = _parses(_wrap(header + zones + events))
        if calendar is None:
            calendar = _holder([])
            for block in events:
                parsed = _parses(_wrap(header + zones + [block]))
                if parsed is None:
                    self.skip(_raw_summary(block), "it could not be read at all")
                else:
                    calendar.subcomponents.extend(parsed.walk("VEVENT"))
            if header:
                calendar["X-WR-TIMEZONE"] = header[0].rsplit(":", 1)[-1].strip()
        self.result.problems.append(
            f"the calendar file is damaged ({detail}); only the events that could be read are listed"
        )
        return [calendar]

    # -- expansion ------------------------------------------------------------------------

    def _read_calendar(self, calendar: Calendar) -> None:
        scale = str(calendar.get("CALSCALE", "GREGORIAN")).upper()
        if scale != "GREGORIAN":
            self.result.problems.append(f"the calendar uses the {scale} calendar scale, which is not supported")
            return
        stated = self._stated_zone(calendar)
        floating = stated or self.tz
        good: list[Component] = []
        made_up_uids: set[str] = set()
        for component in calendar.walk("VEVENT"):
            try:
                reason = self._fault(component)
            except Exception:  # noqa: BLE001
                reason = "it could not be read"
            if reason:
                self.skip(_title(component), reason)
                continue
            if not str(component.get("UID", "")).strip():
                component["UID"] = _made_up_uid(component)
                made_up_uids.add(str(component["UID"]))
            good.append(component)
        if stated is not None:
            good = self._apply_stated_zone(good, stated)
        for occurrence in self._expand(good):
            uid = str(occurrence["UID"]).strip()
            try:
                event = self._event(occurrence, uid, floating, keep_uid=uid not in made_up_uids)
            except Exception:  # noqa: BLE001
                self.skip(_title(occurrence), "one of its dates could not be read")
                continue
            if event is not None:
                self.result.items.append(event)

    def _expand(self, events: list[Component]) -> list[Component]:
        """Occurrences in the window: all series in one query (fast); if a series breaks it,
        each UID's series alone, so the failure costs that series and nothing else."""
        try:
            return _occurrences(events, self.lo, self.hi)
        except Exception:  # noqa: BLE001 - rrule, tz and date arithmetic errors of every kind
            pass
        series: dict[str, list[Component]] = {}
        for component in events:
            series.setdefault(str(component["UID"]).strip(), []).append(component)
        occurrences: list[Component] = []
        for components in series.values():
            try:
                occurrences += _occurrences(components, self.lo, self.hi)
            except Exception as exc:  # noqa: BLE001
                master = next((c for c in components if "RECURRENCE-ID" not in c), components[0])
                self.skip(_title(master), _expansion_fault(exc))
        return occurrences

    def _event(self, occ: Component, uid: str, floating: Any, keep_uid: bool) -> Event | None:
        """The normalised Event for one expanded occurrence, or None when it is not shown."""
        if str(occ.get("STATUS", "")).strip().upper() in CANCELLED:
            return None
        start, end, all_day = _span(occ, floating)
        if not self.lo <= as_instant(start, self.tz) < self.hi:
            return None
        start_key = start.isoformat() if all_day else start.astimezone(timezone.utc).isoformat()
        return Event(
            id=hashlib.sha1(f"{uid}\n{start_key}".encode()).hexdigest()[:16],
            source=self.source,
            title=_title(occ),
            start=start,
            end=end,
            all_day=all_day,
            location=defuse_merge_tags(plain_text(_text(occ.get("LOCATION")))),
            url=absolute_url(_text(occ.get("URL")), self.base_url),
            summary_html=self._description(occ),
            categories=_categories(occ),
            uid=uid if keep_uid else "",
            image=_attached_image(occ, self.base_url),
        )

    # -- checks -----------------------------------------------------------------------------

    def _stated_zone(self, calendar: Calendar) -> Any:
        """The zone X-WR-TIMEZONE names (Google, Apple), or None: then floating times are ours."""
        name = _text(calendar.get("X-WR-TIMEZONE")).strip()
        if not name:
            return None
        zone = _zone_named(name)
        if zone is None:
            self.result.problems.append(
                f"the calendar's time zone '{name}' is unknown, so times without a zone are read as {self.tz.key}"
            )
        return zone

    def _apply_stated_zone(self, events: list[Component], zone: Any) -> list[Component]:
        """Google writes recurring UTC times meaning "this wall time in X-WR-TIMEZONE";
        the x_wr_timezone converter (what recurring_ical_events.of uses) rewrites them."""
        try:
            return list(x_wr_timezone.to_standard(_holder(events), timezone=zone).subcomponents)
        except Exception:  # noqa: BLE001
            self.result.problems.append(
                f"the calendar's time zone could not be applied, so times without a zone are read as {self.tz.key}"
            )
            return events

    def _fault(self, event: Component) -> str | None:
        """Why this VEVENT cannot be listed (an editor's sentence), or None.

        Tolerable damage is repaired in place: an unreadable end or SEQUENCE is dropped, and
        so is an empty EXDATE (Google writes `EXDATE;VALUE=DATE:`).
        """
        broken = {name for name, prop in _properties(event) if isinstance(prop, vBroken)}
        if "DTSTART" not in event:
            return "it has no start time"
        if isinstance(event["DTSTART"], list):
            return "it has more than one start time"
        if "DTSTART" in broken or not isinstance(event["DTSTART"].dt, date):
            return "its start time could not be read"
        if broken & {"RRULE", "EXRULE"}:
            return "its repeat rule could not be read"
        if "RECURRENCE-ID" in broken:
            return "it changes one date of a series, but that date could not be read"
        if "EXDATE" in broken:
            if any(isinstance(p, vBroken) and str(p).strip() for p in _values(event, "EXDATE")):
                return "its list of cancelled dates could not be read"
            _keep_only(event, "EXDATE", lambda p: not isinstance(p, vBroken))
        if "RDATE" in broken:
            return "its list of extra dates could not be read"
        for name in ("DTEND", "DURATION"):
            if name in broken:
                event.pop(name)
                self.result.problems.append(
                    f"'{_title(event)}': its end time could not be read, so it is listed without one"
                )
        if "SEQUENCE" in broken:  # only orders revisions; recurring_ical_events compares it
            event.pop("SEQUENCE")
        missing = _undefined_zones(event)
        if missing:
            return f"its time zone '{missing}' is not defined in the calendar"
        return _rule_fault(event, self.hi, self.tz)

    def _description(self, occ: Component) -> str:
        """Sanitised description: Outlook's HTML alternative first, else DESCRIPTION."""
        alternatives = _values(occ, "X-ALT-DESC")
        html = next((_unescaped(p) for p in alternatives if _is_html(p) and str(p).strip()), "")
        kind, text = ("html", html) if html else ("text", _text(occ.get("DESCRIPTION")))
        if not text.strip():
            return ""
        key = (kind, text)  # a series repeats its description in every occurrence
        if key not in self._html_cache:
            clean = clean_html if kind == "html" else _text_description
            self._html_cache[key] = clean(text, self.base_url)
        return self._html_cache[key]


# -- text level ---------------------------------------------------------------------------


def _decode(body: bytes) -> str:
    """Text with LF line ends and no folding.

    Tolerated: a BOM, UTF-16 (some Outlook exports), a UTF-8 file with a damaged byte, and
    legacy Windows-1252 (no valid UTF-8 sequence at all).
    """
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = body.decode("utf-16", errors="replace")
    else:
        body = body.removeprefix(b"\xef\xbb\xbf")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            utf8 = re.search(rb"[\xc2-\xf4][\x80-\xbf]", body)
            text = body.decode("utf-8" if utf8 else "cp1252", errors="replace")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\n[ \t]", "", text)


def _drop_events_outside(text: str, first: date, last: date) -> str:
    """Remove VEVENTs that clearly cannot start in [first, last] before parsing them.

    Only a speed-up (icalendar parses a 4,000-event archive in seconds; its window takes
    milliseconds): one-off events dated outside, and series whose every RRULE ended (UNTIL)
    before. Anything sharing its UID, overriding, with RDATE or with an unreadable date is
    kept for the real parser and recurring_ical_events to judge.
    """
    uids = Counter(line.split(":", 1)[-1].strip() for line in _UID_LINE.findall(text))

    def keep(block: str) -> bool:
        uid = _UID_LINE.search(block)
        if block.upper().count("BEGIN:VEVENT") > 1 or (uid and uids[uid.group(0).split(":", 1)[-1].strip()] > 1):
            return True
        if _RECURRING_LINE.search(block):
            ends = [_day_in(rule, r"UNTIL=") for rule in _RRULE_LINE.findall(block)]
            only_rules = len(ends) == len(_RECURRING_LINE.findall(block))
            return not (only_rules and all(end is not None and end < first for end in ends))
        line = _DTSTART_LINE.search(block)
        day = _day_in(line.group(0).rsplit(":", 1)[-1], "") if line else None
        return day is None or first <= day <= last

    return _VEVENT_BLOCK.sub(lambda m: m.group(0) if keep(m.group(0)) else "", text)


def _day_in(text: str, prefix: str) -> date | None:
    """The YYYYMMDD date after `prefix` in text, or None."""
    found = re.search(prefix + r"\s*(\d{4})(\d{2})(\d{2})", text)
    try:
        return date(*(int(g) for g in found.groups())) if found else None
    except ValueError:
        return None


def _wrap(blocks: list[str]) -> str:
    return "BEGIN:VCALENDAR\nVERSION:2.0\n" + "\n".join(blocks) + "\nEND:VCALENDAR\n"


def _parses(text: str) -> Calendar | None:
    try:
        return Calendar.from_ical(text.encode("utf-8"))
    except Exception:  # noqa: BLE001
        return None


def _raw_summary(block: str) -> str | None:
    line = _SUMMARY_LINE.search(block)
    if not line:
        return None
    raw = line.group(0).split(":", 1)[-1]
    return defuse_merge_tags(plain_text(re.sub(r"\\([,;\\])", r"\1", raw))) or None


# -- components ---------------------------------------------------------------------------


def _occurrences(events: list[Component], lo: datetime, hi: datetime) -> list[Component]:
    return recurring_ical_events.of(_holder(events)).between(lo, hi)


def _holder(components: Iterable[Component]) -> Calendar:
    calendar = Calendar()
    calendar.subcomponents.extend(components)
    return calendar


def _properties(component: Component) -> Iterable[tuple[str, Any]]:
    for name, value in component.items():
        for prop in value if isinstance(value, list) else [value]:
            yield str(name).upper(), prop


def _values(component: Component, name: str) -> list[Any]:
    value = component.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _keep_only(component: Component, name: str, wanted: Callable[[Any], bool]) -> None:
    kept = [p for p in _values(component, name) if wanted(p)]
    component.pop(name, None)
    if kept:
        component[name] = kept if len(kept) > 1 else kept[0]


def _attached_image(occ: Component, base_url: str | None) -> Image | None:
    """The event's picture: the first ATTACH that says (FMTTYPE) or looks (extension) like an image."""
    for attach in _values(occ, "ATTACH"):
        kind = str(getattr(attach, "params", {}).get("FMTTYPE", "")).lower()
        link = absolute_url(_text(attach), base_url)
        if link and is_web_url(link) and (kind.startswith("image/") or (not kind and _IMAGE_EXT.search(link))):
            return Image(link)
    return None


_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])", re.I)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def _unescaped(prop: Any) -> str:
    """An X- property's TEXT value: icalendar keeps unknown properties raw (`\\n`, `\\,`)."""
    return str(prop) if isinstance(prop, vText) else unescape_backslash(str(prop))


def _is_html(prop: Any) -> bool:
    return str(getattr(prop, "params", {}).get("FMTTYPE", "")).lower() == "text/html"


def _title(component: Component) -> str:
    return defuse_merge_tags(plain_text(_text(component.get("SUMMARY")))) or UNTITLED


def _categories(component: Component) -> tuple[str, ...]:
    names: list[str] = []
    for prop in _values(component, "CATEGORIES"):
        for cat in getattr(prop, "cats", None) or [prop]:
            name = defuse_merge_tags(plain_text(str(cat)))
            if name and name not in names:
                names.append(name)
    return tuple(names)


def _made_up_uid(component: Component) -> str:
    """A stable stand-in UID (RFC 5545 requires one; some exports forget)."""
    seed = f"{_text(component.get('SUMMARY'))}\n{component['DTSTART'].to_ical()!r}"
    return "no-uid-" + hashlib.sha1(seed.encode()).hexdigest()[:16]


def _undefined_zones(component: Component) -> str | None:
    """A TZID the parser could not resolve (it leaves such times floating), if any."""
    for name in _ZONED_PROPERTIES:
        for prop in _values(component, name):
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


def _rule_fault(component: Component, hi: datetime, tz: ZoneInfo) -> str | None:
    """Why the RRULEs would stall dateutil, or None.

    dateutil walks a rule from DTSTART until the window's end, and a rule that never
    matches (BYMONTH=13, 30 February) until the year 9999: seconds of CPU for one event.
    """
    steps = 0.0
    first = as_instant(component["DTSTART"].dt, tz)
    for rule in _values(component, "RRULE"):
        if not rule:  # "RRULE:" with nothing after it (seen in holiday feeds) repeats nothing
            continue
        scale = str((rule.get("RSCALE") or ["GREGORIAN"])[0]).upper()
        if scale != "GREGORIAN":  # RFC 7529: Chinese, Hebrew... calendars
            return f"its repeat rule follows the {scale.title()} calendar, which is not supported"
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        if freq not in _RULE_PERIOD or {str(k).upper() for k in rule} - _RULE_PARTS:
            return "its repeat rule could not be read"  # and dateutil may read it otherwise
        if _never_matches(rule):
            return "its repeat rule asks for dates that do not exist"
        interval = max(int((rule.get("INTERVAL") or [1])[0] or 1), 1)
        until = (rule.get("UNTIL") or [None])[0]
        stop = min(hi, as_instant(until, tz)) if until is not None else hi
        walked = (stop - first).total_seconds() / (_RULE_PERIOD[freq] * interval)
        for part in _EXPANDING_PARTS:
            walked *= max(len(rule.get(part) or []), 1)
        count = int((rule.get("COUNT") or [0])[0])
        if count > 0:  # recurring_ical_events drops a negative COUNT, making the rule endless
            walked = min(walked, count)
        steps += max(walked, 0)
    return "it repeats too often to list" if steps > MAX_RULE_STEPS else None


def _never_matches(rule: Any) -> bool:
    """A BY-part out of range (RFC 5545 3.3.10), or month days no listed month has."""
    values: dict[str, list[int]] = {}
    for part, (low, high) in _RULE_RANGES.items():
        try:
            values[part] = [int(str(v)) for v in rule.get(part) or []]
        except ValueError:  # "5L" (RFC 7529 leap months): dateutil cannot do those either
            return True
        if any(not low <= v <= high or (v == 0 and low < 0) for v in values[part]):
            return True
    months, days = values["BYMONTH"], values["BYMONTHDAY"]
    return bool(months and days) and all(abs(d) > _MONTH_DAYS[m - 1] for m in months for d in days)


# -- times --------------------------------------------------------------------------------


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz)


def _zone_named(name: str) -> Any:
    """A tzinfo for an Olson or Windows zone name, or None."""
    olson = WINDOWS_TO_OLSON.get(name.strip("/"), name)
    try:
        return ZoneInfo(olson)
    except Exception:  # noqa: BLE001 - ValueError, ZoneInfoNotFoundError, odd paths
        pass
    try:
        return tzp.timezone(name)
    except Exception:  # noqa: BLE001
        return None


def _zoned(moment: datetime, tzid: str | None, floating: Any) -> datetime:
    """An aware datetime: floating → the calendar's zone; Windows zone → its IANA twin.

    With an embedded VTIMEZONE, icalendar builds "GMT Standard Time" from the file (and
    caches it for the whole process); the IANA zone says the same thing, reliably.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=floating)
    if not isinstance(moment.tzinfo, ZoneInfo) and tzid and tzid in WINDOWS_TO_OLSON:
        return moment.replace(tzinfo=ZoneInfo(WINDOWS_TO_OLSON[tzid]))
    return moment


def _span(occ: Component, floating: Any) -> tuple[date | datetime, date | datetime | None, bool]:
    """(start, end, all_day) with the model's invariants; an end that adds nothing is None."""
    start_prop = occ["DTSTART"]
    start = start_prop.dt
    end_prop = occ.get("DTEND")
    end = end_prop.dt if end_prop is not None else None
    if not isinstance(start, datetime):
        last = end.date() if isinstance(end, datetime) else end
        if not isinstance(last, date) or last <= start:
            last = start + timedelta(days=1)
        return start, last, True
    start = _zoned(start, start_prop.params.get("TZID"), floating)
    if not isinstance(end, datetime):
        return start, None, False
    end = _zoned(end, end_prop.params.get("TZID"), floating)
    return start, (end if end > start else None), False


# -- descriptions -------------------------------------------------------------------------


def _text_description(text: str, base_url: str | None) -> str:
    """Plain text as paragraphs with bare links made clickable; HTML in disguise as HTML.

    Google Calendar stores rich-text descriptions as HTML inside DESCRIPTION, sometimes
    with plain newlines for line breaks; those are kept when it has no <br> or <p> of its own.
    """
    if _LOOKS_LIKE_HTML.search(text):
        if not re.search(r"<(?:br|p)\b", text, re.I):
            text = text.replace("\n", "<br>")
        return clean_html(text, base_url)
    html = text_to_html(text)
    return clean_html(_BARE_URL.sub(_link, html), base_url)


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    trimmed = url.rstrip(".,;:!?)]")
    return f'<a href="{trimmed}">{trimmed}</a>{url[len(trimmed):]}'


def _expansion_fault(exc: Exception) -> str:
    if isinstance(exc, recurring_ical_events.BadRuleStringFormat):
        return "its repeat rule could not be read"
    if isinstance(exc, recurring_ical_events.PeriodEndBeforeStart):
        return "it ends before it starts"
    return "its dates could not be worked out"


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 80 else text[:79] + "…"
