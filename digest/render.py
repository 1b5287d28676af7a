"""Render an edition: Jinja2 → MJML → mjml-python → premailer → email HTML, and the text twin.

Pitfalls handled here, each learnt the hard way:
- Jinja's select_autoescape does not know `.mjml`; autoescape is on for every template except
  the `.txt` twin, so feed text containing `</mj-text>` or `<script>` stays text.
- MRML adds a Google Fonts <link> unless `fonts` is given (we pass none), and `lang="und"`
  unless <mjml lang> is set.
- premailer downloads linked CSS unless allow_network=False, drops the doctype (put back), and
  lets cssutils log warnings about MRML's CSS (silenced).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt

from digest.colours import readable_on
from digest.config import Config
from digest.group import Filled
from digest.model import Event, Image, Post
from digest.sanitize import clean_html

LIGHT_BG, DARK_BG = "#ffffff", "#17151c"
DOCTYPE = "<!doctype html>\n"


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


@dataclass(frozen=True)
class SectionView:
    title: str
    kind: str
    items: list[ItemView] = field(default_factory=list)
    body_html: str = ""
    images: bool = False


@dataclass(frozen=True)
class Rendered:
    mjml: str
    html: str
    text: str


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(["replacements", "smartquotes"])


def markdown(text: str) -> str:
    """Editorial Markdown (intro, text sections, footer) as sanitised HTML."""
    return clean_html(_markdown().render(text or "")) if text and text.strip() else ""


def item_view(item: Post | Event, config: Config) -> ItemView:
    """Format one item for the templates in the newsletter's language and timezone."""
    from digest.dates import format_event_when, format_post_date

    tz, language = config.newsletter.tz, config.newsletter.language
    if isinstance(item, Event):
        when = format_event_when(item, tz, language)
        parts = [when, item.location, item.source]
        return ItemView(item.title, item.url, " · ".join(p for p in parts if p), item.summary_html,
                        item.source, when, item.location, None, item.id)
    when = format_post_date(item.published, tz, language)
    return ItemView(item.title, item.url, f"{item.source} · {when}", item.summary_html, item.source, when,
                    image=item.image, id=item.id)


def section_views(filled: list[Filled], config: Config) -> list[SectionView]:
    return [
        SectionView(
            title=box.section.title,
            kind=box.section.kind,
            items=[item_view(i, config) for i in box.items],
            body_html=markdown(box.section.body) if box.section.kind == "text" else "",
            images=bool(getattr(box.section, "images", False)),
        )
        for box in filled
    ]


def environment(templates: Path) -> jinja2.Environment:
    """Templates from the theme folder; autoescaping on for everything but plain text."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=lambda name: not (name or "").endswith(".txt.j2"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from digest.text import html_to_text, wrap

    env.filters["wrap"] = wrap
    env.filters["html_to_text"] = html_to_text
    return env


def context(config: Config, edition: date, sections: list[SectionView], **extra: Any) -> dict[str, Any]:
    """What every template sees."""
    from digest.dates import format_day

    n = config.newsletter
    return {
        "newsletter": n,
        "title": n.title,
        "language": n.language,
        "edition_date": edition.isoformat(),
        "edition_label": format_day(edition, n.language),
        "intro_html": markdown(n.intro),
        "footer_html": markdown(n.footer),
        "intro_text": n.intro.strip(),
        "footer_text": n.footer.strip(),
        "preheader": n.preheader or _first_words(n.intro, 20) or n.title,
        "sections": [s for s in sections if s.items or s.body_html],
        "accent": readable_on(n.accent, LIGHT_BG),
        "accent_dark": readable_on(n.accent, DARK_BG),
        "logo": n.logo,
        **extra,
    }


def _first_words(text: str, count: int) -> str:
    words = re.sub(r"[*_#>\[\]()`]", "", text or "").split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def mjml_to_html(mjml_source: str) -> str:
    """Compile MJML with MRML (no web fonts), inline CSS with premailer (no network)."""
    from mjml import mjml2html
    from premailer import Premailer

    compiled = mjml2html(mjml_source, fonts={}, disable_comments=True)
    inlined = Premailer(
        compiled,
        allow_network=False,
        cssutils_logging_level=logging.CRITICAL,
        disable_validation=True,
        remove_classes=False,
        strip_important=False,
        keep_style_tags=False,
    ).transform(pretty_print=False)
    inlined = re.sub(r"^\s*<!doctype[^>]*>\s*", "", inlined, flags=re.I)
    return DOCTYPE + inlined


def render(config: Config, edition: date, filled: list[Filled], **extra: Any) -> Rendered:
    """The three outputs of an edition, byte-identical for the same inputs."""
    env = environment(config.templates_dir)
    ctx = context(config, edition, section_views(filled, config), **extra)
    mjml_source = env.get_template("newsletter.mjml.j2").render(ctx)
    html = mjml_to_html(mjml_source)
    text = env.get_template("newsletter.txt.j2").render(ctx)
    return Rendered(mjml=mjml_source, html=html, text=text)
