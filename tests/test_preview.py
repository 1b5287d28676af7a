"""`digest preview` without a browser: the pages it serves, rebuilds on save, errors, ports and Ctrl-C."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from digest.build import build_edition
from digest.cli import main
from digest.config import load_config
from digest.preview import PreviewServer, dark_variant
from tests.conftest import ROOT

EDITION = date(2024, 10, 1)
SAMPLE_TITLE = "Co-Production Network Digest"
DIGEST = Path(sys.executable).parent / "digest"


# --- helpers, shared with test_browser.py -------------------------------------------------

def copy_sample(folder: Path) -> Path:
    """The sample network in `folder` with its own copy of the theme, so only the test's edits rebuild."""
    shutil.copy(ROOT / "sources.toml", folder / "sources.toml")
    shutil.copytree(ROOT / "examples", folder / "examples")
    shutil.copytree(ROOT / "templates", folder / "templates")
    config = folder / "sources.toml"
    edit(config, "[newsletter]\n", '[newsletter]\ntemplates = "templates"\n')
    return config


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def preview_process(config: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`digest preview` in its own process, once it answers on `port`; killed if still running at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen([str(DIGEST), "preview", "--config", str(config), "--date", EDITION.isoformat(),
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_answering(proc, port, log)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _wait_until_answering(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"digest preview exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"digest preview did not answer within 20 s:\n{log.read_text()}")


def stop_preview(proc: subprocess.Popen[bytes]) -> int:
    """Ctrl-C, as an editor stops it; the exit code."""
    proc.send_signal(signal.SIGINT)
    return proc.wait(timeout=10)


def next_build(base: str, since: int, deadline: float = 5.0) -> dict[str, object]:
    """The long poll's answer once the build number moves past `since`; fails after `deadline` s."""
    started = time.monotonic()
    answer = httpx.get(f"{base}events", params={"since": since}, timeout=deadline).json()
    assert answer["build"] > since, f"no new build within {time.monotonic() - started:.1f} s"
    return answer


def save_until_rebuilt(path: Path, text: str, base: str, since: int, deadline: float = 5.0) -> None:
    """Save `path` until a build past `since` happens: a watcher that is re-arming for a folder it
    has just been told about may miss the first save, never all of them."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        path.write_text(text, encoding="utf-8")
        try:
            next_build(base, since, deadline=0.5)
            return
        except httpx.ReadTimeout:
            continue
    pytest.fail(f"saving {path} never rebuilt within {deadline} s")


# --- in-process server ----------------------------------------------------------------------

@pytest.fixture
def network(tmp_path: Path) -> Path:
    return copy_sample(tmp_path)


@pytest.fixture
def server(network: Path) -> Iterator[PreviewServer]:
    """A preview of its own, for a test that edits the network."""
    with PreviewServer(network, EDITION, port=0) as running:
        yield running


@pytest.fixture(scope="module")
def untouched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    """One preview shared by the tests that only read from it."""
    with PreviewServer(copy_sample(tmp_path_factory.mktemp("network")), EDITION, port=0) as running:
        yield running


def test_serves_the_preview_page_with_the_report(untouched: PreviewServer) -> None:
    page = httpx.get(untouched.url).text
    assert SAMPLE_TITLE in page
    for source in load_config(untouched.previewer.config_path).sources:
        assert source.name in page
    assert "102 KB" in page and "Check:" in page
    assert "What else have we been up to?" in page  # a section's row
    assert 'src="/newsletter.html" width="375"' in page and 'src="/newsletter-dark.html"' in page


def test_serves_what_digest_build_would_write(untouched: PreviewServer) -> None:
    offline = build_edition(load_config(untouched.previewer.config_path), EDITION, refetch=False)
    html = httpx.get(untouched.url + "newsletter.html")
    assert html.headers["content-type"].startswith("text/html")
    assert html.text == offline.html
    text = httpx.get(untouched.url + "newsletter.txt")
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == offline.text
    assert offline.text.split("\n", 3)[0] in httpx.get(untouched.url).text  # the plain-text twin is on the page


def test_dark_view_turns_the_dark_rules_on(untouched: PreviewServer) -> None:
    dark = httpx.get(untouched.url + "newsletter-dark.html").text
    assert "prefers-color-scheme" not in dark
    assert dark.index('<meta name="color-scheme" content="dark">') < dark.index('content="light dark"')
    assert "@media (min-width: 0px)" in dark  # the theme's dark rules, now unconditional


def test_dark_variant_switches_both_media_conditions() -> None:
    html = ("<html><head><style>@media (prefers-color-scheme: dark) { a { color: white } }"
            "@media screen and (PREFERS-COLOR-SCHEME:light) { a { color: black } }</style></head></html>")
    assert dark_variant(html) == (
        '<html><head><meta name="color-scheme" content="dark"><style>@media (min-width: 0px) { a { color: white } }'
        "@media screen and (max-width: -1px) { a { color: black } }</style></head></html>")


def test_saving_sources_toml_rebuilds_without_refetching(server: PreviewServer, network: Path) -> None:
    (network.parent / "examples" / "feeds" / "scie.atom").unlink()  # a refetch would now fail it
    edit(network, f'title = "{SAMPLE_TITLE}"', 'title = "Autumn Digest"')
    answer = next_build(server.url, 1)
    assert answer["error"] is None
    assert "Autumn Digest" in httpx.get(server.url).text
    assert "<title>Autumn Digest" in httpx.get(server.url + "newsletter.html").text
    report = server.previewer.snapshot.edition.report  # type: ignore[union-attr]
    assert {s.name: s.status for s in report.sources}["SCIE"] not in ("failed", "stale")


def test_a_broken_config_shows_a_banner_and_keeps_the_last_good_newsletter(server: PreviewServer, network: Path) -> None:
    good = network.read_text(encoding="utf-8")
    network.write_text(good.replace("[newsletter]", "[newsletter", 1), encoding="utf-8")
    answer = next_build(server.url, 1)
    assert "is not valid TOML" in str(answer["error"])
    page = httpx.get(server.url).text
    assert 'role="alert"' in page and "is not valid TOML" in page and "showing build #1" in page
    assert f"<title>{SAMPLE_TITLE}" in httpx.get(server.url + "newsletter.html").text

    network.write_text(good.replace(SAMPLE_TITLE, "Fixed Digest"), encoding="utf-8")
    answer = next_build(server.url, int(answer["build"]))  # type: ignore[arg-type]
    assert answer["error"] is None
    page = httpx.get(server.url).text
    assert 'role="alert"' not in page and "Fixed Digest" in page


def test_a_template_error_is_shown_with_its_line(server: PreviewServer, network: Path) -> None:
    template = network.parent / "templates" / "newsletter.mjml.j2"
    edit(template, "{{ title }}</h1>", "{{ title }</h1>")
    answer = next_build(server.url, 1)
    assert "newsletter.mjml.j2 line" in str(answer["error"])


def test_saving_a_template_rebuilds(server: PreviewServer, network: Path) -> None:
    template = network.parent / "templates" / "newsletter.mjml.j2"
    edit(template, "<h1>{{ title }}</h1>", "<h1>{{ title }} (draft)</h1>")
    next_build(server.url, 1)
    assert f"{SAMPLE_TITLE} (draft)</h1>" in httpx.get(server.url + "newsletter.html").text


@pytest.mark.slow  # ~1.5 s: waits for the watcher
def test_a_templates_folder_named_later_is_watched(server: PreviewServer, network: Path) -> None:
    theme = network.parent / "theme"
    shutil.copytree(network.parent / "templates", theme)
    edit(network, 'templates = "templates"', 'templates = "theme"')
    build = int(next_build(server.url, 1)["build"])  # type: ignore[arg-type]
    template = theme / "newsletter.mjml.j2"
    text = template.read_text(encoding="utf-8").replace("<h1>{{ title }}</h1>", "<h1>{{ title }} (new theme)</h1>")
    save_until_rebuilt(template, text, server.url, build)
    assert "(new theme)</h1>" in httpx.get(server.url + "newsletter.html").text


@pytest.mark.slow  # ~1.5 s: waits for the watcher
def test_the_editions_folder_is_watched_once_it_exists(server: PreviewServer, network: Path) -> None:
    editions = network.parent / "editions"
    editions.mkdir()
    build = int(next_build(server.url, 1)["build"])  # type: ignore[arg-type]
    save_until_rebuilt(editions / "2024-10-01.md", "A draft.\n", server.url, build)


@pytest.mark.slow  # ~1 s: waits to see that nothing happens
def test_other_files_do_not_rebuild(server: PreviewServer, network: Path) -> None:
    (network.parent / "notes.txt").write_text("not part of the newsletter\n")
    (network.parent / ".sources.toml.swp").write_bytes(b"vim swap")
    (network.parent / "templates" / "newsletter.mjml.j2~").write_text("backup")
    assert server.previewer.wait_for_change(1, timeout=0.6).number == 1


def test_refetch_rebuilds_only_from_the_preview_page(server: PreviewServer) -> None:
    forged = httpx.post(server.url + "refetch", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    answer = httpx.post(server.url + "refetch", headers={"Origin": server.url.rstrip("/")}).json()
    assert answer["build"] == 2 and answer["error"] is None


def test_unknown_paths_are_404(untouched: PreviewServer) -> None:
    assert httpx.get(untouched.url + "etc/passwd").status_code == 404


# --- the command ----------------------------------------------------------------------------

def test_a_port_in_use_is_a_clear_error(network: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["preview", "--config", str(network), "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} is in use: pass --port {port + 1}" in result.output


def test_a_config_that_cannot_load_stops_before_serving(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["preview", "--config", str(tmp_path / "missing.toml"), "--port", "0"])
    assert result.exit_code == 2
    assert "nothing to preview" in result.output and "not found" in result.output


@pytest.mark.slow  # ~1 s: a preview process
def test_ctrl_c_stops_cleanly_and_leaves_no_files(network: Path, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path.parent / f"{tmp_path.name}-preview.log"
    with preview_process(network, port, log) as proc:
        before = sorted(p for p in tmp_path.rglob("*") if ".digest" not in p.parts)
        edit(network, SAMPLE_TITLE, "Edited Digest")
        next_build(f"http://127.0.0.1:{port}/", 1)
        assert stop_preview(proc) == 0, log.read_text()
    assert "Stopped." in log.read_text()
    assert sorted(p for p in tmp_path.rglob("*") if ".digest" not in p.parts) == before
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: ignores closed connections
        s.bind(("127.0.0.1", port))  # nothing listens on the port any more
