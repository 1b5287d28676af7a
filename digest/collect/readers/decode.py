"""Bytes from a member's site as text: the one place that guesses an encoding.

Tolerated: a BOM, UTF-16 (some Outlook calendar exports), UTF-8 with a damaged byte, and legacy
Windows-1252 (what Excel saves as "CSV", and old calendar exports) when no valid UTF-8 sequence appears.
"""

from __future__ import annotations

import re


def decode(body: bytes) -> str:
    """The body as text, BOM removed; undecodable bytes become U+FFFD."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", errors="replace").lstrip("\ufeff")
    body = body.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        utf8 = re.search(rb"[\xc2-\xf4][\x80-\xbf]", body)
        return body.decode("utf-8" if utf8 else "cp1252", errors="replace").lstrip("\ufeff")
