"""Make untrusted feed HTML safe for an email: one strict nh3 policy, absolute URLs, trimming.

Everything a member's feed says is untrusted. Summaries keep only simple inline and block
markup (no images, tables, styles or classes: those break email layouts); scripts, styles,
iframes and forms go with their content; every link becomes absolute against the entry's
base and keeps only http, https and mailto. Merge-tag look-alikes (`*|UNSUB|*`, `{{ x }}`)
are defused so an email service cannot expand them in feed text. Control characters and the
bidi embedding/override/isolate characters (which can make a title read backwards or hide
text) are stripped from every line of text, and titles are capped at TITLE_LIMIT characters.
"""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from urllib.parse import quote, urljoin, urlsplit

import nh3
from lxml import html as lxml_html

from digest.urls import is_web_url

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "i", "li", "ol", "p",
    "pre", "q", "s", "strong", "sub", "sup", "u", "ul",
}
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "form",
                        "select", "textarea", "title"}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Mailchimp *|X|*; Jinja/Liquid/Handlebars {{ }}, {% %}, {# #} (Buttondown, Brevo, listmonk);
# MailerLite {$x}; Salesforce %%x%%; Campaign Monitor's [unsubscribe] / [webversion].
_MERGE_TAG = re.compile(r"\*\||\|\*|\{\{|\}\}|\{%|%\}|\{#|#\}|\{\$|%%|\[(?=(?:unsubscribe|webversion)\b)", re.I)
_ZWSP = "\u200b"
# C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides (U+202A–E) and isolates (U+2066–9)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TITLE_LIMIT = 200  # characters: a headline, not an article (a 10 KB "title" would bury the email)
_URL_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '{}|"<>\\^`')
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HREF = re.compile(r'(\shref=")([^"]*)"')
_BARE_ANCHOR = re.compile(r'<a(?: title="[^"]*")?>(.*?)</a>', re.S)  # a link whose URL was refused
# Elements nested deeper than this are unwrapped (their text kept): real posts nest a handful deep,
# while 10,000 nested <b> overflow the MJML renderer's stack and take html5ever (nh3) quadratic time.
MAX_HTML_DEPTH = 32
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*)?>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_SELF_CLOSING = frozenset({"p", "li", "dt", "dd", "option", "tr", "td", "th"})  # the next one closes one left open


def absolute_url(url: str | None, base: str | None) -> str | None:
    """Resolve `url` against `base`; keep it only if the result is http(s) or mailto."""
    if not url or not url.strip():
        return None
    url = url.strip()
    if base and is_web_url(base):
        url = urljoin(base, url)
    return url if is_web_url(url) or urlsplit(url).scheme.lower() == "mailto" else None


def defuse_merge_tags(text: str) -> str:
    """Break ESP merge-tag and template delimiters with a zero-width space so they stay text.

    Feed text is data to our templates, but the email service runs its own template language
    over the whole email: `*|UNSUB|*` in a member's post would become a live unsubscribe link.
    """
    return _MERGE_TAG.sub(lambda m: m.group(0)[0] + _ZWSP + m.group(0)[1:], text)


def strip_controls(text: str) -> str:
    """Text without control or bidi-override characters (tabs and newlines are kept)."""
    return _CONTROLS.sub("", text)


def cap(text: str, limit: int = TITLE_LIMIT) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis when it was longer."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = head.rfind(" ")
    head = head[:cut] if cut > limit // 2 else head[: limit - 1]
    return head.rstrip(" ,;:.-\u2013\u2014") + "\u2026"


def one_line(text: str) -> str:
    """Untrusted text as one line: control characters gone, line breaks and runs of spaces one space
    (a calendar's single-line fields, what a terminal is shown, a name written to sources.toml)."""
    return " ".join(strip_controls(text).split())


def clean_line(text: str, limit: int | None = None) -> str:
    """One line of untrusted plain text (a title, a place, a name): controls stripped, whitespace
    collapsed, capped at `limit`, merge tags defused."""
    line = one_line(text)
    return defuse_merge_tags(cap(line, limit) if limit else line)


def safe_text(value: str) -> str:
    """Any text a template writes into the email (names and addresses from sources.toml too)."""
    return defuse_merge_tags(strip_controls(value))


def flatten(fragment: str, max_depth: int = MAX_HTML_DEPTH) -> str:
    """The fragment with every tag that would nest deeper than `max_depth` taken out, its text kept.

    One linear pass over the tags as written, before any parser builds a tree of them: void
    elements do not nest, a `<p>` or `<li>` left open is closed by the next one (as HTML does),
    and a closing tag closes what its opening tag opened.
    """
    if fragment.count("<") <= max_depth:
        return fragment
    stack: list[tuple[str, bool]] = []  # each open element, and whether its tags are kept
    open_names: Counter[str] = Counter()

    def close_to(name: str) -> bool:
        while stack:
            top, kept = stack.pop()
            open_names[top] -= 1
            if top == name:
                return kept
        return True

    def level(match: re.Match[str]) -> str:
        name = match.group(2).lower()
        if name in _VOID or match.group(0).endswith("/>"):
            return match.group(0)
        if match.group(1):  # a closing tag
            return match.group(0) if not open_names[name] or close_to(name) else ""
        if name in _SELF_CLOSING and stack and stack[-1][0] == name:
            close_to(name)
        kept = len(stack) < max_depth
        stack.append((name, kept))
        open_names[name] += 1
        return match.group(0) if kept else ""

    return _TAG.sub(level, fragment)


