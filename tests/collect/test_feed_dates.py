"""Feed dates (digest/collect/readers/feed_dates.py): the strict rules both paths share, and other languages last."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from digest.collect.readers.fastfeed import NotEligible, read
from digest.collect.readers.feed import read_feed
from digest.collect.readers.feed_dates import foreign, strict
from tests.conftest import corpus

RSS = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>M</title>'
       "<link>https://m.example.org/</link><item><title>Post</title><link>https://m.example.org/a</link>"
       "<guid>a</guid><pubDate>{date}</pubDate><description>Body</description></item></channel></rss>")


@pytest.mark.parametrize(("text", "utc"), [
    ("Tue, 10 Sep 2024 10:00:00 +0100", "2024-09-10T09:00:00"),
    ("Tue, 10 Sep 2024 10:00:00 BST", "2024-09-10T09:00:00"),  # a UK member's summer time, not UTC
    ("10 Sep 24 10:00 GMT", "2024-09-10T10:00:00"),  # no day name, no seconds, a two-digit year
    ("Thu, 01 Jan 2004", "2004-01-01T00:00:00"),  # no time: midnight UTC, as feedparser reads it
    ("2024-09-10T10:00:00.538+02:00", "2024-09-10T08:00:00"),  # to the second, as feedparser keeps it
    ("2024-09-10 10:00:00", "2024-09-10T10:00:00"),
])
def test_rfc822_and_w3c_dates(text: str, utc: str) -> None:
    assert strict(text) == datetime.fromisoformat(utc).replace(tzinfo=UTC)


@pytest.mark.parametrize("text", ["Sun, 16 zzz 2012 11:47:32 GMT", "Sun, 99 Jun 2009 12:00:00 GMT", "2013-01-28T25:00:00Z",
                                  "Thu, 30 Apr 2015 08:57:00 MEST", "Seg, 24 Set 2018", "2013-xx-27", ""])
def test_strict_leaves_anything_else_to_feedparser(text: str) -> None:
    assert strict(text) is None


def test_strict_agrees_with_every_date_case_of_feedparser_or_leaves_it_alone() -> None:
    """feedparser's own date cases: where strict answers, its answer is the expected one."""
    cases = json.loads(corpus("feedparser", "date_parser_cases.json").read_text())["cases"]
    answered = {}
    for case in cases:
        if (moment := strict(case["input"])) is not None:
            answered[case["input"]] = moment.utctimetuple()[:6]
            assert case["expected_utc_struct_time"] is not None, case
            assert list(moment.utctimetuple()[:6]) == case["expected_utc_struct_time"][:6], case
    assert len(answered) >= 10  # the common forms really are read here


@pytest.mark.slow  # ~1 s: dateparser loads its languages
def test_a_date_in_another_language_is_read_after_feedparser_gives_up() -> None:
    body = RSS.format(date="Seg, 24 Set 2018 10:00:00 -0300").encode()
    with pytest.raises(NotEligible, match="a date only feedparser's rules read"):
        read(body)  # the fast path leaves it to feedparser...
    result = read_feed(body, source="M", base_url=None, summary_length=280)
    assert result.problems == [] and result.skipped == 0  # ...which reads it, through dateparser
    assert result.items[0].published == datetime(2018, 9, 24, 13, 0, tzinfo=UTC)
    assert foreign("Llun, 24 Medi 2018 10:00:00 +0100") == datetime(2018, 9, 24, 9, 0, tzinfo=UTC)  # Welsh
    assert foreign("Sun, 16 zzz 2012 11:47:32 GMT") is None  # not a guess in a language nobody writes here
