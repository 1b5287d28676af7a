"""Collect: fetch every source, parse only what changed, and fall back to the store for the rest.

The stage in its steps, each a module of its own:
- plan (plan.py): which sources, for which window, and what the store already has;
- download (download.py): every source fetched on the build's network, a changed body's
  parse started as it arrives when there is a process pool (parse.py);
- save (save.py): each source's outcome decided and kept in the store, in one transaction;
then the items for the edition are read back from the store, where posts accumulate.

Pictures are sized later, once the edition is grouped (pictures.py), on the same network.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import ExitStack
from datetime import datetime, timedelta

from digest.collect import dating
from digest.collect.download import download
from digest.collect.fetch import DEFAULT_LIMITS, FetchResult, Limits
from digest.collect.network import Network
from digest.collect.parse import Parsing
from digest.collect.plan import Plan, plan
from digest.collect.report import Collection, SourceReport
from digest.collect.rows import sentences
from digest.collect.save import save
from digest.collect.store import Store
from digest.config.keys import Config
from digest.model import Item

__all__ = ["Collection", "SourceReport", "collect", "gathered"]


def collect(
    config: Config,
    store: Store,
    window: tuple[datetime, datetime],
    *,
    refetch: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    on_done: Callable[[FetchResult], None] | None = None,
    executor: Executor | None = None,
    pool: Callable[[int], Executor | None] | None = None,
    network: Network | None = None,
) -> Collection:
    """Gather every source's items for the window; one bad source never stops the others.

    Bodies are parsed in `executor` when one is given, else in what `pool(n)` offers for n
    bodies (see parse.py). The build's `network` is used, and left open for the pictures; without
    one, collect makes its own and closes it.
    """
    dating.check_clock(dating.now())
    planned = plan(config, store, window, refetch=refetch)
    parsing = Parsing(executor, pool)
    parsing.ask(planned.never_parsed())  # before fetching: a cold build parses while it still downloads
    with ExitStack() as own:
        using = network if network is not None else own.enter_context(Network())
        fetched = download(planned, using, limits, parsing, on_done)
    reports = save(planned, store, fetched, parsing, limits)
    return Collection(items=gathered(planned, store, reports), sources=reports)


def gathered(planned: Plan, store: Store, reports: list[SourceReport]) -> list[Item]:
    """The items the edition may use, in source order: every stored event, and posts new enough for a posts section."""
    earliest = max((s.days_back for s in planned.config.sections if s.kind == "posts"), default=0)
    stored = store.all_items(posts_since=planned.window[0] - timedelta(days=earliest))
    counts = store.counts()
    items: list[Item] = []
    for report in reports:
        report.found = counts.get(report.name, 0)
        items.extend(stored.get(report.name, []))
        report.problems.extend(sentences(store.damaged, report.name))
    return items
