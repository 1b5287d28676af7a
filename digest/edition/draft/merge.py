"""Drafting again: add what grouping found since, never touching what the editor wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digest.config.keys import Config
from digest.edition.draft.document import OFFERED_PREFIX, Draft
from digest.edition.draft.parse import parse_draft, read_draft_text
from digest.edition.draft.paths import draft_path
from digest.edition.draft.write import format_draft, item_block, md_escape, offered_line
from digest.exceptions import DigestError
from digest.model import Filled
from digest.render.views import item_view
from digest.write import write_atomic

_TRAILER = re.compile(r"<!--\s*" + OFFERED_PREFIX + r"\b.*?-->", re.S)


@dataclass(frozen=True)
class DraftOutcome:
    """What `digest draft` did: the file, whether it was new, and the items it added."""

    path: Path
    created: bool
    added: list[tuple[str, str]] = field(default_factory=list)  # (section title, item title)
    items: int = 0
    correction: str = ""  # starting a published edition over (--force): what it changed, as recorded


def merge_draft(text: str, draft: Draft, config: Config, filled: list[Filled] | tuple[Filled, ...],
                notes: dict[str, str] | None = None) -> tuple[str, list[tuple[str, str]]]:
    """Add the items grouping found that the draft has never offered, at the end of their section.

    Nothing the editor wrote is changed: new blocks are inserted after each section's last line
    (a section the editor removed comes back at the end, holding only the new items).
    """
    lines = text.split("\n")
    by_title = {s.section.title: s for s in draft.sections}
    inserts: dict[int, list[str]] = {}
    appended: list[str] = []
    added: list[tuple[str, str]] = []
    offered = set(draft.offered)
    for box in filled:
        new = [i for i in box.items if i.id not in offered]
        if box.section.kind == "text" or not new:
            continue
        block: list[str] = []
        for item in new:
            block += ["", *item_block(item_view(item, config), images=box.section.images, new=True,
                                      note=(notes or {}).get(item.id, ""))]
            added.append((box.section.title, item.title))
            offered.add(item.id)
        if box.section.title in by_title:
            inserts[by_title[box.section.title].last_line] = block
        else:
            appended += ["", f"## {md_escape(box.section.title)}", *block]
    if not added:
        return text, []
    for after in sorted(inserts, reverse=True):
        lines[after:after] = inserts[after] + ([""] if after < len(lines) and lines[after].strip() else [])
    merged = "\n".join(lines)
    found = list(_TRAILER.finditer(merged))
    head, tail = (merged[:found[-1].start()], merged[found[-1].end():]) if found else (merged, "\n")
    head = head.rstrip("\n") + ("\n" + "\n".join(appended) if appended else "")
    return head + "\n\n" + offered_line(offered) + tail, added


def write_draft(config: Config, edition: date, filled: list[Filled] | tuple[Filled, ...], *,
                force: bool = False, notes: dict[str, str] | None = None) -> DraftOutcome:
    """Write editions/<date>.md, or top up the one the editor is working on (`force`: start over)."""
    path = draft_path(config, edition)
    count = sum(len(b.items) for b in filled)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if force or not path.exists():
            write_atomic(path, format_draft(config, edition, filled, path, notes))
            return DraftOutcome(path, created=True, items=count)
        text = read_draft_text(path)
        merged, added = merge_draft(text, parse_draft(text, path, config), config, filled, notes)
        if added:
            write_atomic(path, merged)
        return DraftOutcome(path, created=False, added=added, items=count)
    except OSError as exc:
        raise DigestError(f"cannot write {path} ({exc.strerror or exc}): check the folder is writable") from None
