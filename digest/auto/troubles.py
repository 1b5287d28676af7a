"""What is wrong with a member's feed, in words a member (not a developer) can act on.

A build's reason for a failure is written for the editor ("… fix the path in sources.toml"); a
member needs to know which of a few things happened — the feed moved, is gone, is broken, is
empty, refuses us, or the site did not answer — and what to do about it. The editor's reason goes
along, cut to its first clause, for whoever looks after the member's website.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Trouble:
    """One kind of failure: its name, what is wrong and how to fix it, in plain words."""

    kind: str
    what: str
    fix: str


MOVED = Trouble(
    "moved", "the address we have for your feed now leads somewhere else (a web page, or round in circles), "
             "which usually happens after a website move",
    "reply with your feed's new address (on many websites it is the site's address followed by /feed/), "
    "or ask whoever looks after your website to point the old address at it")
GONE = Trouble(
    "gone", "the address we have for your feed leads nowhere: the page is not there any more",
    "if your website moved, or you changed how you publish, reply with the new feed address; "
    "if you no longer publish it, tell us and we will stop asking")
BROKEN = Trouble(
    "broken", "your feed is there, but what it sends is broken (not valid RSS, Atom, XML or iCalendar), "
              "so no feed reader can read it",
    "this often follows a plugin or theme update: ask whoever looks after your website to check the feed "
    "with https://validator.w3.org/feed/ and fix what it reports")
EMPTY = Trouble(
    "empty", "your feed answers, but it is empty: it lists no posts or events",
    "check that your posts or events are published (not drafts or private) and that the feed shows them")
REFUSED = Trouble(
    "refused", "your website refuses to let us read the feed (it is private, or it blocks automated readers)",
    "ask whoever looks after your website to let feed readers in, or reply with an address we may read")
UNREACHABLE = Trouble(
    "unreachable", "we could not reach your website to read the feed: it did not answer, or answered with an error",
    "check your website is up; if it is, ask whoever looks after it whether it is slow or blocks visitors")

# Each kind by the words the build's reasons use (digest/collect/fetch.py and the readers), tried in order.
_KINDS: tuple[tuple[re.Pattern[str], Trouble], ...] = (
    (re.compile(r"redirects in a loop|moved permanently|a web page, not a feed", re.I), MOVED),
    (re.compile(r"HTTP 40[13]|access refused", re.I), REFUSED),
    (re.compile(r"HTTP 404|HTTP 410|gone for good|not found|cannot be found", re.I), GONE),
    (re.compile(r"empty|lists nothing|no (?:items|entries|events|posts)\b", re.I), EMPTY),
    (re.compile(r"XML|not a readable feed|could not be read|not readable JSON|not a JSON Feed|not an iCalendar|"
                r"no feed and no events|compress", re.I), BROKEN),
)


def trouble_of(reason: str) -> Trouble:
    """The kind of failure a build's reason describes (unreachable when it says none of the others)."""
    return next((trouble for pattern, trouble in _KINDS if pattern.search(reason)), UNREACHABLE)


def detail(reason: str) -> str:
    """The build's reason without its advice to the editor: its first clause ("not found (HTTP 404) at …")."""
    clause = re.split(r": |; | — ", reason, maxsplit=1)[0].strip()
    return re.sub(r"[\x00-\x1f\x7f]", " ", clause)[:300]
