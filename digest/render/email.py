"""Render an edition: Jinja2 → MJML → mjml-python → premailer → email HTML, and the text twin.

Pitfalls handled here, each learnt the hard way:
- Jinja's select_autoescape does not know `.mjml`; autoescape is on for every template except
  the `.txt` twin, so feed text containing `</mj-text>` or `<script>` stays text.
- MRML adds a Google Fonts <link> unless `fonts` is given (we pass none), and `lang="und"`
  unless <mjml lang> is set.
- premailer downloads linked CSS unless allow_network=False, drops the doctype (put back),
  lets cssutils log warnings about MRML's CSS (silenced), and rewrites width/height attributes
  from the CSS (turned off: an image's fixed width="552" must survive for Outlook).
- premailer would also inline two rules of MRML's client reset, `table, td {border-collapse…;
  mso-table-lspace…}` and `p {display:block…}`, onto every table, cell and paragraph: 67 bytes a
  cell, a third of an event card's styles. MJML itself leaves its reset in <head>, where Outlook
  reads it; so do we with those two, which change nothing where head styles are dropped (no
  borders to collapse, mso- is Outlook's, every <p> has the theme's margin inline). The rest
  of the reset (body's margin, img) is still inlined.
- premailer joins declarations with "; "; MRML and most email tools write ";" (2–3 % of the email).

Each edition is rendered twice from the same sections: the email (UTM-tagged member links, the
email service's merge tags in the footer) and the web version (untagged, no merge tags, a link
to all editions instead), which the archive publishes.
"""

from __future__ import annotations

import gettext
import logging
import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from digest import esp
from digest.colours import contrast_of, readable_on
from digest.config.keys import DEFAULT_TEMPLATES, Config
from digest.dates import babel_locale
from digest.i18n import translations
from digest.placeholders import literal_percents
from digest.render.layout import CALENDAR_FOLDER, lay_out
from digest.render.outputs import Rendered
from digest.render.utm import tag_sections
from digest.render.views import ItemView, SectionView, item_view, markdown, section_views
from digest.sanitize import safe_text
from digest.text import html_to_text, wrap

__all__ = ["CALENDAR_FOLDER", "ItemView", "Rendered", "SectionView", "item_view", "markdown", "render_views",
           "section_views"]  # the view types live in digest/render/views.py; these names stay importable from here

LIGHT_BG, DARK_BG, INK = "#ffffff", "#17151c", "#1f1d24"
DOCTYPE = "<!doctype html>\n"
# A published web version lives at archive/<date>/index.html: without [newsletter] url, its
# "view all editions" link is relative to that.
ARCHIVE_INDEX_FROM_EDITION = "../index.html"


@lru_cache(maxsize=8)
def environment(templates: Path, language: str = "en", words: tuple[tuple[str, str], ...] = ()) -> jinja2.Environment:
    """Templates from the theme folder; autoescaping on for everything but plain text; `_()` in
    `language`, with a network's own `words` first (digest/i18n.py).

    One environment per theme folder and language, so a template is compiled once per process
    (compiling the theme took ~100 ms a render); Jinja checks the files' times and recompiles one
    that changed.
    """
    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"],
        # a theme copied before a template was added still finds it in the default theme
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates)), jinja2.FileSystemLoader(str(DEFAULT_TEMPLATES))]),
        autoescape=lambda name: not (name or "").endswith(".txt.j2"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["wrap"] = wrap
    env.filters["html_to_text"] = html_to_text
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n at run time
        *_own_words_as_text(translations(language, dict(words)), dict(words)), newstyle=True)
    return env


def _own_words_as_text(found: gettext.NullTranslations, own: dict[str, str]) -> tuple[Callable[..., str], Callable[..., str]]:
    """`_()` whose network words (`[newsletter.words]`) are text, never markup: Jinja marks a
    translation safe in an autoescaped template, which is right for the shipped catalogs but not
    for words an editor typed, so theirs are escaped there; a lone `%` in them is literal."""
    theirs = set(own.values())

    def as_text(context: jinja2.runtime.Context, value: str) -> str:
        if value not in theirs:
            return value
        value = literal_percents(value)
        return markupsafe.escape(value) if context.eval_ctx.autoescape else value

    @jinja2.pass_context
    def _gettext(context: jinja2.runtime.Context, message: str) -> str:
        return as_text(context, found.gettext(message))

    @jinja2.pass_context
    def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
        return as_text(context, found.ngettext(singular, plural, n))

    return _gettext, _ngettext


