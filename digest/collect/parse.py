"""Collect's parsing: a changed body read into items, here or in a process pool.

Parsing is CPU-bound (feedparser, nh3, lxml), so a build with many bodies to parse gets a
process pool from its caller: asked for once before fetching (sources never parsed, so a cold
build parses while it still downloads) and, if it said no then, once after fetching (the
changed bodies). A warm build, with nothing to parse, never starts one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from digest.collect.readers.registry import read
from digest.collect.wire import inflate
from digest.config.keys import Config, Source
from digest.model import ReadResult


@dataclass(frozen=True)
class ParseJob:
    """Everything a reader needs, picklable so parsing can run in another process.

    The body is as it came over the wire (in Content-Encoding `coding`): it waits for a worker,
    and travels to it, compressed, and the worker inflates it (digest/collect/wire.py).
    """

    body: bytes
    source: str
    base_url: str | None
    summary_length: int
    timezone: str
    window: tuple[datetime, datetime]
    coding: str | None = None
    language: str = "en"
    columns: tuple[tuple[str, str], ...] = ()  # a form source's [sources.columns]

    @classmethod
    def of(cls, config: Config, source: Source, final_url: str | None, body: bytes, coding: str | None,
           window: tuple[datetime, datetime]) -> ParseJob:
        """The job for one source's body (links resolve against where a remote body was fetched from)."""
        return cls(body, source.name, final_url if source.is_remote else None, config.newsletter.summary_length,
                   config.newsletter.timezone, window, coding, config.newsletter.language,
                   tuple(sorted((source.columns or {}).items())))


def parse_job(job: ParseJob) -> ReadResult:
    """Run the right reader on one body (module-level so a process pool can call it)."""
    return read(inflate(job.body, job.coding), source=job.source, base_url=job.base_url, summary_length=job.summary_length,
                tz=ZoneInfo(job.timezone), window=job.window, language=job.language, columns=job.columns)


class Parsing:
    """Where a build's bodies are parsed: the executor given, or one `pool(n)` offers for n bodies, or here."""

    def __init__(self, executor: Executor | None = None, pool: Callable[[int], Executor | None] | None = None) -> None:
        self.executor = executor
        self._offer = pool
        self._started: dict[str, Future[ReadResult]] = {}

    def ask(self, bodies: int) -> None:
        """Ask `pool` for an executor for this many bodies, unless there is one already."""
        if self.executor is None and self._offer is not None:
            self.executor = self._offer(bodies)

    def start(self, name: str, job: ParseJob) -> None:
        """Start parsing a body now, while the other sources still download (only with an executor)."""
        if self.executor is not None:
            self._started[name] = self.executor.submit(parse_job, job)

    def results(self, named: dict[str, ParseJob]) -> Iterator[ReadResult]:
        """Each job's result, in order, as it is ready; `named` is emptied as they are handed on."""
        started = [self._started.pop(name, None) for name in named]
        jobs = list(named.values())
        named.clear()  # from here each body is held once, by `jobs`, until parse_all lets it go
        return parse_all(jobs, self.executor, started)


def parse_all(jobs: list[ParseJob], executor: Executor | None,
              started: list[Future[ReadResult] | None] | None = None) -> Iterator[ReadResult]:
    """Parse bodies, in a process pool when one is given (parsing is CPU-bound).

    `started` holds the futures submitted while fetching (None where a body was not started).
    Results come in job order as they are ready, so the caller stores one source while the
    pool is still parsing the next; a pool that broke (a worker killed) falls back to parsing here.
    """
    if executor is None or (len(jobs) < 2 and not any(started or ())):
        yield from (parse_job(job) for job in jobs)
        return
    futures = [future or executor.submit(parse_job, job)
               for job, future in zip(jobs, started or [None] * len(jobs), strict=True)]
    waiting = deque(zip(jobs, futures, strict=True))
    jobs.clear()  # from here each body and result is held only until the caller has it
    del futures
    while waiting:
        job, future = waiting.popleft()
        try:
            result = future.result()
        except BrokenExecutor:
            result = parse_job(job)
        del job, future
        yield result
