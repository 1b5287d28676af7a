"""An edition's life through the command line, with a member's blog and calendar served on loopback.

July is drafted; other months are drafted and built; July comes out byte for byte as curated. An
event cancelled since the draft is named, not dropped. A post that reaches its feed after July was
drafted, dated in June, is offered in August with its note (an older one is listed instead).
A published July refuses to be drafted or published again, and changes only with --force, which
records what changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect.normalize import stable_id
from digest.dates import format_day
from tests.hardening import Entry, rss
from tests.network import digest
from tests.sites import Site

LONDON = ZoneInfo("Europe/London")
JUNE_POSTS = [Entry("Garden open day", "https://riverside.example/garden", datetime(2024, 6, 20, 9, tzinfo=UTC), "garden"),
              Entry("New trustees", "https://riverside.example/trustees", datetime(2024, 6, 10, 9, tzinfo=UTC), "trustees"),
              Entry("Summer plans", "https://riverside.example/summer", datetime(2024, 7, 15, 9, tzinfo=UTC), "summer")]
LATE = Entry("Late news from June", "https://riverside.example/late", datetime(2024, 6, 29, 9, tzinfo=UTC), "late")
ANCIENT = Entry("Spring clean", "https://riverside.example/spring", datetime(2024, 4, 2, 9, tzinfo=UTC), "spring")
EVENTS = {"picnic": ("Summer picnic", "20240720T110000Z"), "quiz": ("Quiz night", "20240709T180000Z"),
          "walk": ("Harvest walk", "20240912T100000Z"), "fair": ("Winter fair", "20241105T100000Z")}
NETWORK = """[newsletter]
title = "Riverside Network News"
timezone = "Europe/London"
language = "en-GB"
url = "https://riverside.example/digest/"

[[sections]]
title = "News"
kind = "posts"
days_back = 31

[[sections]]
title = "Coming up"
kind = "events"
days_ahead = 62

[[sources]]
name = "Riverside"
url = "{base}/feed.xml"

[[sources]]
name = "Riverside events"
member = "Riverside"
url = "{base}/events.ics"
"""


def calendar(cancelled: tuple[str, ...] = ()) -> str:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{uid}@riverside.example\r\nDTSTAMP:20240601T000000Z\r\nDTSTART:{start}\r\n"
        f"DURATION:PT2H\r\nSUMMARY:{title}\r\nLOCATION:Riverside Hall\r\n"
        + ("STATUS:CANCELLED\r\n" if uid in cancelled else "") + "END:VEVENT\r\n"
        for uid, (title, start) in EVENTS.items())
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//riverside//EN\r\n{events}END:VCALENDAR\r\n"


class Member:
    """The member's site: its feed and calendar can change between commands."""

    def __init__(self) -> None:
        self.site = Site({})
        self.feed(JUNE_POSTS)
        self.calendar()

    def feed(self, entries: list[Entry]) -> None:
        self.site.routes["/feed.xml"] = (200, "application/rss+xml", rss(entries))

    def calendar(self, cancelled: tuple[str, ...] = ()) -> None:
        self.site.routes["/events.ics"] = (200, "text/calendar", calendar(cancelled))


@pytest.fixture
def member() -> Iterator[Member]:
    running = Member()
    yield running
    running.site.close()


@pytest.fixture
def network(tmp_path: Path, member: Member) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(NETWORK.format(base=member.site.base), encoding="utf-8")
    return path


def run(*args: str | Path) -> str:
    result = digest(*args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str | Path) -> str:
    """The error line of a command that must exit 2."""
    result = digest(*args)
    assert result.exit_code == 2, result.output
    return result.output.splitlines()[-1]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def store_rows(network: Path, query: str, *args: str) -> list[tuple[str, ...]]:
    db = sqlite3.connect(network.parent / ".digest" / "store.sqlite")
    try:
        return db.execute(query, args).fetchall()
    finally:
        db.close()


