"""Reading the email's CSS with tinycss2: declarations, rules, at-rules, and what a value is made of.

The checker only looks at CSS, it never applies it, so what it needs is small: (property, value) pairs of
inline styles and style sheets, the at-rules with their preludes, the URLs of @import and @font-face, the
functions a value calls, and a value's lengths and colours. Parsing is cached per text: an MJML email repeats
the same few inline styles hundreds of times.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

import tinycss2
from tinycss2.ast import AtRule, Declaration, FunctionBlock, Node, ParenthesesBlock, QualifiedRule

# At-rules whose block holds rules (not declarations); their inner rules are read like top-level ones.
GROUPING_RULES = {"media", "supports", "container", "layer", "document", "-moz-document",
                  "keyframes", "-webkit-keyframes", "-moz-keyframes"}
Pair = tuple[str, str]


def _pairs(nodes: Iterable[Node]) -> Iterator[Pair]:
    for node in nodes:
        if isinstance(node, Declaration):  # `!important` is a flag of the node, not part of its value
            yield node.lower_name, tinycss2.serialize(node.value).strip().lower()


@cache
def declarations(css: str) -> tuple[Pair, ...]:
    """(property, value) pairs of a declaration list (a style attribute), lower-cased, without !important."""
    return tuple(_pairs(tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True)))


def _rules(nodes: Iterable[Node]) -> Iterator[QualifiedRule | AtRule]:
    """Every rule, with the rules inside @media and other grouping rules after the rule that holds them."""
    for node in nodes:
        if isinstance(node, (QualifiedRule, AtRule)):
            yield node
        if isinstance(node, AtRule) and node.lower_at_keyword in GROUPING_RULES and node.content is not None:
            yield from _rules(tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True))


@cache
def sheet(css: str) -> tuple[QualifiedRule | AtRule, ...]:
    """A style sheet's rules, nested ones included (comments dropped)."""
    return tuple(_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)))


def sheet_declarations(css: str) -> Iterator[Pair]:
    """The declarations of every rule of a style sheet (style rules, @font-face, keyframes…)."""
    for rule in sheet(css):
        if rule.content is not None and not (isinstance(rule, AtRule) and rule.lower_at_keyword in GROUPING_RULES):
            yield from _pairs(tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True))


def at_rules(css: str) -> Iterator[tuple[str, AtRule]]:
    """(name, rule) for every at-rule of a style sheet, lower-cased, nested ones included."""
    for rule in sheet(css):
        if isinstance(rule, AtRule):
            yield rule.lower_at_keyword, rule


def _walk(nodes: Iterable[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        if isinstance(node, (FunctionBlock, ParenthesesBlock)):
            yield from _walk(node.arguments if isinstance(node, FunctionBlock) else node.content)


def media_features(rule: AtRule) -> list[str]:
    """The features an @media prelude tests, e.g. ["max-width", "prefers-color-scheme"]."""
    return [first.lower_value for node in _walk(rule.prelude) if isinstance(node, ParenthesesBlock)
            for first in [next((t for t in node.content if t.type != "whitespace"), None)]
            if first is not None and first.type == "ident"]


def urls(nodes: Iterable[Node]) -> list[str]:
    """Every URL written in some tokens: url(x), url("x"), and the bare string of an @import."""
    found = []
    for node in _walk(nodes):
        if node.type == "url":
            found.append(node.value)
        elif isinstance(node, FunctionBlock) and node.lower_name == "url":
            found += [t.value for t in node.arguments if t.type == "string"]
    return found


def import_url(rule: AtRule) -> str | None:
    """The address an @import loads."""
    first = next((t for t in rule.prelude if t.type != "whitespace"), None)
    if first is not None and first.type == "string":
        value: str = first.value  # tinycss2 is untyped: a StringToken's value is its text
        return value
    found = urls([first]) if first is not None else []
    return found[0] if found else None


@cache
def components(value: str) -> tuple[Node, ...]:
    """A declaration's value as component values, whitespace and comments dropped."""
    return tuple(n for n in tinycss2.parse_component_value_list(value, skip_comments=True) if n.type != "whitespace")


@cache
def functions(value: str) -> tuple[str, ...]:
    """The functions a value calls, nested ones too, lower-cased ("url" also for an unquoted url(x))."""
    return tuple("url" if node.type == "url" else node.lower_name for node in _walk(components(value))
                 if node.type == "url" or isinstance(node, FunctionBlock))


def parts(value: str) -> tuple[str, ...]:
    """A value's component values as text: "#fff url(x.png) no-repeat" → ("#fff", "url(x.png)", "no-repeat")."""
    return tuple(tinycss2.serialize([node]) for node in components(value))


def length_px(value: str) -> float | None:
    """A single px or pt length in px; None for anything else (em, %, keywords, several values)."""
    parts = components(value)
    if len(parts) != 1 or parts[0].type != "dimension" or parts[0].lower_unit not in ("px", "pt"):
        return None
    return float(parts[0].value) * (4 / 3 if parts[0].lower_unit == "pt" else 1)
