"""CSV sources: a member group's hand-kept sheet or a form export, read with the stdlib csv module.

Columns (first row, any order, any case): title, url, date, summary for posts; start, end,
location for events (a row with a start is an event, a row with a date a post). Optional:
tags (separated by commas or semicolons), image, image_alt. A published spreadsheet's CSV
export works as a `url` as well as a local file.

Dates are written as people write them in a sheet: 2024-09-30 or 30/09/2024 (day first, as in
the UK), with an optional time (14:00), in the newsletter's timezone. An event's `end` may be a
time on the start's day; an all-day event's end is its last day (the sheet's way), not the day
after (iCalendar's way).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from digest.collect.normalize import RawEntry, RawEvent, Skip, normalize_event, normalize_post
from digest.collect.readers.decode import decode
from digest.collect.readers.spec import Head, Reader
from digest.model import Event, Post, ReadResult, as_instant
from digest.sanitize import absolute_url, text_to_html, trim_html
from digest.urls import is_web_url

DELIMITERS = ",;\t"
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y")
_TIME = re.compile(r"^(.*?)[ T]+(\d{1,2})[:.](\d{2})(?::\d{2})?\s*$")


def _delimiter(line: str) -> str:
    """Comma, or the semicolon or tab some spreadsheets save with."""
    try:
        return csv.Sniffer().sniff(line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _header(line: str) -> list[str]:
    return [name.strip().lower() for name in next(csv.reader([line], delimiter=_delimiter(line)), [])]


def is_csv(head: bytes) -> bool:
    """True when the first line names a title column and a date or start column."""
    first = head.decode("utf-8", "replace").lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    if first.lstrip().startswith(("<", "{", "[")):
        return False
    names = set(_header(first))
    return "title" in names and bool({"date", "start"} & names)


def _day(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_when(text: str, tz: ZoneInfo) -> datetime | date | None:
    """A date (all day) or an aware date-time from a cell; None when it cannot be read."""
    text = " ".join(text.split())
    if m := _TIME.match(text):
        day = _day(m.group(1))
        hour, minute = int(m.group(2)), int(m.group(3))
        if day is None or hour > 23 or minute > 59:
            return None
        return datetime.combine(day, time(hour, minute), tzinfo=tz)
    if (day := _day(text)) is not None:
        return day
    try:
        parsed = datetime.fromisoformat(text)  # e.g. 2024-10-15T14:00:00+01:00
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _end(text: str, start: datetime | date, tz: ZoneInfo) -> datetime | date | None:
    """An event's end: a full date-time, a time on the start's day, or an all-day event's last day."""
    text = text.strip()
    if not text:
        return None
    end: datetime | date | None
    if isinstance(start, datetime) and (m := re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)):
        hour, minute = int(m.group(1)), int(m.group(2))
        end = start.astimezone(tz).replace(hour=hour, minute=minute) if hour < 24 and minute < 60 else None
    else:
        end = parse_when(text, tz)
    if end is None:
        raise Skip(f"its end {text!r} is not a date or time: write it as 16:00, 2024-10-15 16:00 or 15/10/2024")
    if isinstance(start, datetime) is not isinstance(end, datetime):
        raise Skip(f"its start and end {text!r} must both have a time, or neither (an all-day event)")
    if not isinstance(end, datetime):
        end += timedelta(days=1)  # the sheet's last day → the day after, as iCalendar and Event count
    if end <= start:
        raise Skip(f"its end {text!r} is not after its start")
    return end


def _cells(row: dict[str | None, str | list[str] | None]) -> dict[str, str]:
    return {str(k).strip().lower(): (v if isinstance(v, str) else "").strip() for k, v in row.items() if k is not None}


def read_csv(body: bytes, *, source: str, summary_length: int, tz: ZoneInfo) -> ReadResult:
    """Read a sheet's rows into posts and events; a bad row is skipped and named, never fatal."""
    result = ReadResult(format="CSV")
    text = line_ends(decode(body))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    columns = {str(c).strip().lower() for c in reader.fieldnames or []}
    if "title" not in columns or not {"date", "start"} & columns:
        result.problems.append("the first row must name the columns: title,url,date,summary "
                               "(events: title,url,start,end,location,summary)")
        return result
    try:
        for row in reader:
            number = reader.line_num
            cells = _cells(row)
            if not any(cells.values()):
                continue
            try:
                result.items.append(_row(cells, source=source, summary_length=summary_length, tz=tz))
            except Skip as why:
                result.skipped += 1
                title = " ".join(cells.get("title", "").split())
                result.problems.append(f"row {number}" + (f" ({title!r})" if title else "") + f": {why}")
    except csv.Error as exc:  # a cell over the csv module's 128 KB, a NUL...: the rows before it are kept
        result.problems.append(f"the sheet could not be read from line {reader.line_num + 1} on ({exc}): "
                               "check that line in a spreadsheet program")
    return result


def line_ends(text: str) -> str:
    """The sheet with its own line ends as LF: CR alone is a line end in a sheet that has no other
    (Excel's "CSV (Macintosh)"), and a stray one, in a sheet that does, is a space."""
    if "\n" not in text:
        return text.replace("\r", "\n")
    return text.replace("\r\n", "\n").replace("\r", " ")


def _row(cells: dict[str, str], *, source: str, summary_length: int, tz: ZoneInfo) -> Post | Event:
    title = " ".join(cells.get("title", "").split())
    if not title:
        raise Skip("it has no title")
    url = cells.get("url", "")
    link = absolute_url(url, None) if url else None
    if url and not (link and is_web_url(link)):
        raise Skip(f"its url {url!r} is not a web address: write it in full, starting https://")
    tags = [t.strip() for t in re.split(r"[,;]", cells.get("tags", "")) if t.strip()]
    summary = text_to_html(cells.get("summary", ""))
    if cells.get("start"):
        return _event(cells, title, link, trim_html(summary, summary_length), tags, source=source, tz=tz)
    if not cells.get("date"):
        raise Skip("it has no date (or start, for an event)")
    when = parse_when(cells["date"], tz)
    if when is None:
        raise Skip(f"{cells['date']!r} is not a date: write it as 2024-09-30 or 30/09/2024, with a time if you like (14:00)")
    published = as_instant(when, tz)
    raw = RawEntry(title=title, link=link, guid=link or "", published=published.astimezone(UTC),
                   summary_html=summary, categories=tags, image_url=cells.get("image") or None,
                   image_alt=cells.get("image_alt", ""))
    return normalize_post(raw, source=source, summary_length=summary_length)


def _event(cells: dict[str, str], title: str, link: str | None, summary: str, tags: list[str], *,
           source: str, tz: ZoneInfo) -> Event:
    start = parse_when(cells["start"], tz)
    if start is None:
        raise Skip(f"{cells['start']!r} is not a date: write it as 2024-10-15 14:00 or 15/10/2024 14:00")
    end = _end(cells.get("end", ""), start, tz)
    return normalize_event(RawEvent(title=title, start=start, end=end, all_day=not isinstance(start, datetime),
                                    location=cells.get("location", ""), url=link, summary_html=summary,
                                    categories=tags, image_url=cells.get("image", "").strip() or None,
                                    image_alt=cells.get("image_alt", "")), source=source)


def _detects(head: Head) -> bool:
    return not head.raw.startswith(b"<") and is_csv(head.raw)


READER = Reader("csv", _detects, lambda body, ctx: read_csv(body, source=ctx.source, summary_length=ctx.summary_length,
                                                             tz=ctx.tz))
