"""The editor's draft of an edition: a Markdown file digest writes, a person edits, digest reads back.

editions/<date>.md, beside sources.toml:

    <!-- digest edition 2024-10-01 … how to edit … -->    which edition this is
    Intro, in Markdown
    ## Section title                one heading per section of sources.toml, in the order to send
    ### [Item title](https://…)      an item (the link is optional)
    Member · Friday 27 September    the line right under it: its date/source line (optional)
    ![alt text](https://…)          its picture, in sections with images = true (optional)
    <!-- id: 3f2a… -->              the collected item it is; a block without one is the editor's own
                                    (a blank line)
    The blurb, in Markdown
    <!-- digest offered: … -->      every item ever put in this draft, so a deleted one stays deleted

Why rendering is exact: an item whose blurb is unchanged is rendered from the HTML stored when it
was collected (Markdown cannot reproduce a member's HTML byte for byte), so a draft built without
edits gives the same newsletter as a plain build; an edited blurb is rendered from its Markdown.
Every problem is reported with its line number, all at once.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from digest.config import Config, Section
from digest.exceptions import ConfigError, DigestError
from digest.group import Filled
from digest.model import Image, Item, Post
from digest.views import ItemView, SectionView, item_view, markdown
from digest.text import html_to_markdown
from digest.sanitize import absolute_url, defuse_merge_tags, is_web_url
from digest.write import write_atomic

HEADER = """<!-- digest edition {date}: the draft of {title}.
Edit it freely, then build it:  digest build --edition {path}
* The text before the first "## " heading is the intro (Markdown).
* Each "## " heading is a section of sources.toml: reorder or delete sections as you like.
* Each "### " heading is an item: delete, reorder or move items between sections; rewrite
  titles and text. The line right under the title is its date/source line; a line such as
  ![description](https://...) is its picture.
* To add an item of your own, write a "### [Title](https://link)" block under a section:
  the link, the date line (2024-09-21 or any words) and the text are all optional.
* Keep each item's "id" comment with it: that is how digest knows what was sent.
* Anything else in HTML comments is a note to yourself and is never sent.
-->"""
NEW_MARK = "new since the last draft"
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_EDITION = re.compile(r"^\s*digest edition (\d{4}-\d{2}-\d{2})")
_OFFERED = re.compile(r"^\s*digest offered\b.*?\bids:(.*)$", re.S)
_ID = re.compile(r"^\s*id:\s*([0-9a-zA-Z_-]+)")
_HEADING = re.compile(r"^ {0,3}(#{2,3})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_IMAGE_LINE = re.compile(r"^\s*!\[.*\]\(.*\)\s*$")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ESCAPE = re.compile(r"[\\`*_\[\]<>]|&(?=#?\w+;)|!(?=\[)|(?:(?<=\s)|^)#")


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

    @property
    def ids(self) -> list[str]:
        """The collected items the draft sends, in order (manual items have none)."""
        return [i.id for s in self.sections for i in s.items if i.id]


@dataclass(frozen=True)
class DraftOutcome:
    """What `digest draft` did: the file, whether it was new, and the items it added."""

    path: Path
    created: bool
    added: list[tuple[str, str]] = field(default_factory=list)  # (section title, item title)
    items: int = 0


# ---- writing -----------------------------------------------------------------------------


def draft_path(config: Config, edition: date) -> Path:
    """Where the draft of an edition lives: editions/<date>.md beside sources.toml."""
    return config.root / "editions" / f"{edition.isoformat()}.md"


def md_escape(text: str) -> str:
    """Plain text as Markdown that reads back as exactly that text."""
    return _ESCAPE.sub(lambda m: "\\" + m.group(0), text)


def _destination(url: str) -> str:
    return f"<{url}>" if any(c in url for c in " ()<>") else url


def blurb_markdown(fragment: str) -> str:
    """A blurb's sanitised HTML as Markdown an editor can rewrite."""
    text = html_to_markdown(re.sub(r"</?u>", "", fragment or ""))  # html2text writes <u> as _
    return re.sub(r"^( {0,3})#", r"\1\\#", text, flags=re.M)  # a line starting with # is not a heading here


def item_block(view: ItemView, *, images: bool, new: bool = False) -> list[str]:
    """The lines of one item in a draft (without the blank line after it)."""
    title = md_escape(view.title)
    lines = [f"### [{title}]({_destination(view.url)})" if view.url else f"### {title}"]
    if view.meta:
        lines.append(view.meta)
    if images and view.image:
        lines.append(f"![{md_escape(view.image.alt)}]({_destination(view.image.url)})")
    if view.id:
        lines.append(f"<!-- id: {view.id}{' · ' + NEW_MARK if new else ''} -->")
    if blurb := blurb_markdown(view.blurb_html):
        lines += ["", blurb]
    return lines


def _offered_line(ids: set[str]) -> str:
    return ("<!-- digest offered (keep this line, so that items you deleted do not come back when you draft again) ids: "
            + " ".join(sorted(ids)) + " -->")


def _body_text(text: str) -> str:
    """Editorial Markdown without leading blank lines or trailing space (indentation kept)."""
    return "\n".join(text.splitlines()).strip("\n").rstrip()


def format_draft(config: Config, edition: date, filled: list[Filled], path: Path) -> str:
    """A fresh draft of the edition: the intro, every section and the items grouping chose."""
    shown = path.relative_to(config.root) if path.is_relative_to(config.root) else path
    out = [HEADER.format(date=edition.isoformat(), title=config.newsletter.title, path=shown), ""]
    if intro := _body_text(config.newsletter.intro):
        out += [intro, ""]
    ids: set[str] = set()
    for box in filled:
        out += [f"## {md_escape(box.section.title)}", ""]
        if box.section.kind == "text":
            out += [_body_text(box.section.body), ""]
            continue
        for item in box.items:
            out += [*item_block(item_view(item, config), images=box.section.images), ""]
            ids.add(item.id)
    out.append(_offered_line(ids))
    return "\n".join(out) + "\n"


# ---- reading -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    """CommonMark inline parsing that keeps link addresses as written (digest checks them itself)."""
    md = MarkdownIt("commonmark")
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def _plain(tokens: list[Token]) -> str:
    out = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type == "image":
            out.append(_plain(token.children or []))
    return " ".join("".join(out).split())


def _inline(text: str) -> list[Token]:
    tokens = _inline_parser().parseInline(text)
    return tokens[0].children or [] if tokens else []


@dataclass
class _Block:
    """An item's lines as read, before they are checked."""

    line: int
    heading: str
    owner: DraftSection | None
    head: list[tuple[int, str]] = field(default_factory=list)  # the lines right under the heading
    body: list[str] = field(default_factory=list)
    open: bool = True  # no blank line yet: still in the head


class _Reader:
    """Reads a draft line by line, collecting every problem with its line number."""

    def __init__(self, text: str, path: Path, config: Config) -> None:
        self.path, self.config = path, config
        self.problems: list[tuple[int, str]] = []
        self.by_title = {" ".join(s.title.split()).casefold(): s for s in config.sections}
        self.text = text

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, f"line {line}: {message}"))

    def read(self) -> Draft:
        lines, comments = self._strip_comments()
        edition = self._edition(comments)
        offered: set[str] = set()
        for line, content in comments:
            if m := _OFFERED.match(content):
                offered |= set(m.group(1).split())
        sections: list[DraftSection] = []
        intro: list[str] = []
        seen: dict[str, int] = {}
        current: DraftSection | None = None
        broken = False  # under a heading that names no section: already reported, items ignored
        ignored: list[int] = []  # such headings and the items under them (their ids are theirs)
        item: _Block | None = None
        items: list[_Block] = []
        for number, text in lines:
            heading = _HEADING.match(text)
            if heading and len(heading.group(1)) == 2:
                current = self._section(number, heading.group(2) or "", seen)
                broken, item = current is None, None
                if current is not None:
                    sections.append(current)
                else:
                    ignored.append(number)
                continue
            if heading and (current is None or current.section.kind != "text"):
                item = _Block(number, heading.group(2) or "", current)
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
                    item.body.append(text)
            elif current is not None:
                current.body += text + "\n"
            elif not broken:
                intro.append(text)
        ids = self._ids(comments, items, sections, ignored)
        for block in items:
            parsed = self._item(block, ids.get(block.line))
            if block.owner is None:
                self.problem(block.line, f"the item {parsed.title!r} is above the first section heading: "
                                         "move it under a \"## Section\" heading")
            elif parsed.title:
                block.owner.items.append(parsed)
        self._last_lines(sections)
        for s in sections:
            s.body = _body_text(s.body)
        if self.problems:
            raise DraftError(str(self.path), [message for _line, message in sorted(self.problems)])
        present = {i.id for s in sections for i in s.items if i.id}
        return Draft(edition, _body_text("\n".join(intro)), sections, frozenset(offered | present))

    def _strip_comments(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """The lines without HTML comments (comment-only lines dropped), and each comment with its line."""
        text = self.text
        comments: list[tuple[int, str]] = []
        if (opened := text.rfind("<!--")) > text.rfind("-->"):
            self.problem(text.count("\n", 0, opened) + 1, "a comment opened with <!-- is never closed with -->")
            text = text[:opened]

        def blank(m: re.Match[str]) -> str:
            comments.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
            return "\x00" + "\n" * m.group(0).count("\n")  # \x00 marks a line that held a comment

        stripped = _COMMENT.sub(blank, text)
        lines = []
        for number, line in enumerate(stripped.split("\n"), start=1):
            if "\x00" in line and not line.replace("\x00", "").strip():
                continue
            lines.append((number, line.replace("\x00", "").rstrip("\r")))
        return lines, comments

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
        title = _plain(_inline(heading))
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
             ignored: list[int]) -> dict[int, str]:
        """Each item's id (keyed by its heading line), from the id comment below its heading."""
        starts = sorted([(block.line, "item", block.owner) for block in items]
                        + [(s.line, "section", s) for s in sections]
                        + [(line, "ignored", None) for line in ignored], key=lambda t: t[0])
        found: dict[int, str] = {}
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
                self.problem(line, f"the item on line {owner[0]} already has the id {found[owner[0]]}: "
                                   "one of the two ids belongs to another item")
                continue
            if m.group(1) in where:
                self.problem(line, f"the id {m.group(1)} is also on line {where[m.group(1)]}: "
                                   "an item can appear only once — delete one of the two")
                continue
            found[owner[0]] = m.group(1)
            where[m.group(1)] = line
        return found

    def _item(self, block: _Block, item_id: str | None) -> DraftItem:
        number = block.line
        tokens = _inline(block.heading)
        title = _plain(tokens)
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
        return DraftItem(number, defuse_merge_tags(title), url, defuse_merge_tags(" ".join(meta)),
                         _body_text("\n".join(block.body)), item_id, image)

    def _url(self, line: int, url: str, what: str) -> str | None:
        if not url:
            return None
        absolute = absolute_url(url, None)
        if absolute is None or (what == "picture" and not is_web_url(absolute)):
            bare = url.split("://")[-1].lstrip("/")
            how = f"e.g. https://{bare}" if what == "link" and "." in bare.split("/")[0] else "starting https://"
            self.problem(line, f"the {what} {url!r} is not a web address: write it in full, {how}")
            return None
        return absolute

    def _image(self, line: int, text: str) -> Image | None:
        token = next((t for t in _inline(text.strip()) if t.type == "image"), None)
        if token is None:
            return None
        src = self._url(line, str(token.attrGet("src") or "").strip(), "picture")
        return Image(src, defuse_merge_tags(_plain(token.children or []))) if src else None

    def _last_lines(self, sections: list[DraftSection]) -> None:
        """Where each section ends in the file: its last non-blank line before the next heading."""
        raw = self.text.split("\n")
        trailer = next((self.text.count("\n", 0, m.start()) + 1 for m in _COMMENT.finditer(self.text)
                        if _OFFERED.match(m.group(1))), len(raw) + 1)
        starts = sorted(s.line for s in sections) + [trailer]
        for s in sections:
            end = min(min((x for x in starts if x > s.line), default=len(raw) + 1) - 1, len(raw))
            while end > s.line and not raw[end - 1].strip():
                end -= 1
            s.last_line = end


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


