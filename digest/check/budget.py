"""The clip budget: the email's size as Gmail will see it, and which section to trim when it is too big.

Gmail clips a message whose HTML is over 102 KB as it arrives, and what it arrives as is not the file
`digest build` writes: the email service rewrites every link to go through its click tracker, adds
an open-tracking pixel and bits of its own, and sends the HTML quoted-printable, where every "=" of
an attribute becomes "=3D", every non-ASCII byte three bytes and every 76 characters a soft line
break. The encoding is measured (quopri, the standard library's encoder, lines ended CRLF as on the
wire: +9–11 % on the sample); the service's additions are an allowance, below.
"""

from __future__ import annotations

import html as html_lib
import quopri
import re
from collections.abc import Iterator

from digest.check.finding import GMAIL_CLIP, SIZE_WARNING_BYTES, Finding

# A click-tracked link is about this long whatever it was (Mailchimp's
# https://<account>.us<N>.list-manage.com/track/click?u=<25 hex>&id=<10 hex>&e=<10 hex> is 105–115
# characters; Brevo's and Mailerlite's are alike): shorter links grow to it, merge tags too.
TRACKED_LINK = 110
SERVICE_EXTRAS = 2 * 1024  # the open-tracking pixel and the service's own hidden markup
_HREF = re.compile(rb'\shref="([^"]*)"', re.I)
_TRACKED = re.compile(rb"https?://|\*\||\{\{|\{\$|\[|%", re.I)  # web links and merge tags; not #anchors or mailto:
_HEADING = re.compile(r"<h2\b[^>]*>(.*?)</h2>", re.I | re.S)


def sent_size(html: str) -> int:
    """The bytes Gmail receives: links tracked, the service's extras added, quoted-printable encoded."""
    data = html.encode("utf-8")
    hrefs = [m.group(1) for m in _HREF.finditer(data) if _TRACKED.match(m.group(1))]
    tracked = sum(max(0, TRACKED_LINK - len(href)) for href in hrefs)
    encoded = quopri.encodestring(data)
    return len(encoded) + encoded.count(b"\n") + tracked + SERVICE_EXTRAS  # CRLF: one more byte a line


def section_sizes(html: str) -> list[tuple[str, int]]:
    """(heading, bytes) for each part of the email that starts with an <h2>, up to the next one."""
    found = list(_HEADING.finditer(html))
    ends = [m.start() for m in found[1:]] + [len(html)]
    return [(" ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(1))).split()),
             len(html[m.start():end].encode("utf-8"))) for m, end in zip(found, ends, strict=True)]


def check_size(html: str) -> Iterator[Finding]:
    """An error when Gmail would clip the email as sent, a warning when it is close; each names what to trim."""
    raw, sent = len(html.encode("utf-8")), sent_size(html)
    if sent <= SIZE_WARNING_BYTES:
        return
    sizes = section_sizes(html)
    title, biggest = max(sizes, key=lambda pair: pair[1]) if sizes else ("", 0)
    trim = (f"trim '{title}' ({biggest / 1024:.1f} KB): lower its limit or feature fewer items"
            if title else "drop items or shorten summaries")
    size = (f"newsletter is {raw / 1024:.1f} KB, about {sent / 1024:.1f} KB as your email service sends it "
            "(tracked links, quoted-printable encoding)")
    if sent > GMAIL_CLIP:
        yield Finding("error", "size", f"{size}: Gmail clips messages over 102 KB, hiding the rest and the "
                      f"unsubscribe link — {trim}")
    else:
        yield Finding("warning", "size", f"{size}, close to the 102 KB at which Gmail clips messages — {trim}")
