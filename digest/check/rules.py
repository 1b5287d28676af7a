"""The rules of `digest check` that read the document itself (caniemail's are in caniemail.py).

Each rule takes the parsed document and yields Findings; digest/check/__init__.py lists them with their
severity and runs them in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from lxml import etree

from digest.check import css
from digest.check.document import (
    NON_TEXT,
    Element,
    body,
    describe,
    is_hidden,
    link_label,
    own_text,
    snippet,
    style,
    stylesheets,
    visible_text_elements,
)
from digest.check.finding import Finding
from digest.colours import RGB, contrast, parse_colour
from digest.urls import is_web_url

MIN_CONTRAST = 4.5
MIN_FONT_PX = 14.0

MERGE_TAG = re.compile(r"\*\|[^|]+\|\*|\{\{.*?\}\}|\{\$[\w.]+\}|\[[\w.-]+\]|%[\w.-]+%")
FONT_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com", "use.typekit.net", "fonts.bunny.net")
VAGUE_LINK_TEXT = {"click here", "here", "read more", "more", "learn more", "continue reading",
                   "click", "link", "this link"}
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# An unsubscribe link: a link or merge tag saying so (English, Welsh, Gaelic) or Campaign Monitor's element.
UNSUBSCRIBE = re.compile(r"unsub|opt[ -]?out|dad-?danysgrifio|dì-chlàraich|merge-tag\.invalid/unsubscribe", re.I)
# A postal address: a UK, Irish, US or Canadian postcode, an <address>, or an ESP's address merge tag.
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[\dW] ?[A-Z\d]{4}|[A-Z]{2} \d{5}(?:-\d{4})?"
                      r"|[A-Z]\d[A-Z] ?\d[A-Z]\d)\b")
ADDRESS_TAG = re.compile(r"\*\|(?:HTML:)?LIST[:_]ADDRESS", re.I)


def check_head(doc: Element) -> Iterator[Finding]:
    if not (doc.get("lang") or "").strip():
        yield Finding("error", "lang", "<html> has no lang attribute — add the edition's language "
                      "(lang=\"en-GB\") so screen readers pronounce it right")
    title = doc.find(".//title")
    if title is None:
        yield Finding("error", "title", "no <title> — add one; web views and some clients show it")
    elif not title.text_content().strip():
        yield Finding("error", "title", "<title> is empty — give it the newsletter's name and date")


def check_preheader(doc: Element) -> Iterator[Finding]:
    """MJML's <mj-preview> is a display:none element opening <body>; inboxes show it as preview."""
    for el in body(doc).iter(etree.Element):
        if el.tag in NON_TEXT:
            continue
        if is_hidden(el) and el.text_content().strip():
            return
        if not is_hidden(el) and (text := own_text(el)):
            yield Finding("warning", "preheader", "no hidden preheader before the first visible text — "
                          f"add <mj-preview> or inboxes preview '{snippet(text)}'")
            return


def check_resources(doc: Element) -> Iterator[Finding]:
    """Scripts and external CSS/fonts: stripped or ignored by most clients, and a request each."""
    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":  # Gmail email markup
            src = f" src='{script.get('src')}'" if script.get("src") else ""
            yield Finding("error", "script", f"<script{src}> — email clients strip scripts and spam "
                          "filters penalise them; remove it")
    fonts: dict[str, str] = {}  # url -> how it is requested; MJML requests each twice
    for link in doc.iter("link"):
        href = link.get("href") or ""
        if any(host in href for host in FONT_HOSTS):
            fonts.setdefault(href, "<link>")
        elif "stylesheet" in (link.get("rel") or "").lower().split():
            yield Finding("warning", "stylesheet", f"<link rel=stylesheet href='{href}'> loads external CSS "
                          "that Gmail and Outlook ignore — put the CSS in the template")
    for sheet in stylesheets(doc):
        for name, rule in css.at_rules(sheet):
            if name == "import" and (url := css.import_url(rule)):
                if any(host in url for host in FONT_HOSTS):
                    fonts.setdefault(url, "@import")
                else:
                    yield Finding("warning", "stylesheet", f"@import '{url}' loads external CSS that most "
                                  "clients ignore — put the CSS in the template")
            elif name == "font-face":
                for url in css.urls(rule.content or []):
                    if re.match(r"(?:https?:)?//", url, flags=re.I):
                        fonts.setdefault(url, "@font-face")
    for url, how in fonts.items():
        yield Finding("warning", "webfont", f"{how} requests the web font '{url}', which most clients "
                      "ignore — drop it and rely on the font-family fallback stack")


