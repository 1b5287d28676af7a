"""Find what to read for a member, given their home page (or any page): `digest sources add`.

In this order: the feeds the page advertises (`<link rel=alternate>`), the well-known feed
addresses of the platform the page shows it is built with (WordPress, The Events Calendar,
Wix, Squarespace, Blogger, Ghost, Substack, Medium), the calendar links on the page (.ics,
webcal:), and the page's own schema.org data. Every candidate is fetched (with digest's
fetcher) and read (with digest's readers), so the editor sees what each would give — its
kind, how many items, the newest date — before choosing. Two candidates with the same body
(a feed advertised and found at its platform's address) are shown once.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date

from digest.collect.fetch import FetchResult, Limits, Request, fetch_all
from digest.collect.readers.discover import alternate_feeds, html_document
from digest.collect.readers.registry import detect, read
from digest.exceptions import DigestError
from digest.model import Event, Post, ReadResult, as_instant
from digest.sanitize import absolute_url
from digest.urls import is_web_url


@dataclass(frozen=True)
class Platform:
    """A site builder: what in a page shows it, and where its feeds live (paths from the site root,
    or "?…" added to the page's own address)."""

    name: str
    signs: tuple[str, ...]
    paths: tuple[str, ...]


PLATFORMS = (
    Platform("The Events Calendar", ("the events calendar", "tribe-events", "tribe_events"), ("?ical=1", "/events/?ical=1")),
    Platform("WordPress", ('content="wordpress', "/wp-content/", "/wp-includes/", "/wp-json/"), ("/feed/",)),
    Platform("Wix", ('content="wix.com', "static.parastorage.com", "static.wixstatic.com"), ("/blog-feed.xml",)),
    Platform("Squarespace", ("static1.squarespace.com", "<!-- this is squarespace", 'content="squarespace'),
             ("?format=rss", "/blog?format=rss")),
    Platform("Blogger", ('content="blogger"', "www.blogger.com/static", ".blogspot.com"),
             ("/feeds/posts/default", "/feeds/posts/default?alt=rss")),
    Platform("Ghost", ('content="ghost', "ghost-portal", "/ghost/api/"), ("/rss/",)),
    Platform("Substack", ("substackcdn.com", "substack.com/api"), ("/feed",)),
    Platform("Medium", ("cdn-client.medium.com", "miro.medium.com", 'content="medium"'), ("/feed",)),
)
CALENDAR = "iCalendar"  # the calendar reader's format name
LOOK_BACK_DAYS = 5 * 366  # how far back a calendar with nothing coming up is read for its last event
_ICS_HREF = re.compile(r"(\.ics(\?|$)|[?&](ical|outlook-ical)=1\b|^webcal:)", re.I)


@dataclass
class Candidate:
    """One address that could be a source, and what reading it gave."""

    url: str
    how: str  # "advertised by the page", "WordPress feed address", "calendar link on the page", "the page's own data"
    kind: str = ""
    items: int = 0
    posts: int = 0
    events: int = 0
    newest: date | None = None  # posts: the newest post's day
    next_event: date | None = None  # events: the first event's day
    last_event: date | None = None  # a calendar with nothing coming up: the day of its latest event
    problems: list[str] = field(default_factory=list)

    @property
    def quiet_calendar(self) -> bool:
        """A calendar that reads without a problem but has nothing coming up (small groups, between seasons)."""
        return self.kind == CALENDAR and not self.items and not self.problems

    @property
    def usable(self) -> bool:
        return self.items > 0 or self.quiet_calendar

    def describe(self) -> str:
        """"RSS 2.0, 2 posts, newest 2024-09-23" — what the editor chooses by."""
        parts = [self.kind or "unknown"]
        if self.posts:
            parts.append(f"{self.posts} post{'s' if self.posts != 1 else ''}"
                         + (f", newest {self.newest.isoformat()}" if self.newest else ""))
        if self.events:
            parts.append(f"{self.events} event{'s' if self.events != 1 else ''}"
                         + (f", next {self.next_event.isoformat()}" if self.next_event else ""))
        if self.quiet_calendar:
            parts.append("0 upcoming events" + (f", last on {format_date(self.last_event, 'd MMMM y', locale='en')}"
                                                if self.last_event else ", none before either"))
        elif not self.items:
            parts.append("no items" + (f" ({self.problems[0]})" if self.problems else ""))
        return ", ".join(parts)


@dataclass
class Discovery:
    """Everything found for one page: its title, its platforms, what worked and what was tried."""

    url: str
    title: str = ""
    platforms: list[str] = field(default_factory=list)
    found: list[Candidate] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)


