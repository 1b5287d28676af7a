"""Add sources to sources.toml without disturbing it: every comment, blank line and key stays where it was.

`digest sources add` and `digest sources import` both end here. New `[[sources]]` tables are
written by tomlkit (quoting, escapes) and appended; names and addresses already in the file
are refused with a reason rather than written twice (a duplicate name would make the file
invalid), and the result is checked as a sources.toml before it replaces the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from digest.config.load import parse_config
from digest.write import write_atomic


@dataclass(frozen=True)
class NewSource:
    """A source to append: what `[[sources]]` will say, and an optional comment line above it."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    comment: str = ""
    member: str = ""  # the name readers see, shared by a member's several sources ("" means the name)


def add_sources(path: Path, new: list[NewSource]) -> tuple[list[NewSource], list[str]]:
    """Append the sources not already there; (added, one reason per source left out).

    The new tables are written by tomlkit and go at the very end of the file, so every byte
    before them stays as it was (an array of tables may continue anywhere in TOML; tomlkit
    itself would regroup a file whose [[sources]] are not last). The caller has loaded the
    file with load_config, so it exists and is valid.
    """
    text = path.read_bytes().decode("utf-8-sig")
    existing = tomllib.loads(text).get("sources", [])
    names = {str(s.get("name")) for s in existing}
    urls = {str(s.get("url")): str(s.get("name")) for s in existing}
    tables = tomlkit.aot()
    added: list[NewSource] = []
    refused: list[str] = []
    for source in new:
        if source.url in urls:
            refused.append(f"{source.url} is already in {path.name} as {urls[source.url]!r}")
            continue
        name = _free_name(source.name, names)
        table = tomlkit.table()
        table.trivia.indent = "\n" if added else ""  # a blank line between entries
        if source.comment:
            table.comment(source.comment)
        table.add("name", name)
        if source.member:
            table.add("member", source.member)
        table.add("url", source.url)
        if source.tags:
            table.add("tags", list(source.tags))
        tables.append(table)
        names.add(name)
        urls[source.url] = name
        added.append(NewSource(name, source.url, source.tags, source.comment, source.member))
    if added:
        snippet = tomlkit.document()
        snippet.append("sources", tables)
        gap = "" if not text.strip() or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
        updated = text + gap + tomlkit.dumps(snippet)
        parse_config(updated, path)  # never write a sources.toml the next build would refuse
        write_atomic(path, updated)
    return added, refused


def _free_name(name: str, taken: set[str]) -> str:
    """The name, or "name (2)", "name (3)"… when a source is already called that."""
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate
