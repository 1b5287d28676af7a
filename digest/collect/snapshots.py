"""Editions kept in the store as they were curated: their items' full records, when drafted and published.

Why: an edition's draft names items by id, and the feeds move on — a calendar read for a later
month no longer lists this month's events, a member edits or deletes a post. So the records a
draft offers are kept with the edition (edition_items, keyed by edition date) the moment it
offers them, and every build of that date renders those, whatever has been fetched since. Rows
are written once and never updated (a deliberate correction of a published edition adds a line
to edition_changes saying what changed); they are kept as long as the store is.

The tables are store version 4 (snapshot_schema.py); each write here is one transaction, each read one query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from digest.collect.store import Store, item_json
from digest.model import Item, Post, item_from_json


@dataclass(frozen=True)
class EditionRecord:
    """What the store knows of one edition: when first drafted, the items seen by then, when published."""

    edition: date
    drafted_at: datetime | None
    seen_mark: int  # items.rowid when first drafted: a row above it arrived later
    published_at: str | None  # ISO time; '' published before digest recorded when; None not published

    @property
    def published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True)
class Gone:
    """An event of a snapshot that its calendar no longer lists (cancelled, moved or deleted)."""

    id: str
    source: str
    since: datetime


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _record(row: tuple[str, str | None, int, str | None]) -> EditionRecord:
    edition, drafted, mark, published = row
    return EditionRecord(date.fromisoformat(edition), datetime.fromisoformat(drafted) if drafted else None, mark,
                         published)


def edition_record(store: Store, edition: date) -> EditionRecord | None:
    rows = store.query("SELECT edition, drafted_at, seen_mark, published_at FROM editions WHERE edition=?",
                       (edition.isoformat(),))
    return _record(rows[0]) if rows else None


def previous_edition(store: Store, edition: date) -> EditionRecord | None:
    """The latest edition before this date that was drafted or published."""
    rows = store.query("SELECT edition, drafted_at, seen_mark, published_at FROM editions WHERE edition < ? "
                       "ORDER BY edition DESC LIMIT 1", (edition.isoformat(),))
    return _record(rows[0]) if rows else None


def keep(store: Store, edition: date, items: Iterable[Item]) -> int:
    """Keep these items' records with the edition (first drafting opens it); how many were new to it.

    A record already kept is never replaced: the edition shows what was curated, not what the feed says now.
    """
    rows = [(edition.isoformat(), item.id, item.source, item.kind, item_json(item)) for item in items if item.id]
    with store.transaction():
        store.db.execute("INSERT OR IGNORE INTO editions (edition, drafted_at, seen_mark) "
                         "VALUES (?, ?, (SELECT coalesce(max(rowid), 0) FROM items))", (edition.isoformat(), _now()))
        before = store.db.total_changes
        store.db.executemany("INSERT OR IGNORE INTO edition_items (edition, id, source, kind, data, kept_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [(*row, _now()) for row in rows])
        return store.db.total_changes - before


def forget(store: Store, edition: date) -> None:
    """Let go of the records kept with an edition (its draft was started over); when it was drafted stays."""
    with store.transaction():
        store.db.execute("DELETE FROM edition_items WHERE edition=?", (edition.isoformat(),))


def kept(store: Store, edition: date) -> dict[str, Item]:
    """The records kept with the edition, by id."""
    rows = store.query("SELECT data FROM edition_items WHERE edition=? ORDER BY id", (edition.isoformat(),))
    items = (item_from_json(json.loads(row[0])) for row in rows)
    return {item.id: item for item in items}


def offered_elsewhere(store: Store, edition: date) -> set[str]:
    """Every id another edition has offered."""
    rows = store.query("SELECT id FROM edition_items WHERE edition != ?", (edition.isoformat(),))
    return {row[0] for row in rows}


def arrived_after(store: Store, mark: int, before: datetime) -> list[tuple[Post, datetime]]:
    """Posts first stored after the mark and dated before `before`, with when each was first seen."""
    rows = store.query("SELECT data, first_seen FROM items WHERE kind='post' AND gone IS NULL AND rowid > ? "
                       "AND published < ? ORDER BY published DESC, id",
                       (mark, before.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")))
    found = [(item_from_json(json.loads(data)), datetime.fromisoformat(seen)) for data, seen in rows]
    return [(post, seen) for post, seen in found if isinstance(post, Post)]


def gone(store: Store, ids: Iterable[str]) -> list[Gone]:
    """Which of these items their source has stopped listing (and no other source still lists)."""
    rows = store.query("SELECT id, source, min(gone) FROM items WHERE id IN (SELECT value FROM json_each(?)) "
                       "AND gone IS NOT NULL AND id NOT IN (SELECT id FROM items WHERE gone IS NULL) GROUP BY id "
                       "ORDER BY id", (json.dumps(list(ids)),))
    return [Gone(item_id, source, datetime.fromisoformat(since)) for item_id, source, since in rows]


def mark_published(store: Store, edition: date, ids: Iterable[str], *, change: str = "") -> None:
    """The edition went out with these ids: its sent record is exactly them, and it is published (first time kept).

    `change` (a correction with --force) is recorded in edition_changes with the time.
    """
    wanted = sorted(set(ids))
    day = edition.isoformat()
    with store.transaction():
        store.db.execute("INSERT OR IGNORE INTO editions (edition, drafted_at, seen_mark) "
                         "VALUES (?, ?, (SELECT coalesce(max(rowid), 0) FROM items))", (day, _now()))
        store.db.execute("DELETE FROM sent WHERE edition=? AND item_id NOT IN (SELECT value FROM json_each(?))",
                         (day, json.dumps(wanted)))
        store.db.executemany("INSERT OR IGNORE INTO sent (item_id, edition) VALUES (?, ?)", [(i, day) for i in wanted])
        store.db.execute("UPDATE editions SET published_at=coalesce(published_at, ?) WHERE edition=?", (_now(), day))
        if change:
            store.db.execute("INSERT INTO edition_changes (edition, at, what) VALUES (?, ?, ?)", (day, _now(), change))


def record_change(store: Store, edition: date, what: str) -> None:
    with store.transaction():
        store.db.execute("INSERT INTO edition_changes (edition, at, what) VALUES (?, ?, ?)",
                         (edition.isoformat(), _now(), what))


def changes(store: Store, edition: date) -> list[tuple[str, str]]:
    """Each recorded correction of the edition: (when, what changed)."""
    return [(at, what) for at, what in store.query("SELECT at, what FROM edition_changes WHERE edition=? ORDER BY rowid",
                                                   (edition.isoformat(),))]


def sent_in(store: Store, edition: date) -> set[str]:
    """The ids the edition's sent record holds."""
    return {row[0] for row in store.query("SELECT item_id FROM sent WHERE edition=?", (edition.isoformat(),))}
