"""The SQLite store beside sources.toml (`.digest/store.sqlite`): what was fetched and every item seen.

Why a store: conditional GET needs each source's ETag/Last-Modified; a failing source is
built from its last good body; an unchanged body is never parsed twice (its items are kept
keyed by body hash); and no post a member published is lost because it dropped off their
feed or their site was down today. A build's writes are one transaction (WAL mode), each
source's a savepoint within it, so a build killed mid-way leaves the store as it was, one bad
source's save is taken back alone, and two builds at once wait for each other instead of
corrupting it.

What a build reads is only what it needs: a source's state without its body (a 304 never
loads it; the body's format is kept beside it for the parse key), and only the posts its
windows can use, found by an indexed `published` column instead of each item's JSON.

Length (~375 lines): the schema, its in-place migrations and every query live together, so a
change to a table is made in one module.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from digest.collect.rows import COLUMNS, Damaged, decoded
from digest.collect.snapshot_schema import VERSION_4
from digest.collect.wire import inflate
from digest.config.workspace import Workspace
from digest.exceptions import StoreError
from digest.model import Image, Item

P = ParamSpec("P")
T = TypeVar("T")
SCHEMA_VERSION = 4
SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    body BLOB,
    body_hash TEXT,
    parsed_key TEXT,
    fetched_at TEXT,
    ok_at TEXT,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS items (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (source, id)
);
CREATE TABLE IF NOT EXISTS sent (
    item_id TEXT NOT NULL,
    edition TEXT NOT NULL,
    PRIMARY KEY (item_id, edition)
);
"""
# The `published` column of posts written without it (by store version 1, or a repair), from their JSON.
FILL_PUBLISHED = ("UPDATE items SET published = datetime(json_extract(data, '$.published')) "
                  "WHERE kind = 'post' AND published IS NULL")
# Each store version's changes from the one before, applied in order in one transaction.
# Columns are only ever added (with defaults), so an older store is upgraded in place.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        "ALTER TABLE sources ADD COLUMN format TEXT",  # readers.detect() of the body: the parse key needs it
        "ALTER TABLE items ADD COLUMN published TEXT",  # a post's date in UTC, SQLite's datetime() form
        FILL_PUBLISHED,
        "CREATE INDEX IF NOT EXISTS items_published ON items (kind, published)",
    ),
    3: ("ALTER TABLE sources ADD COLUMN body_coding TEXT",),  # the body as it came over the wire (digest/wire.py)
    4: VERSION_4,  # editions kept as curated, events never deleted (snapshot_schema.py)
}
STATE_COLUMNS = ("name, url, etag, last_modified, NULL, body_hash, parsed_key, ok_at, last_error, format, body_coding, "
                 "body IS NOT NULL")


@dataclass(frozen=True)
class SourceState:
    """What the store remembers of one source."""

    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body: bytes | None = None
    body_hash: str | None = None
    parsed_key: str | None = None
    ok_at: str | None = None
    last_error: str | None = None
    format: str | None = None
    body_coding: str | None = None  # the body's Content-Encoding as fetched (None: as is); body_hash is the decoded body's
    stored: bool = False  # read from the store: whether it holds a body (loaded only on demand, see Store.body)


def _state_of(row: tuple[Any, ...]) -> SourceState:
    """A row of STATE_COLUMNS as a SourceState (its body left in the store)."""
    name, url, etag, last_modified, body, body_hash, parsed_key, ok_at, last_error, body_format, coding, stored = row
    return SourceState(name, url, etag, last_modified, body, body_hash, parsed_key, ok_at, last_error, body_format, coding,
                       stored=bool(stored))


def _encoded(value: Any) -> Any:
    """json.dumps' fallback for items: dataclasses as their fields, dates in ISO form (Post.to_json's JSON).

    Five times faster than dataclasses.asdict, which deep-copies every field first.
    """
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Image):  # Image.json_of's rule (the size only once known), without asdict's cost
        return {key: field for key, field in vars(value).items() if field is not None}
    return vars(value)


_ENCODER = json.JSONEncoder(default=_encoded)  # one encoder for every item: json.dumps(default=) makes one each call


def item_json(item: Item) -> str:
    """An item as the store keeps it (item_from_json reads it back)."""
    return _ENCODER.encode(item)


