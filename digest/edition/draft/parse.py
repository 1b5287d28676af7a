"""Reading a draft back, with every problem reported at its line, all at once.

Two passes, both on markdown-it-py's tokens (their `map` gives the line numbers):
1. HTML comments are notes, or an item's id. They are found outside code blocks, checked and
   blanked out with the line breaks kept (comments.py).
2. The blanked text is parsed. Its top-level ATX headings are the structure: `## ` a section,
   `### ` an item; one inside a fenced or indented code block, a list or a quote is the blurb's
   own (tokens.py). What lies between them is sliced from the lines as written, so Markdown
   reaches the newsletter unchanged, and each item keeps its line span for the editor's desk
   (draft/edit.py). What it makes, Draft and its parts, is document.py's.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digest.config.keys import Config
from digest.edition.draft.comments import ID, Comment, blank_comments
from digest.edition.draft.document import HEADERS, NEW_MARK, Draft, DraftError, DraftItem, DraftSection, body_text
from digest.edition.draft.tokens import heading_lines, inline, plain
from digest.exceptions import DigestError
from digest.model import Image
from digest.sanitize import absolute_url, defuse_merge_tags
from digest.urls import is_web_url

_EDITION = re.compile(r"^\s*digest edition (\d{4}-\d{2}-\d{2})")
_OFFERED = re.compile(r"^\s*digest offered\b.*?\bids:(.*)$", re.S)
_IMAGE_LINE = re.compile(r"^\s*!\[.*\]\(.*\)\s*$")
_EASY = re.compile(r"^\s*easy:\s*(.*)$")  # "easy: Easy title" puts an item in the Easy Read edition (digest/render/easyread/)
_HEADER = re.compile(r"^\s*(" + "|".join(HEADERS.values()) + r"):(.*)$", re.S | re.I)  # <!-- subject: … -->


@dataclass
class _Block:
    """An item's lines as read, before they are checked."""

    line: int
    heading: str
    owner: DraftSection | None
    head: list[tuple[int, str]] = field(default_factory=list)  # the lines right under the heading
    body: list[str] = field(default_factory=list)
    open: bool = True  # no blank line yet: still in the head
    easy: int = -1  # where in body its "easy:" line is
    easy_line: int = 0


class _Reader:
    """Reads a draft, collecting every problem with its line number."""

    def __init__(self, text: str, path: Path, config: Config) -> None:
        self.path, self.config, self.text = path, config, text
        self.problems: list[tuple[int, str]] = []
        self.warnings: list[tuple[int, str]] = []
        self.by_title = {" ".join(s.title.split()).casefold(): s for s in config.sections}
        self.raw = text.split("\n")

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, f"line {line}: {message}"))

    def read(self) -> Draft:
        clean, comments, problems = blank_comments(self.text)
        for line, message in problems:
            self.problem(line, message)
        lines = clean.split("\n")
        # a line that held only comments is not there; a line blank as written ends an item's head
        noted = {n for n, line in enumerate(lines) if not line.strip() and self.raw[n].strip()}
        heads = heading_lines(clean)
        edition = self._edition(comments)
        offered: set[str] = set()
        trailer = len(self.raw)
        for line, content in comments:
            if m := _OFFERED.match(content):
                offered |= set(m.group(1).split())
                trailer = min(trailer, line - 1)
        sections: list[DraftSection] = []
        intro: list[int] = []
        seen: dict[str, int] = {}
        current: DraftSection | None = None
        broken = False  # under a heading that names no section: already reported, items ignored
        ignored: list[int] = []  # such headings and the items under them (their ids are theirs)
        item: _Block | None = None
        items: list[_Block] = []
        starts = [trailer]  # where an item ends: the next heading, or the trailer
        section_starts = [trailer]  # where a section ends
        for n, text in enumerate(lines):
            if n in noted:
                continue
            number = n + 1
            level, heading = heads.get(n, (0, ""))
            if level == 2:
                starts.append(n)
                section_starts.append(n)
                current = self._section(number, heading, seen)
                broken, item = current is None, None
                if current is not None:
                    sections.append(current)
                else:
                    ignored.append(number)
                continue
            if level == 3 and (current is None or current.section.kind != "text"):
                starts.append(n)
                item = _Block(number, heading, current)
                if broken:
                    ignored.append(number)
                else:
                    items.append(item)
                continue
            if item is not None:
                if item.open and text.strip():
                    item.head.append((number, text))
                else:
                    item.open = False
                    if item.easy < 0 and _EASY.match(text):
                        item.easy, item.easy_line = len(item.body), number
                    item.body.append(text)
            elif current is not None:
                current.body += text + "\n"
            elif not broken:
                intro.append(n)
        starts.sort()
        ids = self._ids(comments, items, sections, ignored)
        for block in items:
            parsed = self._item(block, ids.get(block.line), starts)
            if block.owner is None:
                self.problem(block.line, f"the item {parsed.title!r} is above the first section heading: "
                                         "move it under a \"## Section\" heading")
            elif parsed.title:
                block.owner.items.append(parsed)
        for s in sections:
            s.body = body_text(s.body)
            s.last_line = self._end(s.line - 1, section_starts)
        if self.problems:
            raise DraftError(str(self.path), [message for _line, message in sorted(self.problems)])
        present = {i.id for s in sections for i in s.items if i.id}
        first = sections[0].line - 1 if sections else trailer
        kept = [n for n in intro if lines[n].strip()]
        span = (kept[0], self._end(kept[0], [first])) if kept else (first, first)
        said = {m.group(1).lower(): " ".join(m.group(2).split()) for _line, c in comments if (m := _HEADER.match(c))}
        return Draft(edition, body_text("\n".join(lines[n] for n in intro)), sections,
                     frozenset(offered | present), span,
                     tuple(f"{self.path.name}: {message}" for _line, message in sorted(self.warnings)),
                     defuse_merge_tags(said.get(HEADERS["subject"], "")),
                     defuse_merge_tags(said.get(HEADERS["preview"], "")))

    def _end(self, start: int, starts: list[int]) -> int:
        """The end of the block opening at `start`: before the next start, trailing blank lines left out."""
        end = min([s for s in starts if s > start] + [len(self.raw)])
        while end > start + 1 and not self.raw[end - 1].strip():
            end -= 1
        return end

    def _edition(self, comments: list[Comment]) -> date:
        for line, content in comments:
            if m := _EDITION.match(content):
                try:
                    return date.fromisoformat(m.group(1))
                except ValueError:
                    self.problem(line, f"{m.group(1)!r} in the first line is not a date: write it as YYYY-MM-DD")
                    return date.min
        try:
            return date.fromisoformat(self.path.stem)
        except ValueError:
            self.problem(1, "the draft does not say which edition it is: keep its first line "
                            "(<!-- digest edition YYYY-MM-DD …) or name the file YYYY-MM-DD.md")
            return date.min

    def _section(self, number: int, heading: str, seen: dict[str, int]) -> DraftSection | None:
        title = plain(inline(heading))
        section = self.by_title.get(title.casefold())
        if section is None:
            names = [s.title for s in self.config.sections]
            close = difflib.get_close_matches(title, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "use one of " + ", ".join(repr(n) for n in names)
            self.problem(number, f"\"## {title}\" names no section of {self.config.path.name}: {hint}")
            return None
        if section.title in seen:
            self.problem(number, f"the section {section.title!r} is already on line {seen[section.title]}: "
                                 "put all its items under one heading")
            return None
        seen[section.title] = number
        return DraftSection(number, section)

    def _ids(self, comments: list[Comment], items: list[_Block], sections: list[DraftSection],
             ignored: list[int]) -> dict[int, tuple[str, bool]]:
        """Each item's id and new mark (keyed by its heading line), from the id comment below its heading."""
        # what each heading opens: an item, a section (its id comments are misplaced) or something ignored
        starts: list[tuple[int, str, DraftSection | None]] = sorted(
            [(block.line, "item", block.owner) for block in items] + [(s.line, "section", s) for s in sections]
            + [(line, "ignored", None) for line in ignored], key=lambda t: t[0])
        found: dict[int, tuple[str, bool]] = {}
        where: dict[str, int] = {}
        for line, content in comments:
            if not (m := ID.match(content)):
                continue
            owner = next((s for s in reversed(starts) if s[0] <= line), None)
            if owner is not None and owner[1] == "ignored":
                continue  # under a heading already reported
            if owner is None or owner[1] != "item":
                text_section = owner[2] if owner is not None and owner[2] and owner[2].section.kind == "text" else None
                self.problem(line, f"the id {m.group(1)} is not under an item heading"
                             + (f": the text section {text_section.section.title!r} shows only its text, so move the "
                                "item to a posts or events section" if text_section else ": keep it with its \"### \" item"))
                continue
            if owner[0] in found:
                self.problem(line, f"the item on line {owner[0]} already has the id {found[owner[0]][0]}: "
                                   "one of the two ids belongs to another item")
                continue
            if m.group(1) in where:
                self.problem(line, f"the id {m.group(1)} is also on line {where[m.group(1)]}: "
                                   "an item can appear only once — delete one of the two")
                continue
            found[owner[0]] = (m.group(1), NEW_MARK in m.group(2))
            where[m.group(1)] = line
        return found

    def _item(self, block: _Block, found: tuple[str, bool] | None, starts: list[int]) -> DraftItem:
        number = block.line
        tokens = inline(block.heading)
        title = plain(tokens)
        links = [t.attrGet("href") for t in tokens if t.type == "link_open"]
        url = self._url(number, str(links[0] or "").strip(), "link") if links else None
        if not title:
            self.problem(number, "an item needs a title after \"### \"" + (f" (its link is {url})" if url else ""))
        meta: list[str] = []
        image = None
        for line, text in block.head:
            if _IMAGE_LINE.match(text):
                image = self._image(line, text)
            else:
                meta.append(" ".join(text.split()))
        end = self._end(number - 1, starts)
        body = number  # the line after the heading; past its head lines and notes, then the blank lines
        while body < end and self.raw[body].strip():
            body += 1
        while body < end and not self.raw[body].strip():
            body += 1
        item_id, new = found if found else (None, False)
        blurb, easy, easy_title, blurb_end = block.body, [], "", end
        if block.easy >= 0:  # "easy: Easy title", then its sentences: the item is in the Easy Read edition
            blurb, easy = block.body[:block.easy], block.body[block.easy + 1:]
            easy_title = " ".join(_EASY.sub(r"\1", block.body[block.easy]).split())
            blurb_end = block.easy_line - 1  # the blurb's span ends where the Easy Read text starts
        return DraftItem(number, defuse_merge_tags(title), url, defuse_merge_tags(" ".join(meta)),
                         body_text("\n".join(blurb)), item_id, image, new, (number - 1, end),
                         (body, blurb_end) if body < blurb_end else (blurb_end, blurb_end),
                         defuse_merge_tags(body_text("\n".join(easy))), block.easy_line, defuse_merge_tags(easy_title))

    def _url(self, line: int, url: str, what: str) -> str | None:
        if not url:
            return None
        absolute = absolute_url(url, None)
        if absolute is None or (what == "picture" and not is_web_url(absolute)):
            bare = url.split("://")[-1].lstrip("/")
            how = f"e.g. https://{bare}" if what == "link" and "." in bare.split("/")[0] else "starting https://"
            self.problem(line, f"the {what} {url!r} is not a web address: write it in full, {how}")
            return None
        if absolute.lower().startswith("http://"):
            self.warnings.append((line, f"line {line}: the {what} {url!r} is not encrypted (http://): "
                                        f"use https://{absolute[7:]} if the site has it"))
        return absolute

    def _image(self, line: int, text: str) -> Image | None:
        token = next((t for t in inline(text.strip()) if t.type == "image"), None)
        if token is None:
            return None
        src = self._url(line, str(token.attrGet("src") or "").strip(), "picture")
        return Image(src, defuse_merge_tags(plain(token.children or []))) if src else None


def parse_draft(text: str, path: Path, config: Config) -> Draft:
    """Read an edited draft; raise DraftError listing every problem with its line number."""
    return _Reader(text, path, config).read()


def read_draft_text(path: Path) -> str:
    """The draft's text (a Windows editor's CRLF line ends read as LF)."""
    try:
        return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    except FileNotFoundError:
        raise DigestError(f"{path}: not found: run `digest draft` to write the draft of an edition") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestError(f"{path}: cannot be read ({exc})") from None


def load_draft(path: Path, config: Config) -> Draft:
    """Read and parse the draft at `path`."""
    return parse_draft(read_draft_text(path), path, config)
