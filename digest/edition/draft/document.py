"""A draft as read: the edition, its sections and items with the lines they span, and the format's marks.

What parse.py makes, write.py and merge.py write, edit.py splices and views.py renders: a module of
its own, so that each of them shares these without importing another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from digest.config.keys import Section
from digest.exceptions import ConfigError
from digest.model import Image

NEW_MARK = "new since the last draft"  # in an item's id comment: `digest draft` added it
OFFERED_PREFIX = "digest offered"  # the trailer: every item ever put in the draft
HEADERS = {"subject": "subject", "preview": "preview text"}  # the draft's own subject and preview text: their comments
Span = tuple[int, int]  # lines of the file, 0-based, end exclusive


class DraftError(ConfigError):
    """Everything wrong with an edited draft, each problem with its line: exit code 2."""


@dataclass(frozen=True)
class DraftItem:
    """One `###` block as the editor left it."""

    line: int
    title: str
    url: str | None
    meta: str = ""
    text: str = ""
    id: str | None = None
    image: Image | None = None
    new: bool = False  # marked "new since the last draft" by `digest draft`
    span: Span = (0, 0)  # the block, heading to its last non-blank line
    body: Span = (0, 0)  # the blurb as written (notes included); empty at where a blurb would go
    easy: str = ""  # its Easy Read text: the lines after a line "easy:"
    easy_line: int = 0  # that line's number
    easy_title: str = ""  # the rest of that line: its title in easy words ("" means its title)


@dataclass
class DraftSection:
    """One `##` heading and what is under it (items, or the Markdown body of a text section)."""

    line: int
    section: Section
    items: list[DraftItem] = field(default_factory=list)
    body: str = ""
    last_line: int = 0  # the last non-blank line of the section in the file (new items go after it)


@dataclass(frozen=True)
class Draft:
    """A parsed draft: what the edition should say, in the editor's order."""

    edition: date
    intro: str
    sections: list[DraftSection]
    offered: frozenset[str]
    intro_span: Span = (0, 0)  # the intro as written; empty at where an intro would go
    warnings: tuple[str, ...] = ()  # worth fixing, not stopping the build: e.g. an unencrypted http:// link
    subject: str = ""  # the editor's subject line, from a `<!-- subject: … -->` line ("": [newsletter] subject)
    preview: str = ""  # the inbox preview text, from `<!-- preview text: … -->` ("": [newsletter] preheader)

    @property
    def ids(self) -> list[str]:
        """The collected items the draft sends, in order (manual items have none)."""
        return [i.id for s in self.sections for i in s.items if i.id]


def body_text(text: str) -> str:
    """Editorial Markdown without leading blank lines or trailing space (indentation kept)."""
    return "\n".join(text.splitlines()).strip("\n").rstrip()
