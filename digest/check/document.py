"""The email as the rules see it: parsed with lxml, Outlook-only blocks removed, with the helpers rules share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypeAlias

import lxml.html
from lxml import etree

from digest.check import css

NON_TEXT = {"head", "script", "style", "title", "noscript", "template"}
CONDITIONAL_REVEALED = re.compile(r"<!--\[if [^\]]*\]><!-->|<!--<!\[endif\]-->", re.I)
CONDITIONAL_HIDDEN = re.compile(r"<!--\[if [^\]]*\]>.*?<!\[endif\]-->", re.I | re.S)
Element: TypeAlias = lxml.html.HtmlElement


def parse(html: str) -> Element:
    """The document without Outlook-only conditional blocks: what every other client renders."""
    html = CONDITIONAL_HIDDEN.sub("", CONDITIONAL_REVEALED.sub("", html))
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)  # lxml refuses str input with an encoding declaration
    return lxml.html.document_fromstring(html)


def style(el: Element) -> dict[str, str]:
    """el's inline style as {property: value}, lower-cased."""
    return dict(css.declarations(el.get("style") or ""))


def stylesheets(doc: Element) -> list[str]:
    """The text of every <style> block."""
    return [el.text_content() for el in doc.iter("style")]


def all_declarations(doc: Element) -> Iterator[tuple[str, str]]:
    """Declarations of inline styles, then of <style> blocks."""
    for el in doc.iter(etree.Element):
        yield from css.declarations(el.get("style") or "")
    for sheet in stylesheets(doc):
        yield from css.sheet_declarations(sheet)


def body(doc: Element) -> Element:
    return doc.body if doc.body is not None else doc


def is_hidden(el: Element) -> bool:
    declared = style(el)
    return declared.get("display") == "none" or declared.get("mso-hide") == "all" or el.get("hidden") is not None


def own_text(el: Element) -> str:
    """Text directly inside el (not in child elements): what el's own styles apply to."""
    return " ".join(((el.text or "") + "".join(child.tail or "" for child in el)).split())


def snippet(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def visible_text_elements(el: Element) -> Iterator[Element]:
    """Elements with their own text, in document order, skipping hidden subtrees (the preheader)."""
    if not isinstance(el.tag, str) or el.tag in NON_TEXT or is_hidden(el):
        return
    if own_text(el):
        yield el
    for child in el:
        yield from visible_text_elements(child)


def describe(els: list[Element]) -> str:
    """"<p> 'Body text…' and 3 more": the first offender and how many others."""
    more = f" and {len(els) - 1} more" if len(els) > 1 else ""
    return f"<{els[0].tag}> '{snippet(own_text(els[0]))}'{more}"


def link_label(a: Element) -> str:
    """What a reader (or screen reader) gets as the link's name."""
    alts = " ".join(img.get("alt") or "" for img in a.iter("img"))
    return " ".join(((a.get("aria-label") or "") or a.text_content() or alts).split())
