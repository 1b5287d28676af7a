"""Form responses: the CSV that Google Forms, Microsoft Forms, Tally and Jotform export, one submission a row.

Members without a blog fill in a form ("Share your news"); its responses sheet, published as CSV
(File → Share → Publish to web → CSV) or downloaded, is the source `url`. Each tool names its
columns after the questions asked, so a column is recognised by its heading: first the usual
headings exactly (Google's "Timestamp" and "Email Address", Microsoft's "Completion time",
Tally's "Submitted at", Jotform's "Submission Date"…), then by a word in the question ("What is
the title of your story?" holds the title). `[sources.columns]` names any column the words miss.

A row with an event date is an event (its time, end time and place if given), else a post dated
when it was sent. Dates are read as the forms write them, day first unless the newsletter's
language is American English; a date without a year is the next one after the row was sent.
The sender's name and organisation become the "Shared by" line; their address and phone go only
to the editor (model.Sender), and are removed from the text (private.py).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from digest.collect.normalize import RawEntry, RawEvent, Skip, normalize_event, normalize_post, stable_id
from digest.collect.readers.csv import line_ends
from digest.collect.readers.decode import decode
from digest.collect.readers.private import credit, redact, typed_html
from digest.collect.readers.spec import MAX_SKIP_PROBLEMS, ReadContext, Reader
from digest.model import Event, Post, ReadResult, Sender
from digest.sanitize import absolute_url, clean_line, plain_text, trim_html
from digest.urls import is_web_url

# Headings each tool exports, exactly (lower case, punctuation and extra space removed)
EXACT: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "completion time", "submitted at", "submission date", "date submitted", "created at",
                  "submitted", "submission time", "start time"),
    "email": ("email address", "email", "e mail", "your email", "your email address", "respondent email"),
    "phone": ("phone", "phone number", "telephone", "mobile", "your phone number"),
    "name": ("name", "your name", "full name", "respondent", "contact name"),
    "organisation": ("organisation", "organization", "your organisation", "your organization", "group", "company"),
    "title": ("title", "headline", "story title", "event title", "event name", "title of your story"),
    "story": ("story", "your story", "news", "your news", "description", "details", "message", "summary"),
    "link": ("link", "url", "website", "web address", "more information"),
    "date": ("event date", "date of event", "date", "event day"),
    "time": ("event time", "time", "start", "event start time", "time of event"),
    "end": ("end time", "end", "finish time", "event end time"),
    "place": ("place", "where", "venue", "location", "event location", "address"),
}
# Then a word of the question, fields in this order (an "organisation name" is not a name, an "event date" no date…)
WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("email", ("email", "e mail")), ("phone", ("phone", "mobile", "telephone")),
    ("organisation", ("organisation", "organization", "group", "charity", "company")),
    ("title", ("title", "headline")), ("link", ("link", "website", "url", "web address")),
    ("end", ("end time", "finish")), ("date", ("date", "day", "when")), ("time", ("time",)),
    ("place", ("where", "venue", "location", "place")),
    ("story", ("story", "news", "tell us", "description", "details", "message", "share")), ("name", ("name",)),
)
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M", "%d/%m/%y")
_MONTH_FIRST = tuple(f.replace("%d/%m", "%m/%d") for f in _DAY_FIRST)
_ISO = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d")
_BARE_DOMAIN = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?", re.I)
_HAS_TIME = re.compile(r"\d{1,2}[:.]\d{2}|\d\s*[ap]\.?m\b", re.I)


def heading(text: str) -> str:
    """A column heading as compared: lower case, letters and digits, single spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).replace("_", " ").split())


def _header(body: bytes) -> list[str]:
    first = line_ends(decode(body[:4096])).split("\n", 1)[0]
    return next(csv.reader([first]), [])


def columns_of(names: list[str], mapped: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """{field: column as written} for a sheet's headings, and problems with the mapping given."""
    found: dict[str, str] = {}
    problems: list[str] = []
    by_heading = {heading(n): n for n in names}
    for field, wanted in mapped.items():
        if heading(wanted) in by_heading:
            found[field] = by_heading[heading(wanted)]
        else:
            problems.append(f"columns.{field} = {wanted!r} names no column of the sheet: its columns are "
                            + ", ".join(repr(n) for n in names[:12]))
    taken = set(found.values())
    for field, exact in EXACT.items():
        if field in found:
            continue
        column = next((by_heading[h] for h in exact if h in by_heading and by_heading[h] not in taken), None)
        if field == "timestamp" and column and heading(column) == "start time" and "completion time" in by_heading:
            column = by_heading["completion time"]
        if column:
            found[field] = column
            taken.add(column)
    for field, words in WORDS:
        if field in found:
            continue
        for name in names:
            if name not in taken and any(re.search(rf"\b{w}\b", heading(name)) for w in words):
                found[field] = name
                taken.add(name)
                break
    return found, problems


def is_form(head: bytes) -> bool:
    """A CSV whose first row has a when-sent column and a title or story column: a form's responses."""
    if head.lstrip().startswith((b"<", b"{", b"[")):
        return False
    names = [heading(n) for n in _header(head)]
    return bool(set(EXACT["timestamp"]) & set(names)) and len(names) >= 3 and bool(
        {"title", "story"} & set(columns_of(_header(head), {})[0]))


def parse_moment(text: str, tz: ZoneInfo, *, day_first: bool = True, after: datetime | None = None) -> datetime | date | None:
    """A form's date or date-time: the fixed formats first, then dateparser (month names, "Tuesday 15 October")."""
    text = " ".join(text.replace("\u202f", " ").split())
    if not text:
        return None
    timed = bool(_HAS_TIME.search(text))
    for fmt in _ISO + (_DAY_FIRST if day_first else _MONTH_FIRST):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=tz) if "%H" in fmt else parsed.date()
    try:
        parsed = datetime.fromisoformat(text)  # 2024-09-30T14:03:12.000Z (Tally), with an offset
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    except ValueError:
        pass
    import dateparser  # slow to load (~0.5 s): only for the dates the formats above do not read

    settings = {"DATE_ORDER": "DMY" if day_first else "MDY", "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": (after or datetime.now(tz)).replace(tzinfo=None), "REQUIRE_PARTS": ["day", "month"]}
    found: datetime | None = dateparser.parse(text, languages=["en", "cy"], settings=settings)
    if found is None:
        return None
    return (found if found.tzinfo else found.replace(tzinfo=tz)) if timed else found.date()


