"""Collect: fetch every source, parse only what changed, and fall back to the store for the rest.

For each source the outcome is one of:
- ok: a new body was fetched and parsed; its items are saved;
- not modified: a 304, or the same body as last time (by hash) — nothing is parsed, the
  stored items are used;
- stale: today's fetch or parse failed, the last good copy's items are used and the reason
  is reported;
- failed: it failed and there is no earlier copy.
Posts accumulate in the store, so an item that has dropped off a member's feed is not lost.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from digest.collect.fetch import FetchResult, Limits, Request, fetch_all
from digest.collect.readers.registry import detect, read
from digest.collect.store import SourceState, Store
from digest.collect.wire import head, inflate
from digest.config.keys import Config, Source
from digest.model import Item, Post, ReadResult


@dataclass
class SourceReport:
    """One line of the build report: what happened to a source."""

    name: str
    status: str
    reason: str = ""
    found: int = 0
    used: int = 0
    format: str = ""
    problems: list[str] = field(default_factory=list)
    moved_to: str | None = None
    seconds: float = 0.0
    parsed: bool = False


@dataclass
class Collection:
    """Everything gathered for one edition, before sorting into sections."""

    items: list[Item]
    sources: list[SourceReport]


@dataclass(frozen=True)
class ParseJob:
    """Everything a reader needs, picklable so parsing can run in another process.

    The body is as it came over the wire (in Content-Encoding `coding`): it waits for a worker,
    and travels to it, compressed, and the worker inflates it (digest/wire.py).
    """

    body: bytes
    source: str
    base_url: str | None
    summary_length: int
    timezone: str
    window: tuple[datetime, datetime]
    coding: str | None = None


def parse_job(job: ParseJob) -> ReadResult:
    """Run the right reader on one body (module-level so a process pool can call it)."""
    return read(inflate(job.body, job.coding), source=job.source, base_url=job.base_url, summary_length=job.summary_length,
                tz=ZoneInfo(job.timezone), window=job.window)


def _parsed_key(body_format: str, body_hash: str, config: Config, window: tuple[datetime, datetime]) -> str:
    """What a parse depends on besides the body: change any of it and the body is parsed again.

    Only calendars are read for a window (their recurrences are expanded over it); posts are
    not, so a feed that has not changed is not parsed again just because the edition date moved.
    """
    span = f"{window[0].isoformat()}|{window[1].isoformat()}" if body_format == "ical" else "any"
    basis = f"{body_hash}|{config.newsletter.summary_length}|{config.newsletter.timezone}|{span}"
    return hashlib.sha256(basis.encode()).hexdigest()[:24]


def _request(config: Config, source: Source, state: SourceState | None) -> Request:
    same_url = state is not None and state.url == source.url
    return Request(
        name=source.name,
        url=source.url,
        path=None if source.is_remote else config.source_path(source),
        etag=state.etag if same_url and state else None,
        last_modified=state.last_modified if same_url and state else None,
    )


def collect(
    config: Config,
    store: Store,
    window: tuple[datetime, datetime],
    *,
    refetch: bool = True,
    limits: Limits = Limits(),
    on_done: Callable[[FetchResult], None] | None = None,
    executor: Executor | None = None,
    pool: Callable[[int], Executor | None] | None = None,
) -> Collection:
    """Gather every source's items for the window; one bad source never stops the others.

    Bodies are parsed in `executor` when one is given. Otherwise `pool(n)` (if given) is asked
    for one, with the number of bodies known to need parsing: first before fetching (sources
    never parsed, so a cold build parses while it still downloads), then, if it said no, after
    fetching (the changed bodies). A warm build, with nothing to parse, never starts a pool.
    """
    states = store.states()
    if executor is None and pool is not None:
        executor = pool(sum(1 for s in config.sources if not (s.name in states and states[s.name].parsed_key)))
    started: dict[str, Future[ReadResult]] = {}
    by_source = {s.name: s for s in config.sources}
    hashed: dict[str, tuple[str, str, str]] = {}

    def keyed(body_hash: str, body_format: str) -> tuple[str, str, str]:
        return body_hash, body_format, _parsed_key(body_format, body_hash, config, window)

    def key_of(result: FetchResult) -> tuple[str, str, str]:
        """(body hash, format, parse key) of a fetched body, computed once per build (without inflating it)."""
        if result.name not in hashed:
            assert result.wire is not None and result.sha256 is not None
            hashed[result.name] = keyed(result.sha256, detect(head(result.wire, result.coding)))
        return hashed[result.name]

    def stored_key(state: SourceState) -> tuple[str, str, str]:
        """The same for the stored body, from what the store keeps beside it (the body only if it must)."""
        if state.body_hash and state.format:
            return keyed(state.body_hash, state.format)
        body = store.body(state.name) or b""
        return keyed(hashlib.sha256(body).hexdigest(), detect(body))

    def fetched_one(result: FetchResult) -> None:
        """With a pool, start parsing a changed body while the other sources are still downloading."""
        if executor is not None and result.status == "ok" and result.wire is not None:
            state = states.get(result.name)
            if not (state and state.parsed_key == key_of(result)[2]):
                started[result.name] = executor.submit(
                    parse_job, _job(config, by_source[result.name], result, result.wire, result.coding, window))
        if on_done:
            on_done(result)

    if refetch:
        requests = [_request(config, s, states.get(s.name)) for s in config.sources]
        fetched = asyncio.run(fetch_all(requests, limits=limits, on_done=fetched_one))
    else:
        fetched = {s.name: FetchResult(s.name, "not-modified") for s in config.sources}
    reports: list[SourceReport] = []
    items: list[Item] = []
    jobs: dict[str, tuple[ParseJob, SourceState]] = {}
    with store.transaction():  # one commit for the whole build
        for source in config.sources:
            result, state = fetched[source.name], states.get(source.name)
            report = SourceReport(source.name, "", moved_to=result.moved_to, seconds=result.seconds)
            reports.append(report)
            if result.status == "failed":
                _fall_back(store, source, state, result.error or "failed", report)
                continue
            fresh = result.status == "ok" and result.wire is not None
            if not fresh and not (state and state.stored):
                report.status, report.reason = "failed", "nothing stored yet: run a build with fetching on"
                continue
            assert fresh or state is not None
            body_hash, body_format, key = key_of(result) if fresh else stored_key(state)
            new_state = SourceState(
                name=source.name, url=source.url,
                etag=result.etag if result.status == "ok" else (state.etag if state else None),
                last_modified=result.last_modified if result.status == "ok" else (state.last_modified if state else None),
                body=result.wire if fresh else None,  # None: the stored body stays (and is never read for a 304)
                body_coding=result.coding if fresh else None,
                body_hash=body_hash, parsed_key=key, format=body_format,
                ok_at=state.ok_at if state else None,
            )
            if state and state.parsed_key == key:
                report.status = "not modified"
                if result.status == "ok" and (result.etag != state.etag or result.last_modified != state.last_modified):
                    store.save_state(replace(new_state, body=None), ok=True)  # the same body is stored already
                if result.truncated:
                    report.problems.append(_cut_note(limits))
                continue
            body, coding = (result.wire, result.coding) if fresh else store.wire(source.name)
            assert body is not None
            jobs[source.name] = (_job(config, source, result, body, coding, window), new_state)
            if result.truncated:
                report.problems.append(_cut_note(limits) + "; entries after that are missing")
        if executor is None and pool is not None and jobs:
            executor = pool(len(jobs))
        parsed = _parse_all([job for job, _ in jobs.values()], executor, [started.pop(name, None) for name in jobs])
        by_name = {r.name: r for r in reports}
        for name, read_result in zip(list(jobs), parsed):
            job, new_state = jobs.pop(name)  # each body is let go once stored: memory does not hold them all
            fetched[name] = replace(fetched[name], wire=None)
            report = by_name[name]
            report.format, report.parsed = read_result.format, True
            report.problems.extend(read_result.problems)
            if not read_result.items and read_result.problems:
                _fall_back(store, by_source[name], states.get(name), read_result.problems[0], report, keep_problems=True)
                continue
            if read_result.undated:
                _date_when_first_seen(store, name, read_result, report)
            kind = "event" if new_state.format in ("ical", "csv", "html") else None
            store.save_parsed(new_state, read_result.items, replace_kind=kind)
            report.status = "ok"
    earliest = max((s.days_back for s in config.sections if s.kind == "posts"), default=0)
    stored = store.all_items(posts_since=window[0] - timedelta(days=earliest))
    counts = store.counts()
    for report in reports:
        report.found = counts.get(report.name, 0)
        items.extend(stored.get(report.name, []))
    from digest.collect.pictures import with_sizes  # the pictures' sizes, read once and kept in the store

    items = with_sizes(config, store, items, window[0].date(), reports, refetch=refetch)
    return Collection(items=items, sources=reports)


def _date_when_first_seen(store: Store, name: str, read_result: ReadResult, report: SourceReport) -> None:
    """Posts that came without a date are dated when digest first saw them (the store remembers when)."""
    seen = store.first_seen(name, read_result.undated)
    undated = set(read_result.undated)
    now = datetime.now(UTC).replace(microsecond=0)  # the store's first_seen is to the second
    read_result.items = [replace(item, published=seen.get(item.id, now)) if item.id in undated and isinstance(item, Post)
                         else item for item in read_result.items]
    new = len(undated - set(seen))
    when = f"{new} new today" if new else "none new today"
    report.problems.append(f"note: {len(undated)} posts have no date: each is dated when digest first saw it ({when})")


def _job(config: Config, source: Source, result: FetchResult, body: bytes, coding: str | None,
         window: tuple[datetime, datetime]) -> ParseJob:
    return ParseJob(body, source.name, result.final_url if source.is_remote else None,
                    config.newsletter.summary_length, config.newsletter.timezone, window, coding)


def _cut_note(limits: Limits) -> str:
    size = f"{limits.max_bytes / 2**20:g} MB" if limits.max_bytes >= 2**20 else f"{limits.max_bytes / 1024:g} KB"
    return f"the feed is larger than {size} and was cut there"


def _parse_all(jobs: list[ParseJob], executor: Executor | None,
               started: list[Future[ReadResult] | None] | None = None) -> Iterator[ReadResult]:
    """Parse bodies, in a process pool when one is given (parsing is CPU-bound).

    `started` holds the futures submitted while fetching (None where a body was not started).
    Results come in job order as they are ready, so the caller stores one source while the
    pool is still parsing the next; a pool that broke (a worker killed) falls back to parsing here.
    """
    if executor is None or (len(jobs) < 2 and not any(started or ())):
        yield from (parse_job(job) for job in jobs)
        return
    waiting = deque(zip(jobs, [future or executor.submit(parse_job, job)
                               for job, future in zip(jobs, started or [None] * len(jobs))]))
    jobs.clear()  # from here each body and result is held only until the caller has it
    while waiting:
        job, future = waiting.popleft()
        try:
            result = future.result()
        except BrokenExecutor:
            result = parse_job(job)
        del job, future
        yield result


def _fall_back(store: Store, source: Source, state: SourceState | None, reason: str, report: SourceReport,
               *, keep_problems: bool = False) -> None:
    """Use the last good copy (reported as stale) or report the failure; remember the error."""
    has_copy = state is not None and state.stored
    report.status = "stale" if has_copy else "failed"
    report.reason = reason
    if keep_problems and reason in report.problems:
        report.problems.remove(reason)
    if state is not None:
        store.save_state(SourceState(**{**state.__dict__, "last_error": reason}), ok=False)
    else:
        store.save_state(SourceState(name=source.name, url=source.url, last_error=reason), ok=False)
