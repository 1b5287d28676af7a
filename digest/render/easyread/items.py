"""The Easy Read edition's items and sections, as its templates and its readability check see them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Picture:
    url: str
    alt: str
    icon: str = ""  # which icon, when the item has no picture of its own


@dataclass(frozen=True)
class EasyItem:
    """One item as the Easy Read templates show it."""

    title: str
    lines: list[str]  # one sentence each
    picture: Picture
    url: str | None
    kind: str  # "event" or "post"
    day: str = ""  # events: "Tuesday 8 October 2024"
    hours: str = ""  # events: "2pm to 3:30pm", "All day", or "" when the day line says it all (several days)
    where: str = ""
    online: bool = False
    join_url: str | None = None  # an online event's meeting link, else its page
    ask: str = ""  # who to ask: the member who posted it
    line: int = 0  # the draft line to fix (its `easy:` block, else its heading)
    own_text: bool = False  # the editor wrote its Easy Read text


@dataclass(frozen=True)
class EasySection:
    title: str
    kind: str
    items: list[EasyItem] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # a text section, one sentence a line
