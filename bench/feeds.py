"""Synthetic member feeds: WordPress-style RSS with content:encoded, and iCalendar with recurrences.

Why synthetic: the benchmark must be reproducible offline and on any day, and must look like
what members really publish, because parse and sanitise cost depends on the markup (WordPress
content:encoded with figures, srcset, iframes, inline styles and the "appeared first on"
footer), not just on the byte count. Everything is derived from a seeded RNG, so a given
(index, edition date) always yields the same bytes, ETag and Last-Modified.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from html import escape

ENTRIES = 50
ICS_EVERY = 10  # every 10th member publishes an .ics calendar instead of an RSS feed

WORDS = [
    "co-production", "community", "research", "lived", "experience", "partners", "network", "members", "practice",
    "people", "session", "workshop", "training", "carers", "evaluation", "social", "care", "health", "services",
    "together", "voices", "shared", "learning", "project", "funding", "volunteers", "council", "housing", "young",
    "adults", "peer", "support", "inclusion", "accessible", "online", "London", "Scotland", "Wales", "Sussex",
    "Kirklees", "strategy", "report", "toolkit", "listening", "change", "power", "equal", "decisions", "meeting",
    "round-up", "welcome", "team", "story", "journey", "families", "wellbeing", "local", "national", "evidence",
    "policy", "co-design", "collaboration", "trust", "respect", "reciprocity", "values", "outcomes", "feedback",
    "survey", "forum", "cuppa",
]


@dataclass(frozen=True)
class Feed:
    """One synthetic member: its path on its origin, media type and body."""

    index: int
    name: str
    path: str
    content_type: str
    body: bytes
    last_modified: datetime

    @property
    def kind(self) -> str:
        return "ical" if self.path.endswith(".ics") else "rss"


def member_name(index: int) -> str:
    """The source name the build report prints (and the harness parses back)."""
    return f"Member {index:03d}"


def _sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random, sentences: int, site: str) -> str:
    parts = [_sentence(rng) for _ in range(sentences)]
    if rng.random() < 0.6:  # a link, sometimes relative (feeds carry both)
        href = f"/{rng.choice(WORDS)}/{rng.choice(WORDS)}/" if rng.random() < 0.4 else f"{site}/{rng.choice(WORDS)}/"
        parts.insert(rng.randint(0, len(parts)), f'<a href="{escape(href)}">{rng.choice(WORDS)} {rng.choice(WORDS)}</a>')
    if rng.random() < 0.3:
        parts.insert(rng.randint(0, len(parts)), f"<strong>{rng.choice(WORDS)} {rng.choice(WORDS)}</strong>")
    return "<p>" + " ".join(parts) + "</p>"


def _figure(rng: random.Random, site: str, slug: str) -> str:
    img = f"{site}/wp-content/uploads/2024/09/{slug}"
    srcset = ", ".join(f"{img}-{w}x{w * 2 // 3}.jpg {w}w" for w in (300, 768, 1024, 1536))
    return (
        f'<figure class="wp-block-image size-large"><img decoding="async" width="1024" height="683" '
        f'src="{img}-1024x683.jpg" alt="{escape(_sentence(rng, 4, 8))}" class="wp-image-{rng.randint(1000, 9999)}" '
        f'srcset="{srcset}" sizes="(max-width: 1024px) 100vw, 1024px" /><figcaption class="wp-element-caption">'
        f"{_sentence(rng, 5, 10)}</figcaption></figure>"
    )


def _content(rng: random.Random, site: str, slug: str, target: int) -> str:
    """content:encoded as WordPress's block editor writes it, about `target` characters."""
    blocks = [_paragraph(rng, 3, site), _figure(rng, site, slug)]
    while sum(map(len, blocks)) < target:
        roll = rng.random()
        if roll < 0.55:
            blocks.append(_paragraph(rng, rng.randint(2, 4), site))
        elif roll < 0.7:
            blocks.append(f'<h2 class="wp-block-heading">{_sentence(rng, 3, 6)}</h2>')
        elif roll < 0.82:
            items = "".join(f"<li>{_sentence(rng, 4, 10)}</li>" for _ in range(rng.randint(2, 5)))
            blocks.append(f'<ul class="wp-block-list">{items}</ul>')
        elif roll < 0.9:
            quote = f"<p>{_sentence(rng)}</p><cite>{rng.choice(WORDS)}</cite>"
            blocks.append(f'<blockquote class="wp-block-quote">{quote}</blockquote>')
        elif roll < 0.95:
            blocks.append(
                '<figure class="wp-block-embed is-type-video is-provider-youtube"><div class="wp-block-embed__wrapper">'
                f'<iframe title="{escape(_sentence(rng, 3, 6))}" width="500" height="281" '
                f'src="https://www.youtube.com/embed/{rng.randbytes(6).hex()}?feature=oembed" frameborder="0" '
                'allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture" '
                "allowfullscreen></iframe></div></figure>"
            )
        else:
            blocks.append(f'<p style="font-size:18px" class="has-text-align-center" onclick="track()">{_sentence(rng)}</p>')
    return "\n".join(blocks)


