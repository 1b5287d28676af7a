"""The desk's Easy Read tab, in the draft: an item's `easy:` block set, rewritten or taken away.

An item is in the Easy Read edition when its block ends with a line "easy: Its easy title",
followed by its sentences, one a line (digest/render/easyread/). Like every desk change this is a
splice of the item's own lines (edit.py), parsed again before it is returned.
"""

from __future__ import annotations

from pathlib import Path

from digest.config.keys import Config
from digest.edition.draft.edit import EditError, Place, _checked, _item, safe_markdown
from digest.edition.draft.parse import parse_draft

MAX_SENTENCES = 3


def set_easy(text: str, path: Path, config: Config, place: Place, title: str, sentences: str) -> str:
    """Put an item in the Easy Read edition, with its easy title and up to MAX_SENTENCES sentences (one a line)."""
    item = _item(parse_draft(text, path, config), place)
    lines = [line.strip() for line in safe_markdown(sentences) if line.strip()]
    if len(lines) > MAX_SENTENCES:
        raise EditError(f"an Easy Read item has at most {MAX_SENTENCES} short sentences, one a line: "
                        f"this one has {len(lines)}")
    block = [f"easy: {' '.join(title.split())}".rstrip(), *lines]
    draft = text.split("\n")
    if item.easy_line:
        draft[item.easy_line - 1:item.span[1]] = block
    else:
        end = item.span[1]
        draft[end:end] = ["", *block]
    return _checked(draft, path, config)


def clear_easy(text: str, path: Path, config: Config, place: Place) -> str:
    """Take an item out of the Easy Read edition (its `easy:` block goes; the rest of the item stays)."""
    item = _item(parse_draft(text, path, config), place)
    if not item.easy_line:
        return text
    draft = text.split("\n")
    start = item.easy_line - 1
    del draft[start:item.span[1]]
    while start > item.span[0] + 1 and not draft[start - 1].strip():
        del draft[start - 1]
        start -= 1
    return _checked(draft, path, config)
