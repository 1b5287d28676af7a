"""Hardening, round two: each test is named for the defect it covers and failed before its fix."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli import main
from tests.hardening import NOW, Entry, posts, rss, write_config


def run(*args: str) -> Result:
    """The command in-process; an exception other than a clean exit would be a traceback for the user."""
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def build(config: Path, *extra: str) -> Result:
    return run("build", "--config", str(config), "--date", "2024-10-01", "--out", str(config.parent / "out"), *extra)


def adversarial_feed(folder: Path, count: int = 1000) -> Path:
    """A feed of `count` titles made to make a backtracking pattern take for ever."""
    entries = [Entry("a" * 40 + f"!{i}", f"https://member.example/{i}", NOW - timedelta(minutes=i), f"id-{i}")
               for i in range(count)]
    (folder / "feed.xml").write_bytes(rss(entries))
    return write_config(folder, {"Member": "feed.xml"})


def with_match(config: Path, pattern: str) -> None:
    """`pattern` on the first section; a second takes the rest."""
    text = config.read_text().replace('kind = "posts"\n', f'kind = "posts"\nmatch = {pattern!r}\n', 1)
    config.write_text(text + '\n[[sections]]\ntitle = "Everything else"\nkind = "posts"\n')


# -- 1. regexes from config have a time budget; local sources are regular files ---------------------


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One small build first, so the timing below is the build's and not Python importing its libraries."""
    folder = tmp_path_factory.mktemp("warm")
    (folder / "feed.xml").write_bytes(rss(posts(2)))
    assert build(write_config(folder, {"Member": "feed.xml"})).exit_code == 0


@pytest.mark.slow  # ~1.5 s each: 1,000 titles against a budgeted pattern
@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$", "(?i)^(\\w+\\s?)+cuppa"])
def test_a_backtracking_match_over_1000_hostile_titles_never_hangs_the_build(tmp_path: Path, pattern: str,
                                                                              warm: None) -> None:
    config = adversarial_feed(tmp_path)
    with_match(config, pattern)
    started = time.perf_counter()
    result = build(config)
    took = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert took < 5, f"the build took {took:.1f} s"
    warnings = [line for line in result.output.splitlines() if "sections[1].match" in line]
    assert len(warnings) <= 1  # `regex` runs (a+)+$ without backtracking: then there is nothing to report
    if pattern == "(a|aa)+$":  # this one does blow the budget, in any backtracking engine
        assert len(warnings) == 1
        assert "took longer than 0.1 s on the title 'aaaa" in warnings[0]
        assert "the section 'News' takes no items in this build" in warnings[0]
        assert "Everything else" in result.output


def test_a_blown_match_leaves_its_items_to_the_later_sections(tmp_path: Path) -> None:
    from datetime import date

    from digest.config.load import load_config
    from digest.edition.group import group
    from digest.model import Post

    config = adversarial_feed(tmp_path, count=3)
    with_match(config, "(a|aa)+$")
    items = [Post(id=str(i), source="Member", title="a" * 40 + f"!{i}", url=None, published=NOW) for i in range(3)]
    problems: list[str] = []
    filled = group(items, load_config(config), date(2024, 10, 1), problems=problems)
    assert [len(box.items) for box in filled] == [0, 3]
    assert len(problems) == 1 and problems[0].startswith("sections[1].match '(a|aa)+$' took longer than 0.1 s")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_a_local_source_fails_that_source_instead_of_hanging(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(rss(posts(2)))
    os.mkfifo(tmp_path / "pipe.xml")
    config = write_config(tmp_path, {"Member": "feed.xml", "Pipe": "pipe.xml"})
    result = build(config)
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'pipe.xml'} is not an ordinary file (a pipe or device)" in result.output


# -- 2. publish is one transaction; a build's outputs are complete or not written ------------------


def _drafted(tmp_path: Path, edition: str = "2024-10-01") -> tuple[Path, Path]:
    from tests.network import digest, make_network

    config = make_network(tmp_path)
    assert digest("draft", "-c", config, "--date", edition).exit_code == 0
    return config, config.parent / "editions" / f"{edition}.md"


def _sent(config: Path) -> set[str]:
    from digest.collect.store import Store

    with Store.beside(config) as store:
        return store.sent_ids()


