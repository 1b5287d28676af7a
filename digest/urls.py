"""The one test for "is this a web address" (absolute http(s) with a host), and for "is this one email address".

Stdlib only, so config can use them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# One plain address: no display name, no list. A comma or semicolon would make a second
# recipient, a newline a second header.
EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                           r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def is_email_address(value: str) -> bool:
    """True for one plain email address (name@example.org): nothing that could add a recipient or a header."""
    return EMAIL_ADDRESS.fullmatch(value) is not None