def day_of(stamp: str) -> str:
    return format_day(datetime.fromisoformat(stamp).astimezone(LONDON).date(), "en-GB")


def test_july_is_built_byte_for_byte_as_curated_whatever_was_fetched_since(network: Path) -> None:
    run("draft", "-c", network, "--date", "2024-07-01")
    run("build", "-c", network, "--date", "2024-07-01")
    july = files(network.parent / "build" / "2024-07-01")
    assert sorted(name for name in july if name.startswith("events/")) == [
        "events/quiz-night-2024-07-09.ics", "events/summer-picnic-2024-07-20.ics"]
    assert b"Riverside Hall" in july["newsletter.txt"]
    run("draft", "-c", network, "--date", "2024-08-01")
    run("build", "-c", network, "--date", "2024-09-01")  # the calendar read for September to October
    # July's events are still in the store: a later window not listing them says nothing about them
    assert store_rows(network, "SELECT value FROM items JOIN json_each(items.data) ON key = 'title' "
                               "WHERE kind = 'event' AND gone IS NULL ORDER BY value") == [
        ("Harvest walk",), ("Quiz night",), ("Summer picnic",)]  # (the winter fair is in no window read yet)
    run("build", "-c", network, "--date", "2024-08-01")
    run("build", "-c", network, "--date", "2024-07-01")
    assert files(network.parent / "build" / "2024-07-01") == july
    run("publish", "-c", network, "--date", "2024-07-01")
    assert (network.parent / "archive" / "2024-07-01" / "index.html").read_bytes() == july["web.html"]


def test_an_event_cancelled_since_the_draft_is_named_and_kept(network: Path, member: Member) -> None:
    run("draft", "-c", network, "--date", "2024-07-01")
    member.calendar(cancelled=("picnic",))
    run("build", "-c", network, "--date", "2024-07-01", "--from-feeds")  # reads July's window again
    (since,) = store_rows(network, "SELECT gone FROM items WHERE gone IS NOT NULL")
    result = digest("build", "-c", network, "--date", "2024-07-01")
    assert result.exit_code == 0
    assert (f"  - cancelled since your draft: 'Summer picnic' on Saturday 20 July 2024 — Riverside events no longer "
            f"lists it (noticed {day_of(since[0])}); it is still in the draft: take it out, or say so in its text"
            ) in result.output.splitlines()
    assert "Summer picnic" in (network.parent / "build" / "2024-07-01" / "newsletter.txt").read_text()
    member.calendar()  # the member takes the cancellation back: the notice goes
    run("build", "-c", network, "--date", "2024-07-01", "--from-feeds")
    assert "cancelled since your draft" not in run("build", "-c", network, "--date", "2024-07-01")


def test_a_post_that_arrives_after_july_was_drafted_is_offered_in_august_with_a_note(network: Path,
                                                                                      member: Member) -> None:
    run("draft", "-c", network, "--date", "2024-07-01")
    member.feed([LATE, ANCIENT, *JUNE_POSTS])  # both reach the feed only now
    output = run("draft", "-c", network, "--date", "2024-08-01")
    (seen,) = store_rows(network, "SELECT first_seen FROM items WHERE id=?", stable_id("Riverside", "late"))
    note = (f"arrived late: dated Saturday 29 June 2024, first seen {day_of(seen[0])}, after the edition of "
            "Monday 1 July 2024 was drafted")
    august = (network.parent / "editions" / "2024-08-01.md").read_text()
    assert (f"### [Late news from June](https://riverside.example/late)\nRiverside · Saturday 29 June 2024\n"
            f"<!-- id: {stable_id('Riverside', 'late')} -->\n<!-- {note} -->\n") in august
    assert "Spring clean" not in august
    warnings = [line.removeprefix("warning: ") for line in output.splitlines() if line.startswith("warning: ")]
    assert f"note: 'Late news from June' (Riverside) {note}: offered in 'News'" in warnings
    assert (f"note: 'Spring clean' (Riverside) arrived late: dated Tuesday 2 April 2024, first seen {day_of(seen[0])}, "
            "after the edition of Monday 1 July 2024 was drafted, but is older than any section takes late posts "
            "(late_days): not offered — add by hand what should go out") in warnings
    run("build", "-c", network, "--date", "2024-08-01", "-q")
    assert "Late news from June" in (network.parent / "build" / "2024-08-01" / "newsletter.txt").read_text()
    again = run("draft", "-c", network, "--date", "2024-09-01")  # offered once: September does not offer it again
    assert "Late news" not in (network.parent / "editions" / "2024-09-01.md").read_text()
    assert "Late news" not in again


