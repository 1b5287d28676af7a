"""`digest sources add` against hostile pages: escape sequences, dripping feeds, bodies past the byte cap."""

from __future__ import annotations

import time
import tomllib
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect.fetch import Limits
from digest.sources.discover import ADD_DEADLINE, discover, window_from
from tests.hardening import LoopbackServer, drip, posts, rss, send
from tests.network import digest
from tests.sources.test_sources import NETWORK

ESCAPES = "\x1b[2J\x1b]0;owned\x07\x9b31m\u202e"  # clear screen, set the window title, CSI, right-to-left override


@pytest.fixture
def network(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(NETWORK, encoding="utf-8")
    return path


def _page(title: str, feeds: list[str]) -> bytes:
    links = "".join(f'<link rel="alternate" type="application/rss+xml" href="{href}">' for href in feeds)
    return f"<html><head><title>{title}</title>{links}</head><body>hello</body></html>".encode()


def test_a_pages_escape_sequences_never_reach_the_terminal_nor_break_the_toml(server: LoopbackServer,
                                                                             network: Path) -> None:
    server["/"] = send(_page(f"{ESCAPES}Evil\r\nMember{ESCAPES}", ["/feed"]), content_type="text/html")
    server["/feed"] = send(rss(posts(2)))
    result = digest("sources", "add", server.url("/"), "--yes", "--date", "2024-10-01", "-c", network)
    assert result.exit_code == 0, result.output
    assert [c for c in result.output if ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) <= 0x9f or c == "\u202e"] == []
    shown = "[2J]0;owned31mEvil Member[2J]0;owned31m"  # what is left is printable, and on one line
    assert result.output.splitlines()[0] == f"{server.url('/')} ({shown})"
    written = tomllib.loads(network.read_text(encoding="utf-8"))["sources"]
    assert [(s["name"], s["url"]) for s in written] == [(shown, server.url("/feed"))]
    assert f"# {shown}: advertised by the page\n" in network.read_text(encoding="utf-8")


@pytest.mark.slow  # ~2 s: a real deadline
def test_eight_dripping_feeds_stop_at_the_overall_deadline(server: LoopbackServer, network: Path) -> None:
    feeds = [f"/drip-{n}" for n in range(8)]
    server["/"] = send(_page("Dripping Member", feeds), content_type="text/html")
    for path in feeds:
        server[path] = drip(0.1)  # every read is quick; no feed ever ends
    started = time.monotonic()
    result = digest("sources", "add", server.url("/"), "--yes", "--date", "2024-10-01", "-c", network,
                    "--deadline", "2")
    assert time.monotonic() - started < 30  # not 8 × 45 s / 2 per host: measured separately, ~2 s
    assert result.exit_code == 2
    lines = result.output.splitlines()
    still = [f"  tried {server.url(p)} (advertised by the page): still coming after 2 s, the deadline for the whole "
             "look (--deadline): add it by its address if it is the one" for p in feeds]
    assert [line for line in lines if "still coming" in line] == still
    assert "[[sources]]" not in network.read_text(encoding="utf-8")


def test_the_deadline_is_named_and_its_default_is_the_commands() -> None:
    from digest.commands.sources import add

    option = next(p for p in add.params if p.name == "deadline")
    assert option.default == ADD_DEADLINE == 30.0


def test_a_body_cut_at_the_byte_cap_is_said(server: LoopbackServer) -> None:
    server["/big-feed"] = send(rss(posts(400)))  # ~90 KB
    tz = ZoneInfo("Europe/London")
    found = discover(server.url("/big-feed"), tz=tz, window=window_from(date(2024, 9, 1), tz),
                     limits=Limits(max_bytes=64 * 1024))
    assert len(found.found) == 1
    assert found.found[0].describe().endswith(", only the first 64 KB was read")
