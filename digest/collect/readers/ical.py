"""Read a member's iCalendar feed into the `Event` occurrences that fall in a window.

Parsing is icalendar's and recurrence expansion is recurring_ical_events'; this module only
decides what to trust. Member calendars come from WordPress, Google, Outlook and Meetup
exports and are often damaged, so every step is defensive: one bad VEVENT is skipped and
named in `problems`, a damaged file is salvaged block by block, and nothing the libraries
raise escapes `read_calendar`. Its helpers: ical_text (text repair before the parser),
ical_zones (what each TZID means), ical_rules (the runaway-RRULE guard), ical_props
(reading component values); each occurrence becomes an Event through normalize_event.

Window rule: an occurrence is kept when its *start* falls in [start, end). All-day events
count from 00:00 of their date in the newsletter zone. So an all-day or multi-day event that
began before the window and is still running is left out (the previous edition listed it).

Length (~370 lines): one reader class whose steps (salvage, expand, cancel, window) share the
calendar's state; the separable parts already live in the four helper modules above.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from digest.collect.normalize import UNTITLED_EVENT, RawEvent, normalize_event
from digest.collect.readers.ical_props import (
    broken,
    holder,
    is_html,
    keep_only,
    parse_components,
    properties,
    text,
    unescaped,
    values,
)
from digest.collect.readers.ical_rules import rule_fault
from digest.collect.readers.ical_series import by_series, crowded, described, thin
from digest.collect.readers.ical_text import (
    VEVENT_BLOCK,
    VTIMEZONE_BLOCK,
    X_WR_TIMEZONE_LINE,
    decode,
    drop_events_outside,
    parse_event,
    parses,
    raw_summary,
    text_description,
    wrap,
)
from digest.collect.readers.ical_zones import aware, repair_tzids, span, undefined_zones, zone_named
from digest.collect.readers.spec import MAX_SKIP_PROBLEMS, ReadContext, Reader
from digest.model import Event, ReadResult, as_instant
from digest.sanitize import clean_html, clean_line, plain_text

if TYPE_CHECKING:
    from icalendar import Calendar, Component

NOT_ICALENDAR = "this is not an iCalendar file"
UNTITLED = UNTITLED_EVENT
CANCELLED = {"CANCELLED", "CANCELED"}  # RFC spelling, and the US one some exporters write


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
    reader = _Reader(source=source, tz=tz, lo=aware(start, tz), hi=aware(end, tz), base_url=base_url)
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
        content = decode(body)
        if not re.search(r"^BEGIN:(?:VCALENDAR|VEVENT)", content, re.I | re.M):
            self.result.problems.append(NOT_ICALENDAR)
            return
        content = drop_events_outside(content, self.lo.date() - timedelta(days=2), self.hi.date() + timedelta(days=2))
        content, floating = repair_tzids(content)
        if floating:
            stated = X_WR_TIMEZONE_LINE.search(content)
            zone = zone_named(stated.group(0).split(":", 1)[-1]) if stated else None
            where = f"{zone} (the calendar's time zone)" if zone is not None else f"{self.tz.key} (the newsletter's time zone)"
            for name in floating:
                self.result.problems.append(f"the time zone '{clean_line(name, 80)}' is not defined in the calendar, "
                                            f"so its times are read as {where}: check them")
        for calendar in self._parse(content):
            self._read_calendar(calendar)

    def finish(self) -> ReadResult:
        """Dedupe (a file may repeat a calendar), sort, and fold the skip report."""
        unique: dict[str, Event] = {item.id: item for item in reversed(self.result.items) if isinstance(item, Event)}
        events = sorted(unique.values(), key=lambda e: (as_instant(e.start, self.tz), e.title))
        self.result.items = list(events)
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

    def _parse(self, content: str) -> list[Calendar]:
        """Every VCALENDAR in the file; loose VEVENTs (no VCALENDAR) get one of their own."""
        try:
            components = parse_components(content.encode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - icalendar raises any kind on a broken file: salvage what can be read
            return self._salvage(content, _brief(exc))
        if not components:
            return self._salvage(content, "the calendar is never closed")
        calendars = [c for c in components if c.name == "VCALENDAR"]
        loose = [e for c in components if c.name != "VCALENDAR" for e in c.walk("VEVENT")]
        if loose:
            calendars.append(holder(loose))
        return calendars

    def _salvage(self, content: str, detail: str) -> list[Calendar]:
        """Re-read a damaged file from its VTIMEZONE and VEVENT blocks alone.

        A stray line at calendar level, an unclosed VCALENDAR or one impossible VTIMEZONE
        makes icalendar refuse the whole file; the events themselves are usually fine.
        """
        events = VEVENT_BLOCK.findall(content)
        if not events:
            self.result.problems.append(f"the calendar could not be read ({detail})")
            return []
        zones = [b for b in VTIMEZONE_BLOCK.findall(content) if parses(wrap([b]))]
        header = [m.group(0) for m in X_WR_TIMEZONE_LINE.finditer(content)][:1]
        calendar = parses(wrap(header + zones + events))
        if calendar is None:
            calendar = holder([])
            for block in events:
                parsed, dropped = parse_event(header + zones, block)
                self.result.problems.extend(f"note: '{raw_summary(block) or UNTITLED}': its {part} could not be read "
                                            "and was left out; the event is kept" for part in dropped if parsed)
                if parsed is None:
                    self.skip(raw_summary(block), "it could not be read at all")
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
            except Exception:  # noqa: BLE001 - one unreadable event is skipped, never the calendar
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
        series = by_series(good)  # a series that meets too often is thinned (ical_series.py); the rest expand at once
        thinned = {uid: thin(parts, self.lo, self.hi, self.tz) for uid, parts in series.items()
                   if crowded(parts, self.lo, self.hi, self.tz)}
        self.result.problems.extend(t.report for t in thinned.values() if t.report)
        ordinary = [c for uid, parts in series.items() if uid not in thinned for c in parts]
        for occurrence in self._expand(ordinary) + [o for t in thinned.values() for o in t.kept]:
            uid = str(occurrence["UID"]).strip()
            try:
                event = self._event(occurrence, uid, floating, keep_uid=uid not in made_up_uids)
            except Exception:  # noqa: BLE001 - one unreadable date is skipped, never the calendar
                self.skip(_title(occurrence), "one of its dates could not be read")
                continue
            if event is not None:
                note = thinned[uid].note_html if uid in thinned else ""
                self.result.items.append(replace(event, summary_html=described(event.summary_html, note)))

    def _expand(self, events: list[Component]) -> list[Component]:
        """Occurrences in the window: all series in one query (fast); if a series breaks it,
        each UID's series alone, so the failure costs that series and nothing else."""
        try:
            return _occurrences(events, self.lo, self.hi)
        except Exception:  # noqa: BLE001 - rrule, tz and date arithmetic errors of every kind
            pass
        occurrences: list[Component] = []
        for components in by_series(events).values():
            try:
                occurrences += _occurrences(components, self.lo, self.hi)
            except Exception as exc:  # noqa: BLE001 - dateutil's rrule raises any kind on a broken rule: skip that series only
                master = next((c for c in components if "RECURRENCE-ID" not in c), components[0])
                self.skip(_title(master), _expansion_fault(exc))
        return occurrences

    def _event(self, occ: Component, uid: str, floating: Any, keep_uid: bool) -> Event | None:
        """The normalised Event for one expanded occurrence, or None when it is not shown."""
        if str(occ.get("STATUS", "")).strip().upper() in CANCELLED:
            return None
        start, end, all_day = span(occ, floating)
        if not self.lo <= as_instant(start, self.tz) < self.hi:
            return None
        return normalize_event(RawEvent(
            title=text(occ.get("SUMMARY")), start=start, end=end, all_day=all_day,
            location=text(occ.get("LOCATION")), url=text(occ.get("URL")) or None, summary_html=self._description(occ),
            categories=_categories(occ), uid=uid if keep_uid else "", series=uid, base=self.base_url,
            image_url=_attached_image(occ),
        ), source=self.source)

    # -- checks -----------------------------------------------------------------------------

    def _stated_zone(self, calendar: Calendar) -> Any:
        """The zone X-WR-TIMEZONE names (Google, Apple), or None: then floating times are ours."""
        name = text(calendar.get("X-WR-TIMEZONE")).strip()
        if not name:
            return None
        zone = zone_named(name)
        if zone is None:
            self.result.problems.append(
                f"the calendar's time zone '{name}' is unknown, so times without a zone are read as {self.tz.key}"
            )
        return zone

    def _apply_stated_zone(self, events: list[Component], zone: Any) -> list[Component]:
        """Google writes recurring UTC times meaning "this wall time in X-WR-TIMEZONE";
        the x_wr_timezone converter (what recurring_ical_events.of uses) rewrites them."""
        import x_wr_timezone  # with icalendar, when a calendar is first read (see ical_props)

        try:
            return list(x_wr_timezone.to_standard(holder(events), timezone=zone).subcomponents)
        except Exception:  # noqa: BLE001 - x-wr-timezone raises any kind on odd zones: times stay in the newsletter's zone
            self.result.problems.append(
                f"the calendar's time zone could not be applied, so times without a zone are read as {self.tz.key}"
            )
            return events

    def _fault(self, event: Component) -> str | None:
        """Why this VEVENT cannot be listed (an editor's sentence), or None.

        Tolerable damage is repaired in place: an unreadable end or SEQUENCE is dropped, and
        so is an empty EXDATE (Google writes `EXDATE;VALUE=DATE:`).
        """
        unread = {name for name, prop in properties(event) if broken(prop)}
        if "DTSTART" not in event:
            return "it has no start time"
        if isinstance(event["DTSTART"], list):
            return "it has more than one start time"
        start: Any = event["DTSTART"]  # any of icalendar's property kinds, until checked here
        if "DTSTART" in unread or not isinstance(start.dt, date):
            return "its start time could not be read"
        if unread & {"RRULE", "EXRULE"}:
            return "its repeat rule could not be read"
        if "RECURRENCE-ID" in unread:
            return "it changes one date of a series, but that date could not be read"
        if "EXDATE" in unread:
            if any(broken(p) and str(p).strip() for p in values(event, "EXDATE")):
                return "its list of cancelled dates could not be read"
            keep_only(event, "EXDATE", lambda p: not broken(p))
        if "RDATE" in unread:
            return "its list of extra dates could not be read"
        for name in ("DTEND", "DURATION"):
            if name in unread:
                event.pop(name)
                self.result.problems.append(
                    f"'{_title(event)}': its end time could not be read, so it is listed without one"
                )
        if "SEQUENCE" in unread:  # only orders revisions; recurring_ical_events compares it
            event.pop("SEQUENCE")
        missing = undefined_zones(event)
        if missing:  # repair_tzids leaves none; a safety net for what icalendar reads otherwise
            return f"its time zone '{missing}' is not defined in the calendar"
        return rule_fault(event, self.hi, self.tz)

    def _description(self, occ: Component) -> str:
        """Sanitised description: Outlook's HTML alternative first, else DESCRIPTION."""
        alternatives = values(occ, "X-ALT-DESC")
        html = next((unescaped(p) for p in alternatives if is_html(p) and str(p).strip()), "")
        kind, description = ("html", html) if html else ("text", text(occ.get("DESCRIPTION")))
        if not description.strip():
            return ""
        key = (kind, description)  # a series repeats its description in every occurrence
        if key not in self._html_cache:
            clean = clean_html if kind == "html" else text_description
            self._html_cache[key] = clean(description, self.base_url)
        return self._html_cache[key]


# -- components ---------------------------------------------------------------------------


def _occurrences(events: list[Component], lo: datetime, hi: datetime) -> list[Component]:
    import recurring_ical_events  # with icalendar, when a calendar is first read (see ical_props)

    return list(recurring_ical_events.of(holder(events)).between(lo, hi))


def _title(component: Component) -> str:
    """The event's title as the skip report names it."""
    return clean_line(plain_text(text(component.get("SUMMARY")))) or UNTITLED


def _categories(component: Component) -> list[str]:
    return [str(cat) for prop in values(component, "CATEGORIES") for cat in getattr(prop, "cats", None) or [prop]]


def _made_up_uid(component: Component) -> str:
    """A stable stand-in UID (RFC 5545 requires one; some exports forget)."""
    seed = f"{text(component.get('SUMMARY'))}\n{component['DTSTART'].to_ical()!r}"
    return "no-uid-" + hashlib.sha1(seed.encode()).hexdigest()[:16]


def _expansion_fault(exc: Exception) -> str:
    import recurring_ical_events

    if isinstance(exc, recurring_ical_events.BadRuleStringFormat):
        return "its repeat rule could not be read"
    if isinstance(exc, recurring_ical_events.PeriodEndBeforeStart):
        return "it ends before it starts"
    return "its dates could not be worked out"


def _brief(exc: BaseException) -> str:
    words = " ".join(str(exc).split()) or type(exc).__name__
    return words if len(words) <= 80 else words[:79] + "…"


_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])", re.I)


def _attached_image(occ: Component) -> str | None:
    """The event's picture: the first ATTACH that says (FMTTYPE) or looks (extension) like an image."""
    for attach in values(occ, "ATTACH"):
        kind = str(getattr(attach, "params", {}).get("FMTTYPE", "")).lower()
        link = text(attach)
        if link and (kind.startswith("image/") or (not kind and _IMAGE_EXT.search(link))):
            return link
    return None


def _read(body: bytes, ctx: ReadContext) -> ReadResult:
    return read_calendar(body, source=ctx.source, tz=ctx.tz, start=ctx.window[0], end=ctx.window[1], base_url=ctx.base_url)


READER = Reader("ical", lambda head: head.lower.startswith(b"begin:vcalendar"), _read)
