"""A build's network: one event loop and one HTTP client, for the feeds and then the pictures.

A build goes to the network twice, apart: collect fetches the feeds, and once the edition is
grouped the pictures it shows are measured (digest/collect/pictures.py). Both run on this one
asyncio loop (asyncio.Runner, kept between the two) with this one client, so connections to a
member's site are reused and the client (its pools, its TLS context) is made once.

The loop resolves host names in threads. Those threads are ended after each run: a build may
fork parse workers between the two (digest/edition/pipeline.py's parse_pool), and forking is
only safe, and only done, while the process has a single thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

import httpx

from digest.collect.fetch import DEFAULT_LIMITS, Limits, make_client

T = TypeVar("T")


class Network:
    """The loop and the client, each made when first needed; close() (or `with`) ends both."""

    def __init__(self) -> None:
        self._runner: asyncio.Runner | None = None
        self._client: httpx.AsyncClient | None = None
        self.runs = 0

    def client(self, limits: Limits = DEFAULT_LIMITS) -> httpx.AsyncClient:
        """The build's client; `limits` set its timeouts and pool sizes when it is first made."""
        if self._client is None:
            self._client = make_client(limits)
        return self._client

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the build's loop; no thread of the loop's is left when it returns."""
        if self._runner is None:
            self._runner = asyncio.Runner()
        resolver = ThreadPoolExecutor(thread_name_prefix="digest-resolve")
        self._runner.get_loop().set_default_executor(resolver)
        try:
            self.runs += 1
            return self._runner.run(work)
        finally:
            resolver.shutdown(wait=True)

    def close(self) -> None:
        if self._runner is None:
            self._client = None  # made but never used: it holds no connection
            return
        try:
            if self._client is not None:
                self.run(self._client.aclose())
        finally:
            self._client = None
            self._runner.close()
            self._runner = None

    def __enter__(self) -> Network:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
