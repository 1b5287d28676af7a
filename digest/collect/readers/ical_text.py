"""Text repair for calendar files, before and around icalendar's parser.

Member calendars arrive damaged: UTF-16 or Windows-1252 bytes, a BOM, folded lines, a stray
line that makes the parser refuse the whole file. These work on the text itself: decode it,
cut out events that cannot fall in the window (a speed-up for 4,000-event archives), pick out
the VEVENT and VTIMEZONE blocks for a salvage, and turn a plain-text DESCRIPTION into HTML.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from digest.collect.readers.decode import decode as decode_bytes
from digest.collect.readers.ical_props import parse_calendar
from digest.sanitize import clean_html, clean_line, plain_text, text_to_html

VEVENT_BLOCK = re.compile(r"^BEGIN:VEVENT[ \t]*$.*?^END:VEVENT[ \t]*$", re.I | re.M | re.S)
VTIMEZONE_BLOCK = re.compile(r"^BEGIN:VTIMEZONE[ \t]*$.*?^END:VTIMEZONE[ \t]*$", re.I | re.M | re.S)
X_WR_TIMEZONE_LINE = re.compile(r"^X-WR-TIMEZONE[;:][^\n]*", re.I | re.M)
_RECURRING_LINE = re.compile(r"^(?:RRULE|RDATE|EXRULE|RECURRENCE-ID)[;:]", re.I | re.M)
_RRULE_LINE = re.compile(r"^RRULE[;:][^\n]*", re.I | re.M)
_DTSTART_LINE = re.compile(r"^DTSTART[;:][^\n]*", re.I | re.M)
_UID_LINE = re.compile(r"^UID[;:][^\n]*", re.I | re.M)
_SUMMARY_LINE = re.compile(r"^SUMMARY[;:][^\n]*", re.I | re.M)
_SUBCOMPONENT = re.compile(r"^BEGIN:(?!VEVENT\b)([A-Z][A-Z0-9-]*)[ \t]*$.*?^END:\1[ \t]*$", re.I | re.M | re.S)
_LOOKS_LIKE_HTML = re.compile(
    r"<(?:/?(?:p|br|b|i|u|em|strong|ul|ol|li|span|div)\b[^>]*|a\s+href=[^>]*)>", re.I
)

if TYPE_CHECKING:
    from icalendar import Calendar
_BARE_URL = re.compile(r"https?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s<>\"'])+")


def decode(body: bytes) -> str:
    """Text (digest/readers/decode.py guesses the encoding) with LF line ends and no folding."""
    text = decode_bytes(body).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\n[ \t]", "", text)


def drop_events_outside(text: str, first: date, last: date) -> str:
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
            ends = [day_in(rule, r"UNTIL=") for rule in _RRULE_LINE.findall(block)]
            only_rules = len(ends) == len(_RECURRING_LINE.findall(block))
            return not (only_rules and all(end is not None and end < first for end in ends))
        line = _DTSTART_LINE.search(block)
        day = day_in(line.group(0).rsplit(":", 1)[-1], "") if line else None
        return day is None or first <= day <= last

    return VEVENT_BLOCK.sub(lambda m: m.group(0) if keep(m.group(0)) else "", text)


def day_in(text: str, prefix: str) -> date | None:
    """The YYYYMMDD date after `prefix` in text, or None."""
    found = re.search(prefix + r"\s*(\d{4})(\d{2})(\d{2})", text)
    try:
        return date(*(int(g) for g in found.groups())) if found else None
    except ValueError:
        return None


def wrap(blocks: list[str]) -> str:
    """Blocks of a damaged file as a calendar of their own."""
    return "BEGIN:VCALENDAR\nVERSION:2.0\n" + "\n".join(blocks) + "\nEND:VCALENDAR\n"


def parses(text: str) -> Calendar | None:
    try:
        return parse_calendar(text.encode("utf-8"))
    except Exception:  # noqa: BLE001 - any failure means "not a calendar" here
        return None


def parse_event(around: list[str], block: str) -> tuple[Calendar | None, list[str]]:
    """One VEVENT block of a damaged file (with the calendar's `around` blocks), and what had to go.

    A sub-component the parser refuses (a VALARM whose TRIGGER is `PT-2H`) costs only itself:
    it is taken out, named in the list returned, and the event is read without it.
    """
    if (calendar := parses(wrap([*around, block]))) is not None:
        return calendar, []
    dropped: list[str] = []

    def check(part: re.Match[str]) -> str:
        probe = f"BEGIN:VEVENT\nUID:probe\nDTSTART:20000101T000000Z\n{part.group(0)}\nEND:VEVENT"
        if parses(wrap([probe])) is not None:
            return part.group(0)
        dropped.append(part.group(1).upper())
        return ""

    kept = _SUBCOMPONENT.sub(check, block)
    return (parses(wrap([*around, kept])) if dropped else None), dropped


def raw_summary(block: str) -> str | None:
    """The SUMMARY of a block the parser refused, for the skip report."""
    line = _SUMMARY_LINE.search(block)
    if not line:
        return None
    raw = line.group(0).split(":", 1)[-1]
    return clean_line(plain_text(re.sub(r"\\([,;\\])", r"\1", raw))) or None


def text_description(text: str, base_url: str | None) -> str:
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