def clean_html(fragment: str, base: str | None = None) -> str:
    """Sanitise an HTML fragment with the strict allow-list; relative links resolved against base.

    Nesting is cut at MAX_HTML_DEPTH before nh3 parses it and again after (see flatten).
    """
    if not fragment:
        return ""

    def rewrite(url: str) -> str | None:
        return absolute_url(url, base)

    cleaned = nh3.clean(
        flatten(fragment),
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative=rewrite,
        link_rel=None,
        strip_comments=True,
    )
    cleaned = _BARE_ANCHOR.sub(r"\1", flatten(cleaned))
    cleaned = _HREF.sub(lambda m: m.group(1) + defuse_url(m.group(2)) + '"', cleaned)
    return defuse_merge_tags(strip_controls(cleaned)).strip()


def defuse_url(url: str) -> str:
    """A link with merge-tag delimiters and invisible or non-ASCII characters percent-encoded.

    Text gets a zero-width space between a delimiter's characters, but in a URL that space is
    itself a character (the MJML renderer writes it as a Rust escape, `\\u{200b}`). So a URL's
    braces and bars are always encoded (RFC 3986 has no place for them), as is a `%` that starts
    no escape: quoting can then never build `{%`, `{{`, `*|` or `%%` (`{ ` must not become
    `{%20`, which a template engine reads). The link keeps working; no email service's template
    language will find a tag in it.
    """
    url = _MERGE_TAG.sub(lambda m: quote(m.group(0), safe=""), url)
    url = _LONE_PERCENT.sub("%25", url)
    return quote(url, safe=_URL_SAFE)


def safe_link(url: str | None) -> str | None:
    """A member's link as every output writes it: tabs, line breaks and controls removed (as a
    browser's URL parser does), then defused (defuse_url); None when nothing is left."""
    if not url:
        return None
    return defuse_url(re.sub(r"[\t\n]", "", strip_controls(url)).strip()) or None


def text_to_html(text: str) -> str:
    """Plain text (an iCalendar DESCRIPTION, a CSV cell) as safe paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    body = "".join("<p>" + htmllib.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return clean_html(body)


def plain_text(fragment: str) -> str:
    """The visible text of an HTML fragment (titles given as HTML), whitespace collapsed."""
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    cleaned = nh3.clean(flatten(fragment), tags=set(), clean_content_tags=DROPPED_WITH_CONTENT, strip_comments=True)
    return " ".join(htmllib.unescape(cleaned).split())


def trim_html(fragment: str, limit: int) -> str:
    """Cut sanitised HTML after `limit` characters of text, at a word boundary, tags kept balanced.

    Adds an ellipsis when anything was cut. Elements after the cut are removed whole. The text
    lxml hands back is decoded (`&lt;script&gt;` is `<script>` there), so it is escaped again
    on the way out, and the result is sanitised *after* the cut: trimming can never turn a
    member's escaped markup into live markup.
    """
    if not fragment or limit <= 0:
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    if len(root.text_content()) <= limit:
        return clean_html(fragment)
    budget = [limit]
    _trim_node(root, budget)
    out = htmllib.escape(root.text or "", quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )
    return clean_html(out.strip())


def _cut(text: str, budget: list[int]) -> tuple[str, bool]:
    """Take at most budget[0] chars of text, ending at a word boundary; True when cut."""
    if len(text) <= budget[0]:
        budget[0] -= len(text)
        return text, False
    head = text[: budget[0]]
    if " " in head.strip():
        head = head.rstrip()
        head = head[: head.rfind(" ")] if not text[len(head):len(head) + 1].isspace() else head
    budget[0] = 0
    return head.rstrip(" ,;:.-\u2013\u2014") + "\u2026", True


def _trim_node(node: lxml_html.HtmlElement, budget: list[int]) -> bool:
    """Depth-first trim; returns True once the budget is spent (the rest is dropped)."""
    if node.text:
        node.text, done = _cut(node.text, budget)
        if done:
            for child in list(node):
                node.remove(child)
            return True
    for child in list(node):
        if budget[0] <= 0:
            node.remove(child)
            continue
        if _trim_node(child, budget):
            for later in list(child.itersiblings()):
                node.remove(later)
            child.tail = None
            return True
        if child.tail:
            child.tail, done = _cut(child.tail, budget)
            if done:
                for later in list(child.itersiblings()):
                    node.remove(later)
                return True
    return False
