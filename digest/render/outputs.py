"""An edition's rendered outputs, in a module of their own so that reusing them needs no renderer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Rendered:
    """The outputs of an edition. The web version is rendered on first use: previews never need it.

    calendars: an .ics file per event card ("events/<name>.ics" → content), written beside
    web.html and published with it.
    """

    mjml: str
    html: str
    text: str
    _views: list[Any] | None = field(default=None, repr=False, compare=False)
    make_views: Callable[[], list[Any]] = field(default=list, repr=False, compare=False)
    intro: str | None = field(default=None, repr=False, compare=False)  # a draft's intro (None: the configured one)
    make_web: Callable[[], str] = field(default=lambda: "", repr=False, compare=False)
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
    def views(self) -> list[Any]:
        """The sections as the templates saw them (SectionViews), for the Easy Read edition; a reused
        render makes them again on first use."""
        if self._views is None:
            self._views = self.make_views()
        return self._views

    @property
    def web(self) -> str:
        """The web version: no merge tags, untagged links, a link to all editions."""
        if self._web is None:
            self._web = self.make_web()
        return self._web
