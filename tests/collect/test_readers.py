"""Each fixture feed in tests/fixtures/feeds/ is read and compared with <case>.expected.json beside it.

Expected files list only the fields that case is about, so each states its point plainly.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect.readers.registry import detect, read
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"
CASES = sorted(p for p in FEEDS.iterdir() if not p.name.endswith(".expected.json"))
WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))


def read_fixture(path: Path, summary_length: int = 280):
    return read(path.read_bytes(), source="Member", base_url=None, summary_length=summary_length,
                tz=ZoneInfo("Europe/London"), window=WINDOW)


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_fixture_matches_expected(path: Path) -> None:
    expected = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text())
    result = read_fixture(path)
    assert result.skipped == expected["skipped"], result.problems
    assert len(result.items) == len(expected["items"])
    for item, want in zip(result.items, expected["items"], strict=True):
        got = item.to_json()
        for key, value in want.items():
            if key == "categories":
                value = list(value)
                got[key] = list(got[key])
            assert got[key] == value, f"{path.name}: {key} of {item.title!r}"


def test_skipped_entries_are_named_in_problems() -> None:
    result = read_fixture(FEEDS / "weird-dates.xml")
    (undated,) = [item for item in result.items if item.title == "No date at all"]
    assert result.undated == [undated.id]  # kept, to be dated when first seen (see test_sources_undated)
    assert "skipped 'Absurd year': its date 1900-01-01 is not believable" in result.problems


def test_summary_trimmed_at_word_boundary() -> None:
    result = read_fixture(FEEDS / "guid-permalink.xml", summary_length=30)
    summary = result.items[2].summary_html
    assert summary == "<p>An entry with no title gets…</p>"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"\xef\xbb\xbfBEGIN:VCALENDAR\r\n", "ical"),
        (b'  {"version": "https://jsonfeed.org/version/1.1"}', "jsonfeed"),
        (b"<!DOCTYPE html><html><head>", "html"),
        (b"<?xml version='1.0'?><rss version='2.0'>", "feed"),
        (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
        (b"   \n", "empty"),
    ],
)
def test_detect_by_content_not_name(body: bytes, kind: str) -> None:
    assert detect(body) == kind


def test_web_page_points_to_its_feed() -> None:
    page = (b'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed/"></head>'
            b"<body>Hi</body></html>")
    result = read(page, source="M", base_url="https://member.example.org/blog/", summary_length=280,
                  tz=ZoneInfo("UTC"), window=WINDOW)
    assert result.items == []
    assert result.problems == ["this address is a web page, not a feed: use this URL instead: https://member.example.org/feed/"]


def test_json_that_is_not_a_feed() -> None:
    result = read(b'{"hello": 1}', source="M", base_url=None, summary_length=280, tz=ZoneInfo("UTC"), window=WINDOW)
    assert result.problems == ["this is JSON but not a JSON Feed (no jsonfeed.org version): check the feed address"]


def test_relative_xml_base_resolves_against_the_feed_address() -> None:
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="/news/">
    <title>R</title><id>urn:r</id><updated>2024-09-01T00:00:00Z</updated>
    <entry><id>urn:1</id><title>One</title><link href="one"/><updated>2024-09-01T00:00:00Z</updated>
    <content type="html">&lt;a href="two"&gt;two&lt;/a&gt;</content></entry></feed>"""
    result = read(body, source="M", base_url="https://m.example.org/blog/feed.xml", summary_length=280,
                  tz=ZoneInfo("UTC"), window=WINDOW)
    (post,) = result.items
    assert post.url == "https://m.example.org/news/one"
    assert post.summary_html == '<a href="https://m.example.org/news/two">two</a>'
