"""Sections: windows, filters, first match wins, order, limit, cross-member dedupe."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.config.load import parse_config
from digest.edition.group import dedupe, group
from digest.model import Event, Post

CONFIG = parse_config('''
[newsletter]
title = "T"
timezone = "Europe/London"

[[sections]]
title = "Research"
kind = "posts"
tags = ["research"]

[[sections]]
title = "From B"
kind = "posts"
sources = ["B"]
limit = 1

[[sections]]
title = "Everything else"
kind = "posts"
days_back = 31

[[sections]]
title = "Cuppas"
kind = "events"
match = "(?i)cuppa"

[[sections]]
title = "Coming up"
kind = "events"
days_ahead = 14

[[sources]]
name = "A"
url = "https://a.example.org/feed"
tags = ["london"]

[[sources]]
name = "B"
url = "https://b.example.org/feed"
''', Path("sources.toml"))
LONDON = ZoneInfo("Europe/London")
EDITION = date(2024, 10, 1)


def post(id: str, source: str, when: datetime, *, url: str | None = None, categories: tuple[str, ...] = (),
         guid: str = "") -> Post:
    return Post(id=id, source=source, title=id, url=url, published=when, categories=categories, guid=guid)


def event(id: str, title: str, start: datetime | date, source: str = "A", uid: str = "") -> Event:
    all_day = isinstance(start, date) and not isinstance(start, datetime)
    return Event(id=id, source=source, title=title, start=start, end=None, all_day=all_day, uid=uid)


def titles(filled) -> dict[str, list[str]]:
    return {box.section.title: [i.id for i in box.items] for box in filled}


def test_first_matching_section_wins_and_order() -> None:
    items = [
        post("old", "A", datetime(2024, 8, 20, tzinfo=UTC)),
        post("research", "B", datetime(2024, 9, 10, tzinfo=UTC), categories=("Research",)),
        post("b1", "B", datetime(2024, 9, 11, tzinfo=UTC)),
        post("b2", "B", datetime(2024, 9, 12, tzinfo=UTC)),
        post("a-new", "A", datetime(2024, 9, 20, tzinfo=UTC)),
        event("cuppa", "Co-Pro Cuppa", datetime(2024, 10, 2, 10, tzinfo=LONDON)),
        event("webinar", "Webinar", datetime(2024, 10, 1, 9, tzinfo=LONDON)),
        event("late", "Far away", datetime(2024, 10, 20, 9, tzinfo=LONDON)),
    ]
    filled = group(items, CONFIG, EDITION)
    assert titles(filled) == {
        "Research": ["research"],
        "From B": ["b2"],
        "Everything else": ["a-new"],
        "Cuppas": ["cuppa"],
        "Coming up": ["webinar"],
    }
    assert filled[1].matched == 2  # b1 was cut by limit = 1, and does not fall through


def test_post_window_uses_newsletter_midnight() -> None:
    # 23:30 UTC on 30 Sep is 00:30 on 1 Oct in London: after the edition starts, so out.
    inside = post("inside", "A", datetime(2024, 9, 30, 22, 59, tzinfo=UTC))
    outside = post("outside", "A", datetime(2024, 9, 30, 23, 30, tzinfo=UTC))
    first_day = post("first", "A", datetime(2024, 8, 30, 23, 15, tzinfo=UTC))  # 00:15 on 31 Aug in London
    filled = group([inside, outside, first_day], CONFIG, EDITION)
    assert titles(filled)["Everything else"] == ["inside", "first"]


def test_all_day_event_on_edition_date_is_in() -> None:
    filled = group([event("day", "Open day", date(2024, 10, 1)), event("before", "Old", date(2024, 9, 30))], CONFIG, EDITION)
    assert titles(filled)["Coming up"] == ["day"]


def test_same_post_from_two_members_appears_once() -> None:
    when = datetime(2024, 9, 12, tzinfo=UTC)
    a = post("a", "A", when, url="https://www.example.org/blog/pay/")
    b = post("b", "B", when, url="http://example.org/blog/pay?utm_source=rss&utm_medium=feed#top")
    c = post("c", "B", when, url="https://example.org/blog/pay?page=2")
    kept = dedupe([b, a, c], ["A", "B"], LONDON)
    assert [p.id for p in kept] == ["a", "c"]


def test_same_event_by_uid_or_title_and_start() -> None:
    start = datetime(2024, 10, 2, 10, tzinfo=LONDON)
    kept = dedupe(
        [
            event("1", "Cuppa", start, "A", uid="u1"),
            event("2", "Cuppa (copy)", start, "B", uid="u1"),
            event("3", "cuppa", start, "B", uid="u9"),
            event("4", "Cuppa", datetime(2024, 11, 6, 10, tzinfo=LONDON), "B", uid="u1"),
        ],
        ["A", "B"],
        LONDON,
    )
    assert [e.id for e in kept] == ["1", "4"]
