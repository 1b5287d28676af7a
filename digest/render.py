"""Render an edition: Jinja2 → MJML → mjml-python → premailer → email HTML, and the text twin.

Pitfalls handled here, each learnt the hard way:
- Jinja's select_autoescape does not know `.mjml`; autoescape is on for every template except
  the `.txt` twin, so feed text containing `</mj-text>` or `<script>` stays text.
- MRML adds a Google Fonts <link> unless `fonts` is given (we pass none), and `lang="und"`
  unless <mjml lang> is set.
- premailer downloads linked CSS unless allow_network=False, drops the doctype (put back),
  lets cssutils log warnings about MRML's CSS (silenced), and rewrites width/height attributes
  from the CSS (turned off: an image's fixed width="552" must survive for Outlook).

Each edition is rendered twice from the same sections: the email (UTM-tagged member links, the
email service's merge tags in the footer) and the web version (untagged, no merge tags, a link
to all editions instead), which the archive publishes.
"""

from __future__ import annotations

import html
import logging
import re

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable

import jinja2
import markupsafe
from markdown_it import MarkdownIt

from digest import cards, esp
from digest.calendar_links import Occurrence
from digest.colours import readable_on
from digest.config import DEFAULT_TEMPLATES, Button, Config
from digest.group import Filled
from digest.model import Event, Image, Post
from digest.sanitize import clean_html, safe_text
from digest.utm import tag_sections

LIGHT_BG, DARK_BG = "#ffffff", "#17151c"
DOCTYPE = "<!doctype html>\n"
# A published web version lives at archive/<date>/index.html: without [newsletter] url, its
# "view all editions" link is relative to that.
ARCHIVE_INDEX_FROM_EDITION = "../index.html"


@dataclass(frozen=True)
class Picture:
    """An item's picture as laid out: its box keeps the picture's true shape.

    thumb: a portrait, square or small picture, shown beside the text instead of across the
    column. height is None when the size was never read (an offline build, a draft's own
    picture): then only the width is stated and every client keeps the shape.
    """

    url: str
    alt: str
    width: int
    height: int | None
    thumb: bool
    href: str | None


@dataclass(frozen=True)
class EventView:
    """What an event card shows beyond the title: its dates, place and date badge."""

    occurrences: tuple[Occurrence, ...]
    where: str = ""
    where_url: str | None = None
    badge_month: str = ""
    badge_day: str = ""
    uid: str = ""


@dataclass(frozen=True)
class ItemView:
    """One item as the templates show it: everything already formatted and safe."""

    title: str
    url: str | None
    meta: str
    blurb_html: str
    source: str
    when: str
    location: str = ""
    image: Image | None = None
    id: str = ""
    member: str = ""  # the name readers know (the source's `member`, else its name)
    event: EventView | None = None
    action: str = ""  # the event button's words ("Book a place" / "Find out more")
    picture: Picture | None = None
    featured: bool = False
    google_url: str = ""
    outlook_url: str = ""
    ics_name: str = ""
    ics_url: str | None = None


@dataclass(frozen=True)
class SectionView:
    title: str
    kind: str
    items: list[ItemView] = field(default_factory=list)
    body_html: str = ""
    images: bool = False
    button: Button | None = None


