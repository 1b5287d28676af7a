"""The draft's Markdown as markdown-it-py reads it: headings, code blocks and inline text, with their lines."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark that keeps link addresses as written (digest checks them itself)."""
    md = MarkdownIt("commonmark")
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def plain(tokens: list[Token]) -> str:
    """The text of inline tokens, whitespace collapsed."""
    out = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type == "image":
            out.append(plain(token.children or []))
    return " ".join("".join(out).split())


def inline(text: str) -> list[Token]:
    tokens = _parser().parseInline(text)
    return tokens[0].children or [] if tokens else []


def heading_lines(text: str) -> dict[int, tuple[int, str]]:
    """Each top-level ATX `## `/`### ` heading: 0-based line → (level, its text)."""
    tokens = _parser().parse(text)
    found: dict[int, tuple[int, str]] = {}
    for at, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.markup in ("##", "###") and token.map:
            found[token.map[0]] = (len(token.markup), tokens[at + 1].content)
    return found


def code_lines(text: str) -> set[int]:
    """0-based lines inside fenced or indented code: a `<!--` there is code, not a comment."""
    lines: set[int] = set()
    for token in _parser().parse(text):
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(*token.map))
    return lines
