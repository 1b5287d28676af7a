"""The print edition: the newsletter (and its Easy Read edition) as an A4 PDF to post to members who ask.

Some members cannot read from a screen; networks post them the newsletter. WeasyPrint lays out an
HTML page made for paper (templates/print.html.j2): A4, body text PRINT_PT (14 pt) or LARGE_PT (18 pt
with --large-print), every section and item, events as What / When / Where, links written out as
short readable addresses (paper has no links), page numbers and the network's postal address.
Member text comes from the same sanitised views as the email (ItemView cleans every blurb). The PDF
is tagged (PDF/UA-1: headings, paragraphs and reading order for screen readers and reflow) and
embeds its fonts. WeasyPrint fetches nothing: every address it asks for is refused except the
Easy Read icons, which come from the theme, so a build still makes no request but the feeds.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import markupsafe

from digest.config.keys import Config
from digest.i18n import gettext_for
from digest.render.email import context, theme
from digest.render.outputs import Rendered
from digest.render.series import merge_series
from digest.render.views import SectionView

PRINT_PT, LARGE_PT = 14, 18
_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"[^>]*>(.*?)</a>', re.S)
_ICON = re.compile(r"/icons/([\w-]+)\.png$")


def address(url: str) -> str:
    """A link as a reader can type it from paper: no scheme, www., query or fragment ("example.org/events/cuppa")."""
    parts = urlsplit(url.strip())
    if parts.scheme == "mailto":
        return parts.path
    host = parts.netloc.rsplit("@", 1)[-1].removeprefix("www.")
    return (host + parts.path).rstrip("/") if host else url


def printed_links(fragment: str) -> markupsafe.Markup:
    """Sanitised HTML with each link's address written after its words, short and readable (paper has no links)."""
    def written(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        words = re.sub(r"<[^>]*>", "", match.group(2)).strip()
        shown = address(url)
        if not shown or shown in html.unescape(words):
            return f"<span>{match.group(2)}</span>"
        return f"<span>{match.group(2)}</span> <span class=\"url\">({html.escape(shown)})</span>"

    return markupsafe.Markup(_LINK.sub(written, fragment or ""))


def _sections(views: list[SectionView], config: Config) -> list[SectionView]:
    """Every section with an item or a text, series folded as in the email."""
    tz, language = config.newsletter.tz, config.newsletter.language
    _ = gettext_for(language, config.newsletter.words)  # a series' "Every Wednesday"
    out = []
    for view in views:
        items = merge_series(view.items, tz, language, _) if view.kind == "events" else view.items
        if items or view.body_html:
            out.append(SectionView(view.title, view.kind, items, view.body_html, view.images, view.button, view.feature))
    return out


def print_html(config: Config, edition: date, rendered: Rendered, *, large: bool = False) -> str:
    """The print edition's HTML page, for WeasyPrint."""
    ctx: dict[str, Any] = context(config, edition, _sections(rendered.views, config), intro=rendered.intro, web=True)
    ctx |= {"body_pt": LARGE_PT if large else PRINT_PT, "printed": printed_links, "short": address}
    return str(theme(config).get_template("print.html.j2").render(ctx))


def _fetcher() -> Any:
    """WeasyPrint's fetcher: the theme's icons, and nothing from the network (a build fetches only the feeds)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from digest.render.easyread.edition import ICONS, icon_png

    class ThemeOnly(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information
        def fetch(self, url: str, headers: Any = None) -> Any:
            found = _ICON.search(url)
            if found and found.group(1) in ICONS:
                return URLFetcherResponse(url, icon_png(found.group(1)), {"Content-Type": "image/png"})
            raise ValueError(f"the print edition fetches nothing: {url}")

    return ThemeOnly()


def to_pdf(page: str, *, extra_css: str = "") -> bytes:
    """An HTML page as a tagged A4 PDF (PDF/UA-1) with its fonts embedded."""
    import logging

    from weasyprint import CSS, HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # a refused picture is expected, not news
    fetcher = _fetcher()
    sheets = [CSS(string=extra_css, url_fetcher=fetcher)] if extra_css else []
    document = HTML(string=page, url_fetcher=fetcher, base_url="https://print.invalid/")
    return bytes(document.write_pdf(stylesheets=sheets, pdf_variant="pdf/ua-1", pdf_tags=True, presentational_hints=True))


def easy_read_print_css(large: bool) -> str:
    """The Easy Read email on A4: its 600 px column fits the page; large print scales it up."""
    zoom = LARGE_PT / PRINT_PT if large else 1
    return ("@page { size: A4; margin: 14mm 12mm 18mm; "
            "@bottom-center { content: counter(page) ' / ' counter(pages); font: 14pt Arial, sans-serif; } } "
            f"html {{ zoom: {zoom:.3f}; }} body, div[aria-roledescription] {{ background: #ffffff !important; }} "
            "img { max-width: 100%; } table.item, table.word { break-inside: avoid; }")


def print_outputs(config: Config, edition: date, rendered: Rendered, *, large: bool = False,
                  easy_read_html: str | None = None) -> dict[str, str | bytes]:
    """What `digest build --print` adds: newsletter.pdf, and easy-read.pdf when the Easy Read edition is built."""
    files: dict[str, str | bytes] = {"newsletter.pdf": to_pdf(print_html(config, edition, rendered, large=large))}
    if easy_read_html is not None:
        files["easy-read.pdf"] = to_pdf(easy_read_html, extra_css=easy_read_print_css(large))
    return files
