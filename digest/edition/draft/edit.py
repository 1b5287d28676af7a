"""The editor's desk: changes made in the preview page, written into the draft as a person would.

Each change is a small splice of the draft's lines, located by the spans the parser recorded:
only the lines the change is about are rewritten, so ids, notes and everything else the editor
wrote stay byte for byte. The result is parsed again before it is returned, so a change can
never leave a draft that does not build.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from digest.config.keys import Config
from digest.edition.draft.document import HEADERS, Draft, DraftItem, DraftSection
from digest.edition.draft.parse import parse_draft
from digest.edition.draft.tokens import heading_lines
from digest.edition.draft.write import heading_line
from digest.exceptions import DigestError
from digest.sanitize import absolute_url
from digest.urls import is_web_url


class EditError(DigestError):
    """A change the draft cannot take (a place that is not there, a link that is not a web address)."""


Place = tuple[int, int]  # (section, item) by position in the draft as parsed
MAX_HEADER = 300  # characters of a subject line or preview text: inboxes show far fewer


def _section(draft: Draft, index: int) -> DraftSection:
    if not 0 <= index < len(draft.sections):
        raise EditError(f"the draft has no section number {index + 1}")
    return draft.sections[index]


def _item(draft: Draft, place: Place) -> DraftItem:
    items = _section(draft, place[0]).items
    if not 0 <= place[1] < len(items):
        raise EditError(f"the section {draft.sections[place[0]].section.title!r} has no item number {place[1] + 1}")
    return items[place[1]]


def safe_markdown(text: str) -> list[str]:
    """An editor's Markdown as lines that stay inside their item: a top-level `## `/`### ` is escaped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # trailing spaces kept: a hard break
    while lines and not lines[0].strip():
        del lines[0]
    while lines and not lines[-1].strip():
        del lines[-1]
    if not lines:
        return []
    text = "\n".join(lines)
    for number in heading_lines(text):
        at = lines[number].index("#")
        lines[number] = lines[number][:at] + "\\" + lines[number][at:]
    return lines


def _cut(lines: list[str], span: tuple[int, int]) -> list[str]:
    """Remove a block and the blank line it leaves doubled; the block's lines."""
    start, end = span
    block = lines[start:end]
    del lines[start:end]
    while 0 < start < len(lines) and not lines[start].strip() and not lines[start - 1].strip():
        del lines[start]
    return block


def _insert(lines: list[str], draft: Draft, section: int, index: int, block: list[str]) -> None:
    """Put a block into a section before its item number `index` (at its end when past the last)."""
    target = _section(draft, section)
    if target.section.kind == "text":
        raise EditError(f"{target.section.title!r} is a text section: it shows only its text, not items")
    if 0 <= index < len(target.items):
        at = target.items[index].span[0]
        lines[at:at] = block + [""]
    else:
        after = target.last_line
        lines[after:after] = [""] + block + ([""] if after < len(lines) and lines[after].strip() else [])


def _checked(lines: list[str], path: Path, config: Config) -> str:
    text = "\n".join(lines)
    parse_draft(text, path, config)  # raises DraftError: nothing is written
    return text


def move_item(text: str, path: Path, config: Config, place: Place, section: int, index: int) -> str:
    """Move an item to position `index` of `section` (positions counted without the item itself)."""
    draft = parse_draft(text, path, config)
    lines = text.split("\n")
    block = _cut(lines, _item(draft, place).span)
    _insert(lines, parse_draft("\n".join(lines), path, config), section, index, block)
    return _checked(lines, path, config)


def drop_item(text: str, path: Path, config: Config, place: Place) -> str:
    """Take an item out of the edition (its id stays offered, so drafting again does not bring it back)."""
    draft = parse_draft(text, path, config)
    lines = text.split("\n")
    _cut(lines, _item(draft, place).span)
    return _checked(lines, path, config)


