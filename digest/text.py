"""The plain-text twin's helpers: HTML fragments to readable text, wrapped at 78 columns.

Email services send the text part to clients that cannot show HTML and use it for previews
and spam scoring, so it has to read well on its own.
"""

from __future__ import annotations

import textwrap

import html2text

WIDTH = 78


def html_to_text(fragment: str, width: int = WIDTH) -> str:
    """Sanitised HTML → text: paragraphs kept, links as 'text (url)'... via html2text."""
    if not fragment:
        return ""
    converter = html2text.HTML2Text(bodywidth=width)
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.inline_links = True
    converter.protect_links = False
    converter.unicode_snob = True
    converter.single_line_break = False
    return converter.handle(fragment).strip()


def wrap(text: str, width: int = WIDTH, indent: str = "") -> str:
    """Wrap each paragraph of text at `width` columns, never breaking URLs or words."""
    paragraphs = [p for p in text.split("\n\n")]
    wrapped = [
        textwrap.fill(" ".join(p.split()), width=width, initial_indent=indent, subsequent_indent=indent,
                      break_long_words=False, break_on_hyphens=False)
        for p in paragraphs if p.strip()
    ]
    return "\n\n".join(wrapped)