@pytest.mark.parametrize("bad", ["2024-09-01/index.html:", "2024-13-45/index.html:<html><title>x</title></html>"])
def test_a_bad_archive_entry_is_reported_and_skipped_and_publish_completes(tmp_path: Path, bad: str) -> None:
    config, draft = _drafted(tmp_path)
    where, content = bad.split(":", 1)
    entry = config.parent / "archive" / where
    entry.parent.mkdir(parents=True)
    entry.write_text(content)
    result = run("publish", "-c", str(config), "--edition", str(draft))
    assert result.exit_code == 0, result.output
    name = entry.parent.name
    why = "its index.html is empty" if not content else f"{name} is not a date"
    assert f"warning: {entry.parent} is left out of the archive: {why}; delete or rename that folder" in result.output
    index = (config.parent / "archive" / "index.html").read_text()
    assert "2024-10-01/index.html" in index and name not in index
    assert _sent(config)  # recorded, after the index and feed were written
    again = run("archive", "-c", str(config))
    assert again.exit_code == 0 and "1 edition)" in again.output


def test_publish_records_nothing_as_sent_when_the_archive_cannot_be_written(tmp_path: Path) -> None:
    config, draft = _drafted(tmp_path)
    (config.parent / "archive" / "feed.atom").mkdir(parents=True)  # the feed cannot be renamed over a folder
    result = run("publish", "-c", str(config), "--edition", str(draft))
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: cannot write to {config.parent / 'archive'} (Is a directory)")
    assert _sent(config) == set()
    (config.parent / "archive" / "feed.atom").rmdir()
    assert run("publish", "-c", str(config), "--edition", str(draft)).exit_code == 0
    assert _sent(config)


def test_stale_tmp_files_left_by_a_killed_publish_are_swept_and_fresh_ones_kept(tmp_path: Path) -> None:
    config, draft = _drafted(tmp_path)
    archive = config.parent / "archive"
    (archive / "2024-09-01").mkdir(parents=True)
    stale = [archive / ".index.html.k1ll.tmp", archive / "2024-09-01" / ".index.html.k2ll.tmp",
             config.parent / "build" / ".2024-10-01.k3ll.tmp"]
    stale[2].parent.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_text("half")
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    fresh = archive / ".feed.atom.busy.tmp"  # another run writing right now
    fresh.write_text("being written")
    assert run("publish", "-c", str(config), "--edition", str(draft)).exit_code == 0
    assert [p for p in stale if p.exists()] == []
    assert fresh.exists()


def test_a_full_disk_during_a_build_leaves_the_previous_outputs_whole(tmp_path: Path, monkeypatch) -> None:
    import errno

    import digest.write

    (tmp_path / "feed.xml").write_bytes(rss(posts(2)))
    config = write_config(tmp_path, {"Member": "feed.xml"})
    assert build(config).exit_code == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert set(before) >= {"newsletter.html", "newsletter.txt", "web.html"}
    (tmp_path / "feed.xml").write_bytes(rss(posts(3, prefix="Later")))
    real = digest.write.write_atomic

    def full(path: Path, content: str | bytes) -> None:
        if path.name == "web.html":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, content)

    monkeypatch.setattr(digest.write, "write_atomic", full)
    result = build(config)
    assert result.exit_code == 2
    assert result.output == (f"Error: cannot write to {tmp_path / 'out'} (No space left on device): "
                             "choose another --out folder or fix its permissions\n")
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# -- 8. a feed whose links point at localhost is named in the report -------------------------------


def test_a_feed_whose_links_point_at_localhost_is_named_and_its_links_left_out(tmp_path: Path) -> None:
    entries = [Entry(f"Ghost post {i}", f"http://localhost:2368/post-{i}/", NOW - timedelta(days=i), f"g{i}")
               for i in range(2)]
    (tmp_path / "feed.xml").write_bytes(rss(entries))
    config = write_config(tmp_path, {"Ghost member": "feed.xml"})
    result = build(config)
    assert result.exit_code == 0, result.output
    assert ("its links point at localhost (e.g. http://localhost:2368/post-0/), which works only on the member's own "
            "computer, so they are left out: ask the member to set their site's public address") in result.output
    html = (tmp_path / "out" / "newsletter.html").read_text()
    assert "Ghost post 0" in html and "localhost" not in html


# -- 7. a damaged store is repaired, keeping the sent history ------------------------------------------


