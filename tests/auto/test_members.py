"""`digest members` (the ledger) and `digest members notify` (feed-health notes to members), against a loopback SMTP
server. A failure is dated by the fetch that found it (the clock); --now says how long after that the command runs."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.auto.troubles import detail, trouble_of
from tests.auto.scheduled import ON_THE_DAY, scheduled
from tests.mail import Inbox, plain
from tests.network import digest


def test_members_csv_lists_every_member_with_items_and_status(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    _box, port = inbox
    config = scheduled(tmp_path, port)
    days = {datetime.now(UTC).date().isoformat()}
    assert digest("auto", "-c", config, "--now", ON_THE_DAY).exit_code == 0
    assert digest("publish", "-c", config, "--date", "2024-10-01").exit_code == 0  # its 5 items are featured
    days.add(datetime.now(UTC).date().isoformat())  # the day the store first saw the items and the failure
    result = digest("members", "-c", config, "--format", "csv", "--since", "2024-09-01")
    assert result.exit_code == 0, result.output
    header, leeds, hull, bradford = csv.reader(io.StringIO(result.output))
    assert header == ["member", "sources", "found", "featured", "last item", "last title", "status"]
    assert leeds == ["Leeds Voices", "Leeds Voices", "3", "2", "2024-11-15", "Winter newsletter", "ok"]
    # Hull's newest are its calendar's events, dated when digest first saw them (the first by title of those)
    assert hull[:4] == ["Hull Circle", "Hull Circle", "4", "3"] and hull[4] in days and hull[5:] == ["Carol singing", "ok"]
    assert bradford[:6] == ["Bradford Hub", "Bradford Hub", "0", "0", "", ""]
    failing = {f"Bradford Hub: failing since {day} (file {tmp_path / 'bradford.csv'} not found: fix the path in "
               "sources.toml)" for day in days}
    assert bradford[6] in failing

    later = digest("members", "-c", config, "--format", "csv", "--since", "2024-10-02")
    assert [row[:4] for row in csv.reader(io.StringIO(later.output))][1:] == [
        ["Leeds Voices", "Leeds Voices", "2", "0"], ["Hull Circle", "Hull Circle", "3", "0"],
        ["Bradford Hub", "Bradford Hub", "0", "0"]]
    ledger = json.loads(digest("members", "-c", config, "--format", "json", "--since", "2024-09-01").output)
    assert [(m["member"], [s["status"] for s in m["sources"]]) for m in ledger["members"]] == [
        ("Leeds Voices", ["ok"]), ("Hull Circle", ["ok"]), ("Bradford Hub", ["failing"])]
    table = digest("members", "-c", config, "--since", "2024-09-01").output.splitlines()
    assert table[:3] == ["since 2024-09-01:", "member        sources       found  featured  last item   status",
                         "Leeds Voices  Leeds Voices  3      2         2024-11-15  ok"]


def test_a_formula_in_a_title_stays_text_in_the_csv(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    config = scheduled(tmp_path, inbox[1])
    (tmp_path / "bradford.csv").write_text('title,url,date,summary\n"=HYPERLINK(""https://evil.example/"")",'
                                           "https://bradford.example.org/x,2024-09-20,Hi.\n", encoding="utf-8")
    assert digest("build", "-c", config, "--date", "2024-10-01").exit_code == 0
    rows = list(csv.reader(io.StringIO(digest("members", "-c", config, "--format", "csv").output)))
    assert rows[3][5] == "'=HYPERLINK(\"https://evil.example/\")"


def moment(days: float) -> str:
    """--now, `days` (and a minute) after this moment: after the build that found the failure."""
    return (datetime.now(UTC) + timedelta(days=days, minutes=1)).isoformat(timespec="minutes")


def test_members_notify_mails_the_contact_of_a_member_failing_15_days_once(tmp_path: Path,
                                                                          inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, port)
    assert digest("build", "-c", config, "--date", "2024-10-01").exit_code == 0  # Bradford's sheet is missing
    early = digest("members", "notify", "-c", config, "--now", moment(13))
    assert (early.exit_code, early.output) == (0, "no member is due a note\n")
    result = digest("members", "notify", "-c", config, "--now", moment(15))
    assert result.exit_code == 0, result.output
    assert result.output == "mailed web@bradford.example.org (Bradford Hub): Bradford Hub failing for 15 days\n"
    (sender, recipients, _), = box.messages
    assert (sender, recipients) == ("digest@example.org", ["web@bradford.example.org"])
    note, = box.received()
    assert note["Subject"] == "Test Network News: we cannot read your feed"
    text = plain(note)
    assert text.startswith("Hello Bradford Hub,\n\nTest Network News shares its members' news and events in its "
                           "newsletter. For 15 days now we have not been able to read your feed.\n\n  bradford.csv\n\n")
    assert ("  What is wrong: the address we have for your feed leads nowhere: the page is not there any more.\n"
            "  How to fix it: if your website moved, or you changed how you publish, reply with the new feed address; "
            "if you no longer publish it, tell us and we will stop asking.\n") in text
    assert "sources.toml" not in text  # the editor's advice is not the member's
    again = digest("members", "notify", "-c", config, "--now", moment(16))
    assert (again.exit_code, again.output) == (0, "no member is due a note\n")
    assert len(box.messages) == 1


def test_a_member_without_a_contact_is_never_mailed(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, port, contact="")
    assert digest("build", "-c", config, "--date", "2024-10-01").exit_code == 0
    result = digest("members", "notify", "-c", config, "--now", moment(30), "--days", "1")
    assert (result.exit_code, result.output, box.messages) == (0, "no member is due a note\n", [])


def test_a_feed_that_works_again_and_fails_again_is_a_new_failure(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, port)
    assert digest("build", "-c", config, "--date", "2024-10-01").exit_code == 0
    assert digest("members", "notify", "-c", config, "--now", moment(15)).output.startswith("mailed ")
    sheet = tmp_path / "bradford.csv"
    sheet.write_text("title,url,date,summary\nBack,https://bradford.example.org/back,2024-09-20,Hi.\n", encoding="utf-8")
    assert digest("build", "-c", config, "--date", "2024-10-01").exit_code == 0
    assert digest("members", "notify", "-c", config, "--now", moment(16)).output == "no member is due a note\n"
    sheet.unlink()
    assert digest("build", "-c", config, "--date", "2024-10-01").exit_code == 0
    assert digest("members", "notify", "-c", config, "--now", moment(10)).output == "no member is due a note\n"
    assert digest("members", "notify", "-c", config, "--now", moment(15)).output.startswith("mailed ")
    assert len(box.messages) == 2


def test_your_items_this_month(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, port)
    config.write_text(config.read_text(encoding="utf-8").replace('url = "hull.csv"\n',
                                                                 'url = "hull.csv"\ncontact = "news@hull.example.org"\n'),
                      encoding="utf-8")
    assert digest("auto", "-c", config, "--now", ON_THE_DAY).exit_code == 0
    assert digest("publish", "-c", config, "--date", "2024-10-01").exit_code == 0
    result = digest("members", "notify", "-c", config, "--items", "--now", "2024-10-20")
    assert result.output == "mailed news@hull.example.org (Hull Circle): 3 items this month\n"
    note = box.received()[1]
    assert (note["To"], note["Subject"]) == ("news@hull.example.org", "Test Network News: your items this month")
    assert ("These items of yours were in Test Network News this month:\n\n"
            "  - Circle meets the council (Tuesday 1 October 2024)\n    https://hull.example.org/council\n"
            "  - Hull Circle open day (Tuesday 1 October 2024)\n    https://hull.example.org/open-day\n"
            "  - Winter fair (Tuesday 1 October 2024)\n\nThank you for sharing them.\n") in plain(note)
    assert digest("members", "notify", "-c", config, "--items", "--now", "2024-10-21").output == "no member is due a note\n"


@pytest.mark.parametrize(("reason", "kind"), [
    ("not found (HTTP 404) at https://a.example.org/feed/: the feed has moved or been removed — ask the member", "gone"),
    ("gone for good (HTTP 410) at https://a.example.org/feed/: the member has removed this feed", "gone"),
    ("https://a.example.org/feed redirects in a loop (more than 10 redirects): ask the member", "moved"),
    ("this address is a web page, not a feed: use this URL instead: https://a.example.org/rss", "moved"),
    ("not a readable feed (mismatched tag): check the URL points at the RSS/Atom feed", "broken"),
    ("the source sent an empty body: the feed may be broken or moved", "empty"),
    ("access refused (HTTP 403) at https://a.example.org/feed/: the feed is private", "refused"),
    ("a.example.org did not answer within 10 s: the site may be down; try again later", "unreachable"),
])
def test_what_is_wrong_in_plain_words(reason: str, kind: str) -> None:
    assert trouble_of(reason).kind == kind


def test_the_detail_is_the_reason_without_the_editors_advice() -> None:
    assert detail("not found (HTTP 404) at https://a.example.org/feed/: the feed has moved — ask the member") == \
        "not found (HTTP 404) at https://a.example.org/feed/"
