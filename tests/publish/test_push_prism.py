"""`digest push` to listmonk and Buttondown, every request checked by Prism against their published OpenAPI documents.

Prism runs as a validating proxy (`prism proxy DOCUMENT UPSTREAM`): each request is checked
against the document, then forwarded to a loopback stand-in that keeps the campaigns (Prism's
mock answers from examples, so a draft made there could not be found again to update). A test
fails if Prism logs any request that did not pass the document ("Violation: request…", which
includes a path the document does not have). Skipped where Prism (npm ci) or the documents
(../shared/specs) are missing; under CI that is a failure.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, need
from tests.network import digest, make_network
from tests.publish.services import Fake, Running, buttondown, listmonk
from tests.publish.test_push import EDITION, said

pytestmark = pytest.mark.slow  # Prism takes ~3 s to start for each document

PRISM = ROOT / "node_modules" / ".bin" / "prism"
SPECS = ROOT.parent / "shared" / "specs"
USER, TOKEN, KEY = "digest-bot", "s3cret-token", "buttondown-test-key"


@dataclass
class Proxy:
    """Prism in front of a stand-in: the address to push to, and the log to read."""

    url: str
    log: Path
    fake: Fake
    ready_at: int  # the log's length once Prism answered (the probe's own request is not a push's)

    def violations(self) -> list[str]:
        text = self.log.read_bytes()[self.ready_at:].decode("utf-8", "replace")
        return [line.split("Violation: ", 1)[1] for line in text.splitlines() if "Violation: request" in line]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prism(document: str, fake: Fake, folder: Path) -> Iterator[Proxy]:
    """Prism's proxy for `document` on a free port, in front of `fake`, until the test module ends."""
    need(PRISM, "Prism (npm ci: @stoplight/prism-cli)")
    spec = need(SPECS / document, "the published API documents (../shared/specs)")
    port = free_port()
    log = folder / f"prism-{document}.log"
    with log.open("wb") as out, Running(fake):
        process = subprocess.Popen([str(PRISM), "proxy", "-p", str(port), "-h", "127.0.0.1", str(spec), fake.url()],
                                   stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"Prism did not start: {log.read_text(errors='replace')[-2000:]}")
                    time.sleep(0.2)
            time.sleep(0.2)  # the probe's log lines written
            yield Proxy(f"http://127.0.0.1:{port}", log, fake, log.stat().st_size)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def listmonk_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    yield from prism("listmonk.yaml", listmonk(USER, TOKEN), tmp_path_factory.mktemp("prism"))


@pytest.fixture(scope="module")
def buttondown_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    yield from prism("buttondown.json", buttondown(KEY), tmp_path_factory.mktemp("prism"))


@pytest.fixture
def network(tmp_path: Path) -> Path:
    config = make_network(tmp_path)
    assert digest("draft", "-c", config, "--date", EDITION).exit_code == 0
    return config


def push(network: Path, *args: str, env: dict[str, str]) -> tuple[int, str]:
    result = digest("push", "-c", network, "--date", EDITION, *args, env=env)
    return result.exit_code, said(result)


def checked(proxy: Proxy) -> None:
    """Nothing Prism saw broke the document, and the stand-in saw nothing that sends."""
    assert proxy.violations() == [], "requests that do not pass the published document"
    assert proxy.fake.problems == []


def test_two_pushes_to_listmonk_make_one_draft_then_update_it(listmonk_proxy: Proxy, network: Path) -> None:
    fake = listmonk_proxy.fake
    fake.reset()
    env = {"LISTMONK_API_USER": USER, "LISTMONK_API_TOKEN": TOKEN}
    args = ("--esp", "listmonk", "--list", "1", "--api-url", listmonk_proxy.url)
    code, out = push(network, *args, env=env)
    assert code == 0, out
    assert out.splitlines()[0] == (f"Made a new listmonk draft “Test Network News – Tuesday 1 October 2024”: open it at "
                                   f"{listmonk_proxy.url}/admin/campaigns/100")
    code, out = push(network, *args, env=env)
    assert code == 0, out
    assert out.splitlines()[0].startswith("Updated the listmonk draft")
    assert [(c.method, c.path) for c in fake.calls] == [
        ("GET", "/lists/1"), ("POST", "/campaigns"), ("GET", "/campaigns/100"), ("GET", "/lists/1"),
        ("PUT", "/campaigns/100")]
    checked(listmonk_proxy)
    campaign = fake.campaigns["100"]
    assert (campaign["subject"], campaign["lists"], campaign["content_type"]) == (
        "Test Network News – Tuesday 1 October 2024", [1], "html")
    assert "{{ UnsubscribeURL }}" in campaign["body"] and "{{ UnsubscribeURL }}" in campaign["altbody"]


def test_two_pushes_to_buttondown_make_one_draft_then_update_it(buttondown_proxy: Proxy, network: Path) -> None:
    fake = buttondown_proxy.fake
    fake.reset()
    args = ("--esp", "buttondown", "--api-url", buttondown_proxy.url)
    for expected in ("Made a new Buttondown draft", "Updated the Buttondown draft"):
        code, out = push(network, *args, env={"BUTTONDOWN_API_KEY": KEY})
        assert code == 0, out
        assert out.splitlines()[0].startswith(expected)
        assert "open it at https://buttondown.com/emails/em_" in out.splitlines()[0]
    ident = next(iter(fake.campaigns))
    assert [(c.method, c.path) for c in fake.calls] == [
        ("POST", "/emails"), ("GET", f"/emails/{ident}"), ("PATCH", f"/emails/{ident}")]
    checked(buttondown_proxy)
    email = fake.campaigns[ident]
    assert (email["status"], email["subject"]) == ("draft", "Test Network News – Tuesday 1 October 2024")
    assert "{{ unsubscribe_url }}" in email["body"] and email["description"]


def test_a_wrong_listmonk_token_is_said(listmonk_proxy: Proxy, network: Path) -> None:
    listmonk_proxy.fake.reset()
    code, out = push(network, "--esp", "listmonk", "--list", "1", "--api-url", listmonk_proxy.url,
                     env={"LISTMONK_API_USER": USER, "LISTMONK_API_TOKEN": "wrong"})
    assert (code, out.strip()) == (1, "Error: listmonk refused the API key (401: Your API key may be invalid.): check "
                                      "LISTMONK_API_USER and LISTMONK_API_TOKEN")
    checked(listmonk_proxy)


def test_prism_catches_a_request_the_document_does_not_allow(listmonk_proxy: Proxy) -> None:
    """The check above can fail: a campaign whose list is not a number is a violation Prism logs."""
    before = listmonk_proxy.log.stat().st_size
    httpx.post(listmonk_proxy.url + "/campaigns", json={"name": "x", "lists": ["not a number"]})
    listmonk_proxy.ready_at = before
    deadline = time.monotonic() + 10
    while not (seen := listmonk_proxy.violations()) and time.monotonic() < deadline:
        time.sleep(0.05)  # until Prism has written its log line
    listmonk_proxy.ready_at = listmonk_proxy.log.stat().st_size
    assert seen == ["request.body.lists.0 Request body property lists.0 must be number"]
