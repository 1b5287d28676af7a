"""Grouping's windows at their edges: posts in [00:00 − days_back, 00:00), events in [00:00, 00:00 + days_ahead).

00:00 is the edition date's midnight in the newsletter's timezone, and whole days are counted on its
calendar (a day across a clock change is 23 or 25 hours), so each test below puts an item on an edge
and one just past it, where a window counted in UTC, or ending inclusive, would say otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.config.keys import Config
from digest.config.load import parse_config
from digest.edition.group import edition_start, event_window, group
from digest.model import Event, Filled, Item, Post

LONDON = ZoneInfo("Europe/London")
EDITION = date(2024, 10, 1)  # British Summer Time: 00:00 in London is 23:00 UTC the day before
TICK = timedelta(microseconds=1)


def config(sections: str, timezone: str = "Europe/London") -> Config:
    return parse_config(f'[newsletter]\ntitle = "T"\ntimezone = "{timezone}"\n{sections}\n'
                        '[[sources]]\nname = "A"\nurl = "https://a.example.org/feed"\n', Path("sources.toml"))


def posts_section(days_back: int, title: str = "News") -> str:
    return f'[[sections]]\ntitle = "{title}"\nkind = "posts"\ndays_back = {days_back}\n'


def events_section(days_ahead: int, title: str = "Coming up") -> str:
    return f'[[sections]]\ntitle = "{title}"\nkind = "events"\ndays_ahead = {days_ahead}\n'


def post(id: str, published: datetime) -> Post:
    return Post(id=id, source="A", title=id, url=None, published=published)


def event(id: str, start: datetime | date) -> Event:
    all_day = not isinstance(start, datetime)
    return Event(id=id, source="A", title=id, start=start, end=None, all_day=all_day)


def shown(items: Sequence[Item], cfg: Config, edition: date = EDITION) -> dict[str, list[str]]:
    filled: list[Filled] = group(items, cfg, edition)
    return {box.section.title: sorted(item.id for item in box.items) for box in filled}


def test_the_edition_starts_at_midnight_in_the_newsletters_timezone() -> None:
    assert edition_start(EDITION, LONDON) == datetime(2024, 9, 30, 23, tzinfo=UTC)
    assert edition_start(date(2024, 12, 1), LONDON) == datetime(2024, 12, 1, tzinfo=UTC)  # GMT in winter


def test_a_post_at_the_first_instant_of_its_window_is_in_and_one_before_it_is_out() -> None:
    first = datetime(2024, 9, 30, 23, tzinfo=UTC) - timedelta(days=7)  # 00:00 BST on 24 September
    found = shown([post("first", first), post("earlier", first - TICK)], config(posts_section(7)))
    assert found == {"News": ["first"]}


def test_a_post_at_the_editions_midnight_is_out_and_one_before_it_is_in() -> None:
    midnight = datetime(2024, 9, 30, 23, tzinfo=UTC)
    found = shown([post("midnight", midnight), post("last", midnight - TICK)], config(posts_section(7)))
    assert found == {"News": ["last"]}


def test_days_back_one_is_the_whole_day_before_and_nothing_else() -> None:
    day_before = [post("00:00", datetime(2024, 9, 30, 0, tzinfo=LONDON)),
                  post("23:59", datetime(2024, 9, 30, 23, 59, 59, tzinfo=LONDON))]
    outside = [post("two days", datetime(2024, 9, 29, 23, 59, 59, tzinfo=LONDON)),
               post("same day", datetime(2024, 10, 1, 0, tzinfo=LONDON))]
    assert shown(day_before + outside, config(posts_section(1))) == {"News": ["00:00", "23:59"]}


def test_the_longest_days_back_reaches_ten_years_to_the_day() -> None:
    first = datetime(2014, 9, 24, 0, tzinfo=LONDON)  # 3,660 days before 1 October 2024 (three leap days)
    assert date(2024, 10, 1) - timedelta(days=3660) == first.date()
    found = shown([post("first", first), post("earlier", first - TICK)], config(posts_section(3660)))
    assert found == {"News": ["first"]}


def test_days_back_counts_calendar_days_across_the_clocks_going_forward() -> None:
    # Edition 1 April 2024 (BST); 31 days back is 00:00 GMT on 1 March, not 23:00 UTC on 29 February.
    cfg = config(posts_section(31))
    items = [post("first", datetime(2024, 3, 1, 0, tzinfo=UTC)),
             post("29 Feb 23:30 UTC", datetime(2024, 2, 29, 23, 30, tzinfo=UTC))]
    assert shown(items, cfg, date(2024, 4, 1)) == {"News": ["first"]}


def test_an_event_at_the_editions_midnight_is_in_and_one_before_it_is_out() -> None:
    midnight = datetime(2024, 10, 1, 0, tzinfo=LONDON)
    found = shown([event("midnight", midnight), event("before", midnight - TICK)], config(events_section(14)))
    assert found == {"Coming up": ["midnight"]}


def test_an_event_at_the_end_of_its_window_is_out_and_one_before_it_is_in() -> None:
    end = datetime(2024, 10, 15, 0, tzinfo=LONDON)  # 1 October + 14 days
    found = shown([event("end", end), event("last", end - TICK)], config(events_section(14)))
    assert found == {"Coming up": ["last"]}


def test_days_ahead_counts_calendar_days_across_the_clocks_going_back() -> None:
    # Clocks go back on 27 October 2024: 31 days from 00:00 BST on 1 October end at 00:00 GMT on
    # 1 November, an hour later than 31 × 24 hours would.
    cfg = config(events_section(31))
    items = [event("31 Oct 23:30", datetime(2024, 10, 31, 23, 30, tzinfo=UTC)),
             event("1 Nov 00:00", datetime(2024, 11, 1, 0, tzinfo=UTC))]
    assert shown(items, cfg) == {"Coming up": ["31 Oct 23:30"]}


def test_days_ahead_one_is_the_edition_day_only() -> None:
    items = [event("today", date(2024, 10, 1)), event("tonight", datetime(2024, 10, 1, 23, 59, tzinfo=LONDON)),
             event("tomorrow", date(2024, 10, 2)), event("yesterday", date(2024, 9, 30))]
    assert shown(items, config(events_section(1))) == {"Coming up": ["today", "tonight"]}


def test_an_all_day_event_on_the_last_day_of_the_window_is_in() -> None:
    items = [event("last day", date(2024, 10, 14)), event("day after", date(2024, 10, 15))]
    assert shown(items, config(events_section(14))) == {"Coming up": ["last day"]}


def test_an_event_given_in_another_timezone_is_placed_by_the_instant() -> None:
    # 23:30 in New York on 30 September is 04:30 on 1 October in London: in the edition.
    # 23:30 in Lisbon (WEST) on 30 September is 23:30 in London too: before it.
    new_york, lisbon = ZoneInfo("America/New_York"), ZoneInfo("Europe/Lisbon")
    items = [event("new york", datetime(2024, 9, 30, 23, 30, tzinfo=new_york)),
             event("lisbon", datetime(2024, 9, 30, 23, 30, tzinfo=lisbon))]
    assert shown(items, config(events_section(14))) == {"Coming up": ["new york"]}


def test_a_naive_event_time_is_the_newsletters_local_time() -> None:
    items = [event("midnight", datetime(2024, 10, 1, 0, 0)), event("before", datetime(2024, 9, 30, 23, 59))]
    assert shown(items, config(events_section(14))) == {"Coming up": ["midnight"]}


@pytest.mark.parametrize(("timezone", "midnight_utc"), [
    ("Pacific/Auckland", datetime(2024, 9, 30, 11, tzinfo=UTC)),  # NZDT, UTC+13
    ("America/Los_Angeles", datetime(2024, 10, 1, 7, tzinfo=UTC)),  # PDT, UTC−7
    ("UTC", datetime(2024, 10, 1, 0, tzinfo=UTC)),
])
def test_windows_turn_at_local_midnight_whatever_the_offset(timezone: str, midnight_utc: datetime) -> None:
    cfg = config(posts_section(7) + events_section(14), timezone)
    items: list[Item] = [post("last post", midnight_utc - TICK), post("too new", midnight_utc),
                         event("first event", midnight_utc), event("too early", midnight_utc - TICK)]
    assert shown(items, cfg) == {"News": ["last post"], "Coming up": ["first event"]}


def test_an_event_past_one_sections_window_goes_to_the_next_that_takes_it() -> None:
    cfg = config(events_section(7, "This week") + events_section(14, "Later"))
    week = datetime(2024, 10, 8, 0, tzinfo=LONDON)
    items = [event("in the week", week - TICK), event("a week on", week), event("too far", week + timedelta(days=7))]
    assert shown(items, cfg) == {"This week": ["in the week"], "Later": ["a week on"]}


def test_calendars_are_expanded_to_the_furthest_events_window() -> None:
    cfg = config(events_section(7, "This week") + events_section(40, "Later") + posts_section(365))
    assert event_window(cfg, EDITION) == (datetime(2024, 10, 1, tzinfo=LONDON), datetime(2024, 11, 10, tzinfo=LONDON))
    start, end = event_window(config(posts_section(7)), EDITION)  # no events section: 62 days, the default
    assert end == datetime(2024, 12, 2, tzinfo=LONDON)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=62, hours=1)  # the clocks went back an hour