def _published(item: Item) -> str | None:
    """The `published` column: a post's date as SQLite's datetime() writes it ("2024-09-30 20:00:00"), in UTC."""
    published = getattr(item, "published", None)
    if item.kind != "post" or not isinstance(published, datetime):
        return None
    return published.astimezone(UTC).isoformat(" ", "seconds")[:19]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _problem(path: Path, exc: sqlite3.Error | OSError) -> StoreError:
    """SQLite's (or the file system's) complaint as one line that says what to do."""
    text = str(exc)
    if isinstance(exc, OSError):
        return StoreError(f"{path.parent}: cannot be created ({exc.strerror or exc}): check the folder is writable")
    if "locked" in text or "busy" in text:
        return StoreError(f"{path}: busy — another digest is using this store; try again when it finishes")
    if isinstance(exc, sqlite3.OperationalError) and "malformed" not in text:
        return StoreError(f"{path}: cannot be used ({text}): check the folder is writable and the disk not full")
    return StoreError(
        f"{path}: is not a digest store or is damaged ({text}): run `digest repair` to rebuild it "
        "(it keeps the record of what was sent; sources are fetched afresh on the next build)"
    )


def _guarded(method: Callable[P, T]) -> Callable[P, T]:
    """Turn any SQLite error into a StoreError, so a damaged store is a message, not a traceback.

    Damage can show on any page, not only when the file is opened: a store cut short by a
    full disk opens fine and fails at its first read of the lost pages.
    """

    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            store = args[0]
            assert isinstance(store, Store)
            raise _problem(store.path, exc) from None

    return guarded


