"""caniemail.com's support data: which features the email uses, and which default clients ignore them.

The data is `digest/data/caniemail.json` (refreshed by `scripts/refresh-caniemail`). The rule only knows the
features a reader would notice (see PROPERTY_FEATURES), so MJML's own output (ghost tables, @media columns,
preheader hiding) raises nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources

from lxml import etree

from digest.check import css
from digest.check.document import Element, all_declarations, stylesheets
from digest.check.finding import Finding

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


@cache
def support() -> dict[str, dict[str, str]]:
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
    if prop == "background" and "url" in css.functions(value):
        yield "css-background-image", "background: url()"
    for function in css.functions(value):
        name = re.sub(r"^(-[a-z]+-)?(repeating-)?", "", function)
        if name in FUNCTION_FEATURES:
            yield FUNCTION_FEATURES[name], f"{name}()"


def _feature_uses(doc: Element) -> dict[str, str]:
    """Every mapped caniemail feature the email uses -> how it is written (first occurrence)."""
    uses: dict[str, str] = {}
    for prop, value in all_declarations(doc):
        for slug, label in _css_features(prop, value):
            uses.setdefault(slug, label)
    for sheet in stylesheets(doc):
        for name, rule in css.at_rules(sheet):
            if name in AT_RULE_FEATURES:
                uses.setdefault(AT_RULE_FEATURES[name], f"@{name}")
            for media_feature in css.media_features(rule) if name == "media" else ():
                if media_feature in MEDIA_FEATURES:
                    uses.setdefault(MEDIA_FEATURES[media_feature], f"@media ({media_feature})")
    for el in doc.iter(etree.Element):
        if el.tag in ELEMENT_FEATURES:
            uses.setdefault(ELEMENT_FEATURES[el.tag], f"<{el.tag}>")
        if el.get("hidden") is not None:
            uses.setdefault("html-hidden", "hidden attribute")
        if el.tag == "a" and re.match(r"#.", el.get("href") or "") and not _in_contents(el):
            uses.setdefault("html-anchor-links", f"<a href=\"{el.get('href')}\">")
        ext = re.search(r"\.(\w+)(?:[?#]|$)", el.get("src") or "") if el.tag == "img" else None
        if ext and ext[1].lower() in IMAGE_FEATURES:
            uses.setdefault(IMAGE_FEATURES[ext[1].lower()], f".{ext[1].lower()} image")
    return uses


def _in_contents(el: Element) -> bool:
    """Inside a contents list (role="navigation"): its jump links are a convenience where they work."""
    return any(a.get("role") == "navigation" for a in el.iterancestors())


def outlook_fallbacks(html: str) -> dict[str, set[str]]:
    """Features the email uses on purpose with an <!--[if mso]> fallback, so Outlook's "n" is expected.

    MJML lays columns out with @media and gives Outlook Windows ghost tables instead; with a
    background-url it gives Outlook a VML <v:rect>/<v:fill> carrying the same image.
    """
    fallbacks = {"css-at-media": {"outlook/windows"}}
    if re.search(r"<v:(?:rect|roundrect|fill|image)\b", html, flags=re.I):
        fallbacks["css-background-image"] = {"outlook/windows"}
    return fallbacks


def check_features(doc: Element, clients: Sequence[str], fallbacks: dict[str, set[str]]) -> Iterator[Finding]:
    """One warning per feature some client ignores outright ('n').

    Partial support ('a') is not reported: caniemail marks most layout CSS partial in Gmail and
    Yahoo for quirks (no shorthand with several values, <style> only...) that readers rarely see.
    """
    table = support()
    for slug, label in _feature_uses(doc).items():
        stats = table.get(slug, {})
        broken = [CLIENT_NAMES[c] for c in clients
                  if stats.get(c) == "n" and c not in fallbacks.get(slug, set())]
        if broken:
            yield Finding("warning", "caniemail", f"'{label}' ({slug}) is not supported by {', '.join(broken)}")
