"""Where an edition's draft lives: a module of its own, so finding it imports nothing heavy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from digest.config.keys import Config


def draft_path(config: Config, edition: date) -> Path:
    """Where the draft of an edition lives: editions/<date>.md beside sources.toml."""
    return config.workspace.draft(edition)
