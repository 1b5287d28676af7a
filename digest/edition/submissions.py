"""The editor's decisions on members' submissions, carried into the edition they are working on.

collect/submissions.py keeps the decision; here it reaches the edition: an approved submission
is added to the date's draft (when there is one) in the section the editor chose, else where
the sections' rules put it, as "Add new items" would add it; a rejected one is taken out of the
draft too, so it cannot linger there as a block of the editor's own. Without a draft, a build
from the feeds finds approved submissions in the store like any member's post.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from digest.collect.store import Store
from digest.collect.submissions import Submission, SubmissionError, Submissions
from digest.config.keys import Config, Section
from digest.edition.draft import edit
from digest.edition.draft.merge import merge_draft
from digest.edition.draft.parse import parse_draft, read_draft_text
from digest.edition.group import group
from digest.edition.pipeline import find_draft, today
from digest.model import Event, Filled, Item
from digest.write import write_atomic


@dataclass(frozen=True)
class Decided:
    """A decision and what it did to the edition: the draft changed (if any) and the section it went to."""

    submission: Submission
    draft: Path | None = None
    section: str = ""


def section_for(config: Config, item: Item, title: str) -> Section:
    """The section named `title`, checked to take this kind of item."""
    kind = "events" if isinstance(item, Event) else "posts"
    fitting = [s for s in config.sections if s.kind == kind]
    for section in fitting:
        if section.title == title:
            return section
    names = ", ".join(repr(s.title) for s in fitting) or f"none: add a {kind} section to sources.toml"
    raise SubmissionError(f"no {kind} section is called {title!r}: choose one of {names}")


def approve(config: Config, key: str, section: str = "", edition: date | None = None) -> Decided:
    """Approve a submission; when the edition has a draft, add it there (to `section`, else the rules' choice)."""
    with Store.beside(config.path) as store:
        submissions = Submissions(store)
        found = submissions.find(key)
        chosen = section_for(config, found.item, section) if section else None
        approved = submissions.approve(key, section)
    edition = edition or today(config)
    path = find_draft(config, edition)
    if path is None:
        return Decided(approved, section=section)
    if chosen is None:
        boxes = group([approved.item], config, edition)
        chosen = next((box.section for box in boxes if box.items), None)
        if chosen is None:
            return Decided(approved)  # outside every section's days this edition
    text = read_draft_text(path)
    merged, added = merge_draft(text, parse_draft(text, path, config), config, [Filled(chosen, [approved.item])])
    if added:
        write_atomic(path, merged)
    return Decided(approved, path if added else None, chosen.title)


def reject(config: Config, key: str, reason: str = "", edition: date | None = None) -> Decided:
    """Reject a submission for good; take it out of the edition's draft if it was put there."""
    with Store.beside(config.path) as store:
        rejected = Submissions(store).reject(key, reason)
    path = find_draft(config, edition or today(config))
    if path is None:
        return Decided(rejected)
    text = read_draft_text(path)
    draft = parse_draft(text, path, config)
    for s, box in enumerate(draft.sections):
        for i, block in enumerate(box.items):
            if block.id == rejected.id:
                write_atomic(path, edit.drop_item(text, path, config, (s, i)))
                return Decided(rejected, path)
    return Decided(rejected)


def listing(config: Config, *, everything: bool = False, held: bool = False, look: bool = False) -> list[Submission]:
    """The submissions waiting (held ones only with `held`, every one with `everything`); `look` marks them seen."""
    statuses = ("pending", "held", "approved", "rejected") if everything else ("held",) if held else ("pending", "held")
    with Store.beside(config.path) as store:
        submissions = Submissions(store)
        found = submissions.listing(statuses=statuses)
        if look:
            submissions.looked()
    return found


def change(config: Config, key: str, *, title: str | None = None, text: str | None = None) -> Submission:
    """The editor's own title or text for a submission (an approved one changes in the edition too)."""
    with Store.beside(config.path) as store:
        return Submissions(store).edit(key, title=title, text=text)
