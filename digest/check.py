"""Lint the newsletter's HTML for what goes wrong in inboxes, before it is sent.

Everything here is static: no browser, no network. Findings and their severity
(errors are what breaks the email for every reader; warnings are worth a look):

  error   size             over 102 KB: Gmail clips the message ("[Message clipped]")
  warning size             over 90 KB: close to that limit
  error   parse            nothing to parse
  error   lang             <html> without lang: screen readers guess the language
  error   title            no or empty <title>: shown by web views and some previews
  warning preheader        no hidden preview text before the first visible text
  error   script           <script> (JSON-LD email markup is allowed): stripped, spam signal
  warning stylesheet       <link rel=stylesheet> or @import: most clients drop external CSS
  warning webfont          @font-face url(), Google Fonts: a request most clients ignore
  error   link-empty       href="" or "#": the link goes nowhere
  error   link-javascript  javascript: links are blocked everywhere
  error   link-relative    no base URL in an inbox, so a relative link is dead
  warning link-scheme      absolute but not http(s)/mailto/tel, clients may not open it
  warning link-text        "click here"/"read more"… alone, or no text at all
  error   img-src          missing, relative or data: src: the image never shows
  error   img-alt          no alt attribute (alt="" is fine: it marks decoration)
  warning img-width        no width attribute: Outlook shows the image at full size
  warning h1               not exactly one <h1>
  warning heading-order    a skipped heading level (h1 then h3)
  warning contrast         text under 4.5:1 against its known background (WCAG AA)
  warning font-size        visible text under 14px
  warning caniemail        a feature that a default client does not support at all

Links may also be ESP merge tags (*|UNSUB|*, {{ unsubscribe_url }}, {$unsubscribe},
[unsubscribe], %unsubscribe_url%): the ESP fills them in when sending.
Outlook-only markup in <!--[if mso]> comments is removed before anything is looked at, and
the caniemail rule only knows the features a reader would notice (see PROPERTY_FEATURES), so
MJML's own output (ghost tables, @media columns, preheader hiding) raises nothing.
CSS is read with a small regex, not cssutils: it is only scanned, and this stays quiet and fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import lxml.html
from lxml import etree

from digest.colours import contrast

GMAIL_CLIP_BYTES = 102 * 1024
SIZE_WARNING_BYTES = 90 * 1024
MIN_CONTRAST = 4.5
MIN_FONT_PX = 14.0

CLIENT_NAMES = {  # caniemail "family/platform" -> how an editor calls it
    "gmail/desktop-webmail": "Gmail", "gmail/ios": "Gmail iOS", "gmail/android": "Gmail Android",
    "gmail/mobile-webmail": "Gmail mobile web", "apple-mail/macos": "Apple Mail macOS",
    "apple-mail/ios": "Apple Mail iOS", "outlook/windows": "Outlook Windows", "outlook/macos": "Outlook Mac",
    "outlook/outlook-com": "Outlook.com", "outlook/windows-mail": "Windows Mail", "outlook/ios": "Outlook iOS",
    "outlook/android": "Outlook Android", "yahoo/desktop-webmail": "Yahoo Mail", "yahoo/ios": "Yahoo Mail iOS",
    "yahoo/android": "Yahoo Mail Android",
}
DEFAULT_CLIENTS = (
    "gmail/desktop-webmail", "gmail/ios", "gmail/android", "apple-mail/macos", "apple-mail/ios",
    "outlook/windows", "outlook/macos", "outlook/outlook-com", "yahoo/desktop-webmail",
)

# Which caniemail features we look for. Deliberately only those whose absence a reader
# notices (layout collapses, content shows or vanishes, images don't load); cosmetic ones
# (border-radius, box-shadow, opacity, selectors, units...) would flag every MJML email.
PROPERTY_FEATURES = {
    "background-image": "css-background-image", "float": "css-float", "visibility": "css-visibility",
    "flex-direction": "css-flex-direction", "flex-wrap": "css-flex-wrap", "justify-content": "css-justify-content",
    "align-items": "css-align-items", "gap": "css-gap", "row-gap": "css-gap", "column-gap": "css-gap",
    "grid-template": "css-grid-template", "grid-template-columns": "css-grid-template",
    "grid-template-rows": "css-grid-template", "grid-template-areas": "css-grid-template",
    "column-count": "css-column-count", "object-fit": "css-object-fit", "aspect-ratio": "css-aspect-ratio",
    "transform": "css-transform", "clip-path": "css-clip-path",
}
DISPLAY_FEATURES = {"flex": "css-display-flex", "inline-flex": "css-display-flex",
                    "grid": "css-display-grid", "inline-grid": "css-display-grid"}
FUNCTION_FEATURES = {  # a declaration using one of these is dropped whole where unsupported
    "linear-gradient": "css-linear-gradient", "radial-gradient": "css-radial-gradient",
    "conic-gradient": "css-conic-gradient", "var": "css-variables", "calc": "css-unit-calc",
    "clamp": "css-function-clamp", "min": "css-function-min", "max": "css-function-max",
    "light-dark": "css-function-light-dark", "lch": "css-modern-color", "oklch": "css-modern-color",
    "lab": "css-modern-color", "oklab": "css-modern-color",
}
# @import and @font-face are left to the stylesheet/webfont rules, which say what to do instead.
AT_RULE_FEATURES = {"media": "css-at-media", "supports": "css-at-supports"}
MEDIA_FEATURES = {"prefers-color-scheme": "css-at-media-prefers-color-scheme"}
ELEMENT_FEATURES = {tag: f"html-{tag}" for tag in (
    "svg", "video", "audio", "picture", "object", "form", "dialog", "marquee", "progress", "meter",
    "select", "textarea")}
IMAGE_FEATURES = {"svg": "image-svg", "webp": "image-webp", "avif": "image-avif", "heic": "image-heif",
                  "heif": "image-heif", "tif": "image-tiff", "tiff": "image-tiff", "bmp": "image-bmp"}
NEUTRAL_VALUES = {"none", "normal", "visible", "auto", "initial", "inherit", "unset", "static"}

MERGE_TAG = re.compile(r"\*\|[^|]+\|\*|\{\{.*?\}\}|\{\$[\w.]+\}|\[[\w.-]+\]|%[\w.-]+%")
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
FONT_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com", "use.typekit.net", "fonts.bunny.net")
VAGUE_LINK_TEXT = {"click here", "here", "read more", "more", "learn more", "continue reading",
                   "click", "link", "this link"}
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
NON_TEXT = {"head", "script", "style", "title", "noscript", "template"}
NAMED_COLOURS = {
    "black": "000000", "white": "ffffff", "gray": "808080", "grey": "808080", "silver": "c0c0c0",
    "red": "ff0000", "maroon": "800000", "yellow": "ffff00", "olive": "808000", "lime": "00ff00",
    "green": "008000", "aqua": "00ffff", "cyan": "00ffff", "teal": "008080", "blue": "0000ff",
    "navy": "000080", "fuchsia": "ff00ff", "magenta": "ff00ff", "purple": "800080", "orange": "ffa500",
}

DECLARATION = re.compile(r"""([-\w]+)\s*:\s*((?:[^;(){}"']|\((?:[^()]|\([^()]*\))*\)|"[^"]*"|'[^']*')+)""")
CONDITIONAL_REVEALED = re.compile(r"<!--\[if [^\]]*\]><!-->|<!--<!\[endif\]-->", re.I)
CONDITIONAL_HIDDEN = re.compile(r"<!--\[if [^\]]*\]>.*?<!\[endif\]-->", re.I | re.S)

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Finding:
    """One problem: an editor reads `message` and knows which element to fix and how."""

    severity: Literal["error", "warning"]
    code: str
    message: str


def check_html(html: str, *, clients: Sequence[str] | None = None) -> list[Finding]:
    """All findings for one email, errors first; `clients` are CLIENT_NAMES keys (default DEFAULT_CLIENTS)."""
    clients = tuple(clients) if clients is not None else DEFAULT_CLIENTS
    if unknown := [c for c in clients if c not in CLIENT_NAMES]:
        raise ValueError(f"unknown email client(s) {', '.join(unknown)}; known: {', '.join(CLIENT_NAMES)}")
    findings = list(_check_size(html))
    try:
        doc = _parse(html)
    except (etree.ParserError, ValueError):
        return findings + [Finding("error", "parse", "the HTML is empty or cannot be parsed")]
    for rule in (_check_head, _check_preheader, _check_resources, _check_links, _check_link_text,
                 _check_images, _check_headings, _check_font_size, _check_contrast):
        findings.extend(rule(doc))
    findings.extend(_check_features(doc, clients, _outlook_fallbacks(html)))
    unique = list(dict.fromkeys(findings))
    return [f for f in unique if f.severity == "error"] + [f for f in unique if f.severity == "warning"]


def summarise(findings: Sequence[Finding]) -> str:
    """The closing line of `digest check`, e.g. '2 errors, 5 warnings'."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


# --- parsing helpers ---------------------------------------------------------------------

def _parse(html: str) -> lxml.html.HtmlElement:
    """The document without Outlook-only conditional blocks: what every other client renders."""
    html = CONDITIONAL_HIDDEN.sub("", CONDITIONAL_REVEALED.sub("", html))
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)  # lxml refuses str input with an encoding declaration
    return lxml.html.document_fromstring(html)


@cache
def _declarations(css: str) -> tuple[tuple[str, str], ...]:
    """(property, value) pairs of a declaration list, lower-cased, without !important."""
    return tuple((prop.lower(), re.sub(r"\s*!important\s*$", "", value.strip(), flags=re.I).lower())
                 for prop, value in DECLARATION.findall(css))


def _style(el: lxml.html.HtmlElement) -> dict[str, str]:
    return dict(_declarations(el.get("style") or ""))


def _stylesheets(doc: lxml.html.HtmlElement) -> list[str]:
    """The text of every <style> block, comments removed."""
    return [re.sub(r"/\*.*?\*/", "", style.text_content(), flags=re.S) for style in doc.iter("style")]


def _all_declarations(doc: lxml.html.HtmlElement) -> Iterator[tuple[str, str]]:
    """Declarations of inline styles, then of <style> blocks (innermost {...} bodies)."""
    for el in doc.iter(etree.Element):
        yield from _declarations(el.get("style") or "")
    for css in _stylesheets(doc):
        for body in re.findall(r"\{([^{}]*)\}", css):
            yield from _declarations(body)


def _body(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    return doc.body if doc.body is not None else doc


def _is_hidden(el: lxml.html.HtmlElement) -> bool:
    style = _style(el)
    return (style.get("display") == "none" or style.get("mso-hide") == "all"
            or el.get("hidden") is not None)


def _own_text(el: lxml.html.HtmlElement) -> str:
    """Text directly inside el (not in child elements): what el's own styles apply to."""
    return " ".join(((el.text or "") + "".join(child.tail or "" for child in el)).split())


def _snippet(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _visible_text_elements(el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """Elements with their own text, in document order, skipping hidden subtrees (the preheader)."""
    if not isinstance(el.tag, str) or el.tag in NON_TEXT or _is_hidden(el):
        return
    if _own_text(el):
        yield el
    for child in el:
        yield from _visible_text_elements(child)


def _describe(els: list[lxml.html.HtmlElement]) -> str:
    """"<p> 'Body text…' and 3 more": the first offender and how many others."""
    more = f" and {len(els) - 1} more" if len(els) > 1 else ""
    return f"<{els[0].tag}> '{_snippet(_own_text(els[0]))}'{more}"


# --- the rules -----------------------------------------------------------------------------

def _check_size(html: str) -> Iterator[Finding]:
    size = len(html.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        yield Finding("error", "size", f"newsletter is {size / 1024:.1f} KB; Gmail clips messages over "
                      "102 KB — drop items or shorten summaries")
    elif size > SIZE_WARNING_BYTES:
        yield Finding("warning", "size", f"newsletter is {size / 1024:.1f} KB, close to the 102 KB at which "
                      "Gmail clips messages — consider fewer items or shorter summaries")


def _check_head(doc: lxml.html.HtmlElement) -> Iterator[Finding]:
    if not (doc.get("lang") or "").strip():
        yield Finding("error", "lang", "<html> has no lang attribute — add the edition's language "
                      "(lang=\"en-GB\") so screen readers pronounce it right")
    title = doc.find(".//title")
    if title is None:
        yield Finding("error", "title", "no <title> — add one; web views and some clients show it")
    elif not title.text_content().strip():
        yield Finding("error", "title", "<title> is empty — give it the newsletter's name and date")


def _check_preheader(doc: lxml.html.HtmlElement) -> Iterator[Finding]:
    """MJML's <mj-preview> is a display:none element opening <body>; inboxes show it as preview."""
    for el in _body(doc).iter(etree.Element):
        if el.tag in NON_TEXT:
            continue
        if _is_hidden(el) and el.text_content().strip():
            return
        if not _is_hidden(el) and (text := _own_text(el)):
            yield Finding("warning", "preheader", "no hidden preheader before the first visible text — "
                          f"add <mj-preview> or inboxes preview '{_snippet(text)}'")
            return


def _check_resources(doc: lxml.html.HtmlElement) -> Iterator[Finding]:
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
    for css in _stylesheets(doc):
        for url in re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", css, flags=re.I):
            if any(host in url for host in FONT_HOSTS):
                fonts.setdefault(url, "@import")
            else:
                yield Finding("warning", "stylesheet", f"@import '{url}' loads external CSS that most clients "
                              "ignore — put the CSS in the template")
        for face in re.findall(r"@font-face\s*\{([^}]*)\}", css, flags=re.I):
            for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")\s]+)", face, flags=re.I):
                fonts.setdefault(url, "@font-face")
    for url, how in fonts.items():
        yield Finding("warning", "webfont", f"{how} requests the web font '{url}', which most clients "
                      "ignore — drop it and rely on the font-family fallback stack")


def _link_label(a: lxml.html.HtmlElement) -> str:
    """What a reader (or screen reader) gets as the link's name."""
    alts = " ".join(img.get("alt") or "" for img in a.iter("img"))
    return " ".join(((a.get("aria-label") or "") or a.text_content() or alts).split())


def _check_links(doc: lxml.html.HtmlElement) -> Iterator[Finding]:
    """Every href must lead somewhere from an inbox: absolute, or a merge tag the ESP fills in."""
    for a in doc.iter("a"):
        href = a.get("href")
        if href is None:  # <a name=...>: an anchor target, not a link
            continue
        href, name = href.strip(), f"'{_snippet(_link_label(a)) or '(no text)'}'"
        lowered = href.lower()
        if href in ("", "#"):
            yield Finding("error", "link-empty", f"link {name} goes nowhere (href=\"{href}\") — point it "
                          "at the item's URL")
        elif lowered.startswith("javascript:"):
            yield Finding("error", "link-javascript", f"link {name} uses javascript:, which clients block "
                          "— link to a web page instead")
        elif lowered.startswith(SAFE_SCHEMES) or href.startswith("#") or MERGE_TAG.match(href):
            continue  # #anchors are in-email jumps: caniemail's html-anchor-links covers them
        elif re.match(r"[a-z][a-z0-9+.-]*:", lowered):
            yield Finding("warning", "link-scheme", f"link {name} → '{_snippet(href, 60)}' is not http(s), "
                          "mailto or tel — many clients won't open it")
        else:
            yield Finding("error", "link-relative", f"link {name} → '{_snippet(href, 60)}' is relative; "
                          "an inbox has no base URL — make it absolute (https://…)")


def _check_link_text(doc: lxml.html.HtmlElement) -> Iterator[Finding]:
    """Screen-reader users list links out of context: "Read more" ×12 tells them nothing."""
    vague: dict[str, list[tuple[str, str]]] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if href in ("", "#") or (a.get("aria-label") or "").strip():
            continue
        label = _link_label(a)
        if not label:
            yield Finding("warning", "link-text", f"link to '{_snippet(href, 60)}' has no text — add text, "
                          "or alt text to its image")
        elif (key := re.sub(r"^\W+|\W+$", "", label.lower())) in VAGUE_LINK_TEXT:
            vague.setdefault(key, []).append((label, href))
    for (label, href), *others in vague.values():
        where = f"{len(others) + 1} links, first → " if others else "→ "
        yield Finding("warning", "link-text", f"link text '{label}' says nothing out of context ({where}"
                      f"{_snippet(href, 60)}) — use the item's title as link text or add aria-label")


def _check_images(doc: lxml.html.HtmlElement) -> Iterator[Finding]:
    """An image needs a URL the reader's client can fetch, a text alternative and a size for Outlook."""
    for img in doc.iter("img"):
        src = (img.get("src") or "").strip()
        name = f"<img src='{_snippet(src, 60)}'>" if src else f"<img alt='{img.get('alt') or ''}'>"
        if not src:
            yield Finding("error", "img-src", f"{name} has no src — give it the image's https:// URL")
        elif src.lower().startswith("data:"):
            yield Finding("error", "img-src", f"{name} embeds a data: URI that Gmail doesn't show "
                          "— host the image and use its https:// URL")
        elif not src.lower().startswith(("http://", "https://")) and not MERGE_TAG.match(src):
            yield Finding("error", "img-src", f"{name} is relative; an inbox has no base URL — "
                          "make it absolute (https://…)")
        if img.get("alt") is None:
            yield Finding("error", "img-alt", f"{name} has no alt attribute — describe the image, "
                          "or alt=\"\" if it is decoration")
        if not (img.get("width") or "").strip():
            yield Finding("warning", "img-width", f"{name} has no width attribute — add width=\"…\" "
                          "(in px) or Outlook shows it at its full size")


def _check_headings(doc: lxml.html.HtmlElement) -> Iterator[Finding]:
    """One <h1> and no skipped levels: screen-reader users navigate an email by its headings."""
    headings = [h for h in doc.iter(*HEADINGS) if not any(_is_hidden(a) for a in h.iterancestors())]
    h1s = [h for h in headings if h.tag == "h1"]
    if not h1s:
        yield Finding("warning", "h1", "no <h1> — give the edition one top-level heading (its name and date)")
    elif len(h1s) > 1:
        titles = ", ".join(f"'{_snippet(h.text_content(), 30)}'" for h in h1s[:3])
        yield Finding("warning", "h1", f"{len(h1s)} <h1> elements ({titles}) — keep one and make the others <h2>")
    skips: dict[tuple[str, str], list[lxml.html.HtmlElement]] = {}
    for prev, heading in zip(headings, headings[1:]):
        if int(heading.tag[1]) > int(prev.tag[1]) + 1:
            skips.setdefault((prev.tag, heading.tag), []).append(heading)
    for (prev_tag, tag), found in skips.items():
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        yield Finding("warning", "heading-order", f"<{tag}> '{_snippet(found[0].text_content())}' follows "
                      f"<{prev_tag}>{more}, skipping a level — use <h{int(prev_tag[1]) + 1}>")


def _font_size_px(el: lxml.html.HtmlElement) -> float | None:
    """The px size el's own text is set in, when an inline style says so (pt converted)."""
    for node in (el, *el.iterancestors()):
        size = _style(node).get("font-size")
        if size is not None:
            match = re.fullmatch(r"([\d.]+)(px|pt)", size)
            return float(match[1]) * (4 / 3 if match[2] == "pt" else 1) if match else None
        if node.tag in HEADINGS:  # headings are larger than their parent by default
            return None
    return None


def _check_font_size(doc: lxml.html.HtmlElement) -> Iterator[Finding]:
    small: dict[float, list[lxml.html.HtmlElement]] = {}
    for el in _visible_text_elements(_body(doc)):
        size = _font_size_px(el)
        if size is not None and 0 < size < MIN_FONT_PX:  # 0 is MJML's whitespace-gap trick
            small.setdefault(size, []).append(el)
    for size, els in sorted(small.items()):
        yield Finding("warning", "font-size", f"text at {size:g}px is below {MIN_FONT_PX:g}px: "
                      f"{_describe(els)} — raise its font-size to {MIN_FONT_PX:g}px or more")


def _parse_colour(value: str) -> RGB | None:
    """#rgb, #rrggbb, rgb()/opaque rgba() and the basic named colours; None for anything else."""
    value = value.strip().lower()
    value = f"#{NAMED_COLOURS[value]}" if value in NAMED_COLOURS else value
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
    match = re.fullmatch(r"rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)\s*(?:[,/]\s*(1|1\.0*|100%)\s*)?\)", value)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def _text_colour(el: lxml.html.HtmlElement) -> RGB | None:
    """The colour el's own text inherits from inline styles (or <font color>); None when unknown."""
    for node in (el, *el.iterancestors()):
        colour = _style(node).get("color") or (node.get("color") if node.tag == "font" else None)
        if colour and colour != "inherit":
            return _parse_colour(colour)
        if node.tag == "a":  # an unstyled link takes the client's link colour, not its parent's
            return None
    return None


def _background_colour(el: lxml.html.HtmlElement) -> RGB | None:
    """The nearest opaque background; None when unknown or when an image/gradient sits behind."""
    for node in (el, *el.iterancestors()):
        style = _style(node)
        if style.get("background-image", "none") != "none":
            return None
        bgcolor = re.sub(r"^([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$", r"#\1", node.get("bgcolor") or "")  # legacy: no #
        declared = (style.get("background-color") or style.get("background") or bgcolor).lower()
        if "url(" in declared or "gradient(" in declared:
            return None
        if declared.strip() in ("", "transparent", "none", "inherit"):
            continue  # see-through: the next ancestor's background shows
        return _parse_colour(declared) or next(filter(None, map(_parse_colour, declared.split())), None)
    return None


def _check_contrast(doc: lxml.html.HtmlElement) -> Iterator[Finding]:
    poor: dict[tuple[RGB, RGB], list[lxml.html.HtmlElement]] = {}
    for el in _visible_text_elements(_body(doc)):
        fg, bg = _text_colour(el), _background_colour(el)
        if fg and bg and contrast(fg, bg) < MIN_CONTRAST:
            poor.setdefault((fg, bg), []).append(el)
    for (fg, bg), els in poor.items():
        hex_fg, hex_bg = ("#%02x%02x%02x" % c for c in (fg, bg))
        yield Finding("warning", "contrast", f"text colour {hex_fg} on {hex_bg} has contrast "
                      f"{contrast(fg, bg):.2f}:1, below {MIN_CONTRAST}:1: {_describe(els)} — "
                      "darken the text or lighten the background")


# --- caniemail ---------------------------------------------------------------------------

@cache
def _support() -> dict[str, dict[str, str]]:
    """slug -> {client: 'y'|'n'|'a'|'u'} from each client's latest test, loaded once on first use.

    caniemail lists a client's tests oldest first; the last one is the latest (list order, not
    sorting: Outlook for Mac "16.80" is newer than its "2016"). Notes ("a #2") are dropped.
    """
    text = resources.files("digest").joinpath("data/caniemail.json").read_text(encoding="utf-8")
    table: dict[str, dict[str, str]] = {}
    for feature in json.loads(text)["data"]:
        table[feature["slug"]] = {
            f"{family}/{platform}": list(versions.values())[-1].split()[0]
            for family, platforms in feature["stats"].items() for platform, versions in platforms.items()
            if versions}
    return table


def _css_features(prop: str, value: str) -> Iterator[tuple[str, str]]:
    """(slug, what to quote) for one declaration."""
    if prop in PROPERTY_FEATURES and value not in NEUTRAL_VALUES:
        yield PROPERTY_FEATURES[prop], prop
    if prop == "display" and value in DISPLAY_FEATURES:
        yield DISPLAY_FEATURES[value], f"display:{value}"
    if prop == "position" and value in ("absolute", "fixed", "sticky"):  # relative/static change nothing
        yield "css-position", f"position:{value}"
    if prop == "background" and "url(" in value:
        yield "css-background-image", "background: url()"
    for function in re.findall(r"(-?[a-z][a-z-]*)\(", value):
        name = re.sub(r"^(-[a-z]+-)?(repeating-)?", "", function)
        if name in FUNCTION_FEATURES:
            yield FUNCTION_FEATURES[name], f"{name}()"


def _feature_uses(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """Every mapped caniemail feature the email uses -> how it is written (first occurrence)."""
    uses: dict[str, str] = {}
    for prop, value in _all_declarations(doc):
        for slug, label in _css_features(prop, value):
            uses.setdefault(slug, label)
    for css in _stylesheets(doc):
        for name, prelude in re.findall(r"@([\w-]+)([^{;]*)", css.lower()):
            if name in AT_RULE_FEATURES:
                uses.setdefault(AT_RULE_FEATURES[name], f"@{name}")
            for media_feature in re.findall(r"\(\s*([\w-]+)", prelude) if name == "media" else ():
                if media_feature in MEDIA_FEATURES:
                    uses.setdefault(MEDIA_FEATURES[media_feature], f"@media ({media_feature})")
    for el in doc.iter(etree.Element):
        if el.tag in ELEMENT_FEATURES:
            uses.setdefault(ELEMENT_FEATURES[el.tag], f"<{el.tag}>")
        if el.get("hidden") is not None:
            uses.setdefault("html-hidden", "hidden attribute")
        if el.tag == "a" and re.match(r"#.", el.get("href") or ""):
            uses.setdefault("html-anchor-links", f"<a href=\"{el.get('href')}\">")
        if el.tag == "img" and (ext := re.search(r"\.(\w+)(?:[?#]|$)", el.get("src") or "")):
            if ext[1].lower() in IMAGE_FEATURES:
                uses.setdefault(IMAGE_FEATURES[ext[1].lower()], f".{ext[1].lower()} image")
    return uses


def _outlook_fallbacks(html: str) -> dict[str, set[str]]:
    """Features the email uses on purpose with an <!--[if mso]> fallback, so Outlook's "n" is expected.

    MJML lays columns out with @media and gives Outlook Windows ghost tables instead; with a
    background-url it gives Outlook a VML <v:rect>/<v:fill> carrying the same image.
    """
    fallbacks = {"css-at-media": {"outlook/windows"}}
    if re.search(r"<v:(?:rect|roundrect|fill|image)\b", html, flags=re.I):
        fallbacks["css-background-image"] = {"outlook/windows"}
    return fallbacks


def _check_features(doc: lxml.html.HtmlElement, clients: Sequence[str],
                    fallbacks: dict[str, set[str]]) -> Iterator[Finding]:
    """One warning per feature some client ignores outright ('n').

    Partial support ('a') is not reported: caniemail marks most layout CSS partial in Gmail and
    Yahoo for quirks (no shorthand with several values, <style> only...) that readers rarely see.
    """
    support = _support()
    for slug, label in _feature_uses(doc).items():
        stats = support.get(slug, {})
        broken = [CLIENT_NAMES[c] for c in clients
                  if stats.get(c) == "n" and c not in fallbacks.get(slug, set())]
        if broken:
            yield Finding("warning", "caniemail", f"'{label}' ({slug}) is not supported by {', '.join(broken)}")
