"""What `digest auto` and `digest members notify` remember, in tables of their own in the network's store.

- auto_runs: one row per drafting day, written before its note is mailed (and taken back if the
  mail fails), so a second run that day does nothing: no draft written over, no note mailed twice.
  Each keeps a summary (counts per section, sources, failing sources) for the next note's "since
  the last edition".
- source_health: since when each source has been failing, and whether its member was told. The
  store keeps only each source's latest fetch (`sources`: ok_at, last_error, fetched_at), so a
  failure is dated by the first failing fetch these records see, and a source that worked since
  (ok_at after that date) starts a new failure: a member is told at most once per failure.
- member_notes: the "your items this month" notes sent, one per member and month.

The tables sit beside the store's own (collect/store.py) on its connection; each method is one
transaction (Store.transaction), so SQLite's errors arrive as the store's one-line StoreErrors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from digest.collect.store import Store
from digest.config.keys import Config

TABLES = """
CREATE TABLE IF NOT EXISTS auto_runs (
    day TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    at TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS source_health (
    source TEXT PRIMARY KEY,
    failing_since TEXT NOT NULL,
    reason TEXT NOT NULL,
    notified_at TEXT
);
CREATE TABLE IF NOT EXISTS member_notes (
    member TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (member, kind, key)
);
"""


@dataclass(frozen=True)
class Run:
    """One drafting day's run: what it did, when, and the summary the next run compares with."""

    day: date
    outcome: str  # "drafted" or "thin"
    at: datetime
    summary: dict[str, Any]


@dataclass(frozen=True)
class Health:
    """A source's state now, as the records see it."""

    source: str
    status: str  # "ok", "failing" or "not fetched yet"
    failing_since: datetime | None = None
    reason: str = ""
    notified_at: datetime | None = None
    ok_at: datetime | None = None

    def days_failing(self, now: datetime) -> int:
        return max(0, (now - self.failing_since).days) if self.failing_since else 0


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class Records:
    """auto's and notify's tables in an open store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.transaction():
            for statement in TABLES.split(";"):
                if statement.strip():
                    store.db.execute(statement)

    # -- runs ---------------------------------------------------------------------------------------------------

    def run_on(self, day: date) -> Run | None:
        """The run recorded for a drafting day, if any."""
        with self.store.transaction():
            row = self.store.db.execute("SELECT day, outcome, at, summary FROM auto_runs WHERE day=?",
                                        (day.isoformat(),)).fetchone()
        return _run(row) if row else None

    def last_run_before(self, day: date) -> Run | None:
        """The latest run before `day`: the last edition the next note compares with."""
        with self.store.transaction():
            row = self.store.db.execute("SELECT day, outcome, at, summary FROM auto_runs WHERE day<? ORDER BY day DESC "
                                        "LIMIT 1", (day.isoformat(),)).fetchone()
        return _run(row) if row else None

    def record_run(self, run: Run) -> bool:
        """Claim a drafting day; False when a run already has it (then nothing is written)."""
        with self.store.transaction():
            cursor = self.store.db.execute("INSERT OR IGNORE INTO auto_runs (day, outcome, at, summary) VALUES (?, ?, ?, ?)",
                                           (run.day.isoformat(), run.outcome, _stamp(run.at), json.dumps(run.summary)))
        return cursor.rowcount == 1

    def forget_run(self, day: date) -> None:
        """Take a claim back (its note could not be mailed): the next run tries again."""
        with self.store.transaction():
            self.store.db.execute("DELETE FROM auto_runs WHERE day=?", (day.isoformat(),))

    # -- health -------------------------------------------------------------------------------------------------

    def health(self, config: Config) -> dict[str, Health]:
        """Every source's state now, its failure dated; the records brought up to date with the store first."""
        with self.store.transaction():
            fetched = {row[0]: row[1:] for row in self.store.db.execute(
                "SELECT name, ok_at, last_error, fetched_at FROM sources")}
            known = {row[0]: row[1:] for row in self.store.db.execute(
                "SELECT source, failing_since, reason, notified_at FROM source_health")}
            result: dict[str, Health] = {}
            for source in config.sources:
                if source.name not in fetched:
                    result[source.name] = Health(source.name, "not fetched yet")
                    continue
                ok_at, error, fetched_at = fetched[source.name]
                if not error:
                    self.store.db.execute("DELETE FROM source_health WHERE source=?", (source.name,))
                    result[source.name] = Health(source.name, "ok", ok_at=_when(ok_at))
                    continue
                since, _, notified = known.get(source.name, (None, None, None))
                if since is None or (ok_at and ok_at > since):  # a new failure: it worked after the last one began
                    since, notified = fetched_at or _stamp(datetime.now(UTC)), None
                self.store.db.execute(
                    "INSERT INTO source_health (source, failing_since, reason, notified_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(source) DO UPDATE SET failing_since=excluded.failing_since, reason=excluded.reason, "
                    "notified_at=excluded.notified_at", (source.name, since, error, notified))
                result[source.name] = Health(source.name, "failing", _when(since), error, _when(notified), _when(ok_at))
        return result

    def mark_told(self, sources: list[str], now: datetime) -> None:
        """The members of these failing sources have been told (until they work again)."""
        with self.store.transaction():
            self.store.db.executemany("UPDATE source_health SET notified_at=? WHERE source=?",
                                      [(_stamp(now), name) for name in sources])

    # -- members' notes -----------------------------------------------------------------------------------------

    def noted(self, member: str, kind: str, key: str) -> bool:
        with self.store.transaction():
            row = self.store.db.execute("SELECT 1 FROM member_notes WHERE member=? AND kind=? AND key=?",
                                        (member, kind, key)).fetchone()
        return row is not None

    def note(self, member: str, kind: str, key: str, now: datetime) -> None:
        with self.store.transaction():
            self.store.db.execute("INSERT OR IGNORE INTO member_notes (member, kind, key, at) VALUES (?, ?, ?, ?)",
                                  (member, kind, key, _stamp(now)))


def _run(row: tuple[str, str, str, str]) -> Run:
    day, outcome, at, summary = row
    moment = _when(at)
    assert moment is not None
    return Run(date.fromisoformat(day), outcome, moment, json.loads(summary))
