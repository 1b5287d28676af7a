"""Add sources to sources.toml without disturbing it: tomlkit keeps every comment, blank line and key order.

`digest sources add` and `digest sources import` both end here. New `[[sources]]` tables go
after the last existing one; names and addresses already in the file are refused with a
reason rather than written twice (a duplicate name would make the file invalid).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from digest.config import parse_config
from digest.exceptions import ConfigError
from digest.write import write_atomic


@dataclass(frozen=True)
class NewSource:
    """A source to append: what `[[sources]]` will say, and an optional comment line above it."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    comment: str = ""


def add_sources(path: Path, new: list[NewSource]) -> tuple[list[NewSource], list[str]]:
    """Append the sources not already there; (added, one reason per source left out).

    The caller has loaded the file with load_config already, so it exists and is valid.
    """
    text = path.read_bytes().decode("utf-8-sig")
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(str(path), [f"is not valid TOML: {exc} — fix it before adding sources"]) from None
    existing = doc.get("sources")
    if existing is None:
        existing = tomlkit.aot()
        doc.append("sources", existing)
    names = {str(s.get("name")): s for s in existing}
    urls = {str(s.get("url")): str(s.get("name")) for s in existing}
    added, refused = [], []
    for source in new:
        if source.url in urls:
            refused.append(f"{source.url} is already in {path.name} as {urls[source.url]!r}")
            continue
        name = _free_name(source.name, names)
        table = tomlkit.table()
        table.trivia.indent = "" if text.endswith("\n\n") and not added else "\n"  # a blank line between entries
        if source.comment:
            table.comment(source.comment)
        table.add("name", name)
        table.add("url", source.url)
        if source.tags:
            table.add("tags", list(source.tags))
        existing.append(table)
        names[name], urls[source.url] = table, name
        added.append(NewSource(name, source.url, source.tags, source.comment))
    if added:
        updated = tomlkit.dumps(doc)
        parse_config(updated, path)  # never write a sources.toml the next build would refuse
        write_atomic(path, updated)
    return added, refused


def _free_name(name: str, taken: dict[str, object]) -> str:
    """The name, or "name (2)", "name (3)"… when a source is already called that."""
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate
