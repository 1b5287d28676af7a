"""An edition's life after its first draft: kept as curated, topped up with what arrived late, final once published.

The rules, each here once (the records are collect/snapshots.py's):
- a draft renders the records kept with its edition; an id it names that is not kept yet (an
  older draft, an id pasted in) is kept from the store the first time it is built, and one the
  store no longer has is named in the report instead of quietly losing its card;
- an event of the draft that its calendar stopped listing is named ("cancelled since your
  draft"), never dropped: the editor decides;
- a post first stored after the previous edition was drafted, offered by no edition yet and dated
  before this one's window ("arrived late"), is offered with a note, up to each section's
  late_limit days before the window; an older one is listed in the report instead;
- a published edition is final: drafting, publishing or a desk change refuses, naming when it
  went out, unless --force, which records what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from digest.collect import snapshots
from digest.collect.snapshots import EditionRecord
from digest.collect.store import Store
from digest.config.keys import Config
from digest.dates import format_day
from digest.edition.group import edition_start
from digest.exceptions import DigestError
from digest.model import Event, Filled, Item, Post, as_instant


class PublishedError(DigestError):
    """A change to a published edition without --force: exit code 2, and what to do instead."""


def published_when(record: EditionRecord, config: Config) -> str:
    """ "on Tuesday 2 July 2024 at 09:14" in the newsletter's timezone (or that digest did not record when)."""
    if not record.published_at:
        return "before digest recorded when"
    moment = datetime.fromisoformat(record.published_at).astimezone(config.newsletter.tz)
    return f"on {format_day(moment.date(), config.newsletter.language)} at {moment:%H:%M}"


def refuse_if_published(store: Store, config: Config, edition: date, *, leaves: str, force_hint: str) -> None:
    """Raise PublishedError when the edition was published: it says when, what stays (`leaves`: "its draft
    … is left as it is"), and how to correct it."""
    record = snapshots.edition_record(store, edition)
    if record is None or not record.published:
        return
    raise PublishedError(
        f"the edition of {edition.isoformat()} was published {published_when(record, config)}: it is final, so "
        f"{leaves}. New posts go into the next edition; to correct this one deliberately, "
        f"{force_hint} (digest records what changed)")


def is_published(store: Store, edition: date) -> bool:
    record = snapshots.edition_record(store, edition)
    return record is not None and record.published


def kept_drafted(store: Store, config: Config, edition: date, filled: Sequence[Filled], *, started_over: bool) -> str:
    """Keep the records of what a draft now offers; a draft started over (--force) forgets the old ones first.

    Starting over a published edition is a deliberate correction: what it changes against the sent record is
    recorded, and returned ("" otherwise).
    """
    items = [item for box in filled for item in box.items]
    change = ""
    if started_over:
        if is_published(store, edition):
            change = "draft started over with --force: " + against_sent(store, edition, [item.id for item in items])
            snapshots.record_change(store, edition, change)
        snapshots.forget(store, edition)
    snapshots.keep(store, edition, items)
    return change


def against_sent(store: Store, edition: date, ids: Iterable[str]) -> str:
    """How these ids differ from the edition's sent record: "1 item added to what was sent (…), 0 taken out"."""
    sent, now = snapshots.sent_in(store, edition), set(ids)
    added, out = sorted(now - sent), sorted(sent - now)
    return (f"{len(added)} item{'s' if len(added) != 1 else ''} added to what was sent"
            + (f" ({', '.join(added)})" if added else "") + f", {len(out)} taken out"
            + (f" ({', '.join(out)})" if out else ""))


def correction(store: Store, config: Config, edition: date, ids: Sequence[str], page: Path, web: str, *,
               force: bool) -> str:
    """Before publishing: refuse a published edition without `force`; with it, what the correction changes."""
    if not force:
        refuse_if_published(store, config, edition,
                            leaves="its archive page and its record of what was sent are left as they are",
                            force_hint=f"edit the draft and run `digest publish --date {edition} --force`")
        return ""
    if not is_published(store, edition):
        return ""
    try:
        same_page = page.read_text(encoding="utf-8") == web
    except OSError:
        same_page = False
    return (f"published again with --force: {against_sent(store, edition, ids)}; "
            f"archive page {'unchanged' if same_page else 'rewritten'}")


# --- a draft's items -------------------------------------------------------------------------------

