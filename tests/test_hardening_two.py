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