def test_late_days_bounds_how_old_a_late_post_may_be(network: Path, member: Member) -> None:
    network.write_text(network.read_text().replace("days_back = 31\n", "days_back = 31\nlate_days = 1\n"))
    run("draft", "-c", network, "--date", "2024-07-01")
    member.feed([LATE, *JUNE_POSTS])
    output = run("draft", "-c", network, "--date", "2024-08-01")
    assert "Late news" not in (network.parent / "editions" / "2024-08-01.md").read_text()
    assert "'Late news from June' (Riverside) arrived late: dated Saturday 29 June 2024" in output


def test_a_published_edition_is_final(network: Path, member: Member) -> None:
    run("draft", "-c", network, "--date", "2024-07-01")
    run("publish", "-c", network, "--date", "2024-07-01")
    root = network.parent
    draft, page = root / "editions" / "2024-07-01.md", root / "archive" / "2024-07-01" / "index.html"
    before = (draft.read_bytes(), page.read_bytes(), store_rows(network, "SELECT * FROM sent ORDER BY item_id"))
    (published,) = store_rows(network, "SELECT published_at FROM editions WHERE edition='2024-07-01'")
    moment = datetime.fromisoformat(published[0]).astimezone(LONDON)
    when = f"on {format_day(moment.date(), 'en-GB')} at {moment:%H:%M}"
    member.feed([Entry("One more from June", "https://riverside.example/more", datetime(2024, 6, 25, tzinfo=UTC),
                       "more"), *JUNE_POSTS])
    assert refused("draft", "-c", network, "--date", "2024-07-01") == (
        f"Error: the edition of 2024-07-01 was published {when}: it is final, so its draft editions/2024-07-01.md "
        "is left as it is. New posts go into the next edition; to correct this one deliberately, edit the draft and "
        "run `digest publish --date 2024-07-01 --force`, or start it over with `digest draft --date 2024-07-01 "
        "--force` (digest records what changed)")
    for again in (("publish", "-c", network, "--date", "2024-07-01"),
                  ("build", "-c", network, "--date", "2024-07-01", "--final")):
        assert refused(*again) == (
            f"Error: the edition of 2024-07-01 was published {when}: it is final, so its archive page and its record "
            "of what was sent are left as they are. New posts go into the next edition; to correct this one "
            "deliberately, edit the draft and run `digest publish --date 2024-07-01 --force` (digest records what "
            "changed)")
    assert (draft.read_bytes(), page.read_bytes(), store_rows(network, "SELECT * FROM sent ORDER BY item_id")) == before
    assert "One more from June" in run("draft", "-c", network, "--date", "2024-08-01")  # it arrived late: August has it

    trustees = stable_id("Riverside", "trustees")
    text = draft.read_text()
    block = text[text.index("### [New trustees]"):text.index("## Coming up")]
    draft.write_text(text.replace(block, ""))  # the correction: an item that should not have gone out
    built = run("build", "-c", network, "--date", "2024-07-01")
    assert (f"  - the edition of 2024-07-01 was published {when}, and the draft now differs from it: 0 items added to "
            f"what was sent, 1 taken out ({trustees}); its archive page and sent record keep what was published — "
            "`digest publish --date 2024-07-01 --force` corrects them") in built.splitlines()
    output = run("publish", "-c", network, "--date", "2024-07-01", "--force")
    assert (f"recorded the correction: published again with --force: 0 items added to what was sent, 1 taken out "
            f"({trustees}); archive page rewritten") in output.splitlines()
    assert store_rows(network, "SELECT * FROM sent WHERE item_id=?", trustees) == []
    assert store_rows(network, "SELECT published_at FROM editions WHERE edition='2024-07-01'") == [published]
    assert [what for (what,) in store_rows(network, "SELECT what FROM edition_changes")] == [
        f"published again with --force: 0 items added to what was sent, 1 taken out ({trustees}); archive page rewritten"]
    assert b"New trustees" not in page.read_bytes()