def _damage_table(store: Path, table: str) -> None:
    """Overwrite the first page of one table with garbage, as a bad disk or a cut copy would."""
    import sqlite3

    with sqlite3.connect(store) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
    db.close()
    with store.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xde\xad" * (page_size // 2))


def test_a_damaged_store_is_repaired_keeping_what_was_sent(tmp_path: Path) -> None:
    config, draft = _drafted(tmp_path)
    assert run("publish", "-c", str(config), "--edition", str(draft)).exit_code == 0
    sent = _sent(config)
    assert sent
    store = config.parent / ".digest" / "store.sqlite"
    _damage_table(store, "sources")
    broken = run("build", "-c", str(config), "--date", "2024-11-01")
    assert broken.exit_code == 2
    assert "is not a digest store or is damaged" in broken.output and "run `digest repair`" in broken.output
    assert "delete" not in broken.output
    repaired = run("repair", "-c", str(config))
    assert repaired.exit_code == 0, repaired.output
    assert repaired.output.startswith(f"repaired {store}: kept {len(sent)} sent records and ")
    assert len(list(store.parent.glob("store.sqlite.damaged-*Z"))) == 1  # kept, never deleted
    assert _sent(config) == sent
    assert run("build", "-c", str(config), "--date", "2024-11-01", "--offline").exit_code == 0


def test_repair_of_a_store_that_is_not_a_database_at_all_says_what_was_lost(tmp_path: Path) -> None:
    store = tmp_path / ".digest" / "store.sqlite"
    store.parent.mkdir()
    store.write_bytes(b"\x00garbage" * 512)
    (tmp_path / "feed.xml").write_bytes(rss(posts(1)))
    config = write_config(tmp_path, {"Member": "feed.xml"})
    result = run("repair", "-c", str(config))
    assert result.exit_code == 0, result.output
    assert "kept 0 sent records and 0 stored items" in result.output
    assert "warning: part of the record of what was sent could not be read and is lost" in result.output
    assert build(config).exit_code == 0


# -- 6. every listed traceback is a sentence; bounds; controls, bidi, long titles, merge tags -------------


@pytest.mark.parametrize(("change", "line"), [
    (('days_back = 31\n', 'days_back = 31\n\n[[sections]]\ntitle = "Soon"\nkind = "events"\ndays_ahead = 99999999\n'),
     "sections[2].days_ahead (line 14): 99999999 is too large: use a whole number from 1 to 3,660 days (ten years)"),
    (("days_back = 31", "days_back = 99999999"),
     "sections[1].days_back (line 9): 99999999 is too large: use a whole number from 1 to 3,660 days (ten years)"),
    (('days_back = 31', 'days_back = 31\nlimit = 99999999999'),
     "sections[1].limit (line 10): 99999999999 is too large: use a whole number from 1 to 1,000 items"),
    (('language = "en-GB"', 'language = "en-GB"\nsummary_length = 999999999999'),
     "newsletter.summary_length (line 5): 999999999999 is too large: use a whole number from 1 to 10,000 characters"),
    (('url = "feed.xml"', 'url = "feed\\u0000.xml"'),
     "sources[1].url (line 13): 'feed\\x00.xml' has a control character in it: retype the address"),
    (('url = "feed.xml"', 'url = "https://example.org/fe\\u202Eed"'),
     "sources[1].url (line 13): 'https://example.org/fe\\u202eed' has a control character in it: retype the address"),
], ids=["days-ahead-overflow", "days-back-overflow", "limit", "summary-length", "nul-in-url", "bidi-in-url"])
def test_out_of_bounds_numbers_and_a_nul_in_a_source_url_are_config_errors_not_tracebacks(
        tmp_path: Path, change: tuple[str, str], line: str) -> None:
    (tmp_path / "feed.xml").write_bytes(rss(posts(1)))
    config = write_config(tmp_path, {"Member": "feed.xml"})
    config.write_text(config.read_text().replace(*change))
    result = build(config)
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: {config}: {line}\n"


def test_an_edition_date_past_the_calendar_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(rss(posts(1)))
    config = write_config(tmp_path, {"Member": "feed.xml"})
    result = run("build", "-c", str(config), "--date", "9999-12-31", "--offline")
    assert result.exit_code == 2
    assert "Invalid value for '--date' / '-d': '9999-12-31' is too far from today: give an edition date between 1990 and 2999" \
        in result.output


