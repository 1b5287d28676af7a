"""Store version 4: the tables that keep each edition as it was curated (collect/snapshots.py reads them).

A module of its own, imported by store.py's migrations: snapshots.py imports the Store, so the
store cannot import it back.

- editions: one row per edition date that was drafted or published: when it was first drafted,
  the items' high-water mark then (items.rowid: rows above it arrived later, whatever the
  clock said), when it was published ('' for an edition published before this table existed).
- edition_items: the full record of every item an edition's draft offered, as it was when
  offered; never updated afterwards, kept as long as the store (an edition is never forgotten).
- edition_changes: what each deliberate correction (--force) of a published edition changed.
- items.gone: when an event stopped being listed in the window its calendar was read over
  (cancelled, moved or deleted); the row stays, so a draft that holds it can say so.
"""

from __future__ import annotations

VERSION_4 = (
    "ALTER TABLE items ADD COLUMN gone TEXT",
    "CREATE TABLE IF NOT EXISTS editions (edition TEXT PRIMARY KEY, drafted_at TEXT, "
    "seen_mark INTEGER NOT NULL DEFAULT 0, published_at TEXT)",
    "CREATE TABLE IF NOT EXISTS edition_items (edition TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL, "
    "kind TEXT NOT NULL, data TEXT NOT NULL, kept_at TEXT NOT NULL, PRIMARY KEY (edition, id))",
    "CREATE TABLE IF NOT EXISTS edition_changes (edition TEXT NOT NULL, at TEXT NOT NULL, what TEXT NOT NULL)",
    # editions published by an earlier digest: published (when unknown), everything stored so far seen before them,
    # and what can still be found of what they sent kept as their snapshot
    "INSERT OR IGNORE INTO editions (edition, drafted_at, seen_mark, published_at) "
    "SELECT DISTINCT edition, NULL, (SELECT coalesce(max(rowid), 0) FROM items), '' FROM sent",
    "INSERT OR IGNORE INTO edition_items (edition, id, source, kind, data, kept_at) "
    "SELECT sent.edition, items.id, items.source, items.kind, items.data, items.first_seen "
    "FROM sent JOIN items ON items.id = sent.item_id",
)

KEPT_TABLES = ("editions", "edition_items", "edition_changes")  # what `digest repair` carries into a fresh store
