"""Web pages as sources: the schema.org data a page carries (JSON-LD, microdata, RDFa), read with extruct.

Eventbrite organiser pages, The Events Calendar's list pages and many CMS themes describe
their events and articles for search engines even when they offer no feed. This reader turns
`Event`s (and its subtypes) into Events and `BlogPosting`/`NewsArticle`/`Article`s into Posts,
wherever they sit: at the top level, in an `@graph`, in an `ItemList`, or nested in an
`Organization`'s `event` list. What it yields goes through the same sanitising, ids, store and
dedup as any feed's items.

Event times without a UTC offset are read as the newsletter's timezone, and the report says
so. A cancelled event is left out (as a cancelled calendar event is), a postponed one is shown
with "Postponed:" before its name, and one moved online says "Online" as its place.
"""

from __future__ import annotations

import html as htmllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from digest.collect.normalize import RawEntry, RawEvent, Skip, normalize_event, normalize_post
from digest.collect.readers.bounds import MAX_ITEMS, MAX_JSON_DEPTH, TooDeep, keep_first, load_json
from digest.collect.readers.discover import alternate_feeds, html_document
from digest.collect.readers.spec import Head, ReadContext, Reader
from digest.model import Image, ReadResult, as_instant
from digest.sanitize import absolute_url, defuse_merge_tags, plain_text, text_to_html, trim_html
from digest.urls import is_web_url

SYNTAXES = ("json-ld", "microdata", "rdfa")
SCHEMA = ("http://schema.org/", "https://schema.org/")
EVENT_TYPES = frozenset({
    "Event", "BusinessEvent", "ChildrensEvent", "ComedyEvent", "CourseInstance", "DanceEvent", "DeliveryEvent",
    "EducationEvent", "EventSeries", "ExhibitionEvent", "Festival", "FoodEvent", "Hackathon", "LiteraryEvent",
    "MusicEvent", "PublicationEvent", "SaleEvent", "ScreeningEvent", "SocialEvent", "SportsEvent", "TheaterEvent",
    "VisualArtsEvent",
})
POST_TYPES = frozenset({
    "Article", "BlogPosting", "NewsArticle", "AnalysisNewsArticle", "ReportageNewsArticle", "LiveBlogPosting",
    "SocialMediaPosting", "Report", "ScholarlyArticle", "TechArticle",
})
MAX_DEPTH = 12  # schema.org data nests (Organization → event → location → address); hostile data may nest forever


def read_page(
    body: bytes,
    *,
    source: str,
    base_url: str | None,
    summary_length: int,
    tz: ZoneInfo,
    since: datetime | None = None,
) -> ReadResult:
    """The events and posts a page's structured data describes; a clear problem when it has none.

    At most MAX_ITEMS of them, chosen before any is sanitised (the newest posts, the events
    soonest from `since`, the window's start): a page may describe 30,000 events.
    """
    result = ReadResult(format="web page (schema.org)")
    nodes, failed = structured_data(body, base_url)
    floating: list[str] = []
    seen: set[str] = set()
    wanted = [node for node in nodes if _types(node) & (EVENT_TYPES | POST_TYPES)]
    if len(wanted) > MAX_ITEMS:
        wanted, note = keep_first(sorted(wanted, key=lambda node: _rank(node, since, tz)), MAX_ITEMS,
                                  title=lambda node: _text(node.get("name") or node.get("headline")),
                                  when=lambda node: _text(node.get("startDate") or node.get("datePublished"))[:10])
        result.problems.extend([note] if note else [])
    for node in wanted:
        if _types(node) & EVENT_TYPES:
            _add_event(result, node, source=source, base_url=base_url, tz=tz, floating=floating,
                       summary_length=summary_length, seen=seen)
        else:
            _add_post(result, node, source=source, base_url=base_url, tz=tz, floating=floating,
                      summary_length=summary_length, seen=seen)
    if result.items:  # else the no-data sentence below names them
        result.problems.extend(f"{what} and left out: tell the member's web person" for what in failed
                               if "levels deep" in what)
    if floating:
        result.problems.append(
            f"note: {len(floating)} dates on the page give no UTC offset and were read as {tz.key} time "
            f"(e.g. {floating[0]!r})")
    if not result.items and not result.skipped:
        result.problems.append(no_data_problem(body, base_url, failed))
    return result


