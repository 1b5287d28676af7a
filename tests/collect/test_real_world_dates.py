"""Dates and calendars as the real world writes them: other languages, JSON Feed's two date forms, dates with a
TZID, a bad alarm, and sheets saved by Excel for the Mac. Each test is named for its case."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from digest.collect.readers.registry import read
from digest.model import Event, Post, ReadResult

LONDON = ZoneInfo("Europe/London")
WINDOW = (datetime(2024, 10, 1, tzinfo=LONDON), datetime(2024, 12, 2, tzinfo=LONDON))


def read_body(body: bytes) -> ReadResult:
    return read(body, source="M", base_url=None, summary_length=280, tz=LONDON, window=WINDOW)


def rss_dates(*dates: str) -> bytes:
    items = "".join(f"<item><title>Post {n}</title><link>https://m.example/{n}</link><pubDate>{when}</pubDate></item>"
                    for n, when in enumerate(dates))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>M</title><link>https://m.example/</link>{items}'
            "</channel></rss>").encode()


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "feedparser"])
def test_dates_in_portuguese_are_read_and_the_member_is_not_failed(fast: bool) -> None:
    from digest.collect.readers.feed import read_feed

    result = read_feed(rss_dates("Seg, 24 Set 2018 10:00:00 +0000", "Ter, 25 Set 2018 10:00:00 -0300"), source="M",
                       base_url=None, summary_length=280, fast=fast)
    assert [(i.title, i.published) for i in result.items if isinstance(i, Post)] == [
        ("Post 0", datetime(2018, 9, 24, 10, tzinfo=UTC)), ("Post 1", datetime(2018, 9, 25, 13, tzinfo=UTC))]
    assert result.problems == [] and result.skipped == 0


def test_a_date_no_rule_reads_is_dated_on_first_sight_not_skipped() -> None:
    result = read_body(rss_dates("Seg, 24 Set 2018 10:00:00 +0000", "sometime last spring"))
    assert [i.title for i in result.items] == ["Post 0", "Post 1"]
    assert result.undated == [result.items[1].id]  # collect dates it when digest first saw it
    assert result.skipped == 0


def test_json_feed_dates_in_rfc_3339_rfc_822_or_another_language() -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "M", "items": [
        {"id": "a", "title": "RFC 3339", "content_text": "x", "date_published": "2024-09-20T10:00:00.123+01:00"},
        {"id": "b", "title": "RFC 822", "content_text": "x", "date_published": "Fri, 20 Sep 2024 10:00:00 +0100"},
        {"id": "c", "title": "Modified only", "content_text": "x", "date_modified": "Sat, 21 Sep 2024 08:00:00 GMT"},
        {"id": "d", "title": "Portuguese", "content_text": "x", "date_published": "Seg, 24 Set 2018 10:00:00 +0000"},
    ]}
    result = read_body(json.dumps(feed).encode())
    assert [(i.title, i.published) for i in result.items if isinstance(i, Post)] == [
        ("RFC 3339", datetime(2024, 9, 20, 9, tzinfo=UTC)),  # to the second, as every feed date
        ("RFC 822", datetime(2024, 9, 20, 9, tzinfo=UTC)),
        ("Modified only", datetime(2024, 9, 21, 8, tzinfo=UTC)),
        ("Portuguese", datetime(2018, 9, 24, 10, tzinfo=UTC)),
    ]
    assert result.problems == []


CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
{events}END:VCALENDAR\r
"""
ALL_DAY_WITH_TZID = """BEGIN:VEVENT\r
UID:open-day@example.org\r
DTSTAMP:20240901T000000Z\r
DTSTART;TZID=Europe/London;VALUE=DATE:20241015\r
DTEND;TZID=Europe/London;VALUE=DATE:20241017\r
SUMMARY:Open days\r
END:VEVENT\r
"""
BAD_ALARM = """BEGIN:VEVENT\r
UID:alarm@example.org\r
DTSTAMP:20240901T000000Z\r
DTSTART:20241016T100000Z\r
DTEND:20241016T110000Z\r
SUMMARY:Coffee morning\r
BEGIN:VALARM\r
ACTION:DISPLAY\r
DESCRIPTION:Reminder\r
TRIGGER:PT-2H\r
END:VALARM\r
END:VEVENT\r
"""


def events(result: ReadResult) -> list[tuple[str, object, object, bool]]:
    return [(e.title, e.start, e.end, e.all_day) for e in result.items if isinstance(e, Event)]


def test_dates_given_a_tzid_are_all_day_not_midnight_to_midnight() -> None:
    result = read_body(CALENDAR.format(events=ALL_DAY_WITH_TZID).encode())
    assert events(result) == [("Open days", date(2024, 10, 15), date(2024, 10, 17), True)]
    assert result.problems == []


def test_a_bad_valarm_is_dropped_with_a_note_and_the_event_kept() -> None:
    result = read_body(CALENDAR.format(events=ALL_DAY_WITH_TZID + BAD_ALARM).encode())
    assert events(result) == [
        ("Open days", date(2024, 10, 15), date(2024, 10, 17), True),
        ("Coffee morning", datetime(2024, 10, 16, 10, tzinfo=UTC), datetime(2024, 10, 16, 11, tzinfo=UTC), False)]
    assert result.problems == [
        "note: 'Coffee morning': its VALARM could not be read and was left out; the event is kept",
        "the calendar file is damaged (Invalid iCalendar duration: PT-2H); only the events that could be read are listed"]
    assert result.skipped == 0


SHEET = [b"title,start,location,summary", b"Coffee morning,15/10/2024 10:00,Hall,Tea and cake",
         b"Quiz night,16/10/2024 19:00,The Crown,Teams of four"]


@pytest.mark.parametrize("end", [b"\r", b"\r\n", b"\n"], ids=["CR (Excel for the Mac)", "CRLF", "LF"])
def test_a_sheet_reads_the_same_whatever_its_line_ends(end: bytes) -> None:
    result = read_body(end.join(SHEET) + end)
    assert result.format == "CSV"
    assert [(e.title, e.location, e.summary_html) for e in result.items if isinstance(e, Event)] == [
        ("Coffee morning", "Hall", "<p>Tea and cake</p>"), ("Quiz night", "The Crown", "<p>Teams of four</p>")]
    assert result.problems == []


def test_a_stray_cr_in_a_cell_is_a_space() -> None:
    body = b"\r\n".join([SHEET[0], b'Coffee\rmorning,15/10/2024 10:00,Hall,"Tea\rand cake"', SHEET[2]]) + b"\r\n"
    result = read_body(body)
    assert [(e.title, e.summary_html) for e in result.items if isinstance(e, Event)] == [
        ("Coffee morning", "<p>Tea and cake</p>"), ("Quiz night", "<p>Teams of four</p>")]


def test_a_cell_past_the_csv_module_s_limit_keeps_the_rows_before_it() -> None:
    body = b"\n".join([SHEET[0], SHEET[1], b'Huge,16/10/2024 19:00,Hall,"' + b"x" * 200_000 + b'"', SHEET[2]])
    result = read_body(body)
    assert [e.title for e in result.items] == ["Coffee morning"]
    assert result.problems == ["the sheet could not be read from line 3 on (field larger than field limit (131072)): "
                               "check that line in a spreadsheet program"]
