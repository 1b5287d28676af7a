"""What `digest check` reports, and the one size budget every stage measures against.

A module of its own, importing nothing of digest: the render (reuse, Easy Read), the edition's
report and the preview share these without loading the checker (lxml, tinycss2, caniemail's data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

GMAIL_CLIP = 102 * 1024  # Gmail clips a message over 102 KB ("[Message clipped]"): the email's size budget
SIZE_WARNING_BYTES = 90 * 1024  # close to the clip: worth a warning

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem: an editor reads `message` and knows which element to fix and how."""

    severity: Severity
    code: str
    message: str


def summarise(findings: Sequence[Finding]) -> str:
    """The closing line of `digest check`, e.g. '2 errors, 5 warnings'."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