def discover(url: str, *, tz: ZoneInfo, window: tuple[datetime, datetime], summary_length: int = 280,
             limits: Limits = Limits()) -> Discovery:
    """Fetch the page, then every candidate address it suggests; raise DigestError when the page fails."""
    page = _fetch_one(url, limits)
    if page.status != "ok" or page.body is None:
        raise DigestError(f"{url}: {page.error or 'nothing came back'}")
    base = page.final_url or url
    found = Discovery(url=base)
    if detect(page.body) != "html":  # the address is itself a feed or calendar
        candidate = Candidate(base, "the address itself")
        fill(candidate, page.body, base, tz, window, summary_length)
        found.found.append(candidate)
        return found
    found.title = page_title(page.body, base)
    candidates = page_candidates(page.body, base, found)
    results = asyncio.run(fetch_all([Request(c.url, c.url) for c in candidates], limits=limits)) if candidates else {}
    bodies: set[str] = set()
    for candidate in candidates:
        result = results[candidate.url]
        if result.status != "ok" or result.body is None:
            found.tried.append(f"{candidate.url} ({candidate.how}): {result.error or 'nothing came back'}")
            continue
        digest_of_body = hashlib.sha256(result.body).hexdigest()
        if digest_of_body in bodies or detect(result.body) == "html":
            found.tried.append(f"{candidate.url} ({candidate.how}): "
                               + ("the same as one already found" if digest_of_body in bodies else "a web page, not a feed"))
            continue
        bodies.add(digest_of_body)
        candidate.url = result.moved_to or candidate.url  # moved for good: add where it lives now
        fill(candidate, result.body, result.final_url or candidate.url, tz, window, summary_length)
        if candidate.usable:
            found.found.append(candidate)
        else:
            found.tried.append(f"{candidate.url} ({candidate.how}): {candidate.describe()}")
    own = Candidate(base, "the page's own schema.org data")
    fill(own, page.body, base, tz, window, summary_length)
    if own.usable:
        found.found.append(own)
    else:
        found.tried.append(f"{base} (its schema.org data: JSON-LD, microdata, RDFa): no events or posts")
    return found


def page_candidates(body: bytes, base: str, found: Discovery) -> list[Candidate]:
    """The addresses worth trying, in the order the module docstring gives, each once."""
    text = body[:512 * 1024].decode("utf-8", "replace").lower().replace("'", '"')
    candidates: dict[str, Candidate] = {}

    def add(url: str | None, how: str) -> None:
        if url and is_web_url(url) and url not in candidates:
            candidates[url] = Candidate(url, how)

    feeds = [feed for feed in alternate_feeds(body, base) if "/comments/" not in feed]
    for feed in feeds:
        add(feed, "advertised by the page")
    host = urlsplit(base).netloc.lower()
    for platform in PLATFORMS:
        if any(sign in text for sign in platform.signs) or _hosted_on(platform, host):
            found.platforms.append(platform.name)
            for path in platform.paths:
                add(_platform_url(platform, base, path), f"{platform.name} feed address")
    calendars = calendar_links(body, base)
    for href in calendars:
        add(href, "calendar link on the page")
    if not feeds:
        found.tried.append("feeds the page advertises (<link rel=alternate>): it advertises none")
    if not found.platforms:
        found.tried.append(f"platform feed addresses: the page shows none of {', '.join(p.name for p in PLATFORMS)}")
    if not calendars:
        found.tried.append("calendar links (.ics, webcal:): the page has none")
    return list(candidates.values())


def _hosted_on(platform: Platform, host: str) -> bool:
    domains = {"Blogger": ".blogspot.com", "Substack": ".substack.com", "Medium": "medium.com", "Wix": ".wixsite.com"}
    domain = domains.get(platform.name)
    return domain is not None and (host.endswith(domain) or host == domain.lstrip("."))


