"""Writing a draft: the edition as Markdown a person can edit (editions/<date>.md)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from digest.config.keys import Config
from digest.edition.draft.document import NEW_MARK, OFFERED_PREFIX, body_text
from digest.model import Filled
from digest.render.easyread.select import default_choice
from digest.render.views import ItemView, item_view, section_views
from digest.text import html_to_markdown

HEADER = """<!-- digest edition {date}: the draft of {title}.
Edit it freely, then build it:  digest build --draft {path}
* The text before the first "## " heading is the intro (Markdown).
* Each "## " heading is a section of sources.toml: reorder or delete sections as you like.
* Each "### " heading is an item: delete, reorder or move items between sections; rewrite
  titles and text. The line right under the title is its date/source line; a line such as
  ![description](https://...) is its picture.
* To add an item of your own, write a "### [Title](https://link)" block under a section:
  the link, the date line (2024-09-21 or any words) and the text are all optional.
* An item with a line "easy: Its title in easy words" at its end is in the Easy Read edition;
  its short sentences follow that line, one a line (or tick items in the preview's Easy Read tab).
* Keep each item's "id" comment with it: that is how digest knows what was sent.
* Anything else in HTML comments is a note to yourself and is never sent.
-->"""
_ESCAPE = re.compile(r"[\\`*_\[\]<>]|&(?=#?\w+;)|!(?=\[)|(?:(?<=\s)|^)#")


def md_escape(text: str) -> str:
    """Plain text as Markdown that reads back as exactly that text."""
    return _ESCAPE.sub(lambda m: "\\" + m.group(0), text)


def destination(url: str) -> str:
    """A link's address as Markdown writes it (in <…> when it holds spaces or brackets)."""
    return f"<{url}>" if any(c in url for c in " ()<>") else url


def heading_line(title: str, url: str | None) -> str:
    """An item's `### ` line."""
    title = md_escape(" ".join(title.split()))
    return f"### [{title}]({destination(url)})" if url else f"### {title}"


def blurb_markdown(fragment: str) -> str:
    """A blurb's sanitised HTML as Markdown an editor can rewrite."""
    text = html_to_markdown(re.sub(r"</?u>", "", fragment or ""))  # html2text writes <u> as _
    return re.sub(r"^( {0,3})#", r"\1\\#", text, flags=re.M)  # a line starting with # is not a heading here


def item_block(view: ItemView, *, images: bool, new: bool = False, note: str = "", easy: bool = False) -> list[str]:
    """The lines of one item in a draft (without the blank line after it); a `note` to the editor under its id;
    `easy`: chosen for the Easy Read edition."""
    lines = [heading_line(view.title, view.url)]
    if view.meta:
        lines.append(view.meta)
    if images and view.image:
        lines.append(f"![{md_escape(view.image.alt)}]({destination(view.image.url)})")
    if view.id:
        lines.append(f"<!-- id: {view.id}{' · ' + NEW_MARK if new else ''} -->")
    if note:
        lines.append(f"<!-- {note.replace('--', '–')} -->")
    if blurb := blurb_markdown(view.blurb_html):
        lines += ["", blurb]
    if easy:
        lines += ["", "easy:"]
    return lines


def offered_line(ids: set[str]) -> str:
    """The trailer listing every item ever offered, so that a deleted one stays deleted."""
    return (f"<!-- {OFFERED_PREFIX} (keep this line, so that items you deleted do not come back when you draft "
            "again) ids: " + " ".join(sorted(ids)) + " -->")


def format_draft(config: Config, edition: date, filled: list[Filled] | tuple[Filled, ...], path: Path,
                 notes: dict[str, str] | None = None) -> str:
    """A fresh draft of the edition: the intro, every section and the items grouping chose (with their `notes`)."""
    shown = path.relative_to(config.root) if path.is_relative_to(config.root) else path
    out = [HEADER.format(date=edition.isoformat(), title=config.newsletter.title, path=shown), ""]
    if intro := body_text(config.newsletter.intro):
        out += [intro, ""]
    ids: set[str] = set()
    easy = default_choice(section_views(filled, config), config.newsletter.tz)  # the next few events
    for box in filled:
        out += [f"## {md_escape(box.section.title)}", ""]
        if box.section.kind == "text":
            out += [body_text(box.section.body), ""]
            continue
        for item in box.items:
            out += [*item_block(item_view(item, config), images=box.section.images,
                                note=(notes or {}).get(item.id, ""), easy=item.id in easy), ""]
            ids.add(item.id)
    out.append(offered_line(ids))
    return "\n".join(out) + "\n"