def rss(index: int, edition: date, entries: int = ENTRIES) -> bytes:
    """A WordPress 6 RSS 2.0 feed: ~3.4 KB per entry, so 50 entries are about 170 KB."""
    rng = random.Random(f"rss-{index}")
    site = f"https://member{index:03d}.example.org"
    name = member_name(index)
    newest = datetime.combine(edition, time(0), tzinfo=UTC) - timedelta(hours=1 + index % 24)
    items = []
    for j in range(entries):
        when = newest - timedelta(hours=40 * j + rng.randint(0, 20))
        title = _sentence(rng, 4, 9).rstrip(".")
        slug = "-".join(title.lower().split()[:6])
        link = f"{site}/{when:%Y/%m}/{slug}/"
        lead = _sentence(rng, 20, 40)
        content = _content(rng, site, slug, 1650)
        cats = "".join(f"<category><![CDATA[{rng.choice(WORDS).capitalize()}]]></category>\n\t\t" for _ in range(3))
        items.append(f"""\t<item>
\t\t<title>{escape(title)} &#8211; {escape(rng.choice(WORDS))}</title>
\t\t<link>{link}</link>
\t\t<comments>{link}#respond</comments>
\t\t<dc:creator><![CDATA[{rng.choice(WORDS).capitalize()}]]></dc:creator>
\t\t<pubDate>{format_datetime(when)}</pubDate>
\t\t{cats}<guid isPermaLink="false">{site}/?p={10000 + index * 100 + j}</guid>
\t\t<description><![CDATA[<p>{lead} [&#8230;]</p>
<p>The post <a href="{link}">{escape(title)}</a> appeared first on <a href="{site}">{name}</a>.</p>
]]></description>
\t\t<content:encoded><![CDATA[{content}
<p>The post <a href="{link}">{escape(title)}</a> appeared first on <a href="{site}">{name}</a>.</p>
]]></content:encoded>
\t\t<wfw:commentRss>{link}feed/</wfw:commentRss>
\t\t<slash:comments>{rng.randint(0, 9)}</slash:comments>
\t</item>
""")
    head = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:atom="http://www.w3.org/2005/Atom"
\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"
\t>

<channel>
\t<title>{name}</title>
\t<atom:link href="{site}/feed/" rel="self" type="application/rss+xml" />
\t<link>{site}</link>
\t<description>News from {name}, a member of the network</description>
\t<lastBuildDate>{format_datetime(newest)}</lastBuildDate>
\t<language>en-GB</language>
\t<sy:updatePeriod>
\thourly\t</sy:updatePeriod>
\t<sy:updateFrequency>
\t1\t</sy:updateFrequency>
\t<generator>https://wordpress.org/?v=6.6.2</generator>
"""
    return (head + "".join(items) + "</channel>\n</rss>\n").encode("utf-8")


VTIMEZONE = """BEGIN:VTIMEZONE\r
TZID:Europe/London\r
X-LIC-LOCATION:Europe/London\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0000\r
TZOFFSETTO:+0100\r
TZNAME:BST\r
DTSTART:19700329T010000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0000\r
TZNAME:GMT\r
DTSTART:19701025T020000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""


