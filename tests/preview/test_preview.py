"""`digest preview` without a browser: the pages it serves, rebuilds on save, errors, ports and Ctrl-C."""

from __future__ import annotations

import json
import re
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

from digest.cli import main
from digest.config.load import load_config
from digest.edition.pipeline import build_edition
from digest.preview.http import dark_variant
from digest.preview.server import PreviewServer
from tests.conftest import ROOT
from tests.network import digest, make_network

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
    token = {"X-Digest-Token": server.previewer.token}
    forged = httpx.post(server.url + "refetch", headers={"Origin": "https://evil.example", **token})
    assert forged.status_code == 403
    assert httpx.post(server.url + "refetch", headers={"Origin": server.url.rstrip("/")}).status_code == 403
    answer = httpx.post(server.url + "refetch", headers={"Origin": server.url.rstrip("/"), **token}).json()
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
def test_ctrl_c_stops_cleanly_and_names_the_build_folder(network: Path, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path.parent / f"{tmp_path.name}-preview.log"
    with preview_process(network, port, log) as proc:
        before = sorted(p for p in tmp_path.rglob("*") if ".digest" not in p.parts)
        edit(network, SAMPLE_TITLE, "Edited Digest")
        next_build(f"http://127.0.0.1:{port}/", 1)
        assert stop_preview(proc) == 0, log.read_text()
    assert (f"Stopped. The edition as you left it is in {tmp_path / 'build' / EDITION.isoformat()}/ — newsletter.html "
            "to paste into your email service, newsletter.txt its plain-text part.") in log.read_text()
    # the build folder was written by the first build (and rewritten by each), nothing else
    assert sorted(p for p in tmp_path.rglob("*") if ".digest" not in p.parts) == before
    assert (tmp_path / "build" / EDITION.isoformat() / "newsletter.html").is_file()
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: ignores closed connections
        s.bind(("127.0.0.1", port))  # nothing listens on the port any more


# --- the edition for the date: the draft, when there is one ---------------------------------

@pytest.fixture
def drafted(tmp_path: Path) -> Iterator[tuple[PreviewServer, Path]]:
    """A preview of the small network's draft (editions/2024-10-01.md)."""
    config = make_network(tmp_path)
    assert digest("draft", "-c", config, "--date", EDITION.isoformat()).exit_code == 0
    said: list[str] = []
    with PreviewServer(config, EDITION, port=0, say=said.append) as running:
        assert said[0] == f"from the draft {tmp_path / 'editions' / '2024-10-01.md'}"
        yield running, tmp_path / "editions" / "2024-10-01.md"


def desk_post(server: PreviewServer, body: object, **headers: str) -> httpx.Response:
    sent = {"X-Digest-Token": server.previewer.token, "Content-Type": "application/json", **headers}
    return httpx.post(server.url + "api/desk", content=body if isinstance(body, bytes) else json.dumps(body),
                      headers=sent)


def test_the_preview_shows_the_draft_and_follows_its_saves(drafted: tuple[PreviewServer, Path]) -> None:
    server, path = drafted
    assert "Our summer report" in httpx.get(server.url + "newsletter.html").text
    text = path.read_text()
    start = text.index("### [Our summer report]")
    path.write_text(text[:start] + text[text.index("## Coming up"):])  # deleted in a text editor
    answer = next_build(server.url, 1, deadline=2)
    assert answer["error"] is None
    assert "Our summer report" not in httpx.get(server.url + "newsletter.html").text
    assert "from your draft" in httpx.get(server.url).text


def test_a_draft_error_is_shown_with_its_line_and_the_last_good_edition_kept(
        drafted: tuple[PreviewServer, Path]) -> None:
    server, path = drafted
    good = path.read_text()
    path.write_text(good.replace("## Coming up", "## Comming up"))
    answer = next_build(server.url, 1, deadline=2)
    assert re.search(r"line \d+: \"## Comming up\" names no section", str(answer["error"]))
    assert "Hull Circle open day" in httpx.get(server.url + "newsletter.html").text
    assert "names no section" in httpx.get(server.url + "api/desk").json()["error"]
    path.write_text(good)
    assert next_build(server.url, int(answer["build"]), deadline=2)["error"] is None  # type: ignore[arg-type]


def test_a_change_from_the_page_is_written_as_a_person_would(drafted: tuple[PreviewServer, Path]) -> None:
    server, path = drafted
    before = path.read_text()
    state = httpx.get(server.url + "api/desk").json()
    answer = desk_post(server, {"op": "title", "version": state["version"], "section": 0, "item": 0,
                                "title": "The *Circle* met [the] council"})
    assert answer.status_code == 200, answer.text
    assert path.read_text() == before.replace("### [Circle meets the council]",
                                              "### [The \\*Circle\\* met \\[the\\] council]")
    assert answer.json()["sections"][0]["items"][0]["title"] == "The *Circle* met [the] council"
    stale = desk_post(server, {"op": "drop", "version": state["version"], "section": 0, "item": 0})
    assert stale.status_code == 409 and "changed on disk" in stale.json()["error"]
    assert stale.json()["state"]["version"] == answer.json()["version"]


@pytest.mark.parametrize(("body", "status", "says"), [
    (b"{not json", 400, "not JSON"),
    ([1, 2], 400, "expected a JSON object"),
    ({"op": "format-disk", "version": ""}, 400, "op must be one of"),
    ({"op": "drop", "version": "", "section": 0}, 400, "item must be a whole number"),
    ({"op": "drop", "version": "", "section": -1, "item": 0}, 400, "section must be a whole number"),
    ({"op": "drop", "version": "", "section": True, "item": 0}, 400, "section must be a whole number"),
    ({"op": "drop", "version": "", "section": 0, "item": 0, "path": "../sources.toml"}, 400, "unexpected field 'path'"),
    ({"op": "intro", "version": "", "text": 5}, 400, "text must be text"),
    ({"op": "title", "version": "", "section": 0, "item": 0, "title": "x" * 501}, 400, "at most 500 characters"),
    ({"op": "drop", "version": "x" * 65, "section": 0, "item": 0}, 400, "version must be"),
])
def test_changes_of_the_wrong_shape_are_refused(drafted: tuple[PreviewServer, Path], body: object, status: int,
                                                says: str) -> None:
    server, path = drafted
    before = path.read_text()
    answer = desk_post(server, body)
    assert answer.status_code == status and says in answer.text, answer.text
    assert path.read_text() == before


def test_requests_not_from_the_page_are_refused(drafted: tuple[PreviewServer, Path]) -> None:
    server, path = drafted
    before = path.read_text()
    version = httpx.get(server.url + "api/desk").json()["version"]
    drop = {"op": "drop", "version": version, "section": 0, "item": 0}
    refusals = [
        httpx.post(server.url + "api/desk", json=drop),  # no token
        desk_post(server, drop, **{"X-Digest-Token": "guessed"}),
        desk_post(server, drop, Origin="https://evil.example"),
        desk_post(server, drop, **{"Content-Type": "text/plain"}),
        desk_post(server, drop, Host="evil.example"),
        httpx.get(server.url + "api/desk", headers={"Host": f"evil.example:{server.url.rsplit(':', 1)[1][:-1]}"}),
        httpx.get(server.url, headers={"Host": "localhost.evil.example"}),
        desk_post(server, b"{" + b" " * (65 * 1024) + b"}"),
    ]
    assert [r.status_code for r in refusals] == [403, 403, 403, 415, 421, 421, 421, 413]
    assert path.read_text() == before
    assert server.previewer.token not in refusals[-2].text
    localhost = httpx.get(server.url.replace("127.0.0.1", "localhost"))
    assert localhost.status_code == 200, "the names of the bound address are accepted"


def test_a_draft_outside_editions_is_shown_but_never_written(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    digest("draft", "-c", config, "--date", EDITION.isoformat())
    elsewhere = tmp_path / "2024-10-01.md"
    shutil.move(tmp_path / "editions" / "2024-10-01.md", elsewhere)
    (tmp_path / "editions" / "2024-10-01.md").symlink_to(elsewhere)  # a link out of editions/ is outside too
    for named in (elsewhere, tmp_path / "editions" / "2024-10-01.md"):
        with PreviewServer(config, EDITION, port=0, draft=named) as server:
            state = httpx.get(server.url + "api/desk").json()
            assert state["writable"] is False
            answer = desk_post(server, {"op": "drop", "version": state["version"], "section": 0, "item": 0})
            assert answer.status_code == 403 and "not in the editions/ folder" in answer.json()["error"]
    assert "Circle meets the council" in elsewhere.read_text()


@pytest.mark.slow  # ~1 s: real timeouts
def test_idle_connections_cannot_starve_the_preview(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    config = make_network(tmp_path)
    with PreviewServer(config, EDITION, port=0, max_connections=4, timeout=1.5) as server:
        port = int(server.url.rsplit(":", 1)[1][:-1])
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(12)]  # slowloris: never send
        try:
            time.sleep(0.2)
            closed = 0
            for s in idle[4:]:
                s.settimeout(1)
                closed += s.recv(1) == b""  # refused at once: closed without a word
            assert closed == 8
            for s in idle[:4]:  # the four that were let in time out, and are closed
                s.settimeout(5)
                assert s.recv(1) == b""
            assert httpx.get(server.url, timeout=2).status_code == 200
        finally:
            for s in idle:
                s.close()
    assert "Traceback" not in capfd.readouterr().err


def test_listening_beyond_this_computer_warns_loudly(tmp_path: Path) -> None:
    said: list[str] = []
    with PreviewServer(make_network(tmp_path), EDITION, host="0.0.0.0", port=0, say=said.append) as server:
        assert httpx.get(server.url).status_code == 200
        assert httpx.get(server.url, headers={"Host": "evil.example"}).status_code == 421
    assert any(line.startswith("WARNING: the preview listens on 0.0.0.0, beyond this computer") for line in said)
    quiet: list[str] = []
    with PreviewServer(make_network(tmp_path / "again"), EDITION, port=0, say=quiet.append):
        assert not any("WARNING" in line for line in quiet)


def test_the_page_makes_the_draft_and_the_preview_then_follows_it(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    with PreviewServer(config, EDITION, port=0) as server:
        state = httpx.get(server.url + "api/desk").json()
        assert state == {"draft": None, "path": "editions/2024-10-01.md", "message": "", "can_create": True}
        made = desk_post(server, {"op": "create", "version": ""})
        assert made.status_code == 200 and made.json()["draft"] == "editions/2024-10-01.md"
        assert (tmp_path / "editions" / "2024-10-01.md").is_file()
        answer = next_build(server.url, 1, deadline=3)
        assert answer["error"] is None and "from your draft" in httpx.get(server.url).text
        again = desk_post(server, {"op": "create", "version": ""})
        assert again.status_code == 403 and "already exists" in again.json()["error"]


def test_from_feeds_previews_the_feeds_even_with_a_draft(drafted: tuple[PreviewServer, Path]) -> None:
    _server, path = drafted
    path.write_text(path.read_text().replace("Circle meets the council](", "Edited title]("))
    with PreviewServer(path.parent.parent / "sources.toml", EDITION, port=0, from_feeds=True) as server:
        assert "Circle meets the council" in httpx.get(server.url + "newsletter.html").text
        assert httpx.get(server.url + "api/desk").json()["can_create"] is False
        refused = desk_post(server, {"op": "create", "version": ""})
        assert refused.status_code == 403