def check_links(doc: Element) -> Iterator[Finding]:
    """Every href must lead somewhere from an inbox: absolute, or a merge tag the ESP fills in."""
    for a in doc.iter("a"):
        href = a.get("href")
        if href is None:  # <a name=...>: an anchor target, not a link
            continue
        href, name = href.strip(), f"'{snippet(link_label(a)) or '(no text)'}'"
        lowered = href.lower()
        if href in ("", "#"):
            yield Finding("error", "link-empty", f"link {name} goes nowhere (href=\"{href}\") — point it "
                          "at the item's URL")
        elif lowered.startswith("javascript:"):
            yield Finding("error", "link-javascript", f"link {name} uses javascript:, which clients block "
                          "— link to a web page instead")
        elif is_web_url(href) or lowered.startswith(("mailto:", "tel:")) or href.startswith("#") or MERGE_TAG.match(href):
            continue  # #anchors are in-email jumps: caniemail's html-anchor-links covers them
        elif re.match(r"[a-z][a-z0-9+.-]*:", lowered):
            yield Finding("warning", "link-scheme", f"link {name} → '{snippet(href, 60)}' is not http(s), "
                          "mailto or tel — many clients won't open it")
        else:
            yield Finding("error", "link-relative", f"link {name} → '{snippet(href, 60)}' is relative; "
                          "an inbox has no base URL — make it absolute (https://…)")


def check_link_text(doc: Element) -> Iterator[Finding]:
    """Screen-reader users list links out of context: "Read more" ×12 tells them nothing."""
    vague: dict[str, list[tuple[str, str]]] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if href in ("", "#") or (a.get("aria-label") or "").strip():
            continue
        label = link_label(a)
        if not label:
            yield Finding("warning", "link-text", f"link to '{snippet(href, 60)}' has no text — add text, "
                          "or alt text to its image")
        elif (key := re.sub(r"^\W+|\W+$", "", label.lower())) in VAGUE_LINK_TEXT:
            vague.setdefault(key, []).append((label, href))
    for (label, href), *others in vague.values():
        where = f"{len(others) + 1} links, first → " if others else "→ "
        yield Finding("warning", "link-text", f"link text '{label}' says nothing out of context ({where}"
                      f"{snippet(href, 60)}) — use the item's title as link text or add aria-label")


def check_images(doc: Element) -> Iterator[Finding]:
    """An image needs a URL the reader's client can fetch, a text alternative and a size for Outlook."""
    for img in doc.iter("img"):
        src = (img.get("src") or "").strip()
        name = f"<img src='{snippet(src, 60)}'>" if src else f"<img alt='{img.get('alt') or ''}'>"
        if not src:
            yield Finding("error", "img-src", f"{name} has no src — give it the image's https:// URL")
        elif src.lower().startswith("data:"):
            yield Finding("error", "img-src", f"{name} embeds a data: URI that Gmail doesn't show "
                          "— host the image and use its https:// URL")
        elif not is_web_url(src) and not MERGE_TAG.match(src):
            yield Finding("error", "img-src", f"{name} is relative; an inbox has no base URL — "
                          "make it absolute (https://…)")
        if img.get("alt") is None:
            yield Finding("error", "img-alt", f"{name} has no alt attribute — describe the image, "
                          "or alt=\"\" if it is decoration")
        if not (img.get("width") or "").strip():
            yield Finding("warning", "img-width", f"{name} has no width attribute — add width=\"…\" "
                          "(in px) or Outlook shows it at its full size")


def check_headings(doc: Element) -> Iterator[Finding]:
    """One <h1> and no skipped levels: screen-reader users navigate an email by its headings."""
    headings = [h for h in doc.iter(*HEADINGS) if not any(is_hidden(a) for a in h.iterancestors())]
    h1s = [h for h in headings if h.tag == "h1"]
    if not h1s:
        yield Finding("warning", "h1", "no <h1> — give the edition one top-level heading (its name and date)")
    elif len(h1s) > 1:
        titles = ", ".join(f"'{snippet(h.text_content(), 30)}'" for h in h1s[:3])
        yield Finding("warning", "h1", f"{len(h1s)} <h1> elements ({titles}) — keep one and make the others <h2>")
    skips: dict[tuple[str, str], list[Element]] = {}
    for prev, heading in pairwise(headings):
        if int(heading.tag[1]) > int(prev.tag[1]) + 1:
            skips.setdefault((prev.tag, heading.tag), []).append(heading)
    for (prev_tag, tag), found in skips.items():
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        yield Finding("warning", "heading-order", f"<{tag}> '{snippet(found[0].text_content())}' follows "
                      f"<{prev_tag}>{more}, skipping a level — use <h{int(prev_tag[1]) + 1}>")


