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

write.py makes a fresh draft, parse.py reads one back (each problem with its line), merge.py tops
one up with what is new since, edit.py makes the preview page's changes, views.py renders it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from digest.edition.draft.merge import DraftOutcome, merge_draft, write_draft
    from digest.edition.draft.parse import Draft, DraftError, DraftItem, DraftSection, load_draft, parse_draft, read_draft_text
    from digest.edition.draft.paths import draft_path
    from digest.edition.draft.views import draft_item_view, draft_views
    from digest.edition.draft.write import NEW_MARK, blurb_markdown, format_draft, item_block, md_escape

# Each name is imported from its module on first use: a build that only asks whether a draft
# exists (draft_path) must not import the renderer, which write.py and merge.py need.
_MODULE_OF = {
    "DraftOutcome": "merge", "merge_draft": "merge", "write_draft": "merge",
    "Draft": "parse", "DraftError": "parse", "DraftItem": "parse", "DraftSection": "parse", "load_draft": "parse",
    "parse_draft": "parse", "read_draft_text": "parse",
    "draft_path": "paths",
    "draft_item_view": "views", "draft_views": "views",
    "NEW_MARK": "write", "blurb_markdown": "write", "format_draft": "write", "item_block": "write", "md_escape": "write",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'digest.edition.draft' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"digest.edition.draft.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value
