"""The items that flow through the pipeline: what readers produce and what sections render.

Kept as plain frozen dataclasses so the store can round-trip them as JSON and every
stage after `normalize` can trust their invariants (see each field's comment).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # types only: the ground floor imports no stage at run time
    from digest.config.keys import Section


@dataclass(frozen=True)
class Image:
    """An item's picture: absolute http(s) URL, alt text ('' when the feed gives none).

    width/height: its true size in pixels, read from the picture's first bytes at collect
    (digest/pictures.py); None until then, or when it could not be read.
    """

    url: str
    alt: str = ""
    width: int | None = None
    height: int | None = None

    @staticmethod
    def json_of(image: Image | None) -> dict[str, Any] | None:
        """As stored: the size only once it is known."""
        return None if image is None else {k: v for k, v in asdict(image).items() if v is not None}


@dataclass(frozen=True)
class Post:
    """A blog post or news item, normalised.

    title: plain text (no markup, entities decoded once). url: absolute http(s) or None.
    summary_html: sanitised with nh3, links absolute, trimmed. published: aware, UTC.
    """

    id: str
    source: str
    title: str
    url: str | None
    published: datetime
    summary_html: str = ""
    categories: tuple[str, ...] = ()
    guid: str = ""
    image: Image | None = None
    kind: Literal["post"] = "post"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat()
        data["image"] = Image.json_of(self.image)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Post:
        data = dict(data)
        data["published"] = datetime.fromisoformat(data["published"])
        data["categories"] = tuple(data.get("categories") or ())
        data["image"] = Image(**data["image"]) if data.get("image") else None
        return cls(**data)


@dataclass(frozen=True)
class Event:
    """One occurrence of a calendar event, normalised.

    Timed events: start/end are aware datetimes (any zone; rendering converts to the
    newsletter's). All-day events: start/end are dates, end exclusive (iCalendar's rule),
    all_day=True. end may be None when the calendar gives neither DTEND nor DURATION.
    """

    id: str
    source: str
    title: str
    start: datetime | date
    end: datetime | date | None
    all_day: bool = False
    location: str = ""
    url: str | None = None
    summary_html: str = ""
    categories: tuple[str, ...] = ()
    uid: str = ""
    image: Image | None = None
    kind: Literal["event"] = "event"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat() if self.end is not None else None
        data["image"] = Image.json_of(self.image)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        data = dict(data)
        parse = date.fromisoformat if data.get("all_day") else datetime.fromisoformat
        data["start"] = parse(data["start"])
        data["end"] = parse(data["end"]) if data.get("end") else None
        data["categories"] = tuple(data.get("categories") or ())
        data["image"] = Image(**data["image"]) if data.get("image") else None
        return cls(**data)


Item = Post | Event


def as_instant(moment: date | datetime, tz: tzinfo) -> datetime:
    """A point in time to compare with windows: a date counts from 00:00 in tz, a naive time is tz's."""
    if not isinstance(moment, datetime):
        return datetime.combine(moment, time(0), tzinfo=tz)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def item_from_json(data: dict[str, Any]) -> Item:
    """Rebuild a Post or Event from its stored JSON."""
    return Event.from_json(data) if data.get("kind") == "event" else Post.from_json(data)


@dataclass(frozen=True)
class Sender:
    """Who sent a member's submission (a form response, an email), as the editor sees it at the desk.

    Only `name` and `organisation` are ever shown to readers ("Shared by …"); the address and phone
    stay with the editor. received: when it was sent, aware. origin: the row or file it came from.
    attachments: the names (and sizes) of files it came with, listed to the editor, never sent.
    """

    name: str = ""
    organisation: str = ""
    email: str = ""
    phone: str = ""
    received: datetime | None = None
    origin: str = ""
    attachments: tuple[str, ...] = ()


@dataclass
class ReadResult:
    """What a reader made of one body: the items, plus problems an editor can act on.

    skipped counts entries dropped (no date, broken VEVENT...); problems are short
    sentences naming what was wrong, shown in the build report. undated lists the ids of
    posts that came with no date (dated for now; collect dates them when first seen).
    """

    items: list[Item] = field(default_factory=list)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    format: str = ""
    undated: list[str] = field(default_factory=list)
    senders: dict[str, Sender] = field(default_factory=dict)  # a submission's sender, by its item's id


@dataclass
class Filled:
    """A section with the items grouping chose for it, and how many matched before its `limit`.

    Grouping (digest/edition/group.py) makes it; rendering makes the templates' views from it and
    collecting sizes the pictures of the items it holds: a type shared by stages below and above
    grouping, so it lives here rather than in the edition stage they must not import.
    """

    section: Section
    items: list[Item] = field(default_factory=list)
    matched: int = 0
    rest: list[Item] = field(default_factory=list)  # matched but cut by `limit`: the web version shows them
