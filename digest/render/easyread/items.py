"""The Easy Read edition's items and sections, as its templates and its readability check see them."""

from __future__ import annotations

from dataclasses import dataclass, field

from digest.config.keys import Button


@dataclass(frozen=True)
class Picture:
    """A picture in its true shape: the width and height the email states (height None: not known, so
    only the width is stated and every client keeps the shape)."""

    url: str
    alt: str
    width: int
    height: int | None
    icon: str = ""  # which icon, when the item has no picture of its own


@dataclass(frozen=True)
class Meaning:
    """A glossary word explained where the edition first uses it: "What this word means"."""

    word: str
    lines: list[str]  # one sentence each
    picture: Picture | None = None


@dataclass(frozen=True)
class EasyItem:
    """One item as the Easy Read templates show it."""

    title: str
    lines: list[str]  # the editor's sentences, one each
    picture: Picture
    url: str | None
    kind: str  # "event" or "post"
    day: str = ""  # events: "Tuesday 8 October 2024", or a series' "Every Tuesday — 8, 15 and 22 October"
    hours: str = ""  # events: "2pm to 3:30pm", "All day", or "" when the day line says it all (several days)
    where: str = ""
    action: str = ""  # the button's words: "Join online" (a meeting link), "Book a place", "Find out more"
    action_url: str | None = None
    ask: str = ""  # who to ask: the member's contact (a name and a phone number or email), if given
    line: int = 0  # the draft line to fix (its `easy:` block, else its heading)
    own_text: bool = False  # the editor wrote its Easy Read text
    meanings: tuple[Meaning, ...] = ()  # glossary words it is the first to use


@dataclass(frozen=True)
class EasySection:
    title: str
    kind: str
    items: list[EasyItem] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # a text section, one sentence a line (the text twin, the check)
    body_html: str = ""  # a text section as HTML: its links kept, a line break after each sentence
    button: Button | None = None
    meanings: tuple[Meaning, ...] = ()  # glossary words its heading or text is the first to use
