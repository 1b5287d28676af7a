"""What the templates show for a draft: its items as views, in the editor's order."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from digest.config.keys import Config
from digest.dates import format_day
from digest.edition.draft.document import Draft, DraftItem
from digest.edition.draft.write import blurb_markdown
from digest.model import Item
from digest.render.views import ItemView, SectionView, item_view, markdown

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _meta(meta: str, config: Config) -> str:
    """A date line written as 2024-09-21 is shown the newsletter's way; anything else as written."""
    if _ISO_DATE.fullmatch(meta):
        try:
            return format_day(date.fromisoformat(meta), config.newsletter.language)
        except ValueError:
            return meta
    return meta


def draft_item_view(item: DraftItem, config: Config, stored: Item | None) -> ItemView:
    """What the templates show for one block of the draft.

    Why rendering is exact: an item whose blurb is unchanged is rendered from the HTML stored when
    it was collected (Markdown cannot reproduce a member's HTML byte for byte), so a draft built
    without edits gives the same newsletter as a plain build; an edited blurb from its Markdown.
    """
    if stored is not None:
        base = item_view(stored, config)
        unchanged = item.text.split() == blurb_markdown(stored.summary_html).split()
        image = item.image
        if image is not None and base.image is not None and image.url == base.image.url:
            image = replace(base.image, alt=image.alt)  # the same picture: keep its measured size
        return replace(base, title=item.title, url=item.url, meta=_meta(item.meta, config), image=image,
                       blurb_html=base.blurb_html if unchanged else markdown(item.text), easy=item.easy,
                       line=item.easy_line or item.line, easy_title=item.easy_title, easy_read=item.easy_line > 0)
    meta = _meta(item.meta, config)
    return ItemView(title=item.title, url=item.url, meta=meta, blurb_html=markdown(item.text), source="",
                    when=meta, image=item.image, id=item.id or "", easy=item.easy, line=item.easy_line or item.line,
                    easy_title=item.easy_title, easy_read=item.easy_line > 0)


def draft_views(draft: Draft, config: Config, stored: dict[str, Item]) -> list[SectionView]:
    """The draft's sections as the templates see them, in the draft's order."""
    return [
        SectionView(title=s.section.title, kind=s.section.kind, images=s.section.images,
                    button=s.section.button, feature=s.section.feature,
                    body_html=markdown(s.body) if s.section.kind == "text" else "",
                    items=[draft_item_view(i, config, stored.get(i.id or "")) for i in s.items])
        for s in draft.sections
    ]
