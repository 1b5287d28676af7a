"""An edition's rendered outputs, in a module of their own so that reusing them needs no renderer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a reused render makes no views unless asked: views.py imports Markdown and Babel
    from digest.render.views import SectionView


def _nothing() -> str:
    return ""


def _no_views() -> list[SectionView]:
    return []


@dataclass
class Rendered:
    """The outputs of an edition. The web version is rendered on first use: previews never need it.

    views: the sections the templates were given (before layout), which the Easy Read edition
    tells again; a reused render makes them on first use. calendars: an .ics file per event card
    ("events/<name>.ics" → content), written beside web.html and published with it. entry: where
    reuse stored these outputs (None: not stored), so what is worked out from them later (`digest
    check`'s findings) is stored beside them.
    """

    mjml: str
    html: str
    text: str
    _views: list[SectionView] | None = field(default=None, repr=False, compare=False)
    make_views: Callable[[], list[SectionView]] = field(default=_no_views, repr=False, compare=False)
    intro: str | None = field(default=None, repr=False, compare=False)  # a draft's intro (None: the configured one)
    entry: Path | None = field(default=None, repr=False, compare=False)
    make_web: Callable[[], str] = field(default=_nothing, repr=False, compare=False)
    _web: str | None = field(default=None, repr=False, compare=False)
    make_calendars: Callable[[], dict[str, str]] = field(default=dict, repr=False, compare=False)
    _calendars: dict[str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def calendars(self) -> dict[str, str]:
        """The .ics files, made on first use: previews never need them."""
        if self._calendars is None:
            self._calendars = self.make_calendars()
        return self._calendars

    @property
    def views(self) -> list[SectionView]:
        """The sections as the templates saw them (before layout)."""
        if self._views is None:
            self._views = self.make_views()
        return self._views

    @property
    def web(self) -> str:
        """The web version: no merge tags, untagged links, a link to all editions."""
        if self._web is None:
            self._web = self.make_web()
        return self._web
