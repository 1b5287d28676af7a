"""An edition's rendered outputs, in a module of their own so that reusing them needs no renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Rendered:
    """The outputs of an edition. The web version is rendered on first use: previews never need it.

    calendars: an .ics file per event card ("events/<name>.ics" → content), written beside
    web.html and published with it.
    """

    mjml: str
    html: str
    text: str
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
    def web(self) -> str:
        """The web version: no merge tags, untagged links, a link to all editions."""
        if self._web is None:
            self._web = self.make_web()
        return self._web