def draft_items(store: Store, config: Config, edition: date, titles: dict[str, str],
                live: dict[str, Item]) -> tuple[dict[str, Item], list[str]]:
    """The records a draft renders (kept with the edition, else the store's), and what the editor must hear.

    `titles`: the draft's collected items, id → title as the draft has it, in order.
    """
    kept = snapshots.kept(store, edition)
    record = snapshots.edition_record(store, edition)
    fresh = [live[i] for i in titles if i not in kept and i in live]
    if fresh and not (record and record.published):  # a published edition's snapshot changes only with --force
        snapshots.keep(store, edition, fresh)
    stored = {**live, **kept}
    lost = [title for i, title in titles.items() if i not in stored]
    problems = []
    if record and record.published and snapshots.sent_in(store, edition) != set(titles):
        problems.append(f"the edition of {edition} was published {published_when(record, config)}, and the draft now "
                        f"differs from it: {against_sent(store, edition, titles)}; its archive page and sent record "
                        f"keep what was published — `digest publish --date {edition} --force` corrects them")
    if lost:
        named = ", ".join(repr(t) for t in lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
        problems.append(f"{len(lost)} item{'s' if len(lost) != 1 else ''} of the draft {'are' if len(lost) != 1 else 'is'} "
                        f"no longer in the store and shown from the draft's text alone (no date, place or calendar "
                        f"links): {named} — check them, or add them again from the feeds")
    problems += cancelled(store, config, [stored[i] for i in titles if i in stored]).values()
    return stored, problems


def cancelled(store: Store, config: Config, items: Iterable[Item]) -> dict[str, str]:
    """A line for each event of the draft its calendar no longer lists (it stays in the edition), by id."""
    events = {item.id: item for item in items if isinstance(item, Event)}
    lines = {}
    for gone in snapshots.gone(store, events):
        event = events[gone.id]
        day = format_day(as_instant(event.start, config.newsletter.tz).date(), config.newsletter.language)
        noticed = format_day(gone.since.astimezone(config.newsletter.tz).date(), config.newsletter.language)
        lines[gone.id] = (f"cancelled since your draft: {event.title!r} on {day} — {gone.source} no longer lists it "
                          f"(noticed {noticed}); it is still in the draft: take it out, or say so in its text")
    return lines


# --- late posts ------------------------------------------------------------------------------------

@dataclass
class Late:
    """Posts that arrived after the previous edition was drafted, for this edition's grouping."""

    posts: list[Post] = field(default_factory=list)
    seen: dict[str, datetime] = field(default_factory=dict)  # id → first stored
    previous: date | None = None

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.seen)

    def note(self, post: Post, config: Config) -> str:
        """The note a late post carries in the draft."""
        language = config.newsletter.language
        previous = format_day(self.previous, language) if self.previous else "the last edition"
        return (f"arrived late: dated {format_day(post.published.astimezone(config.newsletter.tz).date(), language)}, "
                f"first seen {format_day(self.seen[post.id].astimezone(config.newsletter.tz).date(), language)}, "
                f"after the edition of {previous} was drafted")

    def report(self, filled: Sequence[Filled], config: Config, edition: date) -> tuple[dict[str, str], list[str]]:
        """(each offered late post's note by id, report lines: those offered, and those too old to offer)."""
        placed = {item.id: box.section.title for box in filled for item in box.items if item.id in self.seen}
        notes = {post.id: self.note(post, config) for post in self.posts if post.id in placed}
        lines = [f"note: {post.title!r} ({post.source}) {notes[post.id]}: offered in {placed[post.id]!r}"
                 for post in self.posts if post.id in placed]
        start = edition_start(edition, config.newsletter.tz)
        limits = [start - timedelta(days=s.days_back + s.late_limit) for s in config.sections if s.kind == "posts"]
        old: dict[str, list[Post]] = {}
        for post in self.posts:
            if post.id not in placed and limits and post.published < min(limits):
                old.setdefault(post.source, []).append(post)
        for source, posts in old.items():  # a member added this month brings its whole history: one line each
            what = (f"{posts[0].title!r} ({source}) {self.note(posts[0], config)}" if len(posts) == 1 else
                    f"{len(posts)} posts of {source} arrived after the edition of "
                    f"{format_day(self.previous, config.newsletter.language) if self.previous else 'the last edition'} "
                    f"was drafted (the newest {posts[0].title!r})")
            lines.append(f"note: {what}, but {'is' if len(posts) == 1 else 'are'} older than any section takes late "
                         "posts (late_days): not offered — add by hand what should go out")
        return notes, lines


def late_posts(store: Store, edition: date, config: Config, exclude: Iterable[str]) -> Late:
    """Posts first stored after the previous edition was drafted, offered by no edition, dated before this window."""
    previous = snapshots.previous_edition(store, edition)
    if previous is None:
        return Late()
    start = edition_start(edition, config.newsletter.tz)
    ruled_out = snapshots.offered_elsewhere(store, edition) | set(exclude)
    found = [(post, seen) for post, seen in snapshots.arrived_after(store, previous.seen_mark, start)
             if post.id not in ruled_out]
    return Late([post for post, _seen in found], {post.id: seen for post, seen in found}, previous.edition)
