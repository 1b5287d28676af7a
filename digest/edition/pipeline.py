"""One edition, start to finish in memory: collect → group → render. Writing is the caller's job."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest.collect.fetch import FetchResult, Limits
from digest.collect.run import Collection, SourceReport, collect
from digest.collect.store import Store
from digest.config.keys import Config
from digest.edition.group import Filled, event_window, group
from digest.edition.report import Report, SectionCount
from digest.model import Item
from digest.render import reuse
from digest.render.outputs import Rendered

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from digest.check import Finding
    from digest.edition.draft import DraftOutcome

# Below this many bodies to parse a process pool costs more (~20 ms to fork and join) than it saves.
POOL_MIN_BODIES = 8


@dataclass(frozen=True)
class Edition:
    """A finished edition: its outputs, what it shows and the report of how it was made.

    The one result of build_edition, whether from the feeds or from the editor's draft; the
    commands and the preview only present it (and write its files).
    """

    date: date
    rendered: Rendered
    report: Report
    ids: tuple[str, ...] = ()  # the collected items it shows, in order: what publishing records as sent
    sections: tuple[Filled, ...] = ()  # grouping's choice, from the feeds (what a draft is written from)
    draft: Path | None = None  # the draft it was built from; None: from the feeds
    findings: tuple[Finding, ...] = ()  # what `digest check` says about its HTML (when checked)

    @property
    def html(self) -> str:
        return self.rendered.html

    @property
    def text(self) -> str:
        return self.rendered.text

    @property
    def web(self) -> str:
        return self.rendered.web

    @property
    def mjml(self) -> str:
        return self.rendered.mjml

    def files(self) -> dict[str, str]:
        """What a build writes: the email, its text twin, the MJML (for debugging) and the web version."""
        return {"newsletter.html": self.html, "newsletter.txt": self.text, "newsletter.mjml": self.mjml,
                "web.html": self.web, **self.rendered.calendars}  # an .ics per event card, beside web.html


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
    import digest.collect.readers.feed  # noqa: F401


def find_draft(config: Config, edition: date | None = None, *, draft: Path | None = None,
               from_feeds: bool = False) -> Path | None:
    """The draft an edition is built from: the one named, else editions/<date>.md when it exists.

    This is the one idea of "the edition for a date" every command shares; `from_feeds` ignores
    the draft (and the commands then write to an output folder of its own).
    """
    from digest.edition.draft import draft_path

    if draft is not None or from_feeds:
        return draft
    path = draft_path(config, edition or today(config))
    return path if path.is_file() else None


def build_edition(
    config: Config,
    edition: date | None = None,
    *,
    draft: Path | None = None,
    refetch: bool = True,
    limits: Limits = Limits(),
    on_done: Callable[[FetchResult], None] | None = None,
    executor: Executor | None = None,
    check: bool = False,
) -> Edition:
    """Build one edition in memory: from the feeds (collect, group, render), or from a `draft`.

    A draft is rendered exactly as edited, in its order, from the items in the store (its own
    date wins over `edition`); with `refetch` the sources are fetched first, so the store and the
    report are current. `check` runs `digest check` on the HTML into the report. Without an
    `executor`, changed bodies are parsed in a process pool of our own once there are many of
    them (see parse_pool and collect's `pool`).
    """
    started = time.perf_counter()
    parsed = None
    if draft is not None:
        from digest.edition.draft import load_draft  # here: a build from the feeds never imports the draft's modules

        parsed = load_draft(draft, config)
    edition = parsed.edition if parsed is not None else edition or today(config)
    pools: list[ProcessPoolExecutor] = []

    def pool_for(bodies: int) -> Executor | None:
        if not pools and bodies >= POOL_MIN_BODIES and (made := parse_pool()) is not None:
            pools.append(made)
        return pools[0] if pools else None

    collection: Collection | None = None
    try:
        with Store.beside(config.path) as store:
            if parsed is None or refetch:
                collection = collect(config, store, event_window(config, edition), refetch=refetch, limits=limits,
                                     on_done=on_done, executor=executor, pool=None if executor else pool_for)
            if parsed is None:
                sent = store.sent_ids(before_edition=edition.isoformat())
            else:
                by_source = store.all_items()
    finally:
        for made in pools:
            made.shutdown(cancel_futures=True)
    if parsed is None:
        assert collection is not None
        grouping: list[str] = []  # e.g. a section's match that ran out of time
        filled = tuple(group(collection.items, config, edition, exclude=sent, problems=grouping))
        rendered = reuse.render(config, edition, list(filled))  # not rendered again when nothing changed
        shown = [item for box in filled for item in box.items]
        return _finish(config, edition, rendered, shown, collection.sources, [SectionCount.of(b) for b in filled],
                       started, check, filled=filled, problems=grouping)
    stored = {item.id: item for items in by_source.values() for item in items}
    from digest.edition.draft import draft_views

    rendered = reuse.render_views(config, edition, draft_views(parsed, config, stored), intro=parsed.intro)
    sources = collection.sources if collection is not None else [
        SourceReport(s.name, "not fetched (draft build)", found=len(by_source.get(s.name, []))) for s in config.sources]
    counts = [SectionCount(s.section.title, s.section.kind, len(s.items), len(s.items)) for s in parsed.sections]
    return _finish(config, edition, rendered, [stored[i] for i in parsed.ids if i in stored], sources, counts,
                   started, check, draft=draft, ids=tuple(parsed.ids), problems=list(parsed.warnings))


def _finish(config: Config, edition: date, rendered: Rendered, shown: list[Item], sources: list[SourceReport],
            sections: list[SectionCount], started: float, check: bool, *, filled: tuple[Filled, ...] = (),
            draft: Path | None = None, ids: tuple[str, ...] | None = None, problems: list[str] | None = None) -> Edition:
    """The Edition with its report, assembled in this one place: what each source gave, sizes, checks, time."""
    used = Counter(item.source for item in shown)
    findings: tuple[Finding, ...] = ()
    summary = ""
    if check:
        from digest.check import summarise
        from digest.check.lint import check_html

        findings = tuple(reuse.checked(rendered.html, check_html))  # stored with the outputs it checked
        summary = summarise(list(findings))
    report = Report(
        sources=tuple(replace(s, used=used[s.name]) for s in sources), sections=tuple(sections),
        html_bytes=len(rendered.html.encode("utf-8")), warnings=(*config.warnings, *(problems or [])),
        check_summary=summary,
        check_errors=tuple(f.message for f in findings if f.severity == "error"),
        check_lines=tuple(f"{f.severity:<7} {f.code}: {f.message}" for f in findings),
        draft=draft, seconds=time.perf_counter() - started)
    return Edition(date=edition, rendered=rendered, report=report,
                   ids=ids if ids is not None else tuple(item.id for item in shown if item.id),
                   sections=filled, draft=draft, findings=findings)


def build_from_draft(config: Config, path: Path) -> Edition:
    """Render exactly what the editor's draft says, in its order (nothing is fetched)."""
    return build_edition(config, draft=path, refetch=False)


def draft_edition(config: Config, edition: date | None = None, *, force: bool = False, refetch: bool = True,
                  on_done: Callable[[FetchResult], None] | None = None) -> tuple[Edition, DraftOutcome]:
    """Gather the edition from the feeds, as `build --from-feeds` does, and write (or top up) its draft."""
    from digest.edition.draft import write_draft

    built = build_edition(config, edition, refetch=refetch, on_done=on_done)
    return built, write_draft(config, built.date, built.sections, force=force)
