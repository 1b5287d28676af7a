"""One edition, start to finish in memory: collect → group → render. Writing is the caller's job."""

from __future__ import annotations

import time
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from digest.collect import collect
from digest.config import Config
from digest.fetch import FetchResult, Limits
from digest.group import Filled, event_window, group
from digest.render import Rendered, render
from digest.report import Report
from digest.store import Store


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
    def mjml(self) -> str:
        return self.rendered.mjml


def today(config: Config) -> date:
    """The default edition date: today in the newsletter's timezone."""
    return datetime.now(config.newsletter.tz).date()


def build_edition(
    config: Config,
    edition: date | None = None,
    *,
    refetch: bool = True,
    limits: Limits = Limits(),
    on_done: Callable[[FetchResult], None] | None = None,
    executor: Executor | None = None,
) -> Edition:
    """Collect every source, sort items into sections and render the three outputs."""
    started = time.perf_counter()
    edition = edition or today(config)
    with Store.beside(config.path) as store:
        collection = collect(config, store, event_window(config, edition), refetch=refetch, limits=limits,
                             on_done=on_done, executor=executor)
    filled = group(collection.items, config, edition)
    used: dict[str, int] = {}
    for box in filled:
        for item in box.items:
            used[item.source] = used.get(item.source, 0) + 1
    for source in collection.sources:
        source.used = used.get(source.name, 0)
    rendered = render(config, edition, filled)
    report = Report(
        sources=collection.sources,
        sections=filled,
        html_bytes=len(rendered.html.encode("utf-8")),
        warnings=list(config.warnings),
        seconds=time.perf_counter() - started,
    )
    return Edition(date=edition, rendered=rendered, report=report, sections=filled)