def _rank(node: dict[str, Any], since: datetime | None, tz: ZoneInfo) -> tuple[int, float]:
    """Which nodes a page past MAX_ITEMS keeps: posts newest first, then events from `since` soonest
    first, then earlier events latest first, then whatever has no date digest can read."""
    is_event = bool(_types(node) & EVENT_TYPES)
    moment = _moment(node.get("startDate" if is_event else "datePublished"), tz, [])
    if moment is None:
        return 3, 0.0
    stamp = as_instant(moment, tz).timestamp()
    if not is_event:
        return 0, -stamp
    return (1, stamp) if since is None or stamp >= since.timestamp() else (2, -stamp)


def no_data_problem(body: bytes, base_url: str | None, failed: list[str]) -> str:
    """What to tell the editor about a page with nothing we can read, naming what was tried."""
    feeds = alternate_feeds(body, base_url)
    if feeds:
        return f"this address is a web page, not a feed: use this URL instead: {feeds[0]}"
    broken = f" ({', '.join(failed)} could not be read)" if failed else ""
    return ("this web page has no feed and no events or posts digest can read: tried the feeds it advertises "
            f"(<link rel=alternate>) and its schema.org data (JSON-LD, microdata, RDFa){broken} — "
            "run `digest sources add` on the member's home page, or ask the member for an RSS, Atom or iCalendar address")