def theme(config: Config) -> jinja2.Environment:
    """The theme of a network, in its newsletter's language and words."""
    n = config.newsletter
    return environment(config.templates_dir, n.language, tuple(sorted((n.words or {}).items())))


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
    preheader = inbox_preview(config, intro_html)
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
        "logo_background": n.logo_background,
        "logo_ink": max((INK, LIGHT_BG), key=lambda ink: contrast_of(ink, n.logo_background)),  # the alt text
        "site": n.site,
        "web_page": web_page,  # the web version's address, once published (None without [newsletter] url)
        "why_html": markdown(n.why),
        "address_lines": [line.strip() for line in n.address.splitlines() if line.strip()],
        "web": web,
        "archive_url": home or ARCHIVE_INDEX_FROM_EDITION,
        "unsubscribe_url": esp.UNSUBSCRIBE_PLACEHOLDER if chosen else None,
        "view_online_url": esp.VIEW_ONLINE_PLACEHOLDER if chosen else web_page,
        "unsubscribe_text": markupsafe.Markup(text_unsubscribe),  # the one merge tag meant to be live
        "view_online_text": markupsafe.Markup(text_view) if text_view else (web_page or ""),
        # the Easy Read edition beside this one (digest/render/easyread/): on the web when published there
        "easy_read_url": (f"{web_page}easy-read.html" if web_page and not web else "easy-read.html") if n.easy_read else None,
        **extra,
    }


# The inbox shows the preheader and then whatever text follows it; these invisible characters
# (combining grapheme joiner, zero-width non-joiner, no-break space) fill the rest of the line.
PREHEADER_PAD, PREHEADER_FILL, PREHEADER_WORDS = "\u034f\u200c\u00a0", 110, 24
DARK_LINK_CONTRAST = 5.5  # links in dark mode, with margin over WCAG's 4.5:1


def inbox_preview(config: Config, intro_html: str) -> str:
    """What the inbox shows after the subject: [newsletter] preheader, else the intro's first words, else the title."""
    n = config.newsletter
    return " ".join(n.preheader.split()) or preheader_text(intro_html) or n.title


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


_MJML_RESET = re.compile(r'<style type="text/css">(\s*#outlook a\s*\{.*?)</style>', re.S)
_RULE = re.compile(r"\s*([^{}]+?)\s*\{[^{}]*\}\s*")
HEAD_ONLY = ("table, td", "p")  # MRML's reset rules left in <head>, not inlined on every element
_STYLE_ATTRIBUTE = re.compile(r'(<[a-zA-Z][^<>]*?\sstyle=")([^"]*)(?=")')


def _keep_reset_in_head(compiled: str) -> str:
    """Put HEAD_ONLY's rules of MRML's client reset (its first <style>, `#outlook a {…}`) in a block premailer leaves be."""
    def split(match: re.Match[str]) -> str:
        rules = [(m.group(1), m.group(0).strip()) for m in _RULE.finditer(match.group(1))]
        head = "\n".join(rule for selector, rule in rules if selector in HEAD_ONLY)
        rest = "\n".join(rule for selector, rule in rules if selector not in HEAD_ONLY)
        return (f'<style type="text/css">\n{rest}\n</style>'
                f'<style type="text/css" data-premailer="ignore">\n{head}\n</style>')

    return _MJML_RESET.sub(split, compiled, count=1)


def _compact_styles(html: str) -> str:
    """"a:b; c:d" → "a:b;c:d" in style attributes (tags only: in text a "<" is always escaped)."""
    return _STYLE_ATTRIBUTE.sub(lambda m: m.group(1) + m.group(2).replace("; ", ";"), html)


def mjml_to_html(mjml_source: str) -> str:
    """Compile MJML with MRML (no web fonts), inline CSS with premailer (no network)."""
    from mjml import mjml2html
    from premailer import Premailer

    compiled = _keep_reset_in_head(_main_landmark(mjml2html(mjml_source, fonts={}, disable_comments=True)))
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
    return DOCTYPE + _compact_styles(inlined)


def render_views(config: Config, edition: date, sections: list[SectionView], *, intro: str | None = None,
                 **extra: Any) -> Rendered:
    """The outputs of an edition, byte-identical for the same inputs: its sections already formatted as
    views (views.section_views of a grouping, or an editor's draft), the draft's `intro` if any."""
    env = theme(config)
    template = env.get_template("newsletter.mjml.j2")
    laid, calendars = lay_out(sections, config, edition, archive_home(config))
    ctx = context(config, edition, tag_sections(laid, config.newsletter.utm, edition), intro=intro, **extra)
    mjml_source = template.render(ctx)
    html = esp.fill_html(mjml_to_html(mjml_source), esp.preset(config.newsletter.esp))
    text = env.get_template("newsletter.txt.j2").render(ctx)

    def make_web() -> str:
        return mjml_to_html(template.render(context(config, edition, laid, intro=intro, web=True, **extra)))

    return Rendered(mjml=mjml_source, html=html, text=text, _views=sections, intro=intro, make_web=make_web,
                    make_calendars=lambda: {name: make() for name, make in calendars.items()})
