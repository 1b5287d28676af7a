"""The SQLite store beside sources.toml (`.digest/store.sqlite`): what was fetched and every item seen.

Why a store: conditional GET needs each source's ETag/Last-Modified; a failing source is
built from its last good body; an unchanged body is never parsed twice (its items are kept
keyed by body hash); and no post a member published is lost because it dropped off their
feed or their site was down today. Every write is one transaction (WAL mode), so a build
killed mid-way leaves the store as it was before that source, and two builds at once wait
for each other instead of corrupting it.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, ParamSpec, TypeVar

from digest.exceptions import StoreError
from digest.model import Item, item_from_json

P = ParamSpec("P")
T = TypeVar("T")
SCHEMA_VERSION = 1
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


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
        with self.db:
            self.db.executescript(SCHEMA)
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @classmethod
    def beside(cls, config_path: Path) -> Store:
        """The store that belongs to a sources.toml."""
        return cls(config_path.parent / ".digest" / "store.sqlite")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_guarded
    def state(self, name: str) -> SourceState | None:
        row = self.db.execute(
            "SELECT name, url, etag, last_modified, body, body_hash, parsed_key, ok_at, last_error FROM sources WHERE name=?",
            (name,),
        ).fetchone()
        return SourceState(*row) if row else None

    @_guarded
    def states(self) -> dict[str, SourceState]:
        rows = self.db.execute(
            "SELECT name, url, etag, last_modified, body, body_hash, parsed_key, ok_at, last_error FROM sources"
        ).fetchall()
        return {row[0]: SourceState(*row) for row in rows}

    @_guarded
    def save_parsed(
        self,
        state: SourceState,
        items: Iterable[Item],
        *,
        replace_kind: str | None = None,
    ) -> None:
        """Record a good fetch and its items in one transaction.

        Posts accumulate (an edited post is updated, a post gone from the feed stays);
        with replace_kind="event" the source's events are replaced, since a cancelled or
        moved occurrence must disappear.
        """
        now = _now()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._upsert_state(state, now, ok=True)
            if replace_kind:
                self.db.execute("DELETE FROM items WHERE source=? AND kind=?", (state.name, replace_kind))
            self.db.executemany(
                "INSERT INTO items (source, id, kind, data, first_seen) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(source, id) DO UPDATE SET data=excluded.data, kind=excluded.kind",
                [(state.name, item.id, item.kind, json.dumps(item.to_json()), now) for item in items],
            )

    @_guarded
    def save_state(self, state: SourceState, *, ok: bool) -> None:
        """Record a fetch that brought no new items (304, unchanged body) or a failure."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._upsert_state(state, _now(), ok=ok)

    def _upsert_state(self, state: SourceState, now: str, *, ok: bool) -> None:
        self.db.execute(
            "INSERT INTO sources (name, url, etag, last_modified, body, body_hash, parsed_key, fetched_at, ok_at, last_error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET url=excluded.url, etag=excluded.etag, "
            "last_modified=excluded.last_modified, body=excluded.body, body_hash=excluded.body_hash, "
            "parsed_key=excluded.parsed_key, fetched_at=excluded.fetched_at, ok_at=excluded.ok_at, last_error=excluded.last_error",
            (
                state.name, state.url, state.etag, state.last_modified, state.body, state.body_hash,
                state.parsed_key, now, now if ok else state.ok_at, None if ok else state.last_error,
            ),
        )

    @_guarded
    def items(self, source: str) -> list[Item]:
        rows = self.db.execute("SELECT data FROM items WHERE source=? ORDER BY id", (source,)).fetchall()
        return [item_from_json(json.loads(row[0])) for row in rows]

    @_guarded
    def all_items(self, *, posts_since: datetime | None = None) -> dict[str, list[Item]]:
        """Every stored item by source; with posts_since, posts published before it are not loaded.

        The store keeps every post ever seen, so a build reads only the posts its windows can
        use (SQLite compares the ISO dates in UTC; events are always loaded).
        """
        query, args = "SELECT source, data FROM items", ()
        if posts_since is not None:
            query += " WHERE kind != 'post' OR datetime(json_extract(data, '$.published')) >= datetime(?)"
            args = (posts_since.astimezone(timezone.utc).isoformat(),)
        result: dict[str, list[Item]] = {}
        for source, data in self.db.execute(query + " ORDER BY source, id", args):
            result.setdefault(source, []).append(item_from_json(json.loads(data)))
        return result

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
    def counts(self) -> dict[str, int]:
        """How many items the store holds for each source."""
        return dict(self.db.execute("SELECT source, COUNT(*) FROM items GROUP BY source").fetchall())

    @_guarded
    def mark_sent(self, item_ids: Iterable[str], edition: str) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO sent (item_id, edition) VALUES (?, ?)", [(i, edition) for i in item_ids])

    @_guarded
    def sent_ids(self, before_edition: str | None = None) -> set[str]:
        """Items recorded as sent in an edition (only editions before `before_edition` if given)."""
        if before_edition:
            rows = self.db.execute("SELECT item_id FROM sent WHERE edition < ?", (before_edition,))
        else:
            rows = self.db.execute("SELECT item_id FROM sent")
        return {row[0] for row in rows}
