"""The Easy Read edition: a short selection, in the editor's easy words, a picture beside each idea.

Easy Read is how self-advocacy groups publish (Mencap, Inclusion Europe, the DH 2010 guide): large
type, one idea a sentence and one sentence a line, a picture on the left of each point and the
words on the right, hard words explained, links as big buttons rather than addresses, short. So:
  which items  the editor's choice (select.py): none of the posts and the next few events until
               the editor ticks others at the desk; series folded; nothing a member wrote unless chosen
  each item    the editor's easy title and sentences (the draft's `easy:` block); events add their
               facts from the data (facts.py): When / Where / How to join / Who to ask
  hard words   the network's [[glossary]]: each explained the first time it is used (glossary.py)
  text sections  as written, one sentence a line, their links and button kept
The picture is the item's own when its section shows pictures and its size is known, else a plain
icon of its kind (templates/icons/: event, news, online, in person), each in its true shape. Mail
clients need absolute addresses for pictures, so the icons are referenced under [newsletter] url
(`<url>icons/news.png`), and a build writes the icons/ folder beside its outputs for the network
to publish there. Without a url the addresses are relative (icons/news.png): right for the build
folder and the preview, dead in an inbox, so the build warns. Inlining them as data: URIs in the
email was tried and dropped: Gmail shows none; only the preview, which a browser shows, inlines them.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import markupsafe

from digest import esp
from digest.check import GMAIL_CLIP, Finding
from digest.config.keys import DEFAULT_TEMPLATES, Config
from digest.i18n import gettext_for
from digest.render.easyread import facts
from digest.render.easyread.glossary import Explainer
from digest.render.easyread.items import EasyItem, EasySection, Picture
from digest.render.easyread.readability import check_easy_read, shown_path
from digest.render.easyread.select import chosen_sections
from digest.render.email import archive_home, context, mjml_to_html, theme
from digest.render.layout import readable_links
from digest.render.outputs import Rendered
from digest.render.utm import tag_sections
from digest.render.views import ItemView, SectionView
from digest.text import html_to_text

ICONS = ("event", "news", "online", "in-person")
ICON_FOLDER = "icons"
ICON_WIDTH, PICTURE_WIDTH, PICTURE_TALLEST = 80, 96, 144
NO_ICON_URL = ("Easy Read: [newsletter] url is not set, so the icons' addresses are relative and inboxes will "
               "not show them: set url, and publish the build's icons/ folder there")
NOTHING_CHOSEN = ("Easy Read: no item is chosen, so the Easy Read edition has only its text sections: tick items "
                  "in the desk's Easy Read tab, or add an \"easy:\" line to an item in the draft")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9À-Ý])")
_HTML_SENTENCE_END = re.compile(r"([.!?…][\"'”’)]*)\s+(?=[\"'“‘(]*[A-Z0-9À-Ý])")
_URL = re.compile(r"https?://\S+")


def sentences(text: str) -> list[str]:
    """Text as sentences, one per entry: each line of the editor's text, split where a sentence ends."""
    out: list[str] = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line:
            out += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return out


def _plain(html: str) -> str:
    """A fragment's words without links' addresses: Easy Read never shows a bare URL."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", html_to_text(html, 10_000))
    paragraphs = [p for p in re.split(r"\n\s*\n", _URL.sub("", text)) if p.strip()]
    return "\n".join(" ".join(p.split()) for p in paragraphs)


def one_sentence_a_line(fragment: str) -> markupsafe.Markup:
    """Sanitised HTML with a line break after each sentence, its links kept (bare addresses made readable)."""
    html = readable_links(fragment)
    return markupsafe.Markup(re.sub(r">([^<]+)<", lambda m: ">" + _HTML_SENTENCE_END.sub(r"\1<br>", m.group(1)) + "<",
                                    html))


@cache
def icon_png(kind: str) -> bytes:
    """An icon's PNG, from the default theme (package data)."""
    return (DEFAULT_TEMPLATES / ICON_FOLDER / f"{kind}.png").read_bytes()


@cache
def _icon_size(kind: str) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(icon_png(kind))) as image:
        return image.size


def picture(view: ItemView, images: bool, icon_url: Callable[[str], str], _: Callable[..., str]) -> Picture:
    """The item's own picture, in its shape, when its section shows pictures and its size is known; else its kind's icon."""
    own = view.image
    if images and own is not None and own.width and own.height:
        width, height = PICTURE_WIDTH, round(PICTURE_WIDTH * own.height / own.width)
        if height > PICTURE_TALLEST:
            width, height = max(1, round(PICTURE_TALLEST * own.width / own.height)), PICTURE_TALLEST
        return Picture(own.url, own.alt or view.title, width, height)
    kind = "news" if view.event is None else "online" if facts.is_online(view) else "in-person" if view.location else "event"
    alt = {"event": _("Event"), "news": _("News"), "online": _("Online"), "in-person": _("In person")}[kind]
    w, h = _icon_size(kind)
    return Picture(icon_url(kind), alt, ICON_WIDTH, round(ICON_WIDTH * h / w), kind)


