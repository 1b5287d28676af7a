"""Reading a draft back, with every problem reported at its line, all at once.

Two passes, both on markdown-it-py's tokens (their `map` gives the line numbers):
1. HTML comments are notes, or an item's id. They are found outside code blocks, checked (one
   that is never closed is reported where it opens, never allowed to swallow what follows) and
   blanked out with the line breaks kept.
2. The blanked text is parsed. Its top-level ATX headings are the structure: `## ` a section,
   `### ` an item; one inside a fenced or indented code block, a list or a quote is the blurb's
   own. What lies between them is sliced from the lines as written, so Markdown reaches the
   newsletter unchanged, and each item keeps its line span for the editor's desk (draft/edit.py).

It is near 400 lines because it is one reader with a dozen messages an editor can act on, each
naming its line; split, the checks would have to pass the reader's state between modules.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from digest.config.keys import Config, Section
from digest.edition.draft.write import NEW_MARK, body_text
from digest.exceptions import ConfigError, DigestError
from digest.model import Image
from digest.sanitize import absolute_url, defuse_merge_tags, is_web_url

_EDITION = re.compile(r"^\s*digest edition (\d{4}-\d{2}-\d{2})")
_OFFERED = re.compile(r"^\s*digest offered\b.*?\bids:(.*)$", re.S)
_ID = re.compile(r"^\s*id:\s*([0-9a-zA-Z_-]+)(.*)$", re.S)
_IMAGE_LINE = re.compile(r"^\s*!\[.*\]\(.*\)\s*$")
_EASY = re.compile(r"^\s*easy:\s*(.*)$")  # starts an item's Easy Read text (digest/easyread.py)
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

    @property
    def ids(self) -> list[str]:
        """The collected items the draft sends, in order (manual items have none)."""
        return [i.id for s in self.sections for i in s.items if i.id]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark that keeps link addresses as written (digest checks them itself)."""
    md = MarkdownIt("commonmark")
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def plain(tokens: list[Token]) -> str:
    """The text of inline tokens, whitespace collapsed."""
    out = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type == "image":
            out.append(plain(token.children or []))
    return " ".join("".join(out).split())


def inline(text: str) -> list[Token]:
    tokens = _parser().parseInline(text)
    return tokens[0].children or [] if tokens else []


def heading_lines(text: str) -> dict[int, tuple[int, str]]:
    """Each top-level ATX `## `/`### ` heading: 0-based line → (level, its text)."""
    tokens = _parser().parse(text)
    found: dict[int, tuple[int, str]] = {}
    for at, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.markup in ("##", "###") and token.map:
            found[token.map[0]] = (len(token.markup), tokens[at + 1].content)
    return found


def _code_lines(text: str) -> set[int]:
    """0-based lines inside fenced or indented code: a `<!--` there is code, not a comment."""
    lines: set[int] = set()
    for token in _parser().parse(text):
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(*token.map))
    return lines


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
        clean, comments = self._blank_comments()
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
        return Draft(edition, body_text("\n".join(lines[n] for n in intro)), sections,
                     frozenset(offered | present), span,
                     tuple(f"{self.path.name}: {message}" for _line, message in sorted(self.warnings)))

    def _end(self, start: int, starts: list[int]) -> int:
        """The end of the block opening at `start`: before the next start, trailing blank lines left out."""
        end = min([s for s in starts if s > start] + [len(self.raw)])
        while end > start + 1 and not self.raw[end - 1].strip():
            end -= 1
        return end

    def _blank_comments(self) -> tuple[str, list[tuple[int, str]]]:
        """The text with its comments blanked (line breaks kept), and each comment with its line."""
        text = self.text
        code = _code_lines(text)
        comments: list[tuple[int, str]] = []
        out: list[str] = []
        done = search = 0
        while (start := text.find("<!--", search)) != -1:
            line = text.count("\n", 0, start) + 1
            if line - 1 in code:
                search = start + 4
                continue
            end, again = text.find("-->", start + 4), text.find("<!--", start + 4)
            if end != -1 and (again == -1 or end < again):
                stop, content = end + 3, text[start + 4:end]
                if _ID.match(content) and "\n" in content:
                    self.problem(line, "the id comment is not closed on its own line: end the line with -->")
            else:  # never closed: report it and read on from the next line, so nothing is swallowed
                if again == -1:
                    self.problem(line, "a comment opened with <!-- is never closed with -->")
                else:
                    self.problem(line, "a comment opened with <!-- is not closed with --> before the next one "
                                       f"opens on line {text.count(chr(10), 0, again) + 1}: end it with -->")
                stop = text.find("\n", start)
                stop = len(text) if stop == -1 else stop
                content = text[start + 4:stop]
            comments.append((line, content))
            out += [text[done:start], "\n" * text.count("\n", start, stop)]
            done = search = stop
        out.append(text[done:])
        return "".join(out), comments

    def _edition(self, comments: list[tuple[int, str]]) -> date:
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

    def _ids(self, comments: list[tuple[int, str]], items: list[_Block], sections: list[DraftSection],
             ignored: list[int]) -> dict[int, tuple[str, bool]]:
        """Each item's id and new mark (keyed by its heading line), from the id comment below its heading."""
        starts = sorted([(block.line, "item", block.owner) for block in items]
                        + [(s.line, "section", s) for s in sections]
                        + [(line, "ignored", None) for line in ignored], key=lambda t: t[0])
        found: dict[int, tuple[str, bool]] = {}
        where: dict[str, int] = {}
        for line, content in comments:
            if not (m := _ID.match(content)):
                continue
            owner = next((s for s in reversed(starts) if s[0] <= line), None)
            if owner is not None and owner[1] == "ignored":
                continue  # under a heading already reported
            if owner is None or owner[1] != "item":
                in_text = owner is not None and owner[2].section.kind == "text"
                self.problem(line, f"the id {m.group(1)} is not under an item heading"
                             + (f": the text section {owner[2].section.title!r} shows only its text, so move the item "
                                "to a posts or events section" if in_text else ": keep it with its \"### \" item"))
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
        blurb, easy, blurb_end = block.body, [], end
        if block.easy >= 0:
            blurb, easy = block.body[:block.easy], [_EASY.sub(r"\1", block.body[block.easy]), *block.body[block.easy + 1:]]
            blurb_end = block.easy_line - 1  # the blurb's span ends where the Easy Read text starts
        return DraftItem(number, defuse_merge_tags(title), url, defuse_merge_tags(" ".join(meta)),
                         body_text("\n".join(blurb)), item_id, image, new, (number - 1, end),
                         (body, blurb_end) if body < blurb_end else (blurb_end, blurb_end),
                         defuse_merge_tags(body_text("\n".join(easy))), block.easy_line)

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
