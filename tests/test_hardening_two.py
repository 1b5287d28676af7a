"""Hardening, round two (issue 17): each test is named for the defect it covers and failed before its fix."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli import main
from tests.hardening import NOW, Entry, no_network, posts, rss, write_config  # noqa: F401 - fixture


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
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
    text = config.read_text().replace('kind = "posts"\n', f'kind = "posts"\nmatch = {pattern!r}\n', 1)
    config.write_text(text + '\n[[sections]]\ntitle = "Everything else"\nkind = "posts"\n')


# -- 1. regexes from config have a time budget; local sources are regular files ---------------------


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$", "(?i)^(\\w+\\s?)+cuppa"])
def test_a_backtracking_match_over_1000_hostile_titles_never_hangs_the_build(tmp_path: Path, pattern: str) -> None:
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

    from digest.config import load_config
    from digest.group import group
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
    from digest.store import Store

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
