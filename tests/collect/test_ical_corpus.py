"""Every calendar from icalendar's and recurring-ical-events' own test suites goes through
`read_calendar` without an exception escaping; the deliberately broken ones end as reported
problems or skipped events, never a crash.

The corpora live in ../shared/corpora (CI always has them); on a clone without them these
tests skip, under CI they fail.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect.readers.ical import read_calendar
from digest.dates import format_event_when
from digest.model import Event, ReadResult
from tests.conftest import corpus

pytestmark = pytest.mark.slow  # ~18 s: every calendar of two corpora

LONDON = ZoneInfo("Europe/London")
CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
FOLDERS = ("icalendar", "recurring")
# The window STATUS_*.txt was made with, so its counts say what there is to find.
WINDOW = (datetime(1990, 1, 1, tzinfo=LONDON), datetime(2035, 1, 1, tzinfo=LONDON))


def calendar_files() -> list[Path | None]:
    """Collected at import for parametrize; [None] (one skipping test) when absent."""
    files = sorted(p for folder in FOLDERS if (CORPORA / folder).is_dir() for p in (CORPORA / folder).rglob("*.ics"))
    return list(files) or [None]


def case_id(path: Path | None) -> str:
    return str(path.relative_to(CORPORA)) if path else "corpora-absent"


@lru_cache(maxsize=1)
def listed_broken() -> tuple[str, ...]:
    """File-name patterns BROKEN.txt names as deliberately broken or edge cases."""
    tokens = (re.findall(r"[\w./*-]+\.ics", (CORPORA / f / "BROKEN.txt").read_text()) for f in FOLDERS)
    return tuple(Path(t).name for group in tokens for t in group)


@lru_cache(maxsize=1)
def library_status() -> dict[str, str]:
    """What icalendar + recurring-ical-events alone made of each file (STATUS_*.txt), by path."""
    lines = (line for f in FOLDERS for s in (CORPORA / f).glob("STATUS_*.txt") for line in s.read_text().splitlines())
    return {line.split()[0]: line for line in lines if line.strip() and not line.startswith("#")}


def read(path: Path, start: datetime = WINDOW[0], end: datetime = WINDOW[1]) -> ReadResult:
    return read_calendar(path.read_bytes(), source="Corpus", tz=LONDON, start=start, end=end)


def assert_sound(result: ReadResult, start: datetime, end: datetime) -> None:
    """The model's invariants hold for whatever the reader kept."""
    assert result.format == "iCalendar"
    for event in result.items:
        assert isinstance(event, Event) and event.title and re.fullmatch(r"[0-9a-f]{16}", event.id)
        if event.all_day:
            assert type(event.start) is date and type(event.end) is date and event.end > event.start
            assert start <= datetime.combine(event.start, datetime.min.time(), LONDON) < end
        else:
            assert isinstance(event.start, datetime) and event.start.tzinfo is not None
            assert event.end is None or event.end > event.start
            assert start <= event.start < end


@pytest.mark.parametrize("path", calendar_files(), ids=case_id)
def test_corpus_calendar_is_read_without_an_exception(path: Path | None) -> None:
    for folder in FOLDERS:
        corpus(folder)
    assert path is not None
    result = read(path)
    assert_sound(result, *WINDOW)
    status = library_status().get(str(path.relative_to(CORPORA)), "")
    if "PARSE-ERROR" in status:
        assert result.problems, "a file icalendar refuses must be reported"
    if "occ=0" in status and "comp_errors=0" in status:
        return  # the libraries find nothing to list either (no events, or none in the window)
    if any(fnmatch(path.name, pattern) for pattern in listed_broken()):
        assert result.problems or result.skipped or result.items, "broken, yet nothing was reported"
    elif "EXPAND-ERROR" not in status and "comp_errors=0" in status:
        assert result.items, "a healthy calendar with occurrences came back empty"


def local_times(path: Path, start: datetime, days: int) -> list[str]:
    return [format_event_when(e, LONDON, "en-GB") for e in read(path, start, start + timedelta(days=days)).items]


def test_corpus_pins() -> None:
    """A few corpus files whose right answer is known, in London time."""
    ical = corpus("icalendar", "src", "icalendar", "tests", "calendars")
    recurring = corpus("recurring", "recurring_ical_events", "test", "calendars")
    two = read(ical / "issue_1050_multiple_calendars.ics")  # two VCALENDARs, neither event has a start
    assert two.skipped == 2 and two.problems == [
        "skipped 'Event 1': it has no start time", "skipped 'Event 2': it has no start time"
    ]
    assert read(ical / "bom_calendar.ics").problems == []
    assert read(ical / "broken_dtstart.ics").problems == ["skipped an untitled event: its start time could not be read"]
    assert read(recurring / "bad_rrule_missing_until_event.ics").problems == [
        "skipped 'blabla': its repeat rule could not be read"
    ]
    assert local_times(recurring / "issue_18_cancel_status.ics", datetime(2020, 1, 27, tzinfo=LONDON), 7) == [
        "Tuesday 28 January 2020, 21:00–22:00",  # 22:00 Berlin; the 29th is cancelled
        "Thursday 30 January 2020, 21:00–22:00",
    ]
    assert local_times(recurring / "issue_86_x_wr_timezone_without_time_zone_in_dt.ics",
                       datetime(2021, 9, 1, tzinfo=LONDON), 30) == ["Thursday 16 September 2021, 20:00–21:45"]
    # a .ics stored as .txt upstream: the excluded 16 December must stay excluded
    assert local_times(recurring / "date_exclude.txt", datetime(2023, 12, 14, tzinfo=LONDON), 6) == [
        "Friday 15 December 2023, 06:00–07:00",
        "Sunday 17 December 2023, 06:00–07:00",
    ]
