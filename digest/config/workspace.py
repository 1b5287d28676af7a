"""Every path of a network's folder, the folder of its sources.toml, named once.

    sources.toml               the config (`digest init` writes it; --config names another)
    templates/                 the theme `digest init` copies (`templates = "templates"`)
    editions/<date>.md         an edition's draft, the editor's to change
    editions/<date>.push.json  where `digest push` put the edition: each service's draft id (no secrets)
    build/<date>/              a build's outputs (build/<date>-from-feeds/ for --from-feeds)
    archive/                   the published web versions, their index and Atom feed
    .digest/store.sqlite       what was fetched and every item seen (and sent)
    .digest/reuse/             reused outputs of earlier builds
    .digest/auto.lock          held while `digest auto` or `digest members notify` runs

A module of its own that imports nothing of digest's, so any stage can ask where its files go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

CONFIG_NAME = "sources.toml"
THEME_NAME = "templates"


@dataclass(frozen=True)
class Workspace:
    """A network's folder and the paths in it (none is created here)."""

    root: Path

    @classmethod
    def beside(cls, config_path: Path | str) -> Workspace:
        """The workspace of a sources.toml: the folder it is in."""
        return cls(Path(config_path).parent)

    @property
    def config(self) -> Path:
        """Where `digest init` writes sources.toml (a config given with --config may have another name)."""
        return self.root / CONFIG_NAME

    @property
    def theme(self) -> Path:
        """Where `digest init` copies the default theme."""
        return self.root / THEME_NAME

    @property
    def state(self) -> Path:
        """digest's own files: the store and reused outputs (.digest/)."""
        return self.root / ".digest"

    @property
    def store(self) -> Path:
        return self.state / "store.sqlite"

    @property
    def reuse(self) -> Path:
        return self.state / "reuse"

    @property
    def lock(self) -> Path:
        """The lock that keeps two `digest auto` runs from overlapping."""
        return self.state / "auto.lock"

    @property
    def editions(self) -> Path:
        """The drafts' folder: the only one the preview's desk writes to."""
        return self.root / "editions"

    def draft(self, edition: date) -> Path:
        return self.editions / f"{edition.isoformat()}.md"

    def pushed(self, edition: date) -> Path:
        """The record of the drafts `digest push` made of an edition, beside its draft."""
        return self.editions / f"{edition.isoformat()}.push.json"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def builds(self) -> Path:
        return self.root / "build"

    def build(self, edition: date, *, from_feeds: bool = False) -> Path:
        """Where a build goes by default: build/<date>/, or build/<date>-from-feeds/."""
        return self.builds / (edition.isoformat() + ("-from-feeds" if from_feeds else ""))