def structured_data(body: bytes, base_url: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """Every schema.org node on the page, flattened, and the syntaxes that could not be read."""
    import extruct

    text = body.decode("utf-8", "replace")
    nodes: list[dict[str, Any]] = []
    failed: list[str] = []
    for syntax in SYNTAXES:
        try:
            found = extruct.extract(text, base_url=base_url, syntaxes=[syntax], uniform=True).get(syntax, [])
        except Exception:  # noqa: BLE001 - extruct's parsers raise anything on broken markup
            if syntax != "json-ld":
                failed.append(syntax)
                continue
            found, broken, deep = json_ld_blocks(body)  # one broken block must not hide the others
            failed.extend([f"{broken} JSON-LD block{'s' if broken > 1 else ''}"] if broken else [])
            failed.extend([f"{deep} JSON-LD block{'s' if deep > 1 else ''} nested more than {MAX_JSON_DEPTH} "
                           "levels deep"] if deep else [])
        if syntax == "rdfa":
            found = _compact_rdfa(found)
        for top in found:
            nodes.extend(_walk(top, 0))
    return nodes, failed


def json_ld_blocks(body: bytes) -> tuple[list[Any], int, int]:
    """Each JSON-LD block that parses, how many did not (extruct gives up at the first bad one), and how
    many nest deeper than MAX_JSON_DEPTH (left out, as Python's JSON reader would die of RecursionError)."""
    doc = html_document(body)
    if doc is None:
        return [], 0, 0
    found: list[Any] = []
    broken = deep = 0
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        try:
            data = load_json(script.text or "", strict=False)
        except TooDeep:
            deep += 1
            continue
        except ValueError:
            broken += 1
            continue
        found.extend(data if isinstance(data, list) else [data])
    return found, broken, deep


def _walk(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Each typed node in a JSON-LD value: inside @graph, ItemList elements and any nested value."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if _types(value) & (EVENT_TYPES | POST_TYPES):
        yield value
        children = [value.get("subEvent"), value.get("subEvents")]
    else:
        children = list(value.values())
    for child in children:
        yield from _walk(child, depth + 1)


def _compact_rdfa(nodes: list[Any]) -> list[dict[str, Any]]:
    """extruct's RDFa comes as expanded, flattened JSON-LD: short schema.org names, values, nodes inlined."""
    by_id = {n.get("@id"): n for n in nodes if isinstance(n, dict) and n.get("@id")}
    referenced: set[str] = set()

    def short(key: str) -> str:
        for prefix in SCHEMA:
            if key.startswith(prefix):
                return key[len(prefix):]
        return key

    def compact(node: dict[str, Any], depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, values in node.items():
            if key == "@type":
                out["@type"] = [short(t) for t in (values if isinstance(values, list) else [values])]
                continue
            if key.startswith("@"):
                out[key] = values
                continue
            items = []
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, dict) and "@value" in value:
                    items.append(value["@value"])
                elif isinstance(value, dict) and "@id" in value:
                    target = by_id.get(value["@id"])
                    referenced.add(value["@id"])
                    items.append(compact(target, depth + 1) if target and depth < MAX_DEPTH and target is not node
                                 else value["@id"])
                else:
                    items.append(value)
            out[short(key)] = items[0] if len(items) == 1 else items
        return out

    compacted = [compact(n, 0) for n in nodes if isinstance(n, dict)]
    return [c for c in compacted if c.get("@id") not in referenced]


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    names = kind if isinstance(kind, list) else [kind]
    return {str(n).rsplit("/", 1)[-1] for n in names if n}


def _text(value: Any) -> str:
    """A schema.org text value: a string, a number, the first of a list, or a node's name/@value."""
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    if isinstance(value, dict):
        return _text(value.get("@value") or value.get("name") or "")
    if isinstance(value, (str, int, float)):
        return str(value)
    return ""


def _url(value: Any, base: str | None) -> str | None:
    """A URL value: a string, or a node's url/@id (mainEntityOfPage, image objects)."""
    if isinstance(value, list):
        return next((u for u in (_url(v, base) for v in value) if u), None)
    if isinstance(value, dict):
        return _url(value.get("url") or value.get("contentUrl") or value.get("@id"), base)
    url = absolute_url(value, base) if isinstance(value, str) else None
    return url if url and is_web_url(url) else None


def _alt(image: Any) -> str:
    """An ImageObject's caption (or name) as alt text; a bare URL has none."""
    image = image[0] if isinstance(image, list) and image else image
    return _text(image.get("caption") or image.get("name")) if isinstance(image, dict) else ""


def _image(value: Any, base: str | None) -> Image | None:
    """An event's picture, http(s) only, its alt text cleaned like any feed text."""
    url = _url(value, base)
    return Image(url, defuse_merge_tags(plain_text(_alt(value)))) if url else None


def _moment(value: Any, tz: ZoneInfo, floating: list[str]) -> datetime | date | None:
    """An ISO 8601 date or date-time; one without an offset is in tz (and noted in `floating`)."""
    text = _text(value).strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            return date.fromisoformat(text[:10]) if len(text) == 10 else None
        except ValueError:
            return None
    if len(text) == 10:
        return moment.date()
    if moment.tzinfo is None:
        floating.append(text)
        return moment.replace(tzinfo=tz)
    return moment


def _location(node: dict[str, Any]) -> str:
    """Where: the place's name and address, "Online" for a VirtualLocation or online attendance."""
    places = node.get("location")
    parts: list[str] = []
    online = False
    for place in places if isinstance(places, list) else [places]:
        if isinstance(place, str):
            parts.append(place)
        elif isinstance(place, dict):
            if "VirtualLocation" in _types(place):
                online = True
                continue
            address = place.get("address")
            if isinstance(address, dict):
                address = ", ".join(_text(address.get(k)) for k in
                                    ("streetAddress", "addressLocality", "postalCode") if _text(address.get(k)))
            parts.extend(p for p in (_text(place.get("name")), _text(address)) if p and p not in parts)
    mode = _text(node.get("eventAttendanceMode")).rsplit("/", 1)[-1]
    status = _text(node.get("eventStatus")).rsplit("/", 1)[-1]
    if mode == "OnlineEventAttendanceMode" or status == "EventMovedOnline":
        online, parts = True, []
    elif mode == "MixedEventAttendanceMode":
        online = True
    place = ", ".join(plain_text(p) for p in parts if plain_text(p))
    if online:
        place = f"{place} and online" if place else "Online"
    return place  # cleaned and defused by normalize_event


def _add_event(result: ReadResult, node: dict[str, Any], *, source: str, base_url: str | None, tz: ZoneInfo,
               floating: list[str], summary_length: int, seen: set[str]) -> None:
    title = plain_text(_text(node.get("name")))
    status = _text(node.get("eventStatus")).rsplit("/", 1)[-1]
    start = _moment(node.get("startDate"), tz, floating)
    if status == "EventCancelled":
        result.problems.append(f"note: left out {title[:60]!r}: the page says it is cancelled")
        return
    if not title or start is None:
        result.skipped += 1
        why = "it has no name" if not title else "it has no start date (startDate) digest can read"
        result.problems.append(f"skipped {(title or 'an event')[:60]!r}: {why}")
        return
    end = _moment(node.get("endDate"), tz, floating)
    all_day = not isinstance(start, datetime)
    if all_day:
        # schema.org's endDate is the last day; the Event model's end is exclusive, as in iCalendar
        end = (end.date() if isinstance(end, datetime) else end or start) + timedelta(days=1)
    elif not isinstance(end, datetime) or end < start:
        end = None
    url = _url(node.get("url"), base_url)
    description = plain_text(_text(node.get("description")))
    event = normalize_event(RawEvent(
        title=f"Postponed: {title}" if status == "EventPostponed" else title,
        start=start, end=end, all_day=all_day, location=_location(node), url=url,
        summary_html=trim_html(text_to_html(description), summary_length) if description else "",
        uid=_text(node.get("@id")) or url or "", base=base_url,
    ), source=source)
    if event.id in seen:  # the same event in JSON-LD and microdata
        return
    seen.add(event.id)
    result.items.append(replace(event, image=_image(node.get("image"), base_url)))


def _add_post(result: ReadResult, node: dict[str, Any], *, source: str, base_url: str | None, tz: ZoneInfo,
              floating: list[str], summary_length: int, seen: set[str]) -> None:
    published, updated = (_moment(node.get(key), tz, floating) for key in ("datePublished", "dateModified"))
    keywords = node.get("keywords")
    categories = [k.strip() for k in keywords.split(",")] if isinstance(keywords, str) else \
        [_text(k) for k in keywords or [] if _text(k)] if isinstance(keywords, list) else []
    image = node.get("image")
    raw = RawEntry(
        title=_text(node.get("headline") or node.get("name")),
        title_is_html=True,
        link=_url(node.get("url") or node.get("mainEntityOfPage"), base_url),
        guid=_text(node.get("@id")) if str(node.get("@id", "")).startswith("http") else "",
        published=_as_datetime(published, tz),
        updated=_as_datetime(updated, tz),
        summary_html=htmllib.escape(_text(node.get("description"))),
        content_html=htmllib.escape(_text(node.get("articleBody"))),
        categories=categories + ([_text(node.get("articleSection"))] if _text(node.get("articleSection")) else []),
        image_url=_url(image, base_url),
        image_alt=_alt(image),
        base=base_url,
    )
    try:
        post = normalize_post(raw, source=source, summary_length=summary_length, undated=result.undated)
    except Skip as why:
        result.skipped += 1
        result.problems.append(f"skipped {(raw.title or 'an untitled article')[:60]!r}: {why}")
        return
    if post.id not in seen:
        seen.add(post.id)
        result.items.append(post)


def _as_datetime(moment: datetime | date | None, tz: ZoneInfo) -> datetime | None:
    if moment is None or isinstance(moment, datetime):
        return moment
    return datetime(moment.year, moment.month, moment.day, tzinfo=tz)


def _detects(head: Head) -> bool:
    """An HTML page, and not a feed that happens to mention <html>."""
    return (b"<html" in head.lower or b"<!doctype html" in head.lower) and not any(
        tag in head.lower for tag in (b"<rss", b"<feed", b"<rdf"))


def _read(body: bytes, ctx: ReadContext) -> ReadResult:
    return read_page(body, source=ctx.source, base_url=ctx.base_url, summary_length=ctx.summary_length, tz=ctx.tz,
                     since=ctx.window[0])


READER = Reader("html", _detects, _read)
