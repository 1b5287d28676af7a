"""Repair a damaged store without forgetting what was sent.

The store (.digest/store.sqlite) holds two kinds of thing: what can be fetched again (each
source's last body, ETag, parsed items) and what cannot — the record of which items each edition
sent (so later editions leave those posts out), each edition as it was curated (snapshots.py),
and posts that have since dropped off their members' feeds. Deleting a damaged store loses the
second kind, and every post would be sent again. repair() reads whatever rows of the sent record
and the items can still be read, row by row, moves the damaged file aside (never deleting it),
and writes them into a fresh store; the sources' fetch state is left out, so the next build
fetches every source afresh.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digest.collect.snapshot_schema import KEPT_TABLES
from digest.collect.store import FILL_PUBLISHED, Store
from digest.exceptions import DigestError


@dataclass(frozen=True)
class Repaired:
    """What repair() kept, and where the damaged file went."""

    sent: int
    items: int
    lost_tables: tuple[str, ...]
    damaged: Path


def _rows(db: sqlite3.Connection, query: str) -> tuple[list[tuple[Any, ...]], bool]:
    """The rows a query yields until the damage stops it; True when it read to the end."""
    rows: list[tuple[Any, ...]] = []
    try:
        for row in db.execute(query):
            rows.append(row)
    except sqlite3.Error:
        return rows, False
    return rows, True


def is_healthy(path: Path) -> bool:
    """Does SQLite find nothing wrong with the store, and can both tables be read to the end?"""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        if db.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            return False
        return all(_rows(db, f"SELECT * FROM {table}")[1] for table in ("sent", "items"))
    except sqlite3.Error:
        return False
    finally:
        db.close()


def repair(path: Path) -> Repaired:
    """Rebuild the store at `path` from what can still be read of it."""
    if not path.exists():
        raise DigestError(f"{path} does not exist: there is nothing to repair (the next build makes a new store)")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DigestError(f"{path} cannot be opened ({exc}): check its permissions") from None
    try:
        sent, sent_whole = _rows(db, "SELECT item_id, edition FROM sent")
        items, items_whole = _rows(db, "SELECT source, id, kind, data, first_seen FROM items")
        kept = {table: _rows(db, f"SELECT * FROM {table}")[0] for table in KEPT_TABLES}  # editions as curated
    finally:
        db.close()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    damaged = path.with_name(f"{path.name}.damaged-{stamp}")
    try:
        path.replace(damaged)
        for suffix in ("-wal", "-shm"):  # the journal belongs to the damaged file
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.replace(damaged.with_name(damaged.name + suffix))
    except OSError as exc:
        raise DigestError(f"cannot move {path} aside ({exc.strerror or exc}): check the folder is writable") from None
    with Store(path) as store, store.db:
        store.db.execute("BEGIN IMMEDIATE")
        store.db.executemany("INSERT OR IGNORE INTO sent (item_id, edition) VALUES (?, ?)", sent)
        store.db.executemany("INSERT OR IGNORE INTO items (source, id, kind, data, first_seen) VALUES (?, ?, ?, ?, ?)",
                             [row for row in items if len(row) == 5 and all(v is not None for v in row)])
        store.db.execute(FILL_PUBLISHED)  # what a build finds the window's posts by
        for table, rows in kept.items():
            if rows:
                store.db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    lost = tuple(name for name, whole in (("sent", sent_whole), ("items", items_whole)) if not whole)
    return Repaired(len(sent), len(items), lost, damaged)
