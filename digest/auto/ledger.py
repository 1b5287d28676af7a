"""`digest members`: one row per member (the name readers see) — what they gave, what was featured, how their feeds are.

A member's sources share its public name (`member` in sources.toml), so a blog and a calendar are
one row. Counts come from the store: items found are those dated since the date (posts by when
they were published, events by when they take place); items featured are those recorded as sent
in an edition of that date or later (`digest publish`); the last item is the newest the member put
out (a post's date, or when an event first appeared). Each source's status is the records' (records.py):
ok, failing since when and why, or not fetched yet.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from digest.auto.records import Health, Records
from digest.config.keys import Config

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class SourceLine:
    """One source of a member, and its state now."""

    name: str
    url: str
    status: str
    failing_since: str = ""  # an ISO date, when failing
    reason: str = ""

    @property
    def said(self) -> str:
        if self.status == "failing":
            return f"{self.name}: failing since {self.failing_since} ({self.reason})"
        return f"{self.name}: {self.status}"


@dataclass(frozen=True)
class MemberRow:
    """A member's line of the ledger."""

    member: str
    sources: tuple[SourceLine, ...]
    found: int
    featured: int
    last_item: str  # an ISO date, "" when the store has nothing of theirs
    last_title: str

    @property
    def status(self) -> str:
        """"ok" when every source is, else each source that is not, said."""
        off = [s.said for s in self.sources if s.status != "ok"]
        return "; ".join(off) if off else "ok"


def _by_source(records: Records, query: str, args: tuple[str, ...]) -> dict[str, tuple[object, ...]]:
    with records.store.transaction():
        return {row[0]: tuple(row[1:]) for row in records.store.db.execute(query, args)}


def member_rows(config: Config, records: Records, since: date) -> list[MemberRow]:
    """Every member in sources.toml order, with its sources' counts added up and their states."""
    start = since.isoformat()
    found = _by_source(records, "SELECT source, COUNT(*) FROM items WHERE (kind='post' AND published>=?) "
                                "OR (kind='event' AND json_extract(data, '$.start')>=?) GROUP BY source", (start, start))
    featured = _by_source(records, "SELECT i.source, COUNT(DISTINCT i.id) FROM sent s JOIN items i ON i.id=s.item_id "
                                   "WHERE s.edition>=? GROUP BY i.source", (start,))
    newest = _newest(records)
    health = records.health(config)
    members: dict[str, list[str]] = {}
    for source in config.sources:
        members.setdefault(source.shown_as, []).append(source.name)
    by_name = {s.name: s for s in config.sources}
    rows = []
    for member, names in members.items():
        lines = tuple(_line(by_name[n].name, by_name[n].url, health[n]) for n in names)
        # the newest of its sources' newest (max keeps the first of equals: the first by title)
        last = max(sorted((newest[n] for n in names if n in newest), key=lambda pair: pair[1]),
                   key=lambda pair: pair[0], default=("", ""))
        rows.append(MemberRow(member, lines, sum(int(str(found.get(n, (0,))[0])) for n in names),
                              sum(int(str(featured.get(n, (0,))[0])) for n in names), last[0][:10], last[1]))
    return rows


def _newest(records: Records) -> dict[str, tuple[str, str]]:
    """Each source's newest item: when (a post's date, or when an event first appeared) and its title.

    Of items seen at the same moment (a calendar's events arrive together), the first by title: the same every time.
    """
    with records.store.transaction():
        rows = records.store.db.execute(
            "SELECT source, coalesce(published, replace(substr(first_seen, 1, 19), 'T', ' ')) AS day, "
            "coalesce(json_extract(data, '$.title'), '') FROM items ORDER BY source, day DESC, 3").fetchall()
    newest: dict[str, tuple[str, str]] = {}
    for source, day, title in rows:
        newest.setdefault(source, (str(day), str(title)))
    return newest


def _line(name: str, url: str, health: Health) -> SourceLine:
    since = health.failing_since.astimezone(UTC).date().isoformat() if health.failing_since else ""
    return SourceLine(name, url, health.status, since, health.reason)


def format_rows(rows: list[MemberRow], how: str, since: date) -> str:
    """The ledger as a table for people, CSV for a spreadsheet, or JSON for a program."""
    if how == "json":
        return json.dumps({"since": since.isoformat(), "members": [asdict(r) for r in rows]}, indent=2, ensure_ascii=False)
    head = ["member", "sources", "found", "featured", "last item", "last title", "status"]
    cells = [[r.member, "; ".join(s.name for s in r.sources), str(r.found), str(r.featured), r.last_item, r.last_title,
              r.status] for r in rows]
    if how == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([head, *[[_inert(cell) for cell in row] for row in cells]])
        return out.getvalue().rstrip("\n")
    shown = [c[:5] + [c[6]] for c in [head, *cells]]  # the table leaves the titles out: they make it too wide
    widths = [max(len(row[i]) for row in shown) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[5] for row in shown]
    return "\n".join([f"since {since.isoformat()}:", *lines])


def _inert(cell: str) -> str:
    """A cell a spreadsheet shows as text: a feed's title such as "=HYPERLINK(…)" must not run as a formula (OWASP)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def default_since(now: datetime) -> date:
    """A year back: the ledger of a network's last twelve editions."""
    today = now.date()
    return today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) else today.replace(
        year=today.year - 1, day=28)
