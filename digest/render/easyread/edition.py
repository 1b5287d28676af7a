"""The Easy Read edition: the same items as the newsletter, told in short lines beside a picture.

Easy Read is how self-advocacy groups publish: large type, one sentence a line, a picture
beside each idea, short words, and links as big buttons rather than addresses. Each item says:
  posts   its Easy Read text (the draft's `easy:` block), else its title and its first sentence;
  events  What / When ("Tuesday 8 October", "2pm to 3:30pm") / Where / How to join / Who to ask.
The picture is the item's own, else a plain icon of its kind (templates/icons/: event, news,
online, in person). Mail clients need absolute addresses for pictures, so the icons are
referenced under [newsletter] url (`<url>icons/news.png`), and a build writes the icons/ folder
beside its outputs for the network to publish there. Without a url the addresses are relative
(icons/news.png): right for the build folder and the preview, dead in an inbox, so the build
warns (and `digest check` reports them). Inlining them as data: URIs in the email was tried and
dropped: Gmail shows none, and thirty items' icons put the email over Gmail's 102 KB clip; only
the preview, which a browser shows, inlines them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from digest import esp
from digest.check import GMAIL_CLIP, Finding
from digest.config.keys import DEFAULT_TEMPLATES, Config
from digest.dates import _time_range, babel_locale, format_day, format_time
from digest.i18n import gettext_for
from digest.model import as_instant
from digest.render.calendar import Occurrence
from digest.render.easyread.items import EasyItem, EasySection, Picture
from digest.render.easyread.readability import check_easy_read, shown_path
from digest.render.email import archive_home, context, mjml_to_html, theme
from digest.render.outputs import Rendered
from digest.render.utm import tag_sections
from digest.render.views import ItemView, SectionView, markdown
from digest.text import html_to_text

ICONS = ("event", "news", "online", "in-person")
ICON_FOLDER = "icons"
NO_ICON_URL = ("Easy Read: [newsletter] url is not set, so the icons' addresses are relative and inboxes will "
               "not show them: set url, and publish the build's icons/ folder there")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9À-Ý])")
_ONLINE = re.compile(r"https?://|\b(online|zoom|teams|google meet|meet\.google|webinar|virtual)\b", re.I)
_URL = re.compile(r"https?://\S+")


def sentences(text: str) -> list[str]:
    """Text as sentences, one per entry: each line of the editor's text, split where a sentence ends."""
    out: list[str] = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line:
            out += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return out


def _plain(html: str, *, first: bool = False) -> str:
    """A fragment's words (the first paragraph only, if `first`) without links' addresses:
    Easy Read never shows a bare URL."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", html_to_text(html, 10_000))
    paragraphs = [p for p in re.split(r"\n\s*\n", _URL.sub("", text)) if p.strip()]
    return "\n".join(" ".join(p.split()) for p in (paragraphs[:1] if first else paragraphs))


def _clock(moment: datetime, language: str) -> str:
    """"2pm", "3:30pm" in English Easy Read style; the locale's short time elsewhere ("14:00").

    Ranges in other languages use CLDR's interval pattern ("14:00–15:30") rather than a
    translated "to", which no checked catalog has yet."""
    if babel_locale(language).language != "en":
        return format_time(moment, language)
    hour = moment.hour % 12 or 12
    return f"{hour}{moment.strftime(':%M') if moment.minute else ''}{'am' if moment.hour < 12 else 'pm'}"


def event_when(event: Occurrence, said: str, config: Config, _: Callable[..., str]) -> tuple[str, str]:
    """(day, hours) of an event: ("Tuesday 8 October 2024", "2pm to 3:30pm"); several days in one line.

    `said` is how the item's card says when it is (ItemView.when: dates.format_event_when), which
    is the day line of an all-day event and the one line of an event over several days.
    """
    tz, language = config.newsletter.tz, config.newsletter.language
    if not isinstance(event.start, datetime):
        return said, _("All day")
    start = as_instant(event.start, tz).astimezone(tz)
    end = as_instant(event.end, tz).astimezone(tz) if isinstance(event.end, datetime) else None
    if end is not None and end.date() != start.date():
        return said, ""
    if end is None or end <= start:
        return format_day(start.date(), language), _clock(start, language)
    if babel_locale(language).language != "en":
        return format_day(start.date(), language), _time_range(start.time(), end.time(), language)  # CLDR's "14:00–15:30"
    return format_day(start.date(), language), _("%(start)s to %(end)s", start=_clock(start, language),
                                                   end=_clock(end, language))


def picture(view: ItemView, icon_url: Callable[[str], str], _: Callable[..., str]) -> Picture:
    """The item's own picture (alt text: its own, else its title), or the icon of its kind."""
    if view.image is not None:
        return Picture(view.image.url, view.image.alt or view.title)
    kind = _kind(view)
    alt = {"event": _("Event"), "news": _("News"), "online": _("Online"), "in-person": _("In person")}[kind]
    return Picture(icon_url(kind), alt, kind)


def _kind(view: ItemView) -> str:
    if view.event is None:
        return "news"
    if _is_online(view):
        return "online"
    return "in-person" if view.location else "event"


def _is_online(view: ItemView) -> bool:
    return bool(_ONLINE.search(view.location))


def easy_item(view: ItemView, config: Config, icon_url: Callable[[str], str], _: Callable[..., str]) -> EasyItem:
    """One item in Easy Read: the editor's text, else the title and the first sentence of its blurb."""
    first = sentences(_plain(view.blurb_html, first=True))[:1]
    lines = sentences(view.easy) if view.easy.strip() else first
    base: dict[str, Any] = dict(title=view.title, lines=lines, picture=picture(view, icon_url, _), url=view.url,
                                kind="post", ask=view.member or view.source, line=view.line,
                                own_text=bool(view.easy.strip()))
    if view.event is None:
        return EasyItem(**base)
    dates = view.event.occurrences
    day, hours = event_when(dates[0], view.when, config, _) if len(dates) == 1 else (view.when, "")  # a series: "Every Monday…"
    online = _is_online(view)
    meeting = _URL.search(view.location)
    where = _("Online") if online and (meeting or not view.location) else _URL.sub("", view.location).strip(" ,·")
    return EasyItem(**{**base, "kind": "event"}, day=day, hours=hours, where=where, online=online,
                    join_url=meeting.group(0) if meeting else view.url)


def easy_sections(views: list[SectionView], config: Config, icon_url: Callable[[str], str],
                  _: Callable[..., str]) -> list[EasySection]:
    out = []
    for s in views:
        if s.kind == "text":
            lines = sentences(_plain(s.body_html))
            if lines:
                out.append(EasySection(s.title, s.kind, lines=lines))
        elif s.items:
            out.append(EasySection(s.title, s.kind, [easy_item(i, config, icon_url, _) for i in s.items]))
    return out


def icon_png(kind: str) -> bytes:
    """An icon's PNG, from the default theme (package data)."""
    return (DEFAULT_TEMPLATES / ICON_FOLDER / f"{kind}.png").read_bytes()


def icon_files() -> dict[str, bytes]:
    """What a build writes beside its outputs, for the network to publish under [newsletter] url."""
    return {f"{ICON_FOLDER}/{kind}.png": icon_png(kind) for kind in ICONS}


def icon_urls(config: Config) -> Callable[[str], str]:
    """Absolute icon addresses under [newsletter] url; without one, icons/<kind>.png beside the
    Easy Read file (see the module's note)."""
    home = archive_home(config) or ""
    return lambda kind: f"{home}{ICON_FOLDER}/{kind}.png"


def inline_icon(kind: str) -> str:
    """An icon as a data: URI: for the preview in a browser only (Gmail shows none, see the module's note)."""
    return "data:image/png;base64," + base64.b64encode(icon_png(kind)).decode("ascii")


def render_easy_read(config: Config, edition: date, rendered: Rendered,
                     icon_url: Callable[[str], str] | None = None) -> Rendered:
    """The Easy Read email and text of an edition already rendered (the same items, in the same order)."""
    env = theme(config)
    _ = gettext_for(config.newsletter.language, config.newsletter.words)
    views = tag_sections(rendered.views, config.newsletter.utm, edition)
    sections = easy_sections(views, config, icon_url or icon_urls(config), _)
    intro = config.newsletter.intro if rendered.intro is None else rendered.intro
    ctx = context(config, edition, views, intro=rendered.intro, easy_sections=sections,
                  intro_lines=sentences(_plain(markdown(intro))))
    mjml_source = env.get_template("easyread.mjml.j2").render(ctx)
    html = esp.fill_html(mjml_to_html(mjml_source), esp.preset(config.newsletter.esp))
    return Rendered(mjml=mjml_source, html=html, text=env.get_template("easyread.txt.j2").render(ctx),
                    _views=rendered.views, intro=rendered.intro)


def edition_findings(config: Config, rendered: Rendered, draft: Path | None = None) -> list[Finding]:
    """`digest check --easy-read`: the readability warnings for an edition as built (from its draft, if any)."""
    n = config.newsletter
    sections = easy_sections(rendered.views, config, icon_urls(config), gettext_for(n.language, n.words))
    return check_easy_read(sections, n.language, shown_path(config, draft))


def easy_read_outputs(config: Config, edition: date, rendered: Rendered,
                      draft: Path | None = None) -> tuple[dict[str, str | bytes], list[str]]:
    """What `digest build --easy-read` adds to a build: easy-read.html, easy-read.txt and icons/, and
    the warnings for its report (readability, a missing [newsletter] url, Gmail's clip)."""
    easy = render_easy_read(config, edition, rendered)
    warnings = [f.message for f in edition_findings(config, rendered, draft)]
    if archive_home(config) is None:
        warnings.append(NO_ICON_URL)
    if (size := len(easy.html.encode("utf-8"))) > GMAIL_CLIP:
        warnings.append(f"easy-read.html is {size / 1024:.1f} KB: Gmail clips emails over 102 KB — Easy Read "
                        "editions are best short: lower the sections' limit or send fewer items")
    files: dict[str, str | bytes] = {"easy-read.html": easy.html, "easy-read.txt": easy.text,
                                     "easy-read.mjml": easy.mjml, **icon_files()}
    return files, warnings
