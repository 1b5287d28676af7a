"""The `%(name)s` values a theme word is filled with, found the one way everywhere that reads them:
the catalogs' `_()`, the check of a network's `[newsletter.words]`, and the templates' gettext.

A ground-floor module of its own (no imports from digest) so that config can check words without
importing the catalogs, which sit above the dates and the model."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"%\((\w+)\)s")  # a value a message is filled with: "%(start)s to %(end)s"
LONE_PERCENT = re.compile(r"%(?!\(\w+\)s)")  # a % that is not a %(name)s placeholder: "100% sure"


def literal_percents(text: str) -> str:
    """`text` with every % that is not a placeholder doubled, so %-formatting writes it as it is."""
    return LONE_PERCENT.sub("%%", text)
