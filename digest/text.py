"""The plain-text twin's helpers: HTML fragments to readable text, wrapped at 78 columns.

Email services send the text part to clients that cannot show HTML and use it for previews
and spam scoring, so it has to read well on its own.
"""

from __future__ import annotations

import html
import re
import textwrap
from urllib.parse import unquote, urlsplit

import html2text
from lxml import html as lxml_html

WIDTH = 78


_BULLET = re.compile(r"^(\s*(?:[*+-]|\d+\.)\s+|\s*>\s*|\s*)")


def html_to_text(fragment: str, width: int = WIDTH) -> str:
    """Sanitised HTML → text via html2text: paragraphs, lists and links kept, wrapped at `width`.

    html2text's own wrapping splits words at hyphens ("co-" / "production"), so it is asked
    for unwrapped lines and each line is wrapped here, list items hanging under their bullet.
    """
    if not fragment:
        return ""
    lines = _html2text(spell_out_links(fragment), emphasis=False, links=False).splitlines()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(_wrap_line(line, width) for line in lines))


def html_to_markdown(fragment: str) -> str:
    """Sanitised HTML → unwrapped Markdown (emphasis and inline links kept), for an editor to rewrite."""
    return _html2text(fragment, emphasis=True) if fragment else ""


def short_link_text(url: str) -> str:
    """example.org/register for https://www.example.org/register/?ref=x: the host and path, readable."""
    if url.lower().startswith("mailto:"):
        return url[7:].split("?")[0]
    parts = urlsplit(url)
    text = parts.netloc.lower().removeprefix("www.") + unquote(parts.path).rstrip("/")
    if len(text) > 48:
        head, _, tail = text.rpartition("/")
        host = text.split("/")[0]
        text = f"{host}/…/{tail}" if len(host) + len(tail) < 44 and head != host else text[:46] + "…"
    return text


def spell_out_links(fragment: str) -> str:
    """Each link as its words and its address once: "Send us your story (mailto:hello@example.org)".

    A link whose words are its address (or the short form of it) shows the address alone; the
    address never gets split across lines, since wrapping never breaks inside a word.
    """
    if "<a" not in fragment:
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for link in list(root.iter("a")):
        href = (link.get("href") or "").strip()
        words = " ".join(link.text_content().split())
        if href:
            bare = href[7:] if href.lower().startswith("mailto:") else href
            if not words or words in (href, bare, short_link_text(href)) or words.rstrip("/") in href:
                for child in list(link):
                    link.remove(child)
                link.text = bare
            else:
                link.tail = f" ({bare if bare != href and '@' in bare else href})" + (link.tail or "")
        link.drop_tag()
    lead = html.escape(root.text or "", quote=False)
    return lead + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def _html2text(fragment: str, *, emphasis: bool, links: bool = True) -> str:
    """html2text set up once for digest: no images, inline links as written, Unicode kept, no wrapping."""
    converter = html2text.HTML2Text(bodywidth=0)
    converter.ignore_images = True
    converter.ignore_links = not links
    converter.ignore_emphasis = not emphasis
    converter.inline_links = True
    converter.protect_links = False
    converter.unicode_snob = True
    return converter.handle(fragment).strip()


def _wrap_line(line: str, width: int) -> str:
    lead = bullet.group(1) if (bullet := _BULLET.match(line)) else ""  # the pattern matches any line
    hang = lead if lead.strip() == ">" else " " * len(lead)
    return textwrap.fill(line[len(lead):], width=width, initial_indent=lead, subsequent_indent=hang,
                         break_long_words=False, break_on_hyphens=False) if line.strip() else ""


def wrap(text: str, width: int = WIDTH, indent: str = "") -> str:
    """Wrap each paragraph of text at `width` columns, never breaking URLs or words."""
    wrapped = [
        textwrap.fill(" ".join(p.split()), width=width, initial_indent=indent, subsequent_indent=indent,
                      break_long_words=False, break_on_hyphens=False)
        for p in text.split("\n\n") if p.strip()
    ]
    return "\n\n".join(wrapped)