def set_title(text: str, path: Path, config: Config, place: Place, title: str) -> str:
    """Rewrite an item's title, keeping its link."""
    item = _item(parse_draft(text, path, config), place)
    if not title.strip():
        raise EditError("an item needs a title: drop the item instead")
    lines = text.split("\n")
    lines[item.span[0]] = heading_line(title, item.url)
    return _checked(lines, path, config)


def set_blurb(text: str, path: Path, config: Config, place: Place, blurb: str) -> str:
    """Rewrite an item's blurb (Markdown; empty removes it)."""
    item = _item(parse_draft(text, path, config), place)
    lines = text.split("\n")
    new = safe_markdown(blurb)
    start, end = item.body
    if start == end:
        if new:
            lines[end:end] = ["", *new]
    elif new:
        lines[start:end] = new
    else:
        del lines[start:end]
        while start > item.span[0] + 1 and not lines[start - 1].strip():
            del lines[start - 1]
            start -= 1
    return _checked(lines, path, config)


def set_intro(text: str, path: Path, config: Config, intro: str) -> str:
    """Rewrite the intro (Markdown; empty removes it)."""
    start, end = parse_draft(text, path, config).intro_span
    lines = text.split("\n")
    new = safe_markdown(intro)
    if start == end:
        if new:
            lines[start:start] = [*new, ""]
    else:
        lines[start:end] = new
        if not new:
            _cut(lines, (start, start))
    return _checked(lines, path, config)


def add_item(text: str, path: Path, config: Config, section: int, *, title: str, url: str = "", day: str = "",
             blurb: str = "") -> str:
    """Add the editor's own item at the end of a section: title, optional link, date and text."""
    if not title.strip():
        raise EditError("a new item needs a title")
    link = absolute_url(url, None) if url.strip() else None
    if url.strip() and (link is None or not is_web_url(link)):
        raise EditError(f"the link {url!r} is not a web address: write it in full, starting https://")
    if day:
        try:
            date.fromisoformat(day)
        except ValueError:
            raise EditError(f"{day!r} is not a date: write it as YYYY-MM-DD") from None
    block = [heading_line(title, link)] + ([day] if day else [])
    if body := safe_markdown(blurb):
        block += ["", *body]
    draft = parse_draft(text, path, config)
    lines = text.split("\n")
    _insert(lines, draft, section, len(_section(draft, section).items), block)
    return _checked(lines, path, config)


def set_header(text: str, path: Path, config: Config, name: str, value: str) -> str:
    """Set the draft's subject line or preview text (`name`: "subject" or "preview"); empty removes it.

    Each is one comment line under the draft's first comment (`<!-- subject: … -->`), so the
    draft stays Markdown that sends nothing of it, and the editor can change it in any text editor.
    """
    label = HEADERS[name]
    value = " ".join(value.replace("<!--", "<!-").replace("-->", "->").split())
    if len(value) > MAX_HEADER:
        raise EditError(f"the {label} is {len(value)} characters long: keep it under {MAX_HEADER} "
                        "(inboxes show the first 40 to 90)")
    lines = text.split("\n")
    mine = re.compile(rf"^\s*<!--\s*{re.escape(label)}:.*-->\s*$", re.I)
    headers = re.compile(r"^\s*<!--\s*(?:" + "|".join(map(re.escape, HEADERS.values())) + r"):.*-->\s*$", re.I)
    line = f"<!-- {label}: {value} -->"
    found = next((n for n, written in enumerate(lines) if mine.match(written)), None)
    if found is not None:
        lines[found:found + 1] = [line] if value else []
    elif value:
        at = max((n + 1 for n, written in enumerate(lines) if headers.match(written)), default=_after_first_comment(lines))
        lines[at:at] = [line]
    return _checked(lines, path, config)


def _after_first_comment(lines: list[str]) -> int:
    """The line after the draft's first comment (`<!-- digest edition …`), when the draft opens with one; else 0."""
    first = next((n for n, line in enumerate(lines) if line.strip()), 0)
    if not lines or not lines[first].lstrip().startswith("<!--"):
        return 0
    return next((n + 1 for n in range(first, len(lines)) if "-->" in lines[n]), 0)
