"""Members' submissions waiting for the editor: held in the store until approved, never in a build before.

A source with `review = true` (form responses and emails by default) has its items kept here,
not with the feeds' items: a build reads only the items table, so a pending or rejected
submission cannot reach any output by any path. Approving one copies it (as the editor edited
it) into the items table under its source, where grouping, drafts and publishing treat it like
a member's post; rejecting it takes it out again, and a rejected submission stays rejected
however often its form or mailbox is read again. A sender's address and phone are kept here for
the editor only (model.Sender) and never copied into an item.

A flood — FLOOD or more new submissions from one source on one day — is held apart with a
warning: a form link shared to a spam list should not bury the editor's month.

The tables are created on first use beside the store's own (CREATE IF NOT EXISTS), so a store
of any version takes them without a migration of the store's schema.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from digest.collect.readers.private import credit
from digest.collect.report import SourceReport
from digest.collect.store import SourceState, Store
from digest.config.keys import Source
from digest.exceptions import DigestError, StoreError
from digest.model import Item, ReadResult, Sender, item_from_json
from digest.sanitize import clean_line, text_to_html

FLOOD = 100  # submissions from one source in one day: beyond any network's news, the mark of a bot or a spam list
STATUSES = ("pending", "held", "approved", "rejected")
SUBMITTED_FORMATS = ("form", "mail")  # held for review unless the source says review = false
SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    edited TEXT,
    sender TEXT NOT NULL,
    received TEXT,
    arrived TEXT NOT NULL,
    section TEXT,
    reason TEXT,
    decided TEXT,
    PRIMARY KEY (source, id)
);
CREATE TABLE IF NOT EXISTS submission_marks (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
COLUMNS = "source, id, status, data, edited, sender, received, arrived, section, reason, decided"


class SubmissionError(DigestError):
    """A submission that is not there, or a change it cannot take: exit code 2."""


@dataclass(frozen=True)
class Submission:
    """One submission as the editor sees it: the item (as edited), who sent it, and where it stands."""

    source: str
    id: str
    status: str
    item: Item
    sender: Sender
    arrived: datetime
    section: str = ""
    reason: str = ""
    decided: datetime | None = None
    edited: bool = False
    new: bool = False  # arrived since the editor last looked

    @property
    def received(self) -> datetime:
        return self.sender.received or self.arrived

    @property
    def text(self) -> str:
        """The blurb without its "Shared by" line: what the editor edits."""
        return self.item.summary_html.removesuffix(credit(self.sender.name, self.sender.organisation))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _sender_json(sender: Sender) -> str:
    data = asdict(sender)
    data["received"] = sender.received.isoformat() if sender.received else None
    return json.dumps(data)


def _sender_of(text: str) -> Sender:
    data = json.loads(text)
    data["received"] = datetime.fromisoformat(data["received"]) if data.get("received") else None
    data["attachments"] = tuple(data.get("attachments") or ())
    return Sender(**data)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Submissions:
    """The submissions in one store: recorded by collect, decided by the editor. Every write is one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with self._reading():
            self.made = bool(store.db.execute("SELECT 1 FROM sqlite_master WHERE name='submission_marks'").fetchone())

    def _make(self) -> None:
        """The tables, before the first write (a store that never had a submission has none: reads find nothing)."""
        if not self.made:
            with self.store.transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self.store.db.execute(statement)
            self.made = True

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.store.path}: the submissions cannot be read ({exc}): run `digest repair`") from None

    # --- collect ------------------------------------------------------------------------------

    def record(self, source: str, read: ReadResult, report: SourceReport | None = None) -> tuple[int, int]:
        """Keep a read's items as submissions: new ones pending (held when a flood), known ones left as decided.

        An item not yet decided and not edited takes what its form row or email says now. Returns
        (new, held) and tells the report how many wait for the editor.
        """
        now = _now()
        self._make()
        with self._reading():
            known = {row[0]: row[1] for row in self.store.db.execute(
                "SELECT id, substr(coalesce(received, arrived), 1, 10) FROM submissions WHERE source=?", (source,))}
        per_day = Counter(known.values())
        fresh = [item for item in read.items if item.id not in known]
        days = {item.id: self._day(read.senders.get(item.id), now) for item in fresh}
        per_day.update(days.values())
        flooded = sorted(day for day, count in per_day.items() if count >= FLOOD and day in set(days.values()))
        rows = []
        for item in read.items:
            sender = read.senders.get(item.id, Sender())
            status = "held" if days.get(item.id) in flooded else "pending"
            rows.append((source, item.id, status, item.kind, json.dumps(item.to_json()), _sender_json(sender),
                         sender.received.astimezone(UTC).isoformat() if sender.received else None, now.isoformat()))
        with self.store.transaction():
            self.store.db.executemany(
                "INSERT INTO submissions (source, id, status, kind, data, sender, received, arrived) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source, id) DO UPDATE SET data=excluded.data, "
                "sender=excluded.sender, received=excluded.received WHERE status IN ('pending', 'held') AND edited IS NULL",
                rows)
        held = sum(1 for item in fresh if days[item.id] in flooded)
        if report is not None:
            for day in flooded:
                report.problems.append(
                    f"{per_day[day]} submissions arrived on {day}: {FLOOD} or more in a day looks like a flood (a bot "
                    "or a spam list), so the new ones are held — look at them with `digest submissions list --held` "
                    "before approving any")
            if waiting := len(fresh) - held:
                report.problems.append(f"note: {waiting} new submission{'s' if waiting != 1 else ''} wait for you to "
                                       "approve (the desk's Submissions, or `digest submissions list`)")
        return len(fresh) - held, held

    @staticmethod
    def _day(sender: Sender | None, now: datetime) -> str:
        return ((sender.received if sender and sender.received else now).astimezone(UTC)).date().isoformat()

    # --- the editor ---------------------------------------------------------------------------

    def listing(self, *, statuses: tuple[str, ...] = ("pending", "held"), source: str | None = None) -> list[Submission]:
        """Submissions with these statuses, newest first; `new` marks those since the editor last looked."""
        if not self.made:
            return []
        seen = self.last_look()
        query = f"SELECT {COLUMNS} FROM submissions WHERE status IN (SELECT value FROM json_each(?))"
        args: list[Any] = [json.dumps(list(statuses))]
        if source is not None:
            query += " AND source=?"
            args.append(source)
        with self._reading():
            rows = self.store.db.execute(query + " ORDER BY coalesce(received, arrived) DESC, id", args).fetchall()
        return [self._of(row, seen) for row in rows]

    def _of(self, row: tuple[Any, ...], seen: datetime | None) -> Submission:
        source, item_id, status, data, edited, sender, _received, arrived, section, reason, decided = row
        when = datetime.fromisoformat(arrived)
        return Submission(source, item_id, status, item_from_json(json.loads(edited or data)), _sender_of(sender), when,
                          section or "", reason or "", _when(decided), edited is not None,
                          new=seen is None or when > seen)

    def find(self, key: str) -> Submission:
        """The one submission whose id starts with `key` (as `digest submissions list` shows it)."""
        key = key.strip().lower()
        if not key:
            raise SubmissionError("give a submission's id, as `digest submissions list` shows it")
        self._make()
        with self._reading():
            rows = self.store.db.execute(f"SELECT {COLUMNS} FROM submissions WHERE id LIKE ? || '%' ESCAPE '\\'",
                                         (key.replace("%", "\\%").replace("_", "\\_"),)).fetchall()
        if not rows:
            raise SubmissionError(f"no submission has an id starting {key!r}: `digest submissions list --all` lists them")
        if len(rows) > 1:
            raise SubmissionError(f"{len(rows)} submissions have ids starting {key!r}: give more of the id")
        return self._of(rows[0], self.last_look())

    def approve(self, key: str, section: str = "") -> Submission:
        """Approve a submission (into `section`, or wherever the sections' rules put it): it joins the items."""
        found = self.find(key)
        if found.status == "rejected":
            raise SubmissionError(f"{found.item.title!r} was rejected: it stays out (rejected submissions never come back)")
        with self.store.transaction():
            self.store.db.execute("UPDATE submissions SET status='approved', section=?, decided=? WHERE source=? AND id=?",
                                  (section or None, _now().isoformat(), found.source, found.id))
            self._publish(found.source, found.item)
        return self.find(found.id)

    def reject(self, key: str, reason: str = "") -> Submission:
        """Reject a submission for good (with the editor's reason, for their own record): it leaves every build."""
        found = self.find(key)
        with self.store.transaction():
            self.store.db.execute("UPDATE submissions SET status='rejected', reason=?, section=NULL, decided=? "
                                  "WHERE source=? AND id=?",
                                  (clean_line(reason, 500) or None, _now().isoformat(), found.source, found.id))
            self.store.db.execute("DELETE FROM items WHERE source=? AND id=?", (found.source, found.id))
        return self.find(found.id)

    def edit(self, key: str, *, title: str | None = None, text: str | None = None) -> Submission:
        """The editor's own title or text (plain paragraphs) for a submission; its "Shared by" line stays."""
        found = self.find(key)
        if found.status == "rejected":
            raise SubmissionError(f"{found.item.title!r} was rejected: approve nothing from it")
        item = found.item
        if title is not None:
            if not clean_line(title):
                raise SubmissionError("a submission needs a title")
            item = replace(item, title=clean_line(title, 200))
        if text is not None:
            item = replace(item, summary_html=text_to_html(text) + credit(found.sender.name, found.sender.organisation))
        with self.store.transaction():
            self.store.db.execute("UPDATE submissions SET edited=? WHERE source=? AND id=?",
                                  (json.dumps(item.to_json()), found.source, found.id))
            if found.status == "approved":
                self._publish(found.source, item)
        return self.find(found.id)

    def _publish(self, source: str, item: Item) -> None:
        """Put an approved item where builds read items (a post's `published` column as the store keeps it)."""
        data = json.dumps(item.to_json())
        self.store.db.execute(
            "INSERT INTO items (source, id, kind, data, first_seen, published) VALUES (?, ?, ?, ?, ?, CASE WHEN ?='post' "
            "THEN datetime(json_extract(?, '$.published')) END) ON CONFLICT(source, id) DO UPDATE SET data=excluded.data, "
            "published=excluded.published", (source, item.id, item.kind, data, _now().isoformat(), item.kind, data))

    def sections(self) -> dict[str, str]:
        """The section the editor chose for each approved submission that has one, by item id."""
        if not self.made:
            return {}
        with self._reading():
            rows = self.store.db.execute("SELECT id, section FROM submissions WHERE status='approved' "
                                         "AND section IS NOT NULL").fetchall()
        return dict(rows)

    def last_look(self) -> datetime | None:
        if not self.made:
            return None
        with self._reading():
            row = self.store.db.execute("SELECT value FROM submission_marks WHERE name='looked'").fetchone()
        return _when(row[0]) if row else None

    def looked(self) -> None:
        """The editor has seen the list: what arrives from now on is new."""
        self._make()
        with self.store.transaction():
            self.store.db.execute("INSERT INTO submission_marks VALUES ('looked', ?) ON CONFLICT(name) DO UPDATE "
                                  "SET value=excluded.value", (_now().isoformat(),))


def reviewed(source: Source, read: ReadResult) -> bool:
    """Whether a source's items wait for the editor: its `review`, else yes for forms and emails."""
    return source.review if source.review is not None else read.format in SUBMITTED_FORMATS


def divert(store: Store, source: Source, state: SourceState, read: ReadResult, report: SourceReport) -> bool:
    """Collect's turn for a reviewed source: its items become submissions and none join the items (True)."""
    if not reviewed(source, read):
        return False
    Submissions(store).record(source.name, read, report)
    store.save_parsed(state, [])
    return True
