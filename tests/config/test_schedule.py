"""[schedule]: the cadence in words, read into a rule, and every key checked with a message that says how to fix it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from digest.config.load import parse_config
from digest.config.schedule import Cadence
from digest.exceptions import ConfigError
from tests.conftest import config_toml


@pytest.mark.parametrize(("words", "days"), [
    ("first tuesday", [date(2024, 10, 1), date(2024, 11, 5), date(2024, 12, 3)]),
    ("First Tuesday of the month", [date(2024, 10, 1), date(2024, 11, 5), date(2024, 12, 3)]),
    ("last friday", [date(2024, 10, 25), date(2024, 11, 29), date(2024, 12, 27)]),
    ("2nd wednesday", [date(2024, 10, 9), date(2024, 11, 13), date(2024, 12, 11)]),
    ("monthly on 1", [date(2024, 10, 1), date(2024, 11, 1), date(2024, 12, 1)]),
    ("monthly on 31", [date(2024, 9, 30), date(2024, 10, 31), date(2024, 11, 30)]),  # a short month: its last day
    ("every monday", [date(2024, 9, 30), date(2024, 10, 7), date(2024, 10, 14)]),
])
def test_a_cadence_in_words_names_its_days(words: str, days: list[date]) -> None:
    rule = Cadence.parse(words)
    found, day = [], date(2024, 9, 29)
    for _ in days:
        day = rule.next_after(day)
        found.append(day)
    assert found == days
    assert all(rule.falls_on(d) for d in days) and not rule.falls_on(days[0] - timedelta(days=1))


def test_monthly_on_29_in_february() -> None:
    rule = Cadence.parse("monthly on 29")
    assert (rule.falls_on(date(2024, 2, 29)), rule.falls_on(date(2025, 2, 28)), rule.falls_on(date(2025, 2, 27))) == \
        (True, True, False)


def schedule_error(tmp_path: Path, schedule: str) -> list[str]:
    text = config_toml() + "\n[schedule]\n" + schedule
    with pytest.raises(ConfigError) as info:
        parse_config(text, tmp_path / "sources.toml")
    return info.value.problems


@pytest.mark.parametrize(("schedule", "problem"), [
    ('cadence = "fortnightly"\nnotify = ["e@example.org"]\n',
     "schedule.cadence (line 13): 'fortnightly' is not a cadence digest understands: write it as \"first tuesday\", "
     "\"last friday\", \"monthly on 1\" or \"every monday\""),
    ('cadence = "fifth monday"\nnotify = ["e@example.org"]\n',
     "schedule.cadence (line 13): 'fifth monday': not every month has a fifth monday: use \"last monday\""),
    ('cadence = "monthly on 32"\nnotify = ["e@example.org"]\n',
     "schedule.cadence (line 13): 'monthly on 32': a month has days 1 to 31 (past a short month's end, its last day "
     "is used)"),
    ('cadence = "every monday"\nnotify = ["e@example.org, f@example.org"]\n',
     "schedule.notify (line 14): 'e@example.org, f@example.org' is not one email address: give each as its own "
     "\"name@example.org\""),
    ('cadence = "every monday"\nnotify = []\n',
     "schedule.notify (line 14): needs at least one address to tell, e.g. [\"editor@example.org\"]"),
    ('cadence = "every monday"\nnotify = ["e@example.org"]\ntime = "9am"\n',
     "schedule.time (line 15): '9am' is not a time of day: write it as HH:MM on the 24-hour clock, e.g. \"09:00\""),
    ('notify = ["e@example.org"]\n', "schedule (line 12): missing required key 'cadence'"),
    ('cadence = "every monday"\nnotify = ["e@example.org"]\n[schedule.smtp]\nserver = "smtp.example.org"\n',
     "schedule.smtp.server (line 16): 'smtp.example.org' is not an SMTP server: write it as HOST:PORT, e.g. "
     "\"smtp.example.org:587\""),
    ('cadence = "every monday"\nnotify = ["e@example.org"]\n[schedule.smtp]\nssl = true\nstarttls = true\n',
     "schedule.smtp (line 15): ssl and starttls cannot both be true: ssl for port 465, starttls for port 587"),
    ('cadence = "every monday"\nnotify = ["e@example.org"]\n[schedule.smtp]\nuser = "me"\n',
     "schedule.smtp.user (line 16): me would send the password unencrypted: add starttls = true (port 587) or "
     "ssl = true (port 465)"),
])
def test_schedule_keys_are_checked(tmp_path: Path, schedule: str, problem: str) -> None:
    assert schedule_error(tmp_path, schedule) == [problem]


def test_a_contact_is_one_address(tmp_path: Path) -> None:
    text = config_toml(source={"contact": "not an address"})
    with pytest.raises(ConfigError) as info:
        parse_config(text, tmp_path / "sources.toml")
    assert info.value.problems == ["sources[1].contact (line 11): 'not an address' is not one email address: write it "
                                   "as \"name@example.org\""]


def test_a_schedule_read(tmp_path: Path) -> None:
    text = config_toml() + '\n[schedule]\ncadence = "last friday"\nnotify = ["e@example.org"]\ntime = "7:30"\n'
    schedule = parse_config(text, tmp_path / "sources.toml").schedule
    assert schedule is not None
    assert (schedule.rule.falls_on(date(2024, 10, 25)), schedule.clock.hour, schedule.clock.minute) == (True, 7, 30)
    assert (schedule.mail_from, schedule.server.server, schedule.min_items) == ("e@example.org", "localhost:25", 1)
