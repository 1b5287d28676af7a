"""CSV sources: detected by content, read into posts and events, bad rows named, kept in step with the sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect.readers.csv import read_csv
from digest.collect.readers.registry import detect
from digest.model import Event, Post
from tests.network import FIXTURES, digest, make_network

LONDON = ZoneInfo("Europe/London")


def read(name: str) -> tuple[list[Post | Event], list[str]]:
    result = read_csv((FIXTURES / "csv" / name).read_bytes(), source="Sheet", summary_length=280, tz=LONDON)
    assert result.format == "CSV"
    return result.items, result.problems


@pytest.mark.parametrize(("body", "kind"), [
    (b"title,url,date,summary\nA,https://x.org/a,2024-09-01,B\n", "csv"),
    (b"\xef\xbb\xbfTitle;URL;Start;End;Location\n", "csv"),
    (b"Title\tDate\n", "csv"),
    (b"name,url,when\n", "feed"),  # no title column: not ours to read as a sheet
    (b"<?xml version='1.0'?><rss><channel><title>title,date</title></channel></rss>", "feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "title": "title,date"}', "jsonfeed"),
    (b"BEGIN:VCALENDAR\r\nSUMMARY:title,date\r\n", "ical"),
])
def test_detected_by_content(body: bytes, kind: str) -> None:
    assert detect(body) == kind


def test_posts() -> None:
    items, problems = read("leeds.csv")
    assert problems == []
    first = items[0]
    assert first == Post(
        id=first.id, source="Sheet", title="Our summer report", url="https://leeds.example.org/summer-report",
        published=datetime(2024, 8, 19, 23, 0, tzinfo=UTC),  # midnight in London, in UTC
        summary_html="<p>What we did this summer, in pictures and words.</p>",
        guid="https://leeds.example.org/summer-report")
    assert [i.title for i in items] == ["Our summer report", "Autumn volunteers wanted", "Walking group restarts",
                                       "Winter newsletter"]


def test_events_and_a_post_in_one_sheet() -> None:
    items, problems = read("hull.csv")
    assert problems == []
    post, open_day, fair, carols = items
    assert isinstance(post, Post) and post.published == datetime(2024, 9, 24, 23, 0, tzinfo=UTC)  # 25/09/2024
    assert isinstance(open_day, Event)
    assert (open_day.start, open_day.end, open_day.all_day, open_day.location) == (
        datetime(2024, 10, 15, 10, 0, tzinfo=LONDON), datetime(2024, 10, 15, 12, 0, tzinfo=LONDON), False,
        "Hull Central Library")
    assert (fair.start, fair.end, fair.all_day, fair.url) == (date(2024, 11, 20), None, True, None)
    assert carols.end == datetime(2024, 12, 12, 19, 30, tzinfo=LONDON)
    assert carols.summary_html == ""


def test_an_all_day_events_last_day_is_the_sheets_way() -> None:
    body = b"title,start,end\nArts festival,01/11/2024,03/11/2024\n"
    (event,) = read_csv(body, source="S", summary_length=280, tz=LONDON).items
    assert (event.start, event.end) == (date(2024, 11, 1), date(2024, 11, 4))  # exclusive, as iCalendar counts


def test_spreadsheet_dialects() -> None:
    (semicolon,), problems = read("semicolon.csv")
    assert problems == [] and semicolon.title == "Semicolons; sheet" and semicolon.url == "https://x.example.org/a"
    (excel,), problems = read("excel-cp1252.csv")
    assert problems == [] and excel.title == "Café – open again" and excel.summary_html == "<p>Tea £2 a cup</p>"


def test_bad_rows_are_skipped_and_named() -> None:
    items, problems = read("bad-rows.csv")
    assert [i.title for i in items] == ["Fine post"]
    assert problems == [
        "row 2: it has no title",
        "row 3 ('No date'): it has no date (or start, for an event)",
        "row 4 ('Bad date'): '31/31/2024' is not a date: write it as 2024-09-30 or 30/09/2024, "
        "with a time if you like (14:00)",
        "row 5 ('Bad link'): its url 'www.x.example.org/page' is not a web address: write it in full, starting https://",
        "row 6 ('Backwards event'): its end '13:00' is not after its start",
        "row 7 ('Half timed event'): its start and end '2024-10-15 16:00' must both have a time, "
        "or neither (an all-day event)",
    ]


def test_a_sheet_without_the_columns_says_which() -> None:
    result = read_csv(b"title,link,when\nA,B,C\n", source="S", summary_length=280, tz=LONDON)
    assert result.items == []
    assert result.problems == ["the first row must name the columns: title,url,date,summary "
                               "(events: title,url,start,end,location,summary)"]


def test_feeds_the_same_sections_and_follows_the_sheet(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    first = digest("build", "-c", config, "--date", "2024-10-01")
    assert first.exit_code == 0, first.output
    assert "\nHull Circle       4     3  ok\n" in first.stdout
    html = (tmp_path / "build" / "2024-10-01" / "newsletter.html").read_text()
    assert "Hull Circle open day" in html and "Circle meets the council" in html
    sheet = tmp_path / "hull.csv"
    sheet.write_text(sheet.read_text().replace("Hull Circle open day", "Hull Circle open morning"))
    digest("build", "-c", config, "--date", "2024-10-01")
    html = (tmp_path / "build" / "2024-10-01" / "newsletter.html").read_text()
    assert "Hull Circle open morning" in html and "Hull Circle open day" not in html, "an edited row replaces the old one"
