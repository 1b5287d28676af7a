"""`digest sources check` and `digest sources list` over loopback sites: one line per source, with the fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ConfigFactory
from tests.network import digest
from tests.sites import Site, page


@pytest.fixture
def site() -> Iterator[Site]:
    started = Site({
        "/feed/": page("wordpress-feed.xml"),
        "/old-feed": (301, "text/plain", "{base}/feed/"),
        "/removed": (410, "text/plain", "gone"),
        "/missing": (404, "text/plain", "no"),
        "/home/": page("wordpress-home.html"),
        "/empty.xml": (200, "application/rss+xml",
                       "<?xml version='1.0'?><rss version='2.0'><channel><title>x</title></channel></rss>"),
        "/broken": (500, "text/plain", "oops"),
    })
    yield started
    started.close()


def write(folder: Path, urls: dict[str, str]) -> Path:
    sources = [{"name": name, "url": url} for name, url in urls.items()]
    return ConfigFactory(folder).write(timezone="Europe/London", sources=sources)


def test_check_says_ok_moved_gone_empty_failed_with_the_fix(site: Site, tmp_path: Path) -> None:
    config = write(tmp_path, {"Good": f"{site.base}/feed/", "Moved": f"{site.base}/old-feed",
                              "Removed": f"{site.base}/removed", "Missing": f"{site.base}/missing",
                              "Home page": f"{site.base}/home/", "Empty": f"{site.base}/empty.xml",
                              "File": "nowhere.xml"})
    result = digest("sources", "check", "-c", config, "--date", "2024-10-01")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Good: ok: RSS 2.0, 2 posts, newest 2024-09-23",
        f"Moved: moved: {site.base}/old-feed now redirects for good to {site.base}/feed/ — change its url in "
        "sources.toml to that (RSS 2.0, 2 posts, newest 2024-09-23)",
        f"Removed: gone: gone for good (HTTP 410) at {site.base}/removed: the member has removed this feed — remove or "
        "replace it in sources.toml; or run `digest sources add` on the member's home page to find where it went",
        f"Missing: gone: not found (HTTP 404) at {site.base}/missing: the feed has moved or been removed — ask the "
        "member for its new address; or run `digest sources add` on the member's home page to find where it went",
        f"Home page: empty: this address is a web page, not a feed: use this URL instead: {site.base}/feed/",
        "Empty: empty: it answers but lists nothing",
        f"File: failed: file {tmp_path / 'nowhere.xml'} not found: fix the path in sources.toml",
        "1 of 7 ok",
    ]


def test_check_all_ok_exits_0(site: Site, tmp_path: Path) -> None:
    result = digest("sources", "check", "-c", write(tmp_path, {"Good": f"{site.base}/feed/"}), "--date", "2024-10-01")
    assert (result.exit_code, result.output) == (0, "Good: ok: RSS 2.0, 2 posts, newest 2024-09-23\n1 of 1 ok\n")


def test_list_shows_each_source_and_its_last_fetch(site: Site, tmp_path: Path) -> None:
    config = write(tmp_path, {"Good": f"{site.base}/feed/", "Missing": f"{site.base}/missing"})
    config.write_text(config.read_text().replace('url = "' + site.base + '/feed/"',
                                                 'url = "' + site.base + '/feed/"\ntags = ["leeds", "carers"]'))
    listed = digest("sources", "list", "-c", config)
    assert (listed.exit_code, listed.output) == (
        0, f"Good: {site.base}/feed/  [leeds, carers]\nMissing: {site.base}/missing\n2 sources\n")
    assert not (tmp_path / ".digest").exists()  # listing never creates a store
    assert digest("build", "-c", config, "--date", "2024-10-01", "--out", tmp_path / "out").exit_code == 0
    lines = digest("sources", "list", "-c", config).output.splitlines()
    assert lines[0].startswith(f"Good: {site.base}/feed/  [leeds, carers]  last ok 20")
    assert lines[1] == (f"Missing: {site.base}/missing  last error: not found (HTTP 404) at {site.base}/missing: "
                        "the feed has moved or been removed — ask the member for its new address")


@pytest.mark.parametrize("name", ["add", "list", "check", "import", "export"])
def test_every_sources_command_takes_verbose_quiet_and_names_its_exit_codes(name: str) -> None:
    help_text = digest("sources", name, "--help").output
    assert "-v, --verbose" in help_text and "-q, --quiet" in help_text
    codes = help_text.split("Exit codes:\n", 1)[1]
    assert [line.split()[0] for line in codes.splitlines() if line.strip()] == ["0", "1", "2"]
