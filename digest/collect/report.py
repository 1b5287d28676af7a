"""What collect hands on: each source's line of the build report, and the items gathered."""

from __future__ import annotations

from dataclasses import dataclass, field

from digest.model import Item


@dataclass
class SourceReport:
    """One line of the build report: what happened to a source."""

    name: str
    status: str
    reason: str = ""
    found: int = 0
    used: int = 0
    format: str = ""
    problems: list[str] = field(default_factory=list)
    moved_to: str | None = None
    seconds: float = 0.0
    parsed: bool = False


@dataclass
class Collection:
    """Everything gathered for one edition, before sorting into sections."""

    items: list[Item]
    sources: list[SourceReport]
