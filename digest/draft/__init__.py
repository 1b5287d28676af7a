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

from digest.draft.merge import DraftOutcome, merge_draft, write_draft
from digest.draft.parse import Draft, DraftError, DraftItem, DraftSection, load_draft, parse_draft, read_draft_text
from digest.draft.views import draft_item_view, draft_views
from digest.draft.write import NEW_MARK, blurb_markdown, draft_path, format_draft, item_block, md_escape

__all__ = ["NEW_MARK", "Draft", "DraftError", "DraftItem", "DraftOutcome", "DraftSection", "blurb_markdown",
           "draft_item_view", "draft_path", "draft_views", "format_draft", "item_block", "load_draft", "md_escape",
           "merge_draft", "parse_draft", "read_draft_text", "write_draft"]
