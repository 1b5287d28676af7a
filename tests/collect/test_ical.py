"""iCalendar reader and date formatting: the local times an editor would see, pinned.

Every expectation is written as the newsletter prints it (Europe/London, en-GB), so a wrong
offset, a lost exclusion or a resurrected cancelled session shows up as a readable diff.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale

from digest.collect.readers import ical
from digest.collect.readers.ical import NOT_ICALENDAR, read_calendar
from digest.dates import babel_locale, format_day, format_event_when, format_post_date, format_time
from digest.model import Event, ReadResult, as_instant

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "ical"
FEEDS = ROOT / "examples" / "feeds"
EDITION = datetime(2024, 10, 1, tzinfo=LONDON)  # sources.toml: edition date, 62 days ahead
SAMPLE_CALENDARS = [
    "coproduction-collective-events.ics",
    "scie-events.ics",
    "possability-people-calendar.ics",
    "kirklees-council.ics",
]


def read(name: str | bytes, *, start: datetime = EDITION, days: int = 62, tz: ZoneInfo = LONDON,
         base_url: str | None = None, source: str = "Member") -> ReadResult:
    body = name if isinstance(name, bytes) else (FIXTURES / name).read_bytes()
    return read_calendar(body, source=source, tz=tz, start=start, end=start + timedelta(days=days), base_url=base_url)


def whens(result: ReadResult) -> list[tuple[str, str]]:
    return [(e.title, format_event_when(e, LONDON, "en-GB")) for e in result.items]


def calendar(*events: str, header: str = "") -> bytes:
    """A minimal VCALENDAR around hand-written VEVENT bodies."""
    blocks = "".join(f"BEGIN:VEVENT\n{body.strip()}\nEND:VEVENT\n" for body in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{blocks}END:VCALENDAR\n".encode()


# -- times and zones ------------------------------------------------------------------------


def test_weekly_event_keeps_its_wall_time_across_the_bst_change() -> None:
    result = read("dst-change.ics")
    assert whens(result) == [
        ("Co-production in practice webinar", "Tuesday 22 October 2024, 10:00–11:30"),
        ("Overnight listening line", "Saturday 26 October 2024, 22:00 – Sunday 27 October 2024, 04:00"),
        ("Co-production in practice webinar", "Tuesday 29 October 2024, 10:00–11:30"),
        ("Co-production in practice webinar", "Tuesday 5 November 2024, 10:00–11:30"),
    ]
    first, overnight, after, _ = result.items
    assert first.start.utcoffset() == timedelta(hours=1) and after.start.utcoffset() == timedelta(0)
    utc = UTC
    assert overnight.end.astimezone(utc) - overnight.start.astimezone(utc) == timedelta(hours=7)  # clocks went back


def test_utc_times_are_shown_in_london_time() -> None:
    result = read("utc-z.ics")
    assert whens(result) == [
        ("Peer support cuppa", "Wednesday 9 October 2024, 10:00–11:00"),  # 09:00Z in BST
        ("Reflections session", "Tuesday 12 November 2024, 13:00–15:00"),  # 13:00Z in GMT
    ]
    assert result.items[0].start == datetime(2024, 10, 9, 9, tzinfo=UTC)
    assert result.items[0].start.utcoffset() == timedelta(0)  # the event keeps its own zone


def test_windows_zone_names_become_their_iana_zone() -> None:
    result = read("windows-zone.ics")
    assert whens(result) == [
        ("Co-production Board drop-in", "Tuesday 15 October 2024, 14:00–15:30"),
        ("Co-production Board drop-in", "Tuesday 22 October 2024, 14:00–15:30"),
        ("Co-production Board drop-in", "Tuesday 29 October 2024, 14:00–15:30"),
        ("Co-production Board drop-in", "Tuesday 5 November 2024, 14:00–15:30"),
        ("European co-production exchange", "Wednesday 20 November 2024, 09:00–10:30"),  # 10:00 Berlin
    ]
    assert {e.start.tzinfo for e in result.items[:4]} == {ZoneInfo("Europe/London")}
    assert result.items[4].start.tzinfo == ZoneInfo("Europe/Berlin")


def test_floating_times_use_x_wr_timezone() -> None:
    # 10:00 New York: EDT until 3 November, while London left BST on 27 October.
    assert [w for _, w in whens(read("floating-x-wr-timezone.ics"))] == [
        "Tuesday 22 October 2024, 15:00–16:00",
        "Tuesday 29 October 2024, 14:00–15:00",
        "Tuesday 5 November 2024, 15:00–16:00",
    ]


def test_floating_times_without_x_wr_timezone_use_the_newsletter_zone() -> None:
    (event,) = read("floating-no-tz.ics").items
    assert event.start == datetime(2024, 11, 5, 18, 30, tzinfo=LONDON)
    paris = ZoneInfo("Europe/Paris")
    (in_paris,) = read("floating-no-tz.ics", tz=paris, start=EDITION.astimezone(paris)).items
    assert in_paris.start == datetime(2024, 11, 5, 18, 30, tzinfo=paris)


def test_unknown_x_wr_timezone_is_reported_and_floating_times_use_ours() -> None:
    body = calendar("UID:a\nSUMMARY:Forum\nDTSTART:20241015T100000", header="X-WR-TIMEZONE:Mars/Olympus\n")
    result = read(body)
    assert whens(result) == [("Forum", "Tuesday 15 October 2024, 10:00")]
    assert result.problems == [
        "the calendar's time zone 'Mars/Olympus' is unknown, so times without a zone are read as Europe/London"
    ]


# -- recurrences --------------------------------------------------------------------------------


def test_moved_occurrences_replace_their_originals() -> None:
    assert whens(read("moved-occurrence.ics")) == [
        ("Co-Pro Cuppa: Black History Month special", "Thursday 3 October 2024, 14:00–15:00"),
        ("Co-Pro Cuppa (brought forward)", "Thursday 28 November 2024, 10:00–11:00"),  # was 4 December
    ]  # 2 October moved to the 3rd; 6 November moved out of the window to 12 December
    later = read("moved-occurrence.ics", start=datetime(2024, 12, 1, tzinfo=LONDON), days=45)
    assert whens(later) == [
        ("Co-Pro Cuppa", "Thursday 12 December 2024, 10:00–11:00"),
        ("Co-Pro Cuppa", "Wednesday 1 January 2025, 10:00–11:00"),
    ]


def test_excluded_dates_are_left_out() -> None:
    assert [w for _, w in whens(read("exdate.ics"))] == [
        "Wednesday 2 October 2024, 10:00–12:00",
        "Wednesday 9 October 2024, 10:00–12:00",  # 16th (TZID form) and 23rd (UTC form) excluded
        "Wednesday 30 October 2024, 10:00–12:00",
    ]


def test_extra_dates_are_added() -> None:
    assert [w for _, w in whens(read("rdate.ics"))] == [
        "Wednesday 2 October 2024, 10:00–11:00",
        "Wednesday 6 November 2024, 10:00–11:00",
        "Wednesday 20 November 2024, 10:00–11:00",
        "Wednesday 27 November 2024, 10:00–11:00",
    ]


def test_cancelled_events_and_cancelled_occurrences_are_dropped() -> None:
    result = read("cancelled.ics")
    assert whens(result) == [
        ("Lived experience forum", "Monday 7 October 2024, 18:00–19:30"),
        ("Co-production network meeting", "Tuesday 15 October 2024, 14:00–16:00"),
    ]
    assert result.skipped == 0 and result.problems == []  # cancelled is not broken


def test_unbounded_rules_are_bounded_by_the_window() -> None:
    began = time.perf_counter()
    result = read("unbounded-rule.ics")
    assert time.perf_counter() - began < 5
    daily = [e for e in result.items if e.title == "Daily check-in"]
    assert len(daily) == 62
    assert format_event_when(daily[0], LONDON, "en-GB") == "Tuesday 1 October 2024, 10:00–10:15"
    assert result.skipped == 2
    assert result.problems == [
        "skipped 'Runaway timer': it repeats too often to list",
        "skipped 'Leap day social': its repeat rule asks for dates that do not exist",  # 30 February
    ]


@pytest.mark.parametrize(("rule", "reason"), [
    ("FREQ=SECONDLY;COUNT=-1", "it repeats too often to list"),  # the library drops negative counts
    ("RRULE:FREQ=SECONDLY", "its repeat rule could not be read"),  # icalendar: no FREQ; dateutil: every second
    ("FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "its repeat rule asks for dates that do not exist"),
    ("FREQ=YEARLY;BYMONTH=13", "its repeat rule asks for dates that do not exist"),
])
def test_rules_that_would_stall_the_build_are_refused(rule: str, reason: str) -> None:
    began = time.process_time()
    result = read(calendar(f"UID:a\nSUMMARY:Runaway\nDTSTART:20240101T000000Z\nRRULE:{rule}"))
    assert time.process_time() - began < 1
    assert result.items == [] and result.problems == [f"skipped 'Runaway': {reason}"]


# -- all-day, durations, ends ---------------------------------------------------------------------


def test_all_day_ranges() -> None:
    result = read("all-day-range.ics")
    assert whens(result) == [
        ("Co-production training day", "Monday 14 October 2024"),
        ("Co-production Autumn Week", "Monday 21 – Friday 25 October 2024"),
        ("Peer research residential", "Wednesday 30 October – Friday 1 November 2024"),
    ]  # "Recovery month" began in September and is still running: left out by design
    week = result.items[1]
    assert week.all_day and (week.start, week.end) == (date(2024, 10, 21), date(2024, 10, 26))
    winter = read("all-day-range.ics", start=datetime(2024, 12, 2, tzinfo=LONDON), days=31)
    assert whens(winter) == [("Winter retreat", "Monday 30 December 2024 – Thursday 2 January 2025")]


def test_duration_instead_of_dtend() -> None:
    assert whens(read("duration.ics")) == [
        ("Co-design workshop", "Wednesday 23 October 2024, 13:30–15:45"),
        ("Citizens' panel residential", "Tuesday 12 – Thursday 14 November 2024"),
    ]


def test_events_without_an_end() -> None:
    result = read("no-end.ics")
    assert whens(result) == [
        ("World Mental Health Day", "Thursday 10 October 2024"),
        ("Deadline: expressions of interest for the advisory group", "Thursday 31 October 2024, 17:00"),
    ]
    day, deadline = result.items
    assert day.end == date(2024, 10, 11) and deadline.end is None


# -- files ----------------------------------------------------------------------------------------


def test_several_calendars_in_one_file() -> None:
    assert whens(read("two-calendars.ics")) == [
        ("Kirklees co-production journey", "Tuesday 8 October 2024, 11:00–12:15"),
        ("Co-production Week Scotland launch", "Monday 18 November 2024, 10:00–12:00"),
    ]


def test_bom_crlf_and_folded_lines() -> None:
    assert (FIXTURES / "bom.ics").read_bytes().startswith(b"\xef\xbb\xbfBEGIN:VCALENDAR\r\n")
    (event,) = read("bom.ics").items
    assert event.title == "Café co-production ‘meet and greet’"
    assert "two lines because it was longer" in event.summary_html
    assert format_event_when(event, LONDON, "en-GB") == "Thursday 17 October 2024, 15:00–16:30"


CAFE = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Café\r\nDTSTART:20241010T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


@pytest.mark.parametrize("body", [CAFE.encode(encoding) for encoding in ("cp1252", "utf-16", "utf-8-sig")])
def test_legacy_encodings(body: bytes) -> None:
    assert whens(read(body)) == [("Café", "Thursday 10 October 2024, 11:00")]


NOT_CALENDARS = [
    b"", b"<!doctype html><html><body>Not found</body></html>", b"\x00\xff\xfe garbage",
    b'{"version": "https://jsonfeed.org/version/1.1"}',
]


@pytest.mark.parametrize("body", NOT_CALENDARS)
def test_a_body_that_is_not_a_calendar(body: bytes) -> None:
    result = read(body)
    assert result.items == [] and result.problems == [NOT_ICALENDAR] and result.format == "iCalendar"


def test_a_damaged_calendar_is_salvaged() -> None:
    result = read("damaged.ics")  # stray "X" line at calendar level, VCALENDAR never closed
    assert whens(result) == [("Co-production Network meeting", "Wednesday 16 October 2024, 14:00–15:30")]
    assert result.problems == [
        "the calendar file is damaged (Content line could not be parsed into parts: 'X': Invalid content line);"
        " only the events that could be read are listed"
    ]


# -- broken events --------------------------------------------------------------------------------


def test_one_bad_vevent_is_skipped_and_named() -> None:
    result = read("bad-vevent.ics")
    assert whens(result) == [("Co-production Board", "Tuesday 8 October 2024, 14:00–15:30"),
                             ("Carers' network", "Thursday 10 October 2024, 10:00–11:00")]  # never dropped for its zone
    assert result.skipped == 2
    assert result.problems == [
        "the time zone 'Nowhere/Land' is not defined in the calendar, so its times are read as Europe/London "
        "(the newsletter's time zone): check them",
        "skipped 'Board meeting': its start time could not be read",
        "skipped 'Lived experience forum': its repeat rule could not be read",
    ]


def test_other_broken_events_are_reported_in_editor_words() -> None:
    body = calendar(
        "UID:a\nSUMMARY:No start",
        "UID:b\nSUMMARY:Bad until\nDTSTART;TZID=Europe/London:20241002T100000\nRRULE:FREQ=WEEKLY;UNTL=20241030",
        "UID:c\nSUMMARY:Bad end\nDTSTART:20241003T100000Z\nDTEND:soon",
        "UID:d\nSUMMARY:Google export\nDTSTART;VALUE=DATE:20241004\nEXDATE;VALUE=DATE:\nRRULE:FREQ=DAILY;COUNT=2",
        "UID:e\nDTSTART:nonsense",
    )
    result = read(body)
    assert whens(result) == [
        ("Bad end", "Thursday 3 October 2024, 11:00"),
        ("Google export", "Friday 4 October 2024"),
        ("Google export", "Saturday 5 October 2024"),
    ]
    assert result.skipped == 3
    assert result.problems == [
        "'Bad end': its end time could not be read, so it is listed without one",
        "skipped 'No start': it has no start time",
        "skipped 'Bad until': its repeat rule could not be read",
        "skipped an untitled event: its start time could not be read",
    ]


def test_a_series_the_library_cannot_expand_costs_only_itself() -> None:
    result = read(calendar(
        "UID:good\nSUMMARY:Good\nDTSTART:20241002T100000Z",
        "UID:s\nSUMMARY:Series\nDTSTART:20241003T100000Z\nRRULE:FREQ=WEEKLY;COUNT=3",
        "UID:s\nSUMMARY:Series moved\nRECURRENCE-ID:20241010T100000Z\nRECURRENCE-ID:20241017T100000Z\n"
        "DTSTART:20241011T100000Z",  # two RECURRENCE-IDs: recurring_ical_events raises TypeError
        "UID:far\nSUMMARY:Far future\nDTSTART:20241004T100000Z\nDURATION:P2900000D",  # OverflowError
    ))
    assert whens(result) == [("Good", "Wednesday 2 October 2024, 11:00")]
    assert result.skipped == 2 and result.problems == [
        "skipped 'Series': its dates could not be worked out",
        "skipped 'Far future': its dates could not be worked out",
    ]


def test_the_skip_report_is_capped() -> None:
    result = read(calendar(*(f"UID:{n}\nSUMMARY:Session {n}\nDTSTART:broken" for n in range(15))))
    assert result.skipped == 15
    assert len(result.problems) == 11 and result.problems[-1] == "…and 5 more events were skipped"


def test_non_gregorian_calendars_are_reported() -> None:
    result = read(calendar("UID:a\nSUMMARY:x\nDTSTART:20241003T100000Z", header="CALSCALE:CHINESE\n"))
    assert result.items == [] and result.problems == ["the calendar uses the CHINESE calendar scale, which is not supported"]


@pytest.mark.parametrize("name", SAMPLE_CALENDARS + ["moved-occurrence.ics", "windows-zone.ics"])
def test_truncated_files_never_raise(name: str) -> None:
    body = (FEEDS / name if (FEEDS / name).exists() else FIXTURES / name).read_bytes()
    for cut in range(0, len(body), 173):
        assert isinstance(read(body[:cut]), ReadResult)


# -- fields -------------------------------------------------------------------------------------


def test_event_fields() -> None:
    result = read((FEEDS / "coproduction-collective-events.ics").read_bytes(), source="Co-Production Collective events")
    cuppa = result.items[0]
    assert cuppa.source == "Co-Production Collective events"
    assert cuppa.uid == "10000345-1704276000-1704279600@collective.example.org"
    assert re.fullmatch(r"[0-9a-f]{16}", cuppa.id)
    assert cuppa.url == "https://collective.example.org/event/co-pro-cuppa/2024-10-03/"
    assert cuppa.location == "Online"
    assert cuppa.categories == ("Co-Pro Cuppa", "Online events")
    assert cuppa.summary_html.startswith("<p>This month's Cuppa moves to Thursday afternoon")
    assert not cuppa.all_day


def test_the_same_uid_from_two_members_gets_the_same_id() -> None:
    body = (FIXTURES / "moved-occurrence.ics").read_bytes()
    ids = [e.id for e in read(body, source="One").items]
    assert ids == [e.id for e in read(body, source="Other").items]
    assert len(set(ids)) == len(ids)


def test_events_without_uid_get_stable_ids_and_no_uid() -> None:
    body = calendar("SUMMARY:Open meeting\nDTSTART:20241010T100000Z", "SUMMARY:Open meeting\nDTSTART:20241017T100000Z")
    first, second = read(body).items
    assert first.uid == second.uid == "" and first.id != second.id
    assert [e.id for e in read(body).items] == [first.id, second.id]


def test_titles_locations_and_links_are_made_safe() -> None:
    body = calendar(
        "UID:a\nSUMMARY:<b>Hello</b> {{ name }} &amp; friends\nLOCATION:Room *|ROOM|*\nURL:/events/hello\n"
        "DTSTART:20241010T100000Z",
        "UID:b\nDTSTART:20241011T100000Z\nURL:javascript:alert(1)",
    )
    named, untitled = read(body, base_url="https://member.example.org/calendar/").items
    assert named.title == "Hello {\u200b{ name }\u200b} & friends"
    assert named.location == "Room *\u200b|ROOM|\u200b*"
    assert named.url == "https://member.example.org/events/hello"
    assert untitled.title == "(untitled event)" and untitled.url is None


def test_descriptions() -> None:
    plain = calendar("UID:a\nSUMMARY:x\nDTSTART:20241010T100000Z\n"
                     r"DESCRIPTION:Join us.\n\nBook at https://example.org/book?a=1&b=2. <script>x</script>")
    assert read(plain).items[0].summary_html == (
        '<p>Join us.</p><p>Book at <a href="https://example.org/book?a=1&amp;b=2">'
        "https://example.org/book?a=1&amp;b=2</a>. &lt;script&gt;x&lt;/script&gt;</p>"
    )
    google = read((FEEDS / "possability-people-calendar.ics").read_bytes()).items[0]
    assert google.summary_html.startswith("Drop in for a <b>cuppa and a chat</b> with people")
    assert '<a href="https://possability.example.com/events/peer-support-cuppa">' in google.summary_html
    outlook = read((FEEDS / "kirklees-council.ics").read_bytes()).items[0]
    assert outlook.summary_html == (
        "<p>Drop in to meet members of the Kirklees Co-production Board, ask questions and find out how to get "
        "involved in shaping adult social care.</p>\n\n<p>Tea and coffee provided. More about the Board: "
        '<a href="https://kirklees.example.org/co-production/board"><u></u><u>'
        "https://kirklees.example.org/co-production/board</u></a>.</p>"
    )


@pytest.mark.slow  # ~1 s: every fixture parsed twice
def test_skipping_out_of_window_events_before_parsing_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    bodies = [p.read_bytes() for p in sorted(FIXTURES.glob("*.ics"))] + [(FEEDS / n).read_bytes() for n in SAMPLE_CALENDARS]
    windows = [EDITION, datetime(2024, 9, 1, tzinfo=LONDON), datetime(2024, 12, 20, tzinfo=LONDON)]
    fast = [[e.id for e in read(b, start=w).items] for b in bodies for w in windows]
    monkeypatch.setattr(ical, "drop_events_outside", lambda text, *_: text)
    assert fast == [[e.id for e in read(b, start=w).items] for b in bodies for w in windows]


# -- the sample network ---------------------------------------------------------------------------


def test_sample_network_calendars() -> None:
    events = sorted(
        (e for name in SAMPLE_CALENDARS for e in read((FEEDS / name).read_bytes(), source=name).items),
        key=lambda e: as_instant(e.start, LONDON),
    )
    assert all(read((FEEDS / name).read_bytes()).problems == [] for name in SAMPLE_CALENDARS)
    cuppa = re.compile("(?i)cuppa")
    cuppas = ReadResult(items=[e for e in events if cuppa.search(e.title)])
    coming_up = ReadResult(items=[e for e in events if not cuppa.search(e.title)])
    assert whens(cuppas) == [
        ("Co-Pro Cuppa: Black History Month special", "Thursday 3 October 2024, 14:00–15:00"),
        ("Peer support cuppa", "Wednesday 9 October 2024, 10:00–11:00"),
    ]  # 6 November excluded; 2 October moved to the 3rd; 4 December is outside the window
    assert whens(coming_up) == [
        ("Co-production Board drop-in", "Tuesday 15 October 2024, 14:00–15:30"),
        ("Lived Experience Advisory Group", "Tuesday 15 October 2024, 18:00–19:30"),
        ("Our Direction: help shape our next strategy", "Wednesday 16 October 2024, 13:00–14:30"),
        ("Co-production Autumn Week", "Monday 21 – Friday 25 October 2024"),
        ("Co-production Board drop-in", "Tuesday 22 October 2024, 14:00–15:30"),
        ("Living a good life: evaluation tool workshop", "Wednesday 23 October 2024, 13:00–15:00"),
        ("Webinar: Co-production – what's missing?", "Thursday 24 October 2024, 10:00–11:30"),
        ("Webinar: The language of social care and co-production", "Friday 25 October 2024, 10:00–11:30"),
        ("Webinar: Kirklees – a co-production journey", "Monday 28 October 2024, 10:00–11:30"),
        ("Workshop: Looking at impact and evidencing co-production", "Tuesday 29 October 2024, 10:00–11:30"),
        ("Co-production Board drop-in", "Tuesday 29 October 2024, 14:00–15:30"),
        ("Co-production Board drop-in", "Tuesday 5 November 2024, 14:00–15:30"),
        ("Direct Payments co-production group", "Thursday 7 November 2024, 10:00–12:00"),
        ("Co-Producing Co-Production: reflections and next steps", "Tuesday 12 November 2024, 13:00–15:00"),
        ("Community gathering: the Value of Co-Production", "Thursday 14 November 2024, 17:30–19:30"),
        ("Lived Experience Advisory Group", "Tuesday 19 November 2024, 18:00–19:30"),
        ("Kirklees Co-production Network conference", "Tuesday 26 November 2024"),
    ]


# -- dates.py -------------------------------------------------------------------------------------


def event(start: date | datetime, end: date | datetime | None) -> Event:
    return Event(id="x", source="s", title="t", start=start, end=end, all_day=not isinstance(start, datetime))


@pytest.mark.parametrize(("language", "expected"), [
    ("en-GB", "en_GB"), ("en_GB", "en_GB"), ("cy", "cy"), ("cy-GB", "cy_GB"), ("fr-XX", "fr"), ("xx", "en"), ("", "en"),
])
def test_babel_locale(language: str, expected: str) -> None:
    assert babel_locale(language) == Locale.parse(expected)


def test_format_day_and_time() -> None:
    assert format_day(date(2024, 6, 28), "en-GB") == "Friday 28 June 2024"
    assert format_day(date(2024, 6, 28), "cy") == "Dydd Gwener, 28 Mehefin 2024"
    assert format_time(datetime(2024, 6, 28, 10, 0), "en-GB") == "10:00"
    assert format_time(datetime(2024, 6, 28, 15, 5).time(), "cy") == "15:05"


def test_format_post_date_uses_the_newsletter_day() -> None:
    assert format_post_date(datetime(2024, 6, 27, 23, 30, tzinfo=UTC), LONDON, "en-GB") == "Friday 28 June 2024"


@pytest.mark.parametrize(("start", "end", "en_gb", "cy"), [
    (datetime(2024, 7, 2, 10, tzinfo=LONDON), datetime(2024, 7, 2, 11, 30, tzinfo=LONDON),
     "Tuesday 2 July 2024, 10:00–11:30", "Dydd Mawrth, 2 Gorffennaf 2024, 10:00 – 11:30"),
    (datetime(2024, 7, 2, 9, tzinfo=UTC), datetime(2024, 7, 3, 11, tzinfo=UTC),
     "Tuesday 2 July 2024, 10:00 – Wednesday 3 July 2024, 12:00",
     "Dydd Mawrth, 2 Gorffennaf 2024, 10:00 – Dydd Mercher, 3 Gorffennaf 2024, 12:00"),
    (datetime(2024, 7, 2, 10, tzinfo=LONDON), None, "Tuesday 2 July 2024, 10:00", "Dydd Mawrth, 2 Gorffennaf 2024, 10:00"),
    (date(2024, 7, 1), date(2024, 7, 2), "Monday 1 July 2024", "Dydd Llun, 1 Gorffennaf 2024"),
    (date(2024, 7, 1), date(2024, 7, 6), "Monday 1 – Friday 5 July 2024", "Dydd Llun, 1 – Dydd Gwener, 5 Gorffennaf 2024"),
    (date(2024, 7, 29), date(2024, 8, 3), "Monday 29 July – Friday 2 August 2024",
     "Dydd Llun, 29 Gorffennaf – Dydd Gwener, 2 Awst 2024"),
    (date(2024, 12, 30), date(2025, 1, 3), "Monday 30 December 2024 – Thursday 2 January 2025",
     "Dydd Llun, 30 Rhagfyr 2024 – Dydd Iau, 2 Ionawr 2025"),
])
def test_format_event_when(start: date | datetime, end: date | datetime | None, en_gb: str, cy: str) -> None:
    assert format_event_when(event(start, end), LONDON, "en-GB") == en_gb
    assert format_event_when(event(start, end), LONDON, "cy") == cy


# -- Outlook's display-name TZIDs and custom zones without a VTIMEZONE --------------


def test_windows_display_name_tzids_without_a_vtimezone_are_read_in_their_real_zone() -> None:
    """Outlook/Exchange write "(UTC-05:00) Eastern Time (US & Canada)" as the TZID and no VTIMEZONE."""
    result = read("outlook-display-name-tzids.ics")
    assert whens(result) == [
        ("Partners' call (New York)", "Tuesday 15 October 2024, 19:00–20:00"),  # 14:00 EDT (UTC-4) = 19:00 BST
        ("Sydney research exchange", "Tuesday 15 October 2024, 23:00 – Wednesday 16 October 2024, 00:00"),  # 09:00 AEDT
        ("Steering group", "Friday 18 October 2024, 10:00–11:30"),
        ("Transatlantic weekly", "Tuesday 22 October 2024, 19:00–19:30"),
        ("Transatlantic weekly", "Tuesday 29 October 2024, 18:00–18:30"),  # London has changed, New York not yet
        ("Transatlantic weekly", "Tuesday 5 November 2024, 19:00–19:30"),
    ]
    assert result.skipped == 0
    assert result.problems == ["the time zone 'tzone://Microsoft/Custom' is not defined in the calendar, so its "
                               "times are read as Europe/London (the newsletter's time zone): check them"]


def test_an_unresolvable_tzid_is_floating_in_the_calendars_own_zone_when_it_states_one() -> None:
    body = calendar("UID:a\nSUMMARY:Board\nDTSTART;TZID=Customized Time Zone:20241015T100000\n"
                    'DTEND;TZID="tzone://Microsoft/Custom":20241015T110000',
                    header="X-WR-TIMEZONE:Europe/Paris\n")
    result = read(body)
    assert whens(result) == [("Board", "Tuesday 15 October 2024, 09:00–10:00")]
    assert result.problems == [f"the time zone '{name}' is not defined in the calendar, so its times are "
                               "read as Europe/Paris (the calendar's time zone): check them"
                               for name in ("Customized Time Zone", "tzone://Microsoft/Custom")]


def test_a_tzid_the_calendar_defines_is_left_to_its_vtimezone() -> None:
    from digest.collect.readers.ical_zones import repair_tzids

    text = ("BEGIN:VTIMEZONE\nTZID:(UTC-05:00) Eastern Time (US & Canada)\nEND:VTIMEZONE\n"
            'DTSTART;TZID="(UTC-05:00) Eastern Time (US & Canada)":20241015T140000\n'
            'DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna":20241015T140000\n'
            "DTSTART;TZID=Europe/London:20241015T140000\n")
    repaired, dropped = repair_tzids(text)
    assert repaired.splitlines()[3:] == ['DTSTART;TZID="(UTC-05:00) Eastern Time (US & Canada)":20241015T140000',
                                         "DTSTART;TZID=Europe/Berlin:20241015T140000",
                                         "DTSTART;TZID=Europe/London:20241015T140000"]
    assert dropped == []


@pytest.mark.parametrize(("name", "zone"), [
    ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
    ("(GMT+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"),
    ("(UTC+00:00) Dublin, Edinburgh, Lisbon, London", "Europe/London"),
    ("(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London", "Europe/London"),
    ("(UTC) Coordinated Universal Time", "Etc/GMT"),
    ("(UTC-07:00) Yukon", "America/Whitehorse"),
])
def test_windows_display_names_map_to_iana_zones(name: str, zone: str) -> None:
    from digest.collect.readers.ical_zones import display_zone

    assert display_zone(name) == zone
