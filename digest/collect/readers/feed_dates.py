"""The dates in RSS and Atom feeds, read the same way on both paths (fastfeed's and feedparser's).

`strict` reads the two forms feeds are meant to use, and nothing looser: RFC 822 as RSS writes
it ("Tue, 10 Sep 2024 10:00:00 +0100", through email.utils; a two-digit year is 19xx from 90 on,
20xx below, as feedparser reads it), and W3C/ISO 8601 as Atom writes it
("2024-09-10T10:00:00Z", through datetime.fromisoformat). UK members' "BST" and "IST" are read
as +01:00 (email.utils would read them as UTC). feedparser is given `strict` as its first date
handler (feedparser.registerDateHandler, its public hook), so a date `strict` reads means the
same on both paths; one it leaves alone goes to feedparser's own handlers, and fastfeed then
leaves that feed to feedparser.

`foreign` is the last resort, for a date no English rule reads because it is written in another
language ("Seg, 24 Set 2018"): dateparser, limited to absolute dates with a day, month and year,
in the languages of FOREIGN_LANGUAGES (more languages would make it guess: "16 zzz 2012" is a
June date in Tongan). It is slow (~0.6 s to load, then ~10 ms a date), so it runs only for the
dates every other rule gave up on.

Every date is returned in UTC and to the second (feedparser keeps no fractions).
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

# Zones by name: RFC 822's own, as email.utils and feedparser both read them, and the UK's summer times.
ZONES = {"UT": "+0000", "UTC": "+0000", "GMT": "+0000", "Z": "+0000", "EST": "-0500", "EDT": "-0400",
         "CST": "-0600", "CDT": "-0500", "MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
         "BST": "+0100", "IST": "+0100"}
_RFC822 = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*,?\s*)?"  # the day's name, if any (never checked, as everyone does)
    r"(?P<date>\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))\s+(?P<year>\d{4}|\d{2})"
    r"(?:\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?:\s*(?P<zone>[+-]\d{4}|[a-z]{1,3}))?)?\s*$", re.I)
_W3DTF = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?)?$")
FOREIGN_LANGUAGES = ("cy", "ga", "gd", "fr", "de", "es", "pt", "it", "nl", "pl", "sv", "da", "nb", "fi", "el", "hu",
                     "cs", "ro", "ca", "tr")


def strict(text: str) -> datetime | None:
    """An RFC 822 or W3C date, in UTC to the second; None for anything else (or an impossible date)."""
    text = text.strip()
    try:
        if match := _RFC822.match(text):
            zone = match["zone"] or "+0000"
            year = int(match["year"]) + (0 if len(match["year"]) == 4 else 2000 if int(match["year"]) < 90 else 1900)
            moment = email.utils.parsedate_to_datetime(
                f"{match['date']} {year} {match['time'] or '00:00:00'} {ZONES.get(zone.upper(), zone)}")
        elif match := _W3DTF.match(text):
            zone = (match["zone"] or "+00:00").upper().replace("Z", "+00:00")
            moment = datetime.fromisoformat(f"{match['date']}T{match['time'] or '00:00'}{zone}")
        else:
            return None
        if zone.upper() not in ZONES and not zone[1:].replace(":", "").isdigit():
            return None  # a zone name only feedparser knows ("MEST"): its rules, not ours
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
    except (ValueError, OverflowError):  # 30 February, hour 25, a year out of range...
        return None


def as_struct(text: str) -> time.struct_time | None:
    """`strict`'s answer as feedparser's date handlers give theirs (a UTC struct_time)."""
    moment = strict(text)
    return moment.utctimetuple() if moment is not None else None


def foreign(text: str | None) -> datetime | None:
    """A date in another language, in UTC to the second; None when it is not a whole date in one of them."""
    if not text or not text.strip():
        return None
    try:
        found = _foreign_parser().get_date_data(text.strip()).date_obj
    except (ValueError, OverflowError, TypeError):
        return None
    if not isinstance(found, datetime):
        return None
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)


@lru_cache(maxsize=1)
def _foreign_parser() -> Any:
    # Imported here: dateparser takes ~0.1 s to import and its languages ~0.5 s to load, and
    # almost every feed's dates are read by `strict` or feedparser before it is needed.
    from dateparser.date import DateDataParser

    return DateDataParser(languages=list(FOREIGN_LANGUAGES), settings={
        "STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"], "PARSERS": ["absolute-time"],
        "RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": "UTC", "TO_TIMEZONE": "UTC"})