def test_an_invalid_date_in_the_draft_header_is_reported_with_its_line(tmp_path: Path) -> None:
    config, draft = _drafted(tmp_path)
    draft.write_text(draft.read_text().replace("digest edition 2024-10-01", "digest edition 2024-13-45", 1))
    result = run("build", "-c", str(config), "--edition", str(draft))
    assert result.exit_code == 2, result.output
    assert "line 1: '2024-13-45' in the first line is not a date: write it as YYYY-MM-DD" in result.output


BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Cuppa\u202egnp.exe" reads as "Cuppaexe.png"


def test_control_and_bidi_override_characters_are_stripped_from_titles_and_names(tmp_path: Path) -> None:
    entries = [Entry(f"Cuppa{BIDI}gnp.exe\u2066 and\u0007 chat", "https://member.example/1", NOW, "g1",
                     summary=f"Hello {BIDI}there")]
    (tmp_path / "feed.xml").write_bytes(rss(entries))
    config = write_config(tmp_path, {"Member": "feed.xml"})
    config.write_text(config.read_text().replace('name = "Member"', 'name = "Member\\u202e group"'))
    result = build(config)
    assert result.exit_code == 0, result.output
    for name in ("newsletter.html", "newsletter.txt", "web.html"):
        text = (tmp_path / "out" / name).read_text()
        assert BIDI not in text and "\u2066" not in text and "\x07" not in text, name
        assert "Cuppagnp.exe and chat" in text and "Member group" in text, name


def test_a_10kb_title_is_capped_with_an_ellipsis(tmp_path: Path) -> None:
    from digest.sanitize import TITLE_LIMIT

    entries = [Entry("Word " * 2000, "https://member.example/long", NOW, "long")]
    (tmp_path / "feed.xml").write_bytes(rss(entries))
    config = write_config(tmp_path, {"Member": "feed.xml"})
    assert build(config).exit_code == 0
    text = (tmp_path / "out" / "newsletter.txt").read_text()
    assert "Word " * 2000 not in text
    heading = next(line for line in (tmp_path / "out" / "newsletter.html").read_text().split("<h3")[1:]).split("</h3>")[0]
    assert heading.count("Word") == TITLE_LIMIT // len("Word ") and heading.endswith("Word…</a>")


def test_merge_tag_look_alikes_from_sources_toml_are_defused_in_the_email(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(rss(posts(1)))
    config = write_config(tmp_path, {"*|UNSUB|* Group": "feed.xml"},
                          extra='address = "1 High St {{ unsubscribe }}, London"\n')
    config.write_text(config.read_text().replace('title = "News"', 'title = "News {$unsubscribe} *|ARCHIVE|*"')
                      .replace('title = "Hardening Digest"', 'title = "Digest %%unsub%%"'))
    result = build(config)
    assert result.exit_code == 0, result.output
    for name in ("newsletter.html", "newsletter.txt", "web.html"):
        text = (tmp_path / "out" / name).read_text()
        for tag in ("*|", "|*", "{{", "}}", "{$", "%%"):
            assert tag not in text, (name, tag)
        assert "UNSUB" in text and "High St" in text, name


def test_a_draft_killed_mid_write_leaves_no_tmp_file_after_the_next_draft(tmp_path: Path) -> None:
    config, draft = _drafted(tmp_path)
    left = draft.parent / f".{draft.name}.k1ll.tmp"  # killed while writing: the draft never got its name
    left.write_text("half a draft")
    draft.unlink()
    os.utime(left, (time.time() - 3600, time.time() - 3600))
    assert run("draft", "-c", str(config), "--date", "2024-10-01").exit_code == 0
    assert not left.exists()


def test_repair_leaves_a_healthy_store_alone(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(rss(posts(2)))
    config = write_config(tmp_path, {"Member": "feed.xml"})
    assert build(config).exit_code == 0
    store = config.parent / ".digest" / "store.sqlite"
    result = run("repair", "-c", str(config))
    assert result.exit_code == 0
    assert result.output == f"{store} is not damaged: nothing to repair (--force rebuilds it anyway)\n"
    assert [p.name for p in store.parent.iterdir() if ".damaged-" in p.name] == []
    forced = run("repair", "-c", str(config), "--force")
    assert forced.exit_code == 0 and "kept 0 sent records and 2 stored items" in forced.output
