"""`digest sources add` and a member's calendar with nothing coming up, and a home page's several sources.

Small charities' calendars are often empty between seasons: one that reads cleanly is offered
("iCalendar, 0 upcoming events, last on 14 May 2024") and added like any other. Sources found on
one home page share the member's name as `member`, so readers never see "… events".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.config.load import load_config
from tests.sites import Site, page
from tests.sources import test_sources
from tests.sources.test_sources import add

QUIET = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//elm//EN\r\n"
         "BEGIN:VEVENT\r\nUID:spring@elm.example\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240514T100000Z\r\n"
         "DTEND:20240514T120000Z\r\nSUMMARY:Spring social\r\nEND:VEVENT\r\n"
         "BEGIN:VEVENT\r\nUID:winter@elm.example\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240110T100000Z\r\n"
         "DTEND:20240110T120000Z\r\nSUMMARY:New year tea\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
HOME = ('<html><head><title>Elm Park Carers | Home</title>'
        '<link rel="alternate" type="application/rss+xml" href="/feed/"></head>'
        '<body><a href="/events.ics">Our calendar</a></body></html>')


@pytest.fixture
def site() -> Iterator[Site]:
    running = Site({"/": (200, "text/html", HOME), "/feed/": page("wordpress-feed.xml"),
                    "/events.ics": (200, "text/calendar", QUIET),
                    "/empty.ics": (200, "text/calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
                                                          "END:VCALENDAR\r\n")})
    yield running
    running.close()


network = test_sources.network  # the sources tests' network, for the tests below


def test_a_calendar_with_nothing_upcoming_is_offered_and_added(site: Site, network: Path) -> None:
    result = add(network, site.base + "/events.ics", "--name", "Elm Park Carers")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        f"  1. {site.base}/events.ics",
        "     iCalendar, 0 upcoming events, last on 14 May 2024 — the address itself",
        f"added 'Elm Park Carers': {site.base}/events.ics"]
    assert [(s.name, s.url, s.member) for s in load_config(network).sources] == [
        ("Elm Park Carers", f"{site.base}/events.ics", "")]


def test_a_calendar_that_never_had_an_event_says_so(site: Site, network: Path) -> None:
    result = add(network, site.base + "/empty.ics")
    assert result.exit_code == 0, result.output
    assert "     iCalendar, 0 upcoming events, none before either — the address itself" in result.output


def test_a_home_pages_sources_share_the_members_name(site: Site, network: Path) -> None:
    result = add(network, site.base + "/")
    assert result.exit_code == 0, result.output
    assert "     iCalendar, 0 upcoming events, last on 14 May 2024 — calendar link on the page" in result.output
    assert [(s.name, s.member, s.shown_as) for s in load_config(network).sources] == [
        ("Elm Park Carers news", "Elm Park Carers", "Elm Park Carers"),
        ("Elm Park Carers events", "Elm Park Carers", "Elm Park Carers")]
    assert ('name = "Elm Park Carers events"\nmember = "Elm Park Carers"\n'
            f'url = "{site.base}/events.ics"\n') in network.read_text()


def test_member_names_what_one_source_is_called_by_readers(site: Site, network: Path) -> None:
    result = add(network, site.base + "/feed/", "--name", "Elm Park blog", "--member", "Elm Park Carers")
    assert result.exit_code == 0, result.output
    assert [(s.name, s.member) for s in load_config(network).sources] == [("Elm Park blog", "Elm Park Carers")]


def test_sources_check_calls_a_quiet_calendar_ok(site: Site, network: Path) -> None:
    from tests.network import digest

    network.write_text(network.read_text() + f'\n[[sources]]\nname = "Elm Park events"\nurl = "{site.base}/events.ics"\n')
    result = digest("sources", "check", "--date", "2024-10-01", "-c", network)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Elm Park events: ok: iCalendar, 0 upcoming events, last on 14 May 2024",
                                          "1 of 1 ok"]
