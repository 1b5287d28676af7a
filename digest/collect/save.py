"""Collect's last step: each source's outcome, decided and kept in the store in one transaction.

For each source the outcome is one of:
- ok: a new body was fetched and parsed; its items are saved;
- not modified: a 304, or the same body as last time (by its parse key) — nothing is parsed,
  the stored items are used;
- stale: today's fetch or parse failed, the last good copy's items are used and the reason
  is reported;
- failed: it failed and there is no earlier copy.
Posts accumulate in the store, so an item that has dropped off a member's feed is not lost.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from digest.collect import dating
from digest.collect.fetch import FetchResult, Limits
from digest.collect.parse import ParseJob, Parsing
from digest.collect.plan import Plan
from digest.collect.report import SourceReport
from digest.collect.store import SourceState, Store
from digest.collect.submissions import divert
from digest.config.keys import Source
from digest.model import Event, Post, ReadResult, as_instant

EVENT_FORMATS = ("ical", "csv", "html")  # formats whose events missing from the window read are marked gone


@dataclass
class Pending:
    """A body to parse, and the state to save with its items."""

    job: ParseJob
    state: SourceState
    cut: bool = False  # the body was cut at the size cap: what it no longer lists may only be past the cut


def save(plan: Plan, store: Store, fetched: dict[str, FetchResult], parsing: Parsing, limits: Limits) -> list[SourceReport]:
    """Decide every source's outcome, parse the changed bodies, save; one report line per source, in order."""
    reports: list[SourceReport] = []
    pending: dict[str, Pending] = {}
    with store.transaction():  # one commit for the whole build
        for source in plan.sources:
            result = fetched[source.name]
            report = SourceReport(source.name, "", moved_to=result.moved_to, seconds=result.seconds)
            reports.append(report)
            if (todo := settle(plan, store, source, result, report, limits)) is not None:
                pending[source.name] = todo
        if pending:
            parsing.ask(len(pending))
        by_name = {r.name: r for r in reports}
        names = list(pending)
        results = parsing.results({name: todo.job for name, todo in pending.items()})
        for name, read_result in zip(names, results, strict=True):
            todo = pending.pop(name)  # each body is let go once stored: memory does not hold them all
            fetched[name] = replace(fetched[name], wire=None)
            keep(plan, store, todo.state, read_result, by_name[name], cut=todo.cut)
        dating.heal(store, dating.now())  # posts dated in the future are dated by first sight; a wrong clock undone
    return reports


def settle(plan: Plan, store: Store, source: Source, result: FetchResult, report: SourceReport,
           limits: Limits) -> Pending | None:
    """One source's outcome from its fetch; a body to parse, or None when the report is already settled."""
    state = plan.states.get(source.name)
    if result.status == "failed":
        fall_back(store, source, state, result.error or "failed", report)
        return None
    fresh = result.status == "ok" and result.wire is not None
    if not fresh and not (state and state.stored):
        report.status, report.reason = "failed", "nothing stored yet: run a build with fetching on"
        return None
    if fresh:
        key = plan.fetched_key(result)
    else:
        assert state is not None
        key = plan.stored_key(state, store)
    new_state = SourceState(
        name=source.name, url=source.url,
        etag=result.etag if result.status == "ok" else (state.etag if state else None),
        last_modified=result.last_modified if result.status == "ok" else (state.last_modified if state else None),
        body=result.wire if fresh else None,  # None: the stored body stays (and is never read for a 304)
        body_coding=result.coding if fresh else None,
        body_hash=key.body_hash, parsed_key=key.parsed, format=key.format,
        ok_at=state.ok_at if state else None,
    )
    if state and state.parsed_key == key.parsed:
        report.status = "not modified"
        if result.status == "ok" and (result.etag != state.etag or result.last_modified != state.last_modified):
            store.save_state(replace(new_state, body=None), ok=True)  # the same body is stored already
        if result.truncated:
            report.problems.append(cut_note(limits))
        return None
    body, coding = (result.wire, result.coding) if fresh else store.wire(source.name)
    assert body is not None
    if result.truncated:
        report.problems.append(cut_note(limits) + "; entries after that are missing")
    return Pending(ParseJob.of(plan.config, source, result.final_url, body, coding, plan.window), new_state,
                   cut=result.truncated)


def keep(plan: Plan, store: Store, state: SourceState, read_result: ReadResult, report: SourceReport, *,
         cut: bool = False) -> None:
    """Save a parse's items with the source's new state, or fall back when it gave nothing but problems."""
    report.format, report.parsed = read_result.format, True
    report.problems.extend(read_result.problems)
    if not read_result.items and read_result.problems:
        fall_back(store, plan.source(state.name), plan.states.get(state.name), read_result.problems[0], report,
                  keep_problems=True)
        return
    if read_result.undated:
        date_when_first_seen(store, state.name, read_result, report)
    if ahead := dating.in_future(read_result.items, dating.now()):
        report.problems.append(f"note: {len(ahead)} post{'s are' if len(ahead) > 1 else ' is'} dated in the future "
                               f"(e.g. {ahead[0].title[:60]!r}, {ahead[0].published:%Y-%m-%d}), which is not believed: "
                               "each is dated when digest first saw it")
    if divert(store, plan.source(state.name), state, read_result, report):  # members' submissions wait for the editor
        report.status = "ok"
        return
    whole = state.format in EVENT_FORMATS and not cut and not read_result.skipped  # a skipped event is not a cancelled one
    gone = unlisted(store, state.name, read_result, plan) if whole else []
    store.save_parsed(state, read_result.items, gone=gone)
    report.status = "ok"


def unlisted(store: Store, name: str, read_result: ReadResult, plan: Plan) -> list[str]:
    """The source's stored events inside the window it was just read over that it no longer lists.

    Cancelled, moved or deleted: they are marked gone (a draft holding one says so), never deleted.
    Events outside the window stay as they are: a later window not listing them says nothing about them.
    """
    listed = {item.id for item in read_result.items}
    tz, (start, end) = plan.config.newsletter.tz, plan.window
    return [item.id for item in store.items(name) if isinstance(item, Event) and item.id not in listed
            and start <= as_instant(item.start, tz) < end]


def date_when_first_seen(store: Store, name: str, read_result: ReadResult, report: SourceReport) -> None:
    """Posts that came without a date are dated when digest first saw them (the store remembers when)."""
    seen = store.first_seen(name, read_result.undated)
    undated = set(read_result.undated)
    now = dating.now()
    read_result.items = [replace(item, published=seen.get(item.id, now)) if item.id in undated and isinstance(item, Post)
                         else item for item in read_result.items]
    new = len(undated - set(seen))
    when = f"{new} new today" if new else "none new today"
    report.problems.append(f"note: {len(undated)} posts have no date: each is dated when digest first saw it ({when})")


def cut_note(limits: Limits) -> str:
    size = f"{limits.max_bytes / 2**20:g} MB" if limits.max_bytes >= 2**20 else f"{limits.max_bytes / 1024:g} KB"
    return f"the feed is larger than {size} and was cut there"


def fall_back(store: Store, source: Source, state: SourceState | None, reason: str, report: SourceReport,
              *, keep_problems: bool = False) -> None:
    """Use the last good copy (reported as stale) or report the failure; remember the error."""
    has_copy = state is not None and state.stored
    report.status = "stale" if has_copy else "failed"
    report.reason = reason
    if keep_problems and reason in report.problems:
        report.problems.remove(reason)
    if state is not None:
        store.save_state(replace(state, last_error=reason), ok=False)
    else:
        store.save_state(SourceState(name=source.name, url=source.url, last_error=reason), ok=False)
