"""What the templates see: each item and section already formatted, safe and in the reader's words.

Built from grouped items (section_views, item_view) or from an editor's draft
(digest/edition/draft/views.py): the renderer takes views only, whichever way an edition was
made. Each SectionView carries what the theme needs of its section (images, feature, button), so
nothing downstream looks a section up in the configuration again. Laid out for the theme by
digest/render/layout.py; UTM tagging and the archive read the same types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt

from digest.config.keys import Button, Config
from digest.dates import format_event_clock, format_event_when, format_post_date
from digest.model import Event, Filled, Image, Post
from digest.render import cards
from digest.render.calendar import Occurrence
from digest.sanitize import clean_html


@dataclass(frozen=True)
class Picture:
    """An item's picture as laid out: its box keeps the picture's true shape.

    thumb: a portrait, square or small picture, shown beside the text instead of across the
    column. height is None when the size was never read (an offline build, a draft's own
    picture): then only the width is stated and every client keeps the shape.
    """

    url: str
    alt: str
    width: int
    height: int | None
    thumb: bool
    href: str | None


@dataclass(frozen=True)
class EventView:
    """What an event card shows beyond the title: its dates, place and date badge."""

    occurrences: tuple[Occurrence, ...]
    where: str = ""
    where_url: str | None = None
    badge_month: str = ""
    badge_day: str = ""
    uid: str = ""
    weekday: str = ""  # "Tue", over the day in a compact row's date column
    day: str = ""  # "15 Oct"
    clock: str = ""  # "14:00–15:30" for an event within one day ("" all day or longer): the date is beside it


@dataclass(frozen=True)
class ItemView:
    """One item as the templates show it: everything already formatted and safe."""

    title: str
    url: str | None
    meta: str
    blurb_html: str
    source: str
    when: str
    location: str = ""
    image: Image | None = None
    id: str = ""
    member: str = ""  # the name readers know (the source's `member`, else its name)
    event: EventView | None = None
    action: str = ""  # the event button's words ("Book a place" / "Find out more")
    picture: Picture | None = None
    featured: bool = False
    google_url: str = ""
    outlook_url: str = ""
    ics_name: str = ""
    ics_url: str | None = None
    # the email's one "Add to calendar" link: the web version's card of the event (its choice of calendars), or
    # without a web version, Google Calendar; the text twin's ("" when the event's own link is all it needs)
    calendar_url: str = ""
    text_calendar_url: str = ""
    anchor: str = ""  # the card's id on the web version
    short_when: str = ""  # a compact row's line: the time alone when the date is beside it, else `when`
    outlook_dates: tuple[tuple[str, str], ...] = ()  # ("15 Oct", link) for each date of a series (Outlook.com adds one)
    easy: str = ""  # the editor's Easy Read sentences (the draft's `easy:` block, digest/render/easyread/)
    easy_title: str = ""  # its Easy Read title, written on the `easy:` line ("" means its title)
    easy_read: bool = False  # the editor chose it for the Easy Read edition (it has an `easy:` line)
    line: int = 0  # where the item is in the draft (its `easy:` block, else its heading), for the editor

    def __post_init__(self) -> None:
        # The last step before any output: whatever built this view (a reader, a trim, a draft,
        # a stored row from an older version), its blurb is sanitised here, so every output
        # that shows an item (email, web, archive, Atom, preview, Easy Read) shows it clean.
        object.__setattr__(self, "blurb_html", clean_html(self.blurb_html))


@dataclass(frozen=True)
class SectionView:
    title: str
    kind: str
    items: list[ItemView] = field(default_factory=list)
    body_html: str = ""
    images: bool = False
    button: Button | None = None
    feature: int = 0  # feature the first N items (bigger title and picture; for events, a full card)
    rest: list[ItemView] = field(default_factory=list)  # matched but cut by `limit`: on the web version only
    anchor: str = ""  # the section's id, which the contents list links to


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(["replacements", "smartquotes"])


def markdown(text: str) -> str:
    """Editorial Markdown (intro, text sections, footer) as sanitised HTML."""
    return clean_html(_markdown().render(text or "")) if text and text.strip() else ""


def member_names(config: Config) -> dict[str, str]:
    return {s.name: s.shown_as for s in config.sources}


def item_view(item: Post | Event, config: Config) -> ItemView:
    """Format one item for the templates in the newsletter's language and timezone."""
    tz, language = config.newsletter.tz, config.newsletter.language
    member = member_names(config).get(item.source, item.source)
    if isinstance(item, Event):
        when = format_event_when(item, tz, language)
        parts = [when, item.location, member]
        url = item.url or cards.first_link(item.summary_html)
        place, place_url = cards.where(item.location)
        month, day = cards.badge(item.start, tz, language)
        weekday, short_day = cards.short_day(item.start, tz, language)
        event = EventView((cards.occurrence(item),), place, place_url, month, day, item.uid, weekday, short_day,
                          format_event_clock(item, tz, language))
        return ItemView(item.title, url, " · ".join(p for p in parts if p), item.summary_html, item.source, when,
                        item.location, item.image, item.id, member=member, event=event,
                        action=cards.action_text(url, item.summary_html))
    when = format_post_date(item.published, tz, language)
    return ItemView(item.title, item.url, f"{member} · {when}", item.summary_html, item.source, when,
                    image=item.image, id=item.id, member=member)


def section_views(filled: Sequence[Filled], config: Config) -> list[SectionView]:
    """Grouping's sections as the templates see them."""
    return [
        SectionView(
            title=box.section.title,
            kind=box.section.kind,
            items=[item_view(i, config) for i in box.items],
            body_html=markdown(box.section.body) if box.section.kind == "text" else "",
            images=box.section.images,
            button=box.section.button,
            feature=box.section.feature,
            rest=[item_view(i, config) for i in box.rest],
        )
        for box in filled
    ]