def _clock(text: str) -> time | None:
    text = text.strip().lower().replace(".", ":")
    if m := re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*(am|pm)?", text):
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if m.group(3) == "pm" and hour < 12:
            hour += 12
        if m.group(3) == "am" and hour == 12:
            hour = 0
        return time(hour, minute) if hour < 24 and minute < 60 else None
    return None


def read_form(body: bytes, ctx: ReadContext) -> ReadResult:
    """Each response as a post or event, its sender beside it; a bad row is skipped and named."""
    result = ReadResult(format="form")
    text = line_ends(decode(body))  # CR alone (Excel for the Mac) or a stray CR, as readers/csv.py reads them
    reader = csv.DictReader(io.StringIO(text, newline=""))
    names = [str(n) for n in reader.fieldnames or []]
    found, problems = columns_of(names, dict(ctx.columns))
    result.problems += problems
    if not {"title", "story"} & set(found):
        result.problems.append("no column holds a title or a story: name them under [sources.columns], e.g. "
                               "story = \"Tell us your news\"")
        return result
    day_first = ctx.language.replace("_", "-").lower() != "en-us"
    for row in reader:
        cells = {field: str(row.get(column) or "").strip() for field, column in found.items()}
        if not any(cells.values()):
            continue
        try:
            _row(cells, reader.line_num, ctx, day_first, result)
        except Skip as why:
            result.skipped += 1
            if len(result.problems) < MAX_SKIP_PROBLEMS:
                result.problems.append(f"row {reader.line_num}: {why}")
    return result


def _row(cells: dict[str, str], number: int, ctx: ReadContext, day_first: bool, result: ReadResult) -> None:
    sent = parse_moment(cells.get("timestamp", ""), ctx.tz, day_first=day_first)
    received = sent if isinstance(sent, datetime) else (datetime.combine(sent, time(12), ctx.tz) if sent else None)
    link_text = cells.get("link", "")
    if _BARE_DOMAIN.fullmatch(link_text):  # "hillside.example.org/news": people leave out the https://
        link_text = f"https://{link_text}"
    link = absolute_url(link_text, None) if link_text else None
    link = link if link and is_web_url(link) else None
    story = typed_html(cells.get("story", ""))
    title = clean_line(redact(plain_text(cells.get("title", ""))))
    if not title and not story:
        raise Skip("it has neither a title nor a story")
    if not title:  # a form that asks only for the news: its first words head it
        words = plain_text(story).split()
        title = " ".join(words[:10]) + ("…" if len(words) > 10 else "")
    identity = stable_id("form", cells.get("timestamp", ""), cells.get("email", ""), cells.get("name", ""), title)
    shared = credit(cells.get("name", ""), cells.get("organisation", ""))
    if cells.get("date"):
        item: Post | Event = _event(cells, title, story, link, identity, ctx, day_first, received)
        item = replace(item, summary_html=trim_html(item.summary_html, ctx.summary_length) + shared)
    else:
        raw = RawEntry(title=title, link=link, guid=f"form:{identity}", published=(received or datetime.now(UTC)),
                       summary_html=story)
        post = normalize_post(raw, source=ctx.source, summary_length=ctx.summary_length)
        item = replace(post, summary_html=post.summary_html + shared)
    result.items.append(item)
    email = cells.get("email", "")
    result.senders[item.id] = Sender(
        name=clean_line(cells.get("name", ""), 120), organisation=clean_line(cells.get("organisation", ""), 120),
        email=email if "@" in email and len(email) < 255 else "", phone=clean_line(cells.get("phone", ""), 40),
        received=received, origin=f"row {number}")


def _event(cells: dict[str, str], title: str, story: str, link: str | None, identity: str, ctx: ReadContext,
           day_first: bool, received: datetime | None) -> Event:
    day = parse_moment(cells["date"], ctx.tz, day_first=day_first, after=received)
    if day is None:
        raise Skip(f"its event date {cells['date']!r} is not a date: ask for it as 15/10/2024")
    start: datetime | date = day
    clock = _clock(cells.get("time", "")) if cells.get("time") else None
    if cells.get("time") and clock is None:
        raise Skip(f"its event time {cells['time']!r} is not a time: ask for it as 14:00")
    if clock is not None:
        start = datetime.combine(day if not isinstance(day, datetime) else day.date(), clock, ctx.tz)
    end: datetime | date | None = None
    if isinstance(start, datetime) and (finish := _clock(cells.get("end", ""))) is not None:
        end = start.replace(hour=finish.hour, minute=finish.minute)
        end = end if end > start else None
    elif not isinstance(start, datetime):
        end = start + timedelta(days=1)
    return normalize_event(RawEvent(title=title, start=start, end=end, all_day=not isinstance(start, datetime),
                                    location=redact(cells.get("place", "")), url=link, summary_html=story,
                                    uid=f"form-{identity}"), source=ctx.source)


READER = Reader("form", lambda head: is_form(head.raw), read_form)
