"""Repair a damaged store without forgetting what was sent.

The store (.digest/store.sqlite) holds two kinds of thing: what can be fetched again (each
source's last body, ETag, parsed items) and what cannot — the record of which items each
edition sent (so later editions leave those posts out), each edition as it was curated
(snapshots.py), and posts that have since dropped off their members' feeds. Damage comes in two sizes:
- rows: an item whose stored JSON was cut short or had bytes changed. SQLite finds nothing
  wrong, builds leave the item out (collect/rows.py), and mend() sets those rows aside in the
  `damaged_items` table (never deleted) and has the next build read their members' bodies
  again, which brings back every item still in their feeds;
- the file: SQLite itself cannot read some pages. repair() reads whatever rows of the sent
  record and the items can still be read — the sent record from its table and from its
  primary-key index, which holds every row again — moves the damaged file aside (never
  deleting it), and writes them into a fresh store; the sources' fetch state is left out, so
  the next build fetches every source afresh. It never swaps in a store with less of the
  sent record than could be read: when the file has one and none of it can be, the store is
  left as it is.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digest.collect.rows import COLUMNS, UNREADABLE, item_of
from digest.collect.snapshot_schema import KEPT_TABLES
from digest.collect.store import FILL_PUBLISHED, Store
from digest.exceptions import DigestError

SENT = "CAST(item_id AS BLOB), CAST(edition AS BLOB)"  # read as bytes, as items are (collect/rows.py)
ASIDE = """CREATE TABLE IF NOT EXISTS damaged_items (
    source BLOB, id BLOB, data BLOB, first_seen TEXT, set_aside_at TEXT NOT NULL)"""


@dataclass(frozen=True)
class Repaired:
    """What repair() kept, and where the damaged file went."""

    sent: int
    items: int
    lost_tables: tuple[str, ...]
    damaged: Path
    set_aside: int = 0


@dataclass(frozen=True)
class Mended:
    """What mend() set aside: damaged item rows, and the members whose bodies the next build reads again."""

    rows: int
    members: tuple[str, ...]


def _rows(db: sqlite3.Connection, query: str) -> tuple[list[tuple[Any, ...]], bool]:
    """The rows a query yields until the damage stops it; True when it read to the end."""
    rows: list[tuple[Any, ...]] = []
    try:
        for row in db.execute(query):
            rows.append(row)
    except sqlite3.Error:
        return rows, False
    return rows, True


def _sent(db: sqlite3.Connection) -> tuple[list[tuple[Any, ...]], bool]:
    """Every sent record that can be read, from the table and from its primary-key index (a copy of
    every row): True when either read to the end."""
    table, whole = _rows(db, f"SELECT {SENT} FROM sent NOT INDEXED")
    index, indexed = _rows(db, f"SELECT {SENT} FROM sent ORDER BY item_id, edition")
    rows = [tuple(bytes(value).decode("utf-8", "replace") for value in row) for row in table + index if None not in row]
    return list(dict.fromkeys(rows)), whole or indexed


def _readable(db: sqlite3.Connection) -> bool:
    """Whether SQLite can read both tables to the end (as bytes: a row's bad UTF-8 is the rows' damage, not the file's)."""
    return _rows(db, f"SELECT {SENT} FROM sent")[1] and _rows(db, f"SELECT {COLUMNS} FROM items")[1]


def _unreadable(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """The rowid, source, id, data and first sight of every item row that cannot be read as an item."""
    bad = []
    for rowid, source, item_id, data, first_seen in db.execute(f"SELECT rowid, {COLUMNS}, first_seen FROM items"):
        try:
            item_of(bytes(data))
        except UNREADABLE:
            bad.append((rowid, source, item_id, data, first_seen))
    return bad


def is_healthy(path: Path) -> bool:
    """Does SQLite find nothing wrong with the store, can both tables be read to the end, and every item?"""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        if db.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            return False
        return _readable(db) and not _unreadable(db)
    except sqlite3.Error:
        return False
    finally:
        db.close()


def rows_only(path: Path) -> bool:
    """Is the damage only in item rows (SQLite finds the file sound), so mend() can put it right in place?"""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return db.execute("PRAGMA integrity_check").fetchone() == ("ok",) and _readable(db)
    except sqlite3.Error:
        return False
    finally:
        db.close()


def mend(path: Path) -> Mended:
    """Set the damaged item rows aside (table damaged_items) and have their members' bodies read again."""
    with Store(path) as store, store.transaction():
        bad = _unreadable(store.db)
        store.db.execute(ASIDE)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        store.db.executemany("INSERT INTO damaged_items VALUES (?, ?, ?, ?, ?)",
                             [(source, item_id, data, seen, stamp) for _, source, item_id, data, seen in bad])
        store.db.executemany("DELETE FROM items WHERE rowid = ?", [(row[0],) for row in bad])
        members = tuple(dict.fromkeys(bytes(row[1]).decode("utf-8", "replace") for row in bad))
        store.db.executemany("UPDATE sources SET parsed_key = NULL WHERE name = ?", [(name,) for name in members])
    return Mended(len(bad), members)


def repair(path: Path) -> Repaired:
    """Rebuild the store at `path` from what can still be read of it."""
    if not path.exists():
        raise DigestError(f"{path} does not exist: there is nothing to repair (the next build makes a new store)")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DigestError(f"{path} cannot be opened ({exc}): check its permissions") from None
    try:
        sent, sent_whole = _sent(db)
        items, items_whole = _rows(db, f"SELECT {COLUMNS}, first_seen FROM items")
        has_sent = bool(_rows(db, "SELECT name FROM sqlite_master WHERE name = 'sent'")[0])
        kept = {table: _rows(db, f"SELECT * FROM {table}")[0] for table in KEPT_TABLES}  # editions as curated
        others = _other_tables(db)
    finally:
        db.close()
    if has_sent and not sent and not sent_whole:  # a sent record is there, and none of it can be read
        raise DigestError(f"{path}: not one row of the record of what was sent can be read, so the store is left as "
                          "it is (nothing was changed): keep a copy of it and ask for help before deleting anything")
    readable, aside, stamp = [], [], datetime.now(UTC).isoformat(timespec="seconds")
    for row in items:
        try:
            source, item_id, data = (bytes(value).decode("utf-8") for value in row[:3])
            readable.append((source, item_id, item_of(data).kind, data, row[3] or stamp))
        except UNREADABLE:  # TypeError among them: a NULL where bytes should be
            aside.append((*row[:3], row[3], stamp))
    damaged = _move_aside(path)
    with Store(path) as store, store.db:
        store.db.execute("BEGIN IMMEDIATE")
        store.db.executemany("INSERT OR IGNORE INTO sent (item_id, edition) VALUES (?, ?)", sent)
        store.db.executemany("INSERT OR IGNORE INTO items (source, id, kind, data, first_seen) VALUES (?, ?, ?, ?, ?)",
                             readable)
        store.db.execute(ASIDE)
        store.db.executemany("INSERT INTO damaged_items VALUES (?, ?, ?, ?, ?)", aside)
        store.db.execute(FILL_PUBLISHED)  # what a build finds the window's posts by
        for schema in (sql for sql, _rows_of in others.values()):
            store.db.execute(schema)
        for table, rows in [*kept.items(), *((name, rows) for name, (_sql, rows) in others.items())]:
            if rows:
                store.db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    lost = tuple(name for name, whole in (("sent", sent_whole), ("items", items_whole)) if not whole)
    return Repaired(len(sent), len(readable), lost, damaged, len(aside))


def _other_tables(db: sqlite3.Connection) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    """Every table the store does not rebuild itself (members' submissions, `digest auto`'s records, and
    whatever a later version adds), with its schema and readable rows, so a repair loses none of them."""
    rebuilt = {"items", "sent", "sources", "damaged_items", *KEPT_TABLES}
    tables = "SELECT CAST(name AS BLOB), CAST(sql AS BLOB) FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
    found = [(bytes(name).decode("utf-8", "replace"), bytes(sql).decode("utf-8", "replace"))
             for name, sql in _rows(db, tables)[0]]
    return {name: (re.sub(r"^CREATE TABLE (?!IF NOT EXISTS)", "CREATE TABLE IF NOT EXISTS ", sql),
                   _rows(db, f'SELECT * FROM "{name}"')[0])
            for name, sql in found if name not in rebuilt and not name.startswith("sqlite_")}


def _move_aside(path: Path) -> Path:
    """Move the damaged file (and its journal) aside, never deleting it; where it went."""
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
    return damaged