def test_a_desk_change_to_a_published_edition_is_refused(network: Path) -> None:
    from digest.preview.builds import Previewer
    from digest.preview.desk import Desk, Refused

    run("draft", "-c", network, "--date", "2024-07-01")
    run("publish", "-c", network, "--date", "2024-07-01")
    previewer = Previewer(network, date(2024, 7, 1))
    previewer.rebuild(refetch=False)
    desk = Desk(previewer)
    state = desk.state()
    assert state["writable"] is False
    assert state["published"].startswith("the edition of 2024-07-01 was published on ")
    assert state["published"].endswith("it is final, so the desk changes nothing in its draft. New posts go into the "
                                       "next edition; to correct this one deliberately, change its draft in your text "
                                       "editor and run `digest publish --date 2024-07-01 --force` (digest records "
                                       "what changed)")
    before = (network.parent / "editions" / "2024-07-01.md").read_bytes()
    with pytest.raises(Refused) as refused:
        desk.change({"op": "title", "version": state["version"], "section": 0, "item": 0, "title": "Changed"})
    assert refused.value.format_message() == state["published"]
    assert (network.parent / "editions" / "2024-07-01.md").read_bytes() == before


def test_repair_keeps_each_edition_as_curated(network: Path) -> None:
    run("draft", "-c", network, "--date", "2024-07-01")
    run("publish", "-c", network, "--date", "2024-07-01")
    kept = store_rows(network, "SELECT * FROM edition_items ORDER BY id")
    editions = store_rows(network, "SELECT * FROM editions")
    run("repair", "-c", network, "--force")
    assert (store_rows(network, "SELECT * FROM edition_items ORDER BY id"), store_rows(network, "SELECT * FROM editions")
            ) == (kept, editions)
    assert digest("draft", "-c", network, "--date", "2024-07-01").exit_code == 2  # still final


def test_starting_a_published_draft_over_is_a_recorded_correction(network: Path, member: Member) -> None:
    run("draft", "-c", network, "--date", "2024-07-01")
    run("publish", "-c", network, "--date", "2024-07-01")
    member.feed([Entry("One more from June", "https://riverside.example/more", datetime(2024, 6, 25, tzinfo=UTC),
                       "more"), *JUNE_POSTS])
    output = run("draft", "-c", network, "--date", "2024-07-01", "--force")
    more = stable_id("Riverside", "more")
    line = f"draft started over with --force: 1 item added to what was sent ({more}), 0 taken out"
    assert f"recorded the correction: {line}" in output.splitlines()
    assert [what for (what,) in store_rows(network, "SELECT what FROM edition_changes")] == [line]
    assert "One more from June" in (network.parent / "editions" / "2024-07-01.md").read_text()


def test_an_event_that_cannot_be_read_today_is_not_called_cancelled(network: Path, member: Member) -> None:
    run("draft", "-c", network, "--date", "2024-07-01")
    member.site.routes["/events.ics"] = (200, "text/calendar", calendar().replace("DTSTART:20240720T110000Z\r\n", ""))
    output = run("build", "-c", network, "--date", "2024-07-01", "--from-feeds")
    assert "Riverside events: skipped 'Summer picnic': it has no start time" in output
    assert store_rows(network, "SELECT id FROM items WHERE gone IS NOT NULL") == []
    assert "cancelled since your draft" not in run("build", "-c", network, "--date", "2024-07-01")