class Store:
    """A thin wrapper over one SQLite connection; every method is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._depth = 0
        self.damaged: list[Damaged] = []  # rows read so far that could not be (collect/rows.py)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _problem(path, exc) from None
        try:
            self._open()
        except StoreError:
            if hasattr(self, "db"):
                self.db.close()
            raise

    @_guarded
    def _open(self) -> None:
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer digest (store version {version}, this one reads {SCHEMA_VERSION}): "
                "upgrade digest, or delete the .digest folder to start a fresh store"
            )
        if version == SCHEMA_VERSION:
            return
        with self._transaction():
            # again, under the write lock: another digest opening the same new store may have just done it
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            for step in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step]:
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction, or a savepoint inside the one already open (see transaction)."""
        if self._depth:
            self.db.execute("SAVEPOINT part")
            self._depth += 1
            try:
                yield
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK TO part")
                raise
            finally:
                self._depth -= 1
                if self.db.in_transaction:
                    self.db.execute("RELEASE part")
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make every write inside one transaction (a build's): one commit, and the write lock held once.

        Each method's own transaction becomes a savepoint, so a failed save is still taken back alone.
        """
        try:
            with self._transaction():
                yield
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from None

    @classmethod
    def beside(cls, config_path: Path) -> Store:
        """The store that belongs to a sources.toml."""
        return cls(Workspace.beside(config_path).store)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_guarded
    def state(self, name: str) -> SourceState | None:
        """What the store remembers of a source, without its body (see body)."""
        row = self.db.execute(f"SELECT {STATE_COLUMNS} FROM sources WHERE name=?", (name,)).fetchone()
        return _state_of(row) if row else None

    @_guarded
    def states(self) -> dict[str, SourceState]:
        """Every source's state, without bodies: a build whose sources answer 304 never reads them."""
        rows = self.db.execute(f"SELECT {STATE_COLUMNS} FROM sources").fetchall()
        return {row[0]: _state_of(row) for row in rows}

    @_guarded
    def wire(self, name: str) -> tuple[bytes | None, str | None]:
        """The last good body of a source as it came (and its Content-Encoding), for a parse worker to inflate."""
        row = self.db.execute("SELECT body, body_coding FROM sources WHERE name=?", (name,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def body(self, name: str) -> bytes | None:
        """The last good body of a source, decoded."""
        body, coding = self.wire(name)
        return None if body is None else inflate(body, coding)

    @_guarded
    def save_parsed(self, state: SourceState, items: Iterable[Item], *, gone: Iterable[str] = ()) -> None:
        """Record a good fetch and its items in one transaction.

        Items accumulate (an edited one is updated, one gone from the feed stays); the `gone` ids
        (events no longer listed in the window their calendar was read over) are marked, never deleted.
        """
        now = _now()
        with self._transaction():
            self._upsert_state(state, now, ok=True)
            self.db.execute("UPDATE items SET gone=? WHERE source=? AND id IN (SELECT value FROM json_each(?))",
                            (now, state.name, json.dumps(list(gone))))
            self.db.executemany(
                "INSERT INTO items (source, id, kind, data, first_seen, published) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(source, id) DO UPDATE SET data=excluded.data, kind=excluded.kind, published=excluded.published, "
                "gone=NULL",
                [(state.name, item.id, item.kind, item_json(item), now, _published(item))
                 for item in items],
            )

    @_guarded
    def save_state(self, state: SourceState, *, ok: bool) -> None:
        """Record a fetch that brought no new items (304, unchanged body) or a failure."""
        with self._transaction():
            self._upsert_state(state, _now(), ok=ok)

    def _upsert_state(self, state: SourceState, now: str, *, ok: bool) -> None:
        """Write a source's state; a state without a body (not loaded, or a 304) keeps the stored one."""
        self.db.execute(
            "INSERT INTO sources (name, url, etag, last_modified, body, body_hash, parsed_key, fetched_at, ok_at, last_error, "
            "format, body_coding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET url=excluded.url, "
            "etag=excluded.etag, last_modified=excluded.last_modified, body=coalesce(excluded.body, body), "
            "body_coding=CASE WHEN excluded.body IS NULL THEN body_coding ELSE excluded.body_coding END, "
            "body_hash=coalesce(excluded.body_hash, body_hash), format=coalesce(excluded.format, format), "
            "parsed_key=excluded.parsed_key, fetched_at=excluded.fetched_at, ok_at=excluded.ok_at, "
            "last_error=excluded.last_error",
            (
                state.name, state.url, state.etag, state.last_modified, state.body, state.body_hash,
                state.parsed_key, now, now if ok else state.ok_at, None if ok else state.last_error, state.format,
                state.body_coding,
            ),
        )

    @_guarded
    def items(self, source: str) -> list[Item]:
        """A source's readable items (a damaged row is left out and listed in `damaged`, see rows.py)."""
        rows = self.db.execute(f"SELECT {COLUMNS} FROM items WHERE source=? AND gone IS NULL ORDER BY id", (source,))
        return decoded(rows, self.damaged).get(source, [])

    @_guarded
    def all_items(self, *, posts_since: datetime | None = None) -> dict[str, list[Item]]:
        """Every stored item by source; with posts_since, posts published before it are not loaded.

        The store keeps every post ever seen, so a build reads only the posts its windows can
        use (SQLite compares the ISO dates in UTC; events are always loaded).
        """
        query, args = f"SELECT {COLUMNS} FROM items WHERE gone IS NULL", tuple[str, ...]()
        if posts_since is not None:
            query += " AND (kind != 'post' OR published >= ?)"
            args = (posts_since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),)
        return decoded(self.db.execute(query + " ORDER BY source, id", args), self.damaged)

    @_guarded
    def first_seen(self, source: str, ids: Iterable[str]) -> dict[str, datetime]:
        """When each of these items of a source was first stored (items never stored are absent)."""
        wanted = list(ids)
        rows = self.db.execute(
            "SELECT id, first_seen FROM items WHERE source=? AND id IN (SELECT value FROM json_each(?))",
            (source, json.dumps(wanted)),
        ).fetchall()
        return {item_id: datetime.fromisoformat(seen) for item_id, seen in rows}

    @_guarded
    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read, without taking the write lock (for the store's other tables: snapshots.py)."""
        return self.db.execute(sql, args).fetchall()

    @_guarded
    def counts(self) -> dict[str, int]:
        """How many items the store holds for each source."""
        return dict(self.db.execute("SELECT source, COUNT(*) FROM items WHERE gone IS NULL GROUP BY source").fetchall())

    @_guarded
    def mark_sent(self, item_ids: Iterable[str], edition: str) -> None:
        with self._transaction():
            self.db.executemany("INSERT OR IGNORE INTO sent (item_id, edition) VALUES (?, ?)", [(i, edition) for i in item_ids])

    @_guarded
    def sent_ids(self, before_edition: str | None = None) -> set[str]:
        """Items recorded as sent in an edition (only editions before `before_edition` if given)."""
        if before_edition:
            rows = self.db.execute("SELECT item_id FROM sent WHERE edition < ?", (before_edition,))
        else:
            rows = self.db.execute("SELECT item_id FROM sent")
        return {row[0] for row in rows}
