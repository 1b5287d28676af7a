"""Items as the store keeps them (one JSON text a row), read back without trusting a row.

A row damaged by a full disk, a bad copy or a stray write (its JSON cut short, bytes changed)
must cost that one item, never the build: a row that cannot be read is left out and listed in
`damaged`, which the build reports by member and item, and `digest repair` mends
(collect/repair.py). Rows are read as bytes, so even bytes that are not UTF-8 are only a
damaged row, not an error from SQLite for the whole query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from digest.model import Item, item_from_json
from digest.sanitize import clean_line

# what reading a damaged row raises: bad UTF-8 or JSON (ValueError), a field missing or of the wrong kind
UNREADABLE = (ValueError, KeyError, TypeError, AttributeError)
_TITLE = re.compile(r'"title":\s*"((?:[^"\\]|\\.){1,200})')  # its end may be what was cut
COLUMNS = "CAST(source AS BLOB), CAST(id AS BLOB), CAST(data AS BLOB)"  # what `decoded` reads, in this order


@dataclass(frozen=True)
class Damaged:
    """A stored item that could not be read: whose it is, which it is, and why (for the report)."""

    source: str
    id: str
    why: str
    title: str = ""  # what can still be read of its title, if anything

    def sentence(self) -> str:
        """The build report's line (after the member's name)."""
        named = f" {self.title!r}" if self.title else ""
        return (f"its stored item{named} (id {self.id}) is damaged and was left out ({self.why}): "
                "run `digest repair` to mend the store (it keeps the record of what was sent)")


def item_of(data: bytes | str) -> Item:
    """One row's item; raises one of UNREADABLE when the row is damaged."""
    value = json.loads(data)
    if not isinstance(value, dict):
        raise TypeError(f"a JSON {type(value).__name__}, not an object")
    return item_from_json(value)


def decoded(rows: Iterable[tuple[bytes, bytes, bytes]], damaged: list[Damaged]) -> dict[str, list[Item]]:
    """Every readable row's item by source, in the rows' order; the others appended to `damaged`."""
    found: dict[str, list[Item]] = {}
    for raw_source, raw_id, data in rows:
        source = bytes(raw_source).decode("utf-8", "replace")
        try:
            item = item_of(bytes(data))
        except UNREADABLE as exc:
            title = _TITLE.search(bytes(data).decode("utf-8", "replace"))
            damaged.append(Damaged(source, bytes(raw_id).decode("utf-8", "replace"), f"{type(exc).__name__}: {exc}"[:80],
                                   clean_line(title.group(1), 60) if title else ""))
            continue
        found.setdefault(source, []).append(item)
    return found


def sentences(damaged: list[Damaged], source: str, shown: int = 3) -> list[str]:
    """The report's lines for one member's damaged rows: the first few named, the rest counted."""
    mine = [row for row in damaged if row.source == source]
    lines = [row.sentence() for row in mine[:shown]]
    if len(mine) > shown:
        lines.append(f"…and {len(mine) - shown} more of its stored items are damaged: run `digest repair`")
    return lines