LOCATIONS = ("Online (Zoom)", "Community Centre\\, 1 High Street", "Town Hall")


def _fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets (exporters always fold long DESCRIPTIONs)."""
    out: list[str] = []
    data = line.encode("utf-8")
    while len(data) > 75:
        cut = 75 if not out else 74
        while (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        out.append(data[:cut].decode("utf-8"))
        data = data[cut:]
    out.append(data.decode("utf-8"))
    return "\r\n ".join(out)


def ics(index: int, edition: date) -> bytes:
    """A Google/WordPress-style calendar: weekly and monthly series with EXDATEs, an override, one-offs."""
    rng = random.Random(f"ics-{index}")
    site = f"https://member{index:03d}.example.org"
    stamp = datetime.combine(edition, time(0)) - timedelta(days=1)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{member_name(index)}//Events Calendar 6.6//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{member_name(index)} events",
             "X-WR-TIMEZONE:Europe/London"]
    body = ["\r\n".join(lines) + "\r\n", VTIMEZONE]

    def event(uid: str, summary: str, start: datetime, minutes: int, extra: list[str]) -> None:
        desc = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5))) + f" Book at {site}/events/{uid}/"
        props = [
            "BEGIN:VEVENT", f"UID:{uid}@member{index:03d}.example.org", f"DTSTAMP:{stamp:%Y%m%dT%H%M%S}Z",
            f"DTSTART;TZID=Europe/London:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/London:{start + timedelta(minutes=minutes):%Y%m%dT%H%M%S}",
            f"SUMMARY:{summary}", f"DESCRIPTION:{desc.replace(',', chr(92) + ',')}",
            "LOCATION:" + rng.choice(LOCATIONS),
            f"URL:{site}/events/{uid}/", f"CATEGORIES:{rng.choice(WORDS).capitalize()}", *extra, "END:VEVENT",
        ]
        body.append("\r\n".join(_fold(p) for p in props) + "\r\n")

    first = datetime.combine(edition - timedelta(days=90), time(10, 30))
    weekly_start = first + timedelta(days=(1 - first.weekday()) % 7)  # a Tuesday
    exdates = ",".join(f"{weekly_start + timedelta(weeks=w):%Y%m%dT%H%M%S}" for w in (15, 17))
    event(f"cuppa-{index}", "Co-Pro Cuppa: an informal chat", weekly_start, 60,
          ["RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20300101T000000Z", f"EXDATE;TZID=Europe/London:{exdates}"])
    override = weekly_start + timedelta(weeks=14)
    event(f"cuppa-{index}", "Co-Pro Cuppa (moved to Wednesday)", override + timedelta(days=1), 60,
          [f"RECURRENCE-ID;TZID=Europe/London:{override:%Y%m%dT%H%M%S}"])
    event(f"forum-{index}", "Members' forum", first.replace(hour=18, minute=0), 90,
          ["RRULE:FREQ=MONTHLY;BYDAY=1TH;COUNT=24"])
    for k in range(16):
        start = datetime.combine(edition + timedelta(days=rng.randint(-30, 80)), time(rng.choice([9, 10, 14, 18]), 0))
        event(f"one-{index}-{k}", _sentence(rng, 3, 7).rstrip("."), start, rng.choice([60, 90, 120, 180]), [])
    body.append("END:VCALENDAR\r\n")
    return "".join(body).encode("utf-8")


def make_feeds(count: int, edition: date) -> list[Feed]:
    """The network: `count` members, every ICS_EVERY-th one a calendar, the rest RSS."""
    feeds = []
    last_modified = datetime.combine(edition, time(0), tzinfo=UTC) - timedelta(hours=1)
    for i in range(1, count + 1):
        if i % ICS_EVERY == 0:
            feeds.append(Feed(i, member_name(i), "/events.ics", "text/calendar; charset=utf-8", ics(i, edition), last_modified))
        else:
            feeds.append(Feed(i, member_name(i), "/feed/", "application/rss+xml; charset=UTF-8", rss(i, edition), last_modified))
    return feeds