def _platform_url(platform: Platform, base: str, path: str) -> str:
    """A platform's feed address for this page: "?…" paths go on the page, others on the site root.

    Medium's own site keeps a writer's feed at /feed/@writer (and a publication's at /feed/name).
    """
    parts = urlsplit(base)
    if path.startswith("?"):
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", path[1:], ""))
    if platform.name == "Medium" and parts.netloc.lower().endswith("medium.com"):
        first = parts.path.strip("/").split("/")[0]
        return urlunsplit((parts.scheme, parts.netloc, f"/feed/{first}" if first else "/feed", "", ""))
    return urlunsplit((parts.scheme, parts.netloc, path.split("?")[0], path.partition("?")[2], ""))


def calendar_links(body: bytes, base: str) -> list[str]:
    """Links on the page to calendars: .ics files, ?ical=1 exports and webcal: subscriptions (as https)."""
    doc = html_document(body)
    if doc is None:
        return []
    links: list[str] = []
    for anchor in doc.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not _ICS_HREF.search(href):
            continue
        if href.lower().startswith("webcal:"):
            href = "https:" + href[len("webcal:"):]
        url = absolute_url(href, base)
        if url and is_web_url(url) and url not in links:
            links.append(url)
    return links


ORGANISATIONS = frozenset({"Organization", "NGO", "GovernmentOrganization", "LocalBusiness", "Corporation",
                           "EducationalOrganization", "MedicalOrganization", "NonprofitOrganization"})


def page_title(body: bytes, url: str) -> str:
    """The member's name as the page gives it, for naming the source.

    The organisation its schema.org data describes (an Eventbrite organiser, a charity's
    Organization in its @graph), else og:site_name, else the <title>: a home page's starts with
    the site's name ("Hillside Carers – Carers supporting carers"), an inner page's ends with it
    ("Events – Riverside Mind").
    """
    from digest.collect.readers.page import json_ld_blocks

    for block in json_ld_blocks(body)[0]:
        graph = block.get("@graph") if isinstance(block, dict) else None
        for node in graph if isinstance(graph, list) else [block]:
            kind = node.get("@type") if isinstance(node, dict) else None
            kinds = set(kind if isinstance(kind, list) else [kind])
            if kinds & ORGANISATIONS and isinstance(node.get("name"), str) and node["name"].strip():
                return " ".join(node["name"].split())
    doc = html_document(body)
    if doc is None:
        return ""
    for meta in doc.iter("meta"):
        if (meta.get("property") or "").lower() == "og:site_name" and (meta.get("content") or "").strip():
            return " ".join(meta.get("content", "").split())
    title = " ".join((doc.findtext(".//title") or "").split())
    parts = [p.strip() for p in re.split(r"\s+[|–—·-]\s+|\s+:\s+", title) if p.strip()]
    if not parts:
        return ""
    return parts[0] if urlsplit(url).path in ("", "/") else parts[-1]


def fill(candidate: Candidate, body: bytes, base: str, tz: ZoneInfo, window: tuple[datetime, datetime],
          summary_length: int) -> None:
    """Read a fetched body as a build would, and note what it gave (`digest sources check` uses this too)."""
    result: ReadResult = read(body, source="new", base_url=base, summary_length=summary_length, tz=tz, window=window)
    posts = [i for i in result.items if isinstance(i, Post)]
    events = sorted((i for i in result.items if isinstance(i, Event)), key=lambda e: as_instant(e.start, tz))
    candidate.kind = result.format or detect(body)
    candidate.posts, candidate.events, candidate.items = len(posts), len(events), len(result.items)
    candidate.newest = max(p.published for p in posts).astimezone(tz).date() if posts else None
    upcoming = [e for e in events if as_instant(e.start, tz) >= window[0]]
    candidate.next_event = as_instant(upcoming[0].start, tz).date() if upcoming else None
    candidate.problems = [p for p in result.problems if not p.startswith("note:")]
    if candidate.quiet_calendar:  # when was it last used? read back over the years before the window
        past = read(body, source="new", base_url=base, summary_length=summary_length, tz=tz,
                    window=(window[0] - timedelta(days=LOOK_BACK_DAYS), window[0]))
        starts = [as_instant(e.start, tz) for e in past.items if isinstance(e, Event)]
        candidate.last_event = max(starts).date() if starts else None


def _fetch_one(url: str, limits: Limits) -> FetchResult:
    return asyncio.run(fetch_all([Request(url, url)], limits=limits))[url]


def window_from(day: date, tz: ZoneInfo, days_ahead: int = 365) -> tuple[datetime, datetime]:
    """The span a calendar is read over while looking: from `day` for a year, in the newsletter's timezone."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    return start, start + timedelta(days=days_ahead)
