"""Each calendar and sheet fixture (tests/fixtures/ical/*.ics, tests/fixtures/csv/*.csv) read through the
registry as a build reads it, and compared with <case>.expected.json beside it, as the feeds are
(tests/collect/test_readers.py).

An expected file holds what an editor would check: every item's title, dates and link (events:
start, end, all day, place), how many entries were skipped and the problems reported. After a
deliberate change, `python -m tests.collect.test_expected` writes them again: review the diff.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digest.collect.readers.registry import detect, read
from tests.conftest import FIXTURES

LONDON = ZoneInfo("Europe/London")
EDITION = datetime(2024, 10, 1, tzinfo=LONDON)
WINDOW = (EDITION, EDITION + timedelta(days=62))  # the sample network's: its edition date, 62 days ahead
CASES = sorted(p for folder in ("ical", "csv") for p in (FIXTURES / folder).iterdir() if not p.name.endswith(".json"))
EVENT_FIELDS = ("title", "start", "end", "all_day", "location", "url")
POST_FIELDS = ("title", "published", "url")


def expected_path(path: Path) -> Path:
    return path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json")


def reading(path: Path) -> dict[str, Any]:
    """What the fixture reads as, in the expected file's shape."""
    result = read(path.read_bytes(), source="Member", base_url=None, summary_length=280, tz=LONDON, window=WINDOW)
    items = []
    for item in result.items:
        data = item.to_json()
        items.append({key: data[key] for key in (EVENT_FIELDS if data["kind"] == "event" else POST_FIELDS)})
    return {"format": detect(path.read_bytes()), "skipped": result.skipped, "problems": result.problems, "items": items}


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_fixture_reads_as_expected(path: Path) -> None:
    expected = json.loads(expected_path(path).read_text(encoding="utf-8"))
    got = reading(path)
    assert got["format"] == expected["format"]
    assert (got["skipped"], got["problems"]) == (expected["skipped"], expected["problems"])
    assert got["items"] == expected["items"]


def test_every_fixture_has_its_expected_file() -> None:
    assert len(CASES) >= 20
    assert [p.name for p in CASES if not expected_path(p).is_file()] == []


if __name__ == "__main__":
    for case in CASES:
        expected_path(case).write_text(json.dumps(reading(case), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(expected_path(case).relative_to(FIXTURES))
