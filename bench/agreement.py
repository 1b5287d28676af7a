"""The fast parse path against feedparser: on which bodies it is used, and whether it gives the same items.

Used by tests/test_fastfeed.py (on feedparser's corpus, the sample feeds and the benchmark's
feeds) and printed by `make bench`. Agreement means the same items (title, link, date,
sanitised summary, categories, image, id), the same skipped count, the same problems and the
same undated entries (dated when first seen).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from digest.collect.readers.fastfeed import NotEligible, read
from digest.collect.readers.feed import read_feed
from digest.collect.readers.registry import detect
from digest.model import Item, Post, ReadResult

BASE = "https://member.example.org/feed/"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Agreement:
    """How many feeds were compared, how many the fast path took, and where it disagreed."""

    feeds: int = 0
    eligible: int = 0
    entries: int = 0
    fast_entries: int = 0
    disagree: dict[str, str] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def agreed(self) -> int:
        return self.eligible - len(self.disagree)

    def summary(self) -> str:
        share = self.eligible / self.feeds if self.feeds else 0.0
        return (f"{self.eligible} of {self.feeds} feeds ({share:.0%}) took the fast path; "
                f"{self.agreed} of them ({self.agreed / max(self.eligible, 1):.1%}) gave feedparser's items exactly "
                f"({self.fast_entries} of {self.entries} entries)")


def compare(bodies: Iterable[tuple[str, bytes]], base_url: str | None = BASE) -> Agreement:
    """Read every RSS/Atom body both ways and count."""
    result = Agreement()
    for name, body in bodies:
        if detect(body) != "feed":
            continue
        result.feeds += 1
        slow = read_feed(body, source="s", base_url=base_url, summary_length=280, fast=False)
        result.entries += len(slow.items) + slow.skipped
        try:
            read(body)
        except NotEligible as why:
            result.reasons[str(why).split(" (")[0][:40]] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - a crash on the fast path is a disagreement to report
            result.eligible += 1
            result.disagree[name] = f"raised {exc!r}"
            continue
        result.eligible += 1
        result.fast_entries += len(slow.items) + slow.skipped
        quick = read_feed(body, source="s", base_url=base_url, summary_length=280)
        quick.items, slow.items = _undated_alike(quick), _undated_alike(slow)
        if (quick.items, quick.skipped, quick.problems, quick.format, quick.undated) != (
                slow.items, slow.skipped, slow.problems, slow.format, slow.undated):
            result.disagree[name] = _difference(quick, slow)
    return result


def _undated_alike(read: ReadResult) -> list[Item]:
    """Items, with an undated post's stand-in date (the moment it was read) set aside: it differs by µs."""
    undated = set(read.undated)
    return [replace(item, published=EPOCH) if item.id in undated and isinstance(item, Post) else item
            for item in read.items]


def _difference(quick: object, slow: object) -> str:
    for key in ("format", "skipped", "problems", "undated"):
        if getattr(quick, key) != getattr(slow, key):
            return f"{key}: {getattr(quick, key)!r} vs feedparser {getattr(slow, key)!r}"
    for a, b in zip(quick.items, slow.items, strict=False):  # type: ignore[attr-defined]  # unequal counts: reported below
        if a != b:
            fields = [k for k in a.__dataclass_fields__ if getattr(a, k) != getattr(b, k)]
            return "; ".join(f"{k}: {getattr(a, k)!r:.80} vs feedparser {getattr(b, k)!r:.80}" for k in fields)
    return f"{len(quick.items)} items vs feedparser {len(slow.items)}"  # type: ignore[attr-defined]


def files(root: Path) -> list[tuple[str, bytes]]:
    return [(str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]
