"""Shared test helpers: where the repo and the shared corpora are, and a throwaway sample network."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening import LOOPBACK, LoopbackServer

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ON_CI = os.environ.get("CI") == "true"


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