# ---- rendering a draft ---------------------------------------------------------------------


def _same_text(a: str, b: str) -> bool:
    return a.split() == b.split()


def _meta(meta: str, config: Config) -> str:
    """A date line written as 2024-09-21 is shown the newsletter's way; anything else as written."""
    from digest.dates import format_day

    if _ISO_DATE.fullmatch(meta):
        try:
            return format_day(date.fromisoformat(meta), config.newsletter.language)
        except ValueError:
            return meta
    return meta


def draft_item_view(item: DraftItem, config: Config, stored: Item | None) -> ItemView:
    """What the templates show for one block of the draft."""
    if stored is not None:
        base = item_view(stored, config)
        unchanged = _same_text(item.text, blurb_markdown(stored.summary_html))
        same_picture = item.image and base.image and item.image.url == base.image.url  # keep its measured size
        image = replace(base.image, alt=item.image.alt) if same_picture else item.image  # type: ignore[arg-type]
        return replace(base, title=item.title, url=item.url, meta=_meta(item.meta, config), image=image,
                       blurb_html=base.blurb_html if unchanged else markdown(item.text))
    meta = _meta(item.meta, config)
    return ItemView(title=item.title, url=item.url, meta=meta, blurb_html=markdown(item.text), source="",
                    when=meta, image=item.image, id=item.id or "")


