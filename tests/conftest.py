"""Shared test helpers: where the repo and the shared corpora are, a throwaway sample network, and sources.toml files
built from keyword overrides (`config_toml`, the `make_config` fixture)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from digest.config.keys import Config
from digest.config.load import load_config
from digest.config.schema import toml_value
from tests.hardening import LOOPBACK, LoopbackServer

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ON_CI = os.environ.get("CI") == "true"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def need(path: Path, what: str) -> Path:
    """Skip (on a user's clone) or fail (under CI) when a required folder or tool is absent."""
    if not path.exists():
        message = f"{what} not found at {path}"
        if ON_CI:
            pytest.fail(f"{message}: CI must have it")
        pytest.skip(message)
    return path


def corpus(*parts: str) -> Path:
    """A folder of ../shared/corpora, or skip/fail as `need` does."""
    return need(CORPORA.joinpath(*parts), "the shared corpora (../shared/corpora)")


# The smallest valid sources.toml: config_toml() with no overrides writes exactly this.
SECTION: Mapping[str, Any] = {"title": "News", "kind": "posts"}
SOURCE: Mapping[str, Any] = {"name": "A", "url": "https://a.example.org/feed"}


def config_toml(*, sections: Sequence[Mapping[str, Any]] | None = None, sources: Sequence[Mapping[str, Any]] | None = None,
                section: Mapping[str, Any] | None = None, source: Mapping[str, Any] | None = None,
                **newsletter: Any) -> str:
    """A sources.toml: [newsletter] title = "T" plus `newsletter` keys, then the tables given.

    `section`/`source` change keys of the one default section/source; `sections`/`sources`
    replace the lists (`sources=[]`: none). A key given as None is left out, so
    `config_toml(title=None)` lacks the required title. One key a line, tables a blank line
    apart, so a test can count the line a key is on: [newsletter] is line 1, its title line 2.
    """
    tables = [("[newsletter]", {"title": "T", **newsletter})]
    tables += [("[[sections]]", s) for s in (sections if sections is not None else [{**SECTION, **(section or {})}])]
    tables += [("[[sources]]", s) for s in (sources if sources is not None else [{**SOURCE, **(source or {})}])]
    blocks = ["\n".join([header, *(f"{k} = {toml_value(v)}" for k, v in keys.items() if v is not None)])
              for header, keys in tables]
    return "\n\n".join(blocks) + "\n"


@dataclass(frozen=True)
class ConfigFactory:
    """Writes sources.toml files into a test's folder from keyword overrides (see config_toml)."""

    folder: Path

    def write(self, name: str = "sources.toml", **overrides: Any) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config_toml(**overrides), encoding="utf-8")
        return path

    def __call__(self, **overrides: Any) -> Config:
        """The Config of a sources.toml written with these overrides (a ConfigError when they are wrong)."""
        return load_config(self.write(**overrides))


@pytest.fixture
def make_config(tmp_path: Path) -> ConfigFactory:
    """`make_config(language="cy", section={"limit": 3})` → Config; `make_config.write(...)` → its path."""
    return ConfigFactory(tmp_path)


@pytest.fixture
def sample_network(tmp_path: Path) -> Path:
    """A private copy of the sample network; returns its sources.toml."""
    shutil.copy(ROOT / "sources.toml", tmp_path / "sources.toml")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path / "sources.toml"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve only loopback names: anything else fails as an unknown name would, without a lookup.

    httpx resolves through socket.getaddrinfo (via anyio), so this keeps every test, including
    the DNS-failure case, off the real network and fast.
    """
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, with axe-core at hand (skipped without them, failing under CI)."""
    need(CHROMIUM, "Chromium (apt-get install chromium)")
    need(AXE, "axe-core (npm install)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


AXE_RUN = """async (within) => (await axe.run(within || document, {iframes: false})).violations.map(v =>
    `${v.id} (${v.impact}): ${v.help}\\n    ` + v.nodes.map(n =>
        `${n.target.join(" ")}: ${n.failureSummary.replace(/\\s+/g, " ")}`).join("\\n    "))"""


def axe_violations(page: Any, within: str | None = None) -> list[str]:
    """axe-core's violations on `page` (or inside the `within` selector), one readable entry each with its nodes.

    axe is put in through the browser's devtools, so the page's own content policy stays as it is served."""
    need(AXE, "axe-core (npm install)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return list(page.evaluate(AXE_RUN, within))
