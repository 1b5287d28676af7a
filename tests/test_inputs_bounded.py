"""Every input is bounded, each bound named (README "Bounds"): HTML depth, JSON depth, items per source per
build, bytes per body, occurrences per series. Each test is named for the case it holds."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from lxml import html as lxml_html

from digest.cli import main
from digest.collect.readers.bounds import MAX_ITEMS, MAX_JSON_DEPTH
from digest.collect.readers.ical import read_calendar
from digest.collect.readers.ical_series import MAX_OCCURRENCES
from digest.collect.readers.page import read_page
from digest.model import Event
from digest.sanitize import MAX_HTML_DEPTH, clean_html, plain_text
from tests.hardening import NOW, Entry, posts, rss, write_config
from tests.sites import Site

TOKYO = ZoneInfo("Asia/Tokyo")


def build(config: Path) -> Result:
    result = CliRunner().invoke(main, ["build", "--config", str(config), "--date", "2024-10-01",
                                       "--out", str(config.parent / "out")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def depth(fragment: str) -> int:
    """How deep the elements of an HTML fragment nest (lxml's own count, iteratively)."""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return max(sum(1 for _ in element.iterancestors()) for element in root.iter())


# -- HTML depth ----------------------------------------------------------------------------------


@pytest.mark.slow  # a whole build, ~1-2 s
def test_a_post_of_10000_nested_b_builds_instead_of_crashing_the_mjml_renderer(tmp_path: Path) -> None:
    nested = "<b>" * 10_000 + "Deep words" + "</b>" * 10_000  # 30 KB: overflowed the MJML renderer's stack
    (tmp_path / "feed.xml").write_bytes(rss([Entry("Deep", "https://member.example/deep", NOW, "deep", nested)]))
    result = build(write_config(tmp_path, {"Member": "feed.xml"}))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "newsletter.html").read_text()
    assert "Deep words" in html
    assert html.count("<b>") <= MAX_HTML_DEPTH


def test_html_nested_past_the_bound_is_flattened_its_words_kept() -> None:
    for markup in ("<div>" * 20_000 + "words", "<ul><li>" * 5_000 + "words", "<b>" * 5_000 + "</i>" * 5_000 + "words"):
        cleaned = clean_html(markup)
        assert plain_text(cleaned) == "words"
        assert depth(cleaned) <= MAX_HTML_DEPTH + 1  # +1: the wrapping div
    assert plain_text("<div>" * 20_000 + "a title") == "a title"


def test_html_that_nests_as_real_posts_do_is_left_as_it_is() -> None:
    post = "<p>One <b>two <i>three</i></b></p>" + "<ul>" + "<li>item" * 60 + "</ul><blockquote><p>quote</p></blockquote>"
    assert clean_html(post) == ("<p>One <b>two <i>three</i></b></p><ul>" + "<li>item</li>" * 60
                                + "</ul><blockquote><p>quote</p></blockquote>")


# -- JSON depth ----------------------------------------------------------------------------------


@pytest.mark.slow  # a whole build, ~1-2 s
def test_a_json_feed_nested_1000_deep_is_a_report_line_not_a_recursion_error(tmp_path: Path) -> None:
    feed = '{"version": "https://jsonfeed.org/version/1.1", "title": "M", "items": [' + "[" * 1000 + "]" * 1000 + "]}"
    (tmp_path / "feed.json").write_text(feed)
    result = build(write_config(tmp_path, {"Member": "feed.json"}))
    assert result.exit_code == 0, result.output
    assert (f"Member: failed: the feed cannot be read: its JSON nests more than {MAX_JSON_DEPTH} levels deep, more than "
            "digest reads — tell the member's web person") in result.output


def json_ld(*blocks: str) -> bytes:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    return f"<!doctype html><html><head><title>Events</title>{scripts}</head><body></body></html>".encode()


EVENT = json.dumps({"@context": "https://schema.org", "@type": "Event", "name": "Coffee morning",
                    "startDate": "2024-10-15T10:00:00+01:00", "url": "https://member.example/coffee"})
DEEP = '{"@type": "Thing", "about": ' * 1000 + "{}" + "}" * 1000


def test_json_ld_nested_1000_deep_is_left_out_and_the_page_s_other_events_read() -> None:
    result = read_page(json_ld(DEEP, EVENT), source="M", base_url=None, summary_length=280, tz=ZoneInfo("UTC"))
    assert [item.title for item in result.items] == ["Coffee morning"]
    assert result.problems == [f"1 JSON-LD block nested more than {MAX_JSON_DEPTH} levels deep and left out: "
                               "tell the member's web person"]


def test_sources_add_on_a_page_with_json_ld_nested_1000_deep(tmp_path: Path) -> None:
    site = Site({"/": (200, "text/html; charset=utf-8", json_ld(DEEP, EVENT))})
    try:
        config = tmp_path / "sources.toml"
        config.write_text('[newsletter]\ntitle = "T"\n\n[[sections]]\ntitle = "On"\nkind = "events"\n')
        result = CliRunner().invoke(main, ["sources", "add", site.base + "/", "--yes", "--date", "2024-10-01",
                                           "-c", str(config)])
    finally:
        site.close()
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    assert "1 event" in result.output


# -- items per source per build ------------------------------------------------------------------


@pytest.mark.slow  # a whole build, ~1-2 s
def test_a_feed_of_more_than_max_items_keeps_the_newest_and_names_the_rest(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(rss(posts(MAX_ITEMS + 20, step=timedelta(hours=1))))
    result = build(write_config(tmp_path, {"Member": "feed.xml"}))
    assert result.exit_code == 0, result.output
    first_left = (NOW - timedelta(hours=MAX_ITEMS)).date().isoformat()
    assert (f"Member: it lists {MAX_ITEMS + 20} items, more than the {MAX_ITEMS} digest takes from one source in a "
            f"build: the newest (for events, the soonest) {MAX_ITEMS} are kept; left out: 'Post {MAX_ITEMS}' "
            f"({first_left}), 'Post {MAX_ITEMS + 1}' ({first_left}), 'Post {MAX_ITEMS + 2}' ({first_left}) "
            "and 17 more") in re.sub(r"\s+", " ", result.output)


def test_a_page_of_thousands_of_events_keeps_the_soonest_from_the_window_and_names_the_rest() -> None:
    start = datetime(2024, 9, 1, 9, 0, tzinfo=UTC)
    events = [{"@type": "Event", "name": f"Workshop {n}", "startDate": (start + timedelta(hours=n)).isoformat()}
              for n in range(3000)]
    body = json_ld(json.dumps({"@context": "https://schema.org", "@graph": events}))
    since = datetime(2024, 10, 1, tzinfo=UTC)
    result = read_page(body, source="M", base_url=None, summary_length=280, tz=ZoneInfo("UTC"), since=since)
    assert len(result.items) == MAX_ITEMS
    first = min(result.items, key=lambda item: item.start if isinstance(item, Event) else since)
    assert first.title == "Workshop 711"  # 1 October, 00:00: the window's first; September's are left out
    assert result.problems[0].startswith(f"it lists 3,000 items, more than the {MAX_ITEMS} digest takes from one "
                                         "source in a build: the newest (for events, the soonest) 500 are kept; "
                                         "left out: 'Workshop 1211' (2024-10-21)")


# -- occurrences per series ----------------------------------------------------------------------

MINUTELY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:minutely@example.org
DTSTAMP:20240901T000000Z
DTSTART;TZID=Asia/Tokyo:20241001T000000
DTEND;TZID=Asia/Tokyo:20241001T000100
RRULE:{rule}
SUMMARY:Every minute
LOCATION:Tokyo
END:VEVENT
END:VCALENDAR
"""


def read_series(rule: str) -> tuple[list[Event], list[str]]:
    """The events of the small minutely calendar with this rule, read for the newsletter's window; the report's lines."""
    result = read_calendar(MINUTELY.format(rule=rule).encode(), source="M", tz=TOKYO,
                           start=datetime(2024, 10, 1, tzinfo=TOKYO), end=datetime(2024, 12, 2, tzinfo=TOKYO))
    return [item for item in result.items if isinstance(item, Event)], result.problems


def test_a_month_long_minutely_event_in_tokyo_is_listed_once_and_summarised() -> None:
    (event,), problems = read_series("FREQ=MINUTELY;UNTIL=20241031T235900Z")
    assert event.start == datetime(2024, 10, 1, 0, 0, tzinfo=TOKYO)
    assert event.summary_html == ("<p>Repeats every minute from Tuesday 1 October 2024, 00:00 to Friday 1 November "
                                  "2024, 08:59.</p>")
    assert problems == [
        "'Every minute' repeats every minute, more often than every hour: it is listed once, as \"every minute from "
        "Tuesday 1 October 2024, 00:00 to Friday 1 November 2024, 08:59\""]


def test_count_100000_every_15_minutes_is_listed_once_to_the_window_s_end() -> None:
    (event,), _ = read_series("FREQ=MINUTELY;INTERVAL=15;COUNT=100000")
    assert event.summary_html == ("<p>Repeats every 15 minutes from Tuesday 1 October 2024, 00:00 to Sunday 1 "
                                  "December 2024, 23:45.</p>")


def test_count_100000_hourly_lists_the_first_max_occurrences_and_says_the_rest() -> None:
    events, _ = read_series("FREQ=HOURLY;COUNT=100000")
    assert len(events) == MAX_OCCURRENCES
    assert events[-1].start == datetime(2024, 10, 5, 3, 0, tzinfo=TOKYO)
    assert {e.summary_html for e in events} == {"<p>Also every hour to Sunday 1 December 2024, 23:00: not every date "
                                                "is listed.</p>"}


def test_count_100000_daily_is_every_day_of_the_window() -> None:
    events, problems = read_series("FREQ=DAILY;COUNT=100000")
    assert len(events) == 62 and all(e.summary_html == "" for e in events)
    assert problems == []
