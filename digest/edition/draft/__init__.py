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
    easy: Its title in easy words   in the Easy Read edition, with its short sentences below (optional)
    <!-- digest offered: … -->      every item ever put in this draft, so a deleted one stays deleted

The modules, each imported by what needs it: paths.py says where a draft lives; document.py is a
draft as read (Draft, DraftSection, DraftItem, DraftError); write.py makes a fresh draft; parse.py
reads one back, each problem with its line (with comments.py and tokens.py); merge.py tops one up
with what is new since; edit.py makes the preview page's changes (easy.py those of its Easy Read tab); views.py renders it.

Only the modules that import no other module of the package are re-exported here: this module
importing parse.py (which imports document.py, so runs this package first) would be an import cycle.
A build that only asks whether a draft exists imports paths.py and document.py, nothing heavier.
"""

from digest.edition.draft.document import Draft, DraftError, DraftItem, DraftSection
from digest.edition.draft.paths import draft_path

__all__ = ["Draft", "DraftError", "DraftItem", "DraftSection", "draft_path"]
