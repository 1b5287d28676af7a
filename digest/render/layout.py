"""Laying out the sections for the theme: series as one card, featured items, pictures in their
shape, readable link text, and each event's calendar links and .ics file."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial

from digest.config.keys import Config
from digest.i18n import gettext_for
from digest.model import Image
from digest.render import cards
from digest.render.calendar import google_link, ics_file, ics_name, outlook_link, slug
from digest.render.series import merge_series
from digest.render.views import ItemView, Picture, SectionView
from digest.text import short_link_text

FULL_WIDTH = 552  # the column inside the 600 px body's 24 px margins
THUMB_WIDTH, THUMB_MAX_HEIGHT = 120, 180


def picture(image: Image, href: str | None, *, featured: bool, title: str = "") -> Picture:
    """The picture's box: across the column when it is landscape and large enough, else a thumbnail.

    A linked picture without a description of its own is named by where it leads (the item's
    title), as WCAG asks of a picture that is a link.
    """
    w, h = image.width, image.height
    alt = image.alt or (title if href else "")
    if not (w and h):
        return Picture(image.url, alt, FULL_WIDTH, None, False, href)
    if w >= h * 1.2 and w >= FULL_WIDTH * 0.8:
        return Picture(image.url, alt, FULL_WIDTH, round(FULL_WIDTH * h / w), False, href)
    scale = 3 if featured else 2  # a featured item's thumbnail is half as big again
    width, tallest = min(THUMB_WIDTH * scale // 2, w), THUMB_MAX_HEIGHT * scale // 2
    height = round(width * h / w)
    if height > tallest:
        width, height = max(1, round(tallest * w / h)), tallest
    return Picture(image.url, alt, width, height, True, href)


_BARE_LINK = re.compile(r'(<a\b[^>]*\bhref="([^"]+)"[^>]*>)(.*?)(</a>)', re.S)


def readable_links(fragment: str) -> str:
    """Bare URLs as link text become the host and path (the href is kept whole)."""
    def swap(match: re.Match[str]) -> str:
        shown = html.unescape(re.sub(r"<[^>]*>", "", match.group(3))).strip()
        url = html.unescape(match.group(2))
        if re.match(r"(https?://|www\.|mailto:)", shown, re.I) or shown == url or "://" + shown in url:
            return match.group(1) + html.escape(short_link_text(url), quote=False) + match.group(4)
        return match.group(0)

    return _BARE_LINK.sub(swap, fragment) if "<a" in fragment else fragment


def lay_out(sections: list[SectionView], config: Config, edition: date,
            home: str | None) -> tuple[list[SectionView], dict[str, Callable[[], str]]]:
    """Series merged, featured items marked, pictures shaped, calendar links made (and .ics files, to make);
    each section and event given the id that links reach it by."""
    calendars: dict[str, Callable[[], str]] = {}
    names: set[str] = set()
    out = []
    _ = gettext_for(config.newsletter.language, config.newsletter.words)  # a series' "Every Wednesday"
    for view in sections:
        items, rest = (_lay_items(items, view, config, edition, home, calendars, names, _)
                       for items in (view.items, view.rest))
        out.append(replace(view, items=items, rest=rest, body_html=readable_links(view.body_html),
                           anchor=_unique(f"s-{slug(view.title)}", names)))
    return out, calendars


def _lay_items(items: list[ItemView], view: SectionView, config: Config, edition: date, home: str | None,
               calendars: dict[str, Callable[[], str]], names: set[str], _: Callable[..., str]) -> list[ItemView]:
    tz, language = config.newsletter.tz, config.newsletter.language
    laid = []
    for index, item in enumerate(merge_series(items, tz, language, _) if view.kind == "events" else items):
        featured = index < view.feature
        shown = item.image if view.images and item.image else None
        item = replace(item, blurb_html=readable_links(item.blurb_html), featured=featured,
                       picture=picture(shown, item.url, featured=featured, title=item.title) if shown else None)
        if item.event is not None:
            item = _with_calendar(item, config, edition, home, calendars, names)
        laid.append(item)
    return laid


def _unique(name: str, names: set[str]) -> str:
    """`name`, or name-2, name-3…: ids and file names are unique in an edition."""
    found, n = name, 1
    while found in names:
        n += 1
        found = f"{name}-{n}"
    names.add(found)
    return found


def _with_calendar(item: ItemView, config: Config, edition: date, home: str | None,
                   calendars: dict[str, Callable[[], str]], names: set[str]) -> ItemView:
    """Each way to add the event: Google (every date), Outlook.com (a link a date), the .ics (every date);
    and the one link the email shows, to the web version's card (the choice) or, without one, to Google."""
    assert item.event is not None
    tz, language = config.newsletter.tz, config.newsletter.language
    dates, place = item.event.occurrences, item.location
    stem = _unique(ics_name(item.title, dates[0].start).removesuffix(".ics"), names)
    google = google_link(item.title, dates, tz, place=place)  # the event's page is in the .ics, not the links
    outlook = tuple((cards.short_day(when.start, tz, language)[1], outlook_link(item.title, when, place=place))
                    for when in dates)
    first = cards.local_day(dates[0].start, tz)
    anchor = _unique(f"e-{slug(item.title, 'event')[:20].rstrip('-')}-{first:%m%d}", names)  # short: the email links it
    laid = replace(item, google_url=google, outlook_url=outlook[0][1], outlook_dates=outlook, anchor=anchor,
                   short_when=item.event.clock if len(dates) == 1 and item.event.clock else item.when,
                   calendar_url=google, text_calendar_url="" if item.url else google)
    if not home:
        return laid  # an .ics file and the web version's card need a public address to be linked from an email
    name = f"{CALENDAR_FOLDER}/{stem}.ics"
    stamp = datetime.combine(edition, datetime.min.time(), tzinfo=UTC)
    calendars[name] = partial(ics_file, item.title, list(dates), place=place, url=item.url,
                              uid=item.event.uid or item.id, stamp=stamp)
    card = f"{home}{edition.isoformat()}/#{laid.anchor}"
    return replace(laid, ics_name=name, ics_url=f"{home}{edition.isoformat()}/{name}", calendar_url=card,
                   text_calendar_url=card)


CALENDAR_FOLDER = "events"  # the .ics files' folder beside web.html (and in archive/<date>/)
