"""`digest auto` end to end: the network of tests/network.py plus a member whose feed is gone, mailing a real SMTP
server on 127.0.0.1 (aiosmtpd). Time is --now: nothing here sleeps or reads the clock for what it asserts."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock

from tests.auto.scheduled import ON_THE_DAY, READY, scheduled
from tests.mail import Inbox, free_port, plain
from tests.network import digest, make_network


def test_the_cadence_day_drafts_once_and_mails_one_ready_note(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, port)
    result = digest("auto", "-c", config, "--now", ON_THE_DAY)
    assert result.exit_code == 0, result.output
    assert result.output == ("wrote editions/2024-10-01.md (5 items); mailed the ready note to editor@example.org, "
                             "deputy@example.org\n")
    draft = tmp_path / "editions" / "2024-10-01.md"
    assert draft.is_file()
    (sender, recipients, _raw), = box.messages
    assert (sender, recipients) == ("digest@example.org", ["editor@example.org", "deputy@example.org"])
    note, = box.received()
    assert note["Subject"] == READY and note["Auto-Submitted"] == "auto-generated"
    text = plain(note)
    assert "The draft of the edition of Tuesday 1 October 2024 is ready for you to edit: editions/2024-10-01.md." in text
    assert "  Members' news    3 items\n  Coming up        2 items\n  In all           5\n" in text
    assert "This is the first edition digest auto has drafted" in text
    assert "  Bradford Hub: failing since " in text and "bradford.csv not found" in text
    assert f"    digest preview -c {config} --date 2024-10-01 --open\n" in text
    assert f"    digest push -c {config} --date 2024-10-01\n" in text
    assert "\ndigest check\n  0 errors, " in text
    attached, = note.iter_attachments()
    assert attached.get_filename() == "newsletter-2024-10-01.html"
    # the attachment is the newsletter exactly as `digest build` makes it from the draft
    assert digest("build", "-c", config, "--date", "2024-10-01").exit_code == 0
    assert attached.get_content_charset() == "utf-8"
    assert attached.get_payload(decode=True) == (tmp_path / "build" / "2024-10-01" / "newsletter.html").read_bytes()

    # the editor starts work; cron runs again that day: nothing is written over, nothing mailed again
    draft.write_text(draft.read_text(encoding="utf-8").replace("Our summer report", "Our SUMMER report"), encoding="utf-8")
    edited = draft.read_bytes()
    again = digest("auto", "-c", config, "--now", "2024-10-01T17:00")
    assert again.exit_code == 0, again.output
    assert again.output == ("already ran today (drafted at 09:30): nothing to do; the next run is on "
                            "Tuesday 5 November 2024 from 09:00\n")
    assert len(box.messages) == 1 and draft.read_bytes() == edited


def test_another_day_does_nothing_and_says_when_it_runs(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, port)
    result = digest("auto", "-c", config, "--now", "2024-10-02T09:30")
    assert (result.exit_code, result.output) == (0, "not a drafting day (first tuesday): nothing to do; the next run is "
                                                    "on Tuesday 5 November 2024 from 09:00\n")
    early = digest("auto", "-c", config, "--now", "2024-10-01T08:59")
    assert (early.exit_code, early.output) == (0, "today is a drafting day (first tuesday): it runs from 09:00; "
                                                  "nothing to do yet\n")
    quiet = digest("auto", "-c", config, "--now", "2024-10-02", "-q")
    assert (quiet.exit_code, quiet.output) == (0, "")
    assert box.messages == [] and not (tmp_path / "editions").exists() and not (tmp_path / ".digest").exists()


def test_a_thin_month_mails_needs_attention_and_drafts_nothing(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, port, min_items=6)
    result = digest("auto", "-c", config, "--now", ON_THE_DAY, "-q")
    assert (result.exit_code, result.output) == (0, "")
    assert not (tmp_path / "editions").exists()
    note, = box.received()
    assert note["Subject"] == "Needs attention: Test Network News – Tuesday 1 October 2024"
    assert list(note.iter_attachments()) == []
    text = plain(note)
    assert text.startswith("digest auto did not draft the edition of Tuesday 1 October 2024: it found 5 items, "
                           "and [schedule] min_items is 6.\n")
    assert "  Bradford Hub: failing since " in text
    assert f"      digest draft -c {config} --date 2024-10-01\n" in text
    assert f"      digest sources check -c {config}\n" in text
    again = digest("auto", "-c", config, "--now", "2024-10-01T12:00")
    assert again.output.startswith("already ran today (thin at 09:30): nothing to do;")
    assert len(box.messages) == 1 and not (tmp_path / "editions").exists()


def test_a_note_that_cannot_be_mailed_is_tried_again_without_redrafting(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, free_port())  # nothing listens there
    failed = digest("auto", "-c", config, "--now", ON_THE_DAY, "-q")
    assert failed.exit_code == 1
    assert failed.output.startswith("Error: cannot reach the SMTP server 127.0.0.1:")
    assert failed.output.endswith("(Connection refused): check server in [schedule.smtp]\n")
    draft = tmp_path / "editions" / "2024-10-01.md"
    written = draft.read_bytes()
    config.write_text(config.read_text(encoding="utf-8").rsplit("server = ", 1)[0] + f'server = "127.0.0.1:{port}"\n',
                      encoding="utf-8")
    retried = digest("auto", "-c", config, "--now", "2024-10-01T10:30")
    assert retried.exit_code == 0, retried.output
    assert retried.output == ("editions/2024-10-01.md was already there: left as it was; mailed the ready note to "
                              "editor@example.org, deputy@example.org\n")
    note, = box.received()
    assert "editions/2024-10-01.md was already there: digest left it as it was" in plain(note)
    assert draft.read_bytes() == written


def test_two_runs_never_overlap(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, port)
    (tmp_path / ".digest").mkdir()
    with FileLock(tmp_path / ".digest" / "auto.lock"):  # a run still at work
        result = digest("auto", "-c", config, "--now", ON_THE_DAY)
    assert (result.exit_code, result.output) == (0, "another `digest auto` is running for this network: leaving it to "
                                                    "finish\n")
    assert box.messages == [] and not (tmp_path / "editions").exists()


def test_the_next_edition_says_what_changed_since_the_last(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = scheduled(tmp_path, port)
    assert digest("auto", "-c", config, "--now", ON_THE_DAY).exit_code == 0
    (tmp_path / "bradford.csv").write_text("title,url,date,summary\nBack online,https://bradford.example.org/back,"
                                           "2024-10-20,We are back.\n", encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace('url = "hull.csv"', 'url = "gone.csv"'), encoding="utf-8")
    result = digest("auto", "-c", config, "--now", "2024-11-05T09:00")
    assert result.exit_code == 0, result.output
    text = plain(box.received()[1])
    assert "Since the last edition (the edition of Tuesday 1 October 2024)\n" in text
    assert "  started failing: Hull Circle\n  working again: Bradford Hub\n" in text
    assert "(last edition: 3)" in text


def test_auto_without_a_schedule_says_how_to_add_one(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    result = digest("auto", "-c", config, "--now", ON_THE_DAY)
    assert result.exit_code == 2
    assert result.output == ("Error: sources.toml has no [schedule]: add one, e.g. [schedule] with cadence = "
                             "\"first tuesday\" and notify = [\"editor@example.org\"] (`digest init` writes every key)\n")


def test_now_must_be_a_moment(tmp_path: Path) -> None:
    result = digest("auto", "-c", make_network(tmp_path), "--now", "tuesday")
    assert result.exit_code == 2
    assert ("'tuesday' is not a moment: write it as YYYY-MM-DDTHH:MM, e.g. 2024-10-01T09:30, or a date alone for the "
            "end of that day") in result.output