def draft_views(draft: Draft, config: Config, stored: dict[str, Item]) -> list[SectionView]:
    """The draft's sections as the templates see them, in the draft's order."""
    return [
        SectionView(title=s.section.title, kind=s.section.kind, images=s.section.images,
                    body_html=markdown(s.body) if s.section.kind == "text" else "",
                    items=[draft_item_view(i, config, stored.get(i.id or "")) for i in s.items])
        for s in draft.sections
    ]


def draft_filled(draft: Draft, stored: dict[str, Item]) -> list[Filled]:
    """The draft as filled sections, for the build report (an editor's own item counts as a post)."""
    def as_item(i: DraftItem) -> Item:
        return stored.get(i.id or "") or Post(id=i.id or "", source="", title=i.title, url=i.url,
                                               published=datetime(2000, 1, 1, tzinfo=timezone.utc))

    return [Filled(s.section, [as_item(i) for i in s.items], len(s.items)) for s in draft.sections]


# ---- drafting again --------------------------------------------------------------------------


def merge_draft(text: str, draft: Draft, config: Config, filled: list[Filled]) -> tuple[str, list[tuple[str, str]]]:
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
            block += ["", *item_block(item_view(item, config), images=box.section.images, new=True)]
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
    found = [m for m in _COMMENT.finditer(merged) if _OFFERED.match(m.group(1))]
    head, tail = (merged[:found[-1].start()], merged[found[-1].end():]) if found else (merged, "\n")
    head = head.rstrip("\n") + ("\n" + "\n".join(appended) if appended else "")
    return head + "\n\n" + _offered_line(offered) + tail, added


def write_draft(config: Config, edition: date, filled: list[Filled], *, force: bool = False) -> DraftOutcome:
    """Write editions/<date>.md, or top up the one the editor is working on (`force`: start over)."""
    path = draft_path(config, edition)
    count = sum(len(b.items) for b in filled)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if force or not path.exists():
            write_atomic(path, format_draft(config, edition, filled, path))
            return DraftOutcome(path, created=True, items=count)
        text = read_draft_text(path)
        merged, added = merge_draft(text, parse_draft(text, path, config), config, filled)
        if added:
            write_atomic(path, merged)
        return DraftOutcome(path, created=False, added=added, items=count)
    except OSError as exc:
        raise DigestError(f"cannot write {path} ({exc.strerror or exc}): check the folder is writable") from None