@dataclass
class Rendered:
    """The outputs of an edition. The web version is rendered on first use: previews never need it.

    calendars: an .ics file per event card ("events/<name>.ics" → content), written beside
    web.html and published with it.
    """

    mjml: str
    html: str
    text: str
    make_web: Callable[[], str] = field(default=lambda: "", repr=False, compare=False)
    _web: str | None = field(default=None, repr=False, compare=False)
    make_calendars: Callable[[], dict[str, str]] = field(default=dict, repr=False, compare=False)
    _calendars: dict[str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def calendars(self) -> dict[str, str]:
        """The .ics files, made on first use: previews never need them."""
        if self._calendars is None:
            self._calendars = self.make_calendars()
        return self._calendars

    @property
    def web(self) -> str:
        """The web version: no merge tags, untagged links, a link to all editions."""
        if self._web is None:
            self._web = self.make_web()
        return self._web


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(["replacements", "smartquotes"])


def markdown(text: str) -> str:
    """Editorial Markdown (intro, text sections, footer) as sanitised HTML."""
    return clean_html(_markdown().render(text or "")) if text and text.strip() else ""


def member_names(config: Config) -> dict[str, str]:
    return {s.name: s.shown_as for s in config.sources}


def item_view(item: Post | Event, config: Config) -> ItemView:
    """Format one item for the templates in the newsletter's language and timezone."""
    from digest.dates import format_event_when, format_post_date

    tz, language = config.newsletter.tz, config.newsletter.language
    member = member_names(config).get(item.source, item.source)
    if isinstance(item, Event):
        when = format_event_when(item, tz, language)
        parts = [when, item.location, member]
        url = item.url or cards.first_link(item.summary_html)
        place, place_url = cards.where(item.location)
        month, day = cards.badge(item.start, tz, language)
        event = EventView((cards.occurrence(item),), place, place_url, month, day, item.uid)
        return ItemView(item.title, url, " · ".join(p for p in parts if p), item.summary_html, item.source, when,
                        item.location, item.image, item.id, member=member, event=event,
                        action=cards.action_text(url, item.summary_html))
    when = format_post_date(item.published, tz, language)
    return ItemView(item.title, item.url, f"{member} · {when}", item.summary_html, item.source, when,
                    image=item.image, id=item.id, member=member)


def section_views(filled: list[Filled], config: Config) -> list[SectionView]:
    return [
        SectionView(
            title=box.section.title,
            kind=box.section.kind,
            items=[item_view(i, config) for i in box.items],
            body_html=markdown(box.section.body) if box.section.kind == "text" else "",
            images=box.section.images,
        )
        for box in filled
    ]


# ---- laying out the sections: series, featured items, pictures, calendar links ----------------------

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
    from digest.text import short_link_text

    def swap(match: re.Match[str]) -> str:
        shown = html.unescape(re.sub(r"<[^>]*>", "", match.group(3))).strip()
        url = html.unescape(match.group(2))
        if re.match(r"(https?://|www\.|mailto:)", shown, re.I) or shown == url or "://" + shown in url:
            return match.group(1) + html.escape(short_link_text(url), quote=False) + match.group(4)
        return match.group(0)

    return _BARE_LINK.sub(swap, fragment) if "<a" in fragment else fragment


def lay_out(sections: list[SectionView], config: Config,
            edition: date) -> tuple[list[SectionView], dict[str, Callable[[], str]]]:
    """Series merged, featured items marked, pictures shaped, calendar links made (and .ics files, to make)."""
    by_title = {(s.title, s.kind): s for s in config.sections}
    tz, language = config.newsletter.tz, config.newsletter.language
    home = archive_home(config)
    calendars: dict[str, Callable[[], str]] = {}
    out = []
    for view in sections:
        section = by_title.get((view.title, view.kind))
        feature = section.feature if section else 0
        items = cards.merge_series(view.items, tz, language) if view.kind == "events" else view.items
        laid = []
        for index, item in enumerate(items):
            featured = index < feature
            shown = item.image if view.images and item.image else None
            item = replace(item, blurb_html=readable_links(item.blurb_html), featured=featured,
                           picture=picture(shown, item.url, featured=featured, title=item.title) if shown else None)
            if item.event is not None:
                item = _with_calendar(item, edition, home, calendars)
            laid.append(item)
        out.append(replace(view, items=laid, button=section.button if section else view.button,
                           body_html=readable_links(view.body_html)))
    return out, calendars


def _with_calendar(item: ItemView, edition: date, home: str | None,
                   calendars: dict[str, Callable[[], str]]) -> ItemView:
    from digest.calendar_links import google_link, ics_file, ics_name, outlook_link

    assert item.event is not None
    dates = item.event.occurrences
    place = item.location
    details = ""  # the event's page is in the .ics; in the links it would cost ~150 bytes a card
    links = replace(item, google_url=google_link(item.title, dates[0], place=place, details=details),
                    outlook_url=outlook_link(item.title, dates[0], place=place, details=details))
    if not home:
        return links  # an .ics file needs a public address to be linked from an email
    name = f"{CALENDAR_FOLDER}/{ics_name(item.title, dates[0].start)}"
    if name in calendars:
        name = name.removesuffix(".ics") + f"-{len(calendars)}.ics"
    stamp = datetime.combine(edition, datetime.min.time(), tzinfo=timezone.utc)
    calendars[name] = partial(ics_file, item.title, list(dates), place=place, url=item.url,
                              uid=item.event.uid or item.id, stamp=stamp)
    return replace(links, ics_name=name, ics_url=f"{home}{edition.isoformat()}/{name}")


CALENDAR_FOLDER = "events"  # the .ics files' folder beside web.html (and in archive/<date>/)


@lru_cache(maxsize=8)
def environment(templates: Path) -> jinja2.Environment:
    """Templates from the theme folder; autoescaping on for everything but plain text.

    One environment per theme folder, so a template is compiled once per process (compiling the
    theme took ~100 ms a render); Jinja checks the files' times and recompiles one that changed.
    """
    env = jinja2.Environment(
        # a theme copied before a template was added still finds it in the default theme
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates)), jinja2.FileSystemLoader(str(DEFAULT_TEMPLATES))]),
        autoescape=lambda name: not (name or "").endswith(".txt.j2"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    from digest.text import html_to_text, wrap

    env.filters["wrap"] = wrap
    env.filters["html_to_text"] = html_to_text
    return env


def _finalize(value: Any) -> Any:
    """Every {{ value }} a template writes: plain text (names, the address, titles, whatever its origin)
    loses control characters and has its merge-tag look-alikes defused; Markup (sanitised or
    the editor's own Markdown) is written as it is."""
    return safe_text(value) if isinstance(value, str) and not isinstance(value, markupsafe.Markup) else value


def context(config: Config, edition: date, sections: list[SectionView], *, intro: str | None = None,
            web: bool = False, **extra: Any) -> dict[str, Any]:
    """What every template sees. `intro` replaces the configured one (a draft's); `web` is the web version."""
    n = config.newsletter
    intro = n.intro if intro is None else intro
    chosen = None if web else esp.preset(n.esp)
    text_view, text_unsubscribe = chosen.text_tags if chosen else ("", "")
    intro_html = markdown(intro)
    home = archive_home(config)
    web_page = f"{home}{edition.isoformat()}/" if home else None
    preheader = " ".join(n.preheader.split()) or preheader_text(intro_html) or n.title
    return {
        "newsletter": n,
        "title": n.title,
        "network": n.network or n.title,
        "language": n.language,
        "edition_date": edition.isoformat(),
        "edition_label": edition_label(edition, n.language, n.edition_label),
        "intro_html": intro_html,
        "intro_button": n.button,
        "footer_html": markdown(n.footer),
        "intro_text": markupsafe.Markup(intro.strip()),  # the editor's own Markdown, as in the HTML
        "footer_text": markupsafe.Markup(n.footer.strip()),
        "preheader": preheader,
        "preheader_pad": markupsafe.Markup(PREHEADER_PAD * max(0, PREHEADER_FILL - len(preheader))),
        "sections": [s for s in sections if s.items or s.body_html],
        "accent": readable_on(n.accent, LIGHT_BG),
        "accent_dark": readable_on(n.accent, DARK_BG, minimum=DARK_LINK_CONTRAST),
        "logo": n.logo,
        "why_html": markdown(n.why),
        "address_lines": [line.strip() for line in n.address.splitlines() if line.strip()],
        "web": web,
        "archive_url": home or ARCHIVE_INDEX_FROM_EDITION,
        "unsubscribe_url": esp.UNSUBSCRIBE_PLACEHOLDER if chosen else None,
        "view_online_url": esp.VIEW_ONLINE_PLACEHOLDER if chosen else web_page,
        "unsubscribe_text": markupsafe.Markup(text_unsubscribe),  # the one merge tag meant to be live
        "view_online_text": markupsafe.Markup(text_view) if text_view else (web_page or ""),
        **extra,
    }


# The inbox shows the preheader and then whatever text follows it; these invisible characters
# (combining grapheme joiner, zero-width non-joiner, no-break space) fill the rest of the line.
PREHEADER_PAD, PREHEADER_FILL, PREHEADER_WORDS = "\u034f\u200c\u00a0", 110, 24
DARK_LINK_CONTRAST = 5.5  # links in dark mode, with margin over WCAG's 4.5:1


def preheader_text(intro_html: str) -> str:
    """The intro as a reader sees it (Markdown rendered, links as their words), cut at a word."""
    from lxml import html as lxml_html

    if not intro_html:
        return ""
    words = lxml_html.fragment_fromstring(intro_html, create_parent="div").text_content().split()
    return " ".join(words[:PREHEADER_WORDS]) + ("…" if len(words) > PREHEADER_WORDS else "")


def edition_label(edition: date, language: str, pattern: str = "") -> str:
    """"October 2024" (the language's month and year), or the edition's date in a Babel pattern."""
    from babel.dates import format_date, format_skeleton

    from digest.dates import babel_locale

    locale = babel_locale(language)
    return format_date(edition, pattern, locale=locale) if pattern else format_skeleton("yMMMM", edition, locale=locale)


def archive_home(config: Config) -> str | None:
    """The public address of the archive ([newsletter] url, ending in /), if the config gives one."""
    url = config.newsletter.url
    return None if not url else url if url.endswith("/") else url + "/"


_EMAIL_WRAPPER = re.compile(r'(<div aria-label="[^"]*" aria-roledescription="email"[^>]*role="article"[^>]*>)(.*)(</body>)', re.S)


def _main_landmark(compiled: str) -> str:
    """Put MRML's role="article" email wrapper inside a main landmark.

    Opened as a web page (the web version, a browser preview) the email then has one main
    landmark holding all its content (axe: landmark-one-main, region); inside a mail client
    the article with aria-roledescription="email" is still what a screen reader announces.
    """
    return _EMAIL_WRAPPER.sub(r'<div role="main">\1\2</div>\3', compiled, count=1)


def mjml_to_html(mjml_source: str) -> str:
    """Compile MJML with MRML (no web fonts), inline CSS with premailer (no network)."""
    from mjml import mjml2html
    from premailer import Premailer

    compiled = _main_landmark(mjml2html(mjml_source, fonts={}, disable_comments=True))
    inlined = Premailer(
        compiled,
        allow_network=False,
        cssutils_logging_level=logging.CRITICAL,
        disable_validation=True,
        remove_classes=False,
        strip_important=False,
        keep_style_tags=False,
        # MRML writes the width/height attributes it means; premailer would overwrite them from the CSS
        # (an img's width:100% became width="100%", which Outlook takes as the picture's full size)
        disable_basic_attributes=["width", "height"],
    ).transform(pretty_print=False)
    inlined = re.sub(r"^\s*<!doctype[^>]*>\s*", "", inlined, flags=re.I)
    return DOCTYPE + inlined


def render(config: Config, edition: date, filled: list[Filled], **extra: Any) -> Rendered:
    """The outputs of an edition, byte-identical for the same inputs."""
    return render_views(config, edition, section_views(filled, config), **extra)


def render_views(config: Config, edition: date, sections: list[SectionView], *, intro: str | None = None,
                 **extra: Any) -> Rendered:
    """Render sections already formatted (from a grouping or from an editor's draft)."""
    env = environment(config.templates_dir)
    template = env.get_template("newsletter.mjml.j2")
    laid, calendars = lay_out(sections, config, edition)
    ctx = context(config, edition, tag_sections(laid, config.newsletter.utm, edition), intro=intro, **extra)
    mjml_source = template.render(ctx)
    html = esp.fill_html(mjml_to_html(mjml_source), esp.preset(config.newsletter.esp))
    text = env.get_template("newsletter.txt.j2").render(ctx)

    def make_web() -> str:
        return mjml_to_html(template.render(context(config, edition, laid, intro=intro, web=True, **extra)))

    return Rendered(mjml=mjml_source, html=html, text=text, make_web=make_web,
                    make_calendars=lambda: {name: make() for name, make in calendars.items()})
