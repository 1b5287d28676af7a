"""One edition, start to finish in memory: collect → group → views → render. Writing is the caller's job.

Every build goes the same way: its sections become views (from the feeds' grouping, or from the
editor's draft), and the views are rendered (or reused, digest/render/reuse.py) once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest.check import Finding, summarise
from digest.collect.fetch import FetchResult, Limits
from digest.collect.network import Network
from digest.collect.pictures import sized_sections
from digest.collect.run import Collection, SourceReport, collect
from digest.collect.store import Store
from digest.collect.submissions import Submissions
from digest.config.keys import Config
from digest.edition.draft.document import Draft
from digest.edition.draft.paths import draft_path
from digest.edition.group import event_window, group
from digest.edition.lifecycle import Late, draft_items, kept_drafted, late_posts, refuse_if_published
from digest.edition.pool import ParsePool
from digest.edition.report import Report, SectionCount
from digest.model import Filled, Item
from digest.render import reuse
from digest.render.outputs import Rendered

if TYPE_CHECKING:
    from digest.edition.draft.merge import DraftOutcome
    from digest.render.views import SectionView

# Imported in the functions that need them, and why: a warm build from the feeds is a reuse hit, which
# must not pay ~140 ms of imports for what it never runs. The draft's reading and writing
# (digest.edition.draft.parse/views/merge: markdown-it, html2text) serve draft builds only; the views
# (digest.render.views: Markdown, Babel) are made on a render miss only; the checker (digest.check.lint:
# lxml's parser, tinycss2, caniemail's data) serves checked builds only.

DEFAULT_LIMITS = Limits()


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
    subject: str = ""  # the draft's own subject line ("": [newsletter] subject)
    preview: str = ""  # the draft's own inbox preview text ("": [newsletter] preheader, else the intro's words)
    notes: dict[str, str] = field(default_factory=dict)  # id → the note its draft block carries ("arrived late: …")

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


def find_draft(config: Config, edition: date | None = None, *, draft: Path | None = None,
               from_feeds: bool = False) -> Path | None:
    """The draft an edition is built from: the one named, else editions/<date>.md when it exists.

    This is the one idea of "the edition for a date" every command shares; `from_feeds` ignores
    the draft (and the commands then write to an output folder of its own).
    """
    if draft is not None or from_feeds:
        return draft
    path = draft_path(config, edition or today(config))
    return path if path.is_file() else None


@dataclass(frozen=True)
class _Made:
    """What a build renders and reports, from the feeds or from a draft, before rendering."""

    inputs: object  # what the views are made from: the key of the render (digest/render/reuse.py)
    views: Callable[[], list[SectionView]]
    shown: list[Item]  # the collected items it shows
    sources: list[SourceReport]
    sections: list[SectionCount]
    ids: tuple[str, ...]
    problems: list[str]
    filled: tuple[Filled, ...] = ()
    intro: str | None = None
    notes: dict[str, str] = field(default_factory=dict)


def build_edition(
    config: Config,
    edition: date | None = None,
    *,
    draft: Path | None = None,
    refetch: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    on_done: Callable[[FetchResult], None] | None = None,
    executor: Executor | None = None,
    check: bool = False,
) -> Edition:
    """Build one edition in memory: from the feeds (collect, group, render), or from a `draft`.

    A draft is rendered exactly as edited, in its order, from the items in the store (its own
    date wins over `edition`); with `refetch` the sources are fetched first, so the store and the
    report are current. `check` runs `digest check` on the HTML into the report. Without an
    `executor`, changed bodies are parsed in a process pool of our own once there are many of
    them (digest/edition/pool.py and collect's `pool`).
    """
    started = time.perf_counter()
    parsed = None
    if draft is not None:
        from digest.edition.draft.parse import load_draft

        parsed = load_draft(draft, config)
        if parsed.preview:  # the draft's preview text is the email's preheader
            config = config.overriding(preheader=parsed.preview)
    edition = parsed.edition if parsed is not None else edition or today(config)
    collection: Collection | None = None
    with Store.beside(config.path) as store, Network() as network:  # one event loop and HTTP client per build
        if parsed is None or refetch:
            with ParsePool() as pool:
                collection = collect(config, store, event_window(config, edition), refetch=refetch, limits=limits,
                                     on_done=on_done, executor=executor, pool=None if executor else pool,
                                     network=network)
        if parsed is None:
            assert collection is not None
            reports = collection.sources
            sent = store.sent_ids(before_edition=edition.isoformat())
            made = _from_feeds(config, edition, collection, sent, late_posts(store, edition, config, sent),
                               lambda filled: sized_sections(filled, store, reports, refetch=refetch, network=network,
                                                                limits=limits),
                               Submissions(store).sections())
        else:
            live = {item.id: item for items in store.all_items().values() for item in items}
            titles = {i.id: i.title for s in parsed.sections for i in s.items if i.id}
            made = _from_draft(config, parsed, collection, draft_items(store, config, parsed.edition, titles, live))
    rendered = reuse.render(config, edition, made.inputs, made.views, intro=made.intro)  # reused when nothing changed
    built = _finish(config, edition, rendered, made, started, check, draft)
    return replace(built, subject=parsed.subject, preview=parsed.preview) if parsed is not None else built


def _from_feeds(config: Config, edition: date, collection: Collection, sent: set[str], late: Late,
                sized: Callable[[tuple[Filled, ...]], tuple[Filled, ...]], placed: dict[str, str]) -> _Made:
    """Grouping's choice: each section's items, leaving out what an earlier edition sent, with what arrived
    `late`; then its pictures, `sized`. `placed`: the section the editor chose for each approved submission."""
    problems: list[str] = []  # e.g. a section's match that ran out of time
    loaded = {item.id for item in collection.items}
    items = [*collection.items, *(post for post in late.posts if post.id not in loaded)]
    filled = sized(tuple(group(items, config, edition, exclude=sent, problems=problems, placed=placed, late=late.ids)))
    notes, lines = late.report(filled, config, edition)
    shown = [item for box in filled for item in box.items]

    def views() -> list[SectionView]:
        from digest.render.views import section_views

        return section_views(filled, config)

    return _Made(filled, views, shown, collection.sources, [SectionCount.of(b) for b in filled],
                 tuple(item.id for item in shown if item.id), problems + lines, filled=filled, notes=notes)


def _from_draft(config: Config, parsed: Draft, collection: Collection | None,
                records: tuple[dict[str, Item], list[str]]) -> _Made:
    """The editor's draft, its collected items as kept with the edition (lifecycle.draft_items)."""
    from digest.edition.draft.views import draft_views

    stored, problems = records
    found = Counter(item.source for item in stored.values())
    sources = collection.sources if collection is not None else [
        SourceReport(s.name, "not fetched (draft build)", found=found[s.name]) for s in config.sources]
    counts = [SectionCount(s.section.title, s.section.kind, len(s.items), len(s.items)) for s in parsed.sections]
    views = draft_views(parsed, config, stored)  # a draft's views are its key: made from its blocks and stored items
    return _Made(views, lambda: views, [stored[i] for i in parsed.ids if i in stored], sources, counts,
                 tuple(parsed.ids), [*parsed.warnings, *problems], intro=parsed.intro)


def _finish(config: Config, edition: date, rendered: Rendered, made: _Made, started: float, check: bool,
            draft: Path | None) -> Edition:
    """The Edition with its report, assembled in this one place: what each source gave, sizes, checks, time."""
    used = Counter(item.source for item in made.shown)
    findings: tuple[Finding, ...] = ()
    if check:
        from digest.check.lint import check_html

        findings = tuple(reuse.checked(rendered, check_html))  # stored with the outputs it checked
    report = Report(
        sources=tuple(replace(s, used=used[s.name]) for s in made.sources), sections=tuple(made.sections),
        html_bytes=len(rendered.html.encode("utf-8")), warnings=(*config.warnings, *made.problems),
        check_summary=summarise(findings) if check else "",
        check_findings=findings,
        draft=draft, seconds=time.perf_counter() - started)
    return Edition(date=edition, rendered=rendered, report=report, ids=made.ids, sections=made.filled, draft=draft,
                   findings=findings, notes=made.notes)


def build_from_draft(config: Config, path: Path) -> Edition:
    """Render exactly what the editor's draft says, in its order (nothing is fetched)."""
    return build_edition(config, draft=path, refetch=False)


def draft_edition(config: Config, edition: date | None = None, *, force: bool = False, refetch: bool = True,
                  on_done: Callable[[FetchResult], None] | None = None) -> tuple[Edition, DraftOutcome]:
    """Gather the edition from the feeds, as `build --from-feeds` does, and write (or top up) its draft.

    The records of what it offers are kept with the edition. A published edition is refused unless `force`
    (which starts its draft over and records that it did).
    """
    from digest.edition.draft.merge import write_draft

    day = edition or today(config)
    with Store.beside(config.path) as store:
        if not force:
            refuse_if_published(store, config, day,
                                leaves=f"its draft editions/{config.workspace.draft(day).name} is left as it is",
                                force_hint=f"edit the draft and run `digest publish --date {day} --force`, or start "
                                           f"it over with `digest draft --date {day} --force`")
    built = build_edition(config, day, refetch=refetch, on_done=on_done)
    outcome = write_draft(config, built.date, built.sections, force=force, notes=built.notes)
    with Store.beside(config.path) as store:
        change = kept_drafted(store, config, built.date, built.sections, started_over=outcome.created and force)
    return built, replace(outcome, correction=change)
