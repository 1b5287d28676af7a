"""One edition, start to finish in memory: collect → group → render. Writing is the caller's job."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from digest import reuse
from digest.collect import SourceReport, collect
from digest.config import Config
from digest.fetch import FetchResult, Limits
from digest.group import Filled, event_window, group
from digest.report import Report
from digest.store import Store

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from digest.edition import DraftOutcome
    from digest.render import Rendered

# Below this many bodies to parse a process pool costs more (~20 ms to fork and join) than it saves.
POOL_MIN_BODIES = 8


@dataclass
class Edition:
    """A built edition: its outputs and the report of how it was made."""

    date: date
    rendered: Rendered
    report: Report
    sections: list[Filled]

    @property
    def html(self) -> str:
        return self.rendered.html

    @property
    def text(self) -> str:
        return self.rendered.text

    @property
    def web(self) -> str:
        return self.rendered.web

    def files(self) -> dict[str, str]:
        """What a build writes: the email, its text twin, the MJML (for debugging) and the web version."""
        return {"newsletter.html": self.html, "newsletter.txt": self.text, "newsletter.mjml": self.mjml,
                "web.html": self.web}

    @property
    def ids(self) -> list[str]:
        """The collected items this edition shows (what publishing records as sent)."""
        return [item.id for box in self.sections for item in box.items if item.id]

    @property
    def mjml(self) -> str:
        return self.rendered.mjml


def today(config: Config) -> date:
    """The default edition date: today in the newsletter's timezone."""
    return datetime.now(config.newsletter.tz).date()


def _cores() -> int:
    """CPUs this process may run on (a container's cpuset, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parse_pool() -> ProcessPoolExecutor | None:
    """A process pool with one worker per core, or None where one cannot help or is unsafe.

    Parsing and sanitising is CPU-bound Python (feedparser, nh3, lxml), so a cold build of a
    large network is limited by one core without it. Workers are forked (cheap, ~10 ms), and
    only while this is the only thread, since forking a threaded process can leave a lock held
    in the child; with other threads running (a preview server's Refetch button, a test's HTTP
    server) parsing stays in this process, as without a pool.
    """
    cores = _cores()
    if cores < 2 or threading.active_count() > 1:
        return None
    import multiprocessing  # here, not at the top: a warm build never needs it (~20 ms to import)
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    pool = ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("fork"))
    for _ in range(cores):  # a fork pool starts all its workers on its first task: now, before any thread
        pool.submit(_prepare_worker)  # not waited for: workers import the readers while we fetch
    return pool


def _prepare_worker() -> None:
    """Import the feed reader in a worker before its first body arrives."""
    import digest.readers.feed  # noqa: F401


def build_edition(
    config: Config,
    edition: date | None = None,
    *,
    refetch: bool = True,
    limits: Limits = Limits(),
    on_done: Callable[[FetchResult], None] | None = None,
    executor: Executor | None = None,
) -> Edition:
    """Collect every source, sort items into sections and render the three outputs.

    Without an `executor`, changed bodies are parsed in a process pool of our own once there
    are many of them (see parse_pool and collect's `pool`).
    """
    started = time.perf_counter()
    edition = edition or today(config)
    pools: list[ProcessPoolExecutor] = []

    def pool_for(bodies: int) -> Executor | None:
        if not pools and bodies >= POOL_MIN_BODIES and (made := parse_pool()) is not None:
            pools.append(made)
        return pools[0] if pools else None

    try:
        with Store.beside(config.path) as store:
            collection = collect(config, store, event_window(config, edition), refetch=refetch, limits=limits,
                                 on_done=on_done, executor=executor, pool=None if executor else pool_for)
            sent = store.sent_ids(before_edition=edition.isoformat())
    finally:
        for made in pools:
            made.shutdown(cancel_futures=True)
    filled = group(collection.items, config, edition, exclude=sent)
    rendered = reuse.render(config, edition, filled)
    return _edition(config, edition, rendered, filled, collection.sources, started)


def _edition(config: Config, edition: date, rendered: Rendered, filled: list[Filled],
             sources: list[SourceReport], started: float) -> Edition:
    """An Edition with its report: how many of each source's items the sections used, sizes, time."""
    used = Counter(item.source for box in filled for item in box.items)
    for source in sources:
        source.used = used[source.name]
    report = Report(sources=sources, sections=filled, html_bytes=len(rendered.html.encode("utf-8")),
                    warnings=list(config.warnings), seconds=time.perf_counter() - started)
    return Edition(date=edition, rendered=rendered, report=report, sections=filled)


def build_from_draft(config: Config, path: Path) -> Edition:
    """Render exactly what the editor's draft says, in its order (nothing is fetched)."""
    from digest.edition import draft_filled, draft_views, load_draft

    started = time.perf_counter()
    draft = load_draft(path, config)
    with Store.beside(config.path) as store:
        by_source = store.all_items()
    stored = {item.id: item for items in by_source.values() for item in items}
    rendered = reuse.render_views(config, draft.edition, draft_views(draft, config, stored), intro=draft.intro)
    sources = [SourceReport(s.name, "not fetched (draft build)", found=len(by_source.get(s.name, [])))
               for s in config.sources]
    return _edition(config, draft.edition, rendered, draft_filled(draft, stored), sources, started)


def draft_edition(config: Config, edition: date | None = None, *, force: bool = False, refetch: bool = True,
                  on_done: Callable[[FetchResult], None] | None = None) -> tuple[Edition, DraftOutcome]:
    """Gather the edition as `build` does and write (or top up) its draft in editions/."""
    from digest.edition import write_draft

    built = build_edition(config, edition, refetch=refetch, on_done=on_done)
    return built, write_draft(config, built.date, built.sections, force=force)