def _font_size_px(el: Element) -> float | None:
    """The px size el's own text is set in, when an inline style says so (pt converted)."""
    for node in (el, *el.iterancestors()):
        size = style(node).get("font-size")
        if size is not None:
            return css.length_px(size)
        if node.tag in HEADINGS:  # headings are larger than their parent by default
            return None
    return None


def check_font_size(doc: Element) -> Iterator[Finding]:
    small: dict[float, list[Element]] = {}
    for el in visible_text_elements(body(doc)):
        size = _font_size_px(el)
        if size is not None and 0 < size < MIN_FONT_PX:  # 0 is MJML's whitespace-gap trick
            small.setdefault(size, []).append(el)
    for size, els in sorted(small.items()):
        yield Finding("warning", "font-size", f"text at {size:g}px is below {MIN_FONT_PX:g}px: "
                      f"{describe(els)} — raise its font-size to {MIN_FONT_PX:g}px or more")


def _text_colour(el: Element) -> RGB | None:
    """The colour el's own text inherits from inline styles (or <font color>); None when unknown."""
    for node in (el, *el.iterancestors()):
        colour = style(node).get("color") or (node.get("color") if node.tag == "font" else None)
        if colour and colour != "inherit":
            return parse_colour(colour)
        if node.tag == "a":  # an unstyled link takes the client's link colour, not its parent's
            return None
    return None


def _background_colour(el: Element) -> RGB | None:
    """The nearest opaque background; None when unknown or when an image/gradient sits behind."""
    for node in (el, *el.iterancestors()):
        declared = style(node)
        if declared.get("background-image", "none") != "none":
            return None
        bgcolor = re.sub(r"^([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$", r"#\1", node.get("bgcolor") or "")  # legacy: no #
        value = (declared.get("background-color") or declared.get("background") or bgcolor).lower()
        if any(f == "url" or f.endswith("gradient") for f in css.functions(value)):
            return None
        if value.strip() in ("", "transparent", "none", "inherit"):
            continue  # see-through: the next ancestor's background shows
        return next(filter(None, map(parse_colour, css.parts(value))), None)
    return None


def check_contrast(doc: Element) -> Iterator[Finding]:
    poor: dict[tuple[RGB, RGB], list[Element]] = {}
    for el in visible_text_elements(body(doc)):
        fg, bg = _text_colour(el), _background_colour(el)
        if fg and bg and contrast(fg, bg) < MIN_CONTRAST:
            poor.setdefault((fg, bg), []).append(el)
    for (fg, bg), els in poor.items():
        hex_fg, hex_bg = (f"#{r:02x}{g:02x}{b:02x}" for r, g, b in (fg, bg))
        yield Finding("warning", "contrast", f"text colour {hex_fg} on {hex_bg} has contrast "
                      f"{contrast(fg, bg):.2f}:1, below {MIN_CONTRAST}:1: {describe(els)} — "
                      "darken the text or lighten the background")


def check_compliance(doc: Element) -> Iterator[Finding]:
    """A marketing email must let readers opt out and say who sends it, with a postal address (UK PECR, CAN-SPAM)."""
    links = [(a.get("href") or "", link_label(a)) for a in doc.iter("a")]
    if not (any(UNSUBSCRIBE.search(href) or UNSUBSCRIBE.search(label) for href, label in links)
            or next(doc.iter("unsubscribe"), None) is not None):
        yield Finding("warning", "unsubscribe", "no unsubscribe link — UK PECR and CAN-SPAM require one in a "
                      "newsletter: set esp = \"…\" under [newsletter] (or --esp) so the footer carries your email "
                      "service's unsubscribe tag")
    text = body(doc).text_content()
    if not (POSTCODE.search(text) or ADDRESS_TAG.search(text) or next(doc.iter("address"), None) is not None):
        yield Finding("warning", "address", "no postal address (no postcode or <address> found) — CAN-SPAM "
                      "requires the sender's postal address and UK PECR that the sender is identified: set "
                      "address = \"…\" under [newsletter]")