def easy_item(view: ItemView, images: bool, config: Config, icon_url: Callable[[str], str], _: Callable[..., str],
              explain: Explainer) -> EasyItem:
    """One chosen item: the editor's easy title (else its title) and sentences; an event's facts from the data."""
    title, lines = view.easy_title or view.title, sentences(view.easy)
    base: dict[str, Any] = dict(title=title, lines=lines, picture=picture(view, images, icon_url, _), url=view.url,
                                kind="post", line=view.line, own_text=bool(view.easy.strip() or view.easy_title),
                                meanings=explain.first_used_in(title, *lines))
    if view.event is None:
        return EasyItem(**base, action=_("More information") if view.url else "", action_url=view.url)
    day, hours = facts.when(view, config, _)
    action, action_url = facts.how_to_join(view, _)
    return EasyItem(**{**base, "kind": "event"}, day=day, hours=hours, where=facts.where(view, _), action=action,
                    action_url=action_url, ask=facts.who_to_ask(view, config))


def easy_sections(views: list[SectionView], config: Config, icon_url: Callable[[str], str], _: Callable[..., str],
                  *, default: bool = False, explain: Explainer | None = None) -> list[EasySection]:
    """The edition's sections in Easy Read: the chosen items (the `default` choice without a draft) and the text sections."""
    n = config.newsletter
    explain = explain or Explainer(config.glossary, sentences)
    out = []
    for s in chosen_sections(views, n.tz, n.language, _, default=default):
        if s.kind == "text":
            lines = sentences(_plain(s.body_html))
            if lines or s.button:
                out.append(EasySection(s.title, s.kind, lines=lines, body_html=one_sentence_a_line(s.body_html),
                                       button=s.button, meanings=explain.first_used_in(s.title, *lines)))
        else:
            heading = explain.first_used_in(s.title)
            out.append(EasySection(s.title, s.kind, [easy_item(i, s.images, config, icon_url, _, explain) for i in s.items],
                                   meanings=heading))
    return out


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
                     icon_url: Callable[[str], str] | None = None, *, draft: Path | None = None) -> Rendered:
    """The Easy Read email and text of an edition already rendered: the items chosen in its `draft`
    (without one, the default choice), in the same order."""
    env = theme(config)
    n = config.newsletter
    _ = gettext_for(n.language, n.words)
    views = tag_sections(rendered.views, n.utm, edition)
    explain = Explainer(config.glossary, sentences)
    opening = explain.first_used_in(n.title, n.network)
    sections = easy_sections(views, config, icon_url or icon_urls(config), _, default=draft is None, explain=explain)
    home = archive_home(config)
    ctx = context(config, edition, views, intro=rendered.intro, easy_sections=sections, opening_meanings=opening,
                  contents=[s.title for s in sections],
                  plain_url=f"{home}{edition.isoformat()}/easy-read.txt" if home else "easy-read.txt")
    mjml_source = env.get_template("easyread.mjml.j2").render(ctx)
    html = esp.fill_html(mjml_to_html(mjml_source), esp.preset(n.esp))
    return Rendered(mjml=mjml_source, html=html, text=env.get_template("easyread.txt.j2").render(ctx),
                    _views=rendered.views, intro=rendered.intro)


def _chosen(config: Config, rendered: Rendered, draft: Path | None) -> list[EasySection]:
    n = config.newsletter
    return easy_sections(rendered.views, config, icon_urls(config), gettext_for(n.language, n.words),
                         default=draft is None)


def edition_findings(config: Config, rendered: Rendered, draft: Path | None = None,
                     sections: list[EasySection] | None = None) -> list[Finding]:
    """`digest check --easy-read`: the readability warnings for an edition as built (from its draft, if any)."""
    sections = _chosen(config, rendered, draft) if sections is None else sections
    explain = Explainer(config.glossary, sentences)
    return check_easy_read(sections, config.newsletter.language, shown_path(config, draft),
                           explain.first_used_in(config.newsletter.title, config.newsletter.network))


def easy_read_outputs(config: Config, edition: date, rendered: Rendered,
                      draft: Path | None = None) -> tuple[dict[str, str | bytes], list[str]]:
    """What `digest build --easy-read` adds to a build: easy-read.html, easy-read.txt and icons/, and
    the warnings for its report (readability, nothing chosen, a missing [newsletter] url, Gmail's clip)."""
    easy = render_easy_read(config, edition, rendered, draft=draft)
    chosen = _chosen(config, rendered, draft)
    warnings = [f.message for f in edition_findings(config, rendered, draft, chosen)]
    if not any(s.items for s in chosen):
        warnings.append(NOTHING_CHOSEN)
    if archive_home(config) is None:
        warnings.append(NO_ICON_URL)
    if (size := len(easy.html.encode("utf-8"))) > GMAIL_CLIP:
        warnings.append(f"easy-read.html is {size / 1024:.1f} KB: Gmail clips emails over 102 KB — Easy Read "
                        "editions are best short: choose fewer items")
    files: dict[str, str | bytes] = {"easy-read.html": easy.html, "easy-read.txt": easy.text,
                                     "easy-read.mjml": easy.mjml, **icon_files()}
    return files, warnings
