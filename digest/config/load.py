"""Read sources.toml and check it against the declared keys (keys.py), reporting every problem at once.

Every problem in the file is collected and reported together, naming the key as `sources[3].url`
and the line it is on, so the editor fixes everything in one pass. Unknown keys and tables are
warnings with a "did you mean" suggestion, not errors: a typo must not stop a build.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from digest.config.glossary import Word
from digest.config.keys import Config, Newsletter, Section, Source
from digest.config.schedule import Schedule, check_schedule
from digest.config.schema import Problems, check_table, key_lines
from digest.exceptions import ConfigError

TABLE_NAMES = ("newsletter", "sections", "sources", "schedule", "glossary")


def parse_config(text: str, path: Path) -> Config:
    """Validate the text of a sources.toml; raise ConfigError listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"is not valid TOML: {exc} — check quotes, brackets and commas there"]) from None
    problems = Problems(key_lines(text))
    for name in raw:
        if name not in TABLE_NAMES:
            close = difflib.get_close_matches(name, TABLE_NAMES, n=1)
            problems.warn(name, f"unknown table {name!r} is ignored" + (f": did you mean {close[0]!r}?" if close else ""))
    if "newsletter" not in raw:
        problems.error("newsletter", "missing the [newsletter] table with at least title = \"…\"")
    newsletter = check_table(raw.get("newsletter", {}), Newsletter, "newsletter", problems)
    sections = [check_table(s, Section, f"sections[{i}]", problems) for i, s in enumerate(_array(raw, "sections", problems), 1)]
    sources = [check_table(s, Source, f"sources[{i}]", problems) for i, s in enumerate(_array(raw, "sources", problems), 1)]
    glossary = [check_table(w, Word, f"glossary[{i}]", problems) for i, w in enumerate(_array(raw, "glossary", problems), 1)]
    _cross_checks(sections, sources, problems)
    schedule = check_table(raw["schedule"], Schedule, "schedule", problems) if "schedule" in raw else None
    check_schedule(schedule or {}, problems)
    if newsletter.get("templates") and not (path.parent / newsletter["templates"]).is_dir():
        problems.error("newsletter.templates", f"no folder {newsletter['templates']!r} beside {path.name}: "
                       "fix the path, or remove the key to use the default theme")
    if problems.errors:
        raise ConfigError(str(path), problems.errors + problems.warnings)
    return Config(
        path=path.resolve(),
        newsletter=Newsletter(**newsletter),
        sections=tuple(Section(**s) for s in sections),
        sources=tuple(Source(**s) for s in sources),
        schedule=Schedule(**schedule) if schedule is not None else None,
        warnings=tuple(f"{path.name}: {w}" for w in problems.warnings),
        glossary=tuple(Word(**w) for w in glossary),
    )


def _array(raw: dict[str, Any], name: str, problems: Problems) -> list[Any]:
    value = raw.get(name, [])
    if not isinstance(value, list):
        problems.error(name, f"write each entry as a [[{name}]] table")
        return []
    return value


def _cross_checks(sections: list[dict[str, Any]], sources: list[dict[str, Any]], problems: Problems) -> None:
    """Rules that span keys: unique source names, sections naming known sources, text bodies."""
    if not sections:
        problems.error("sections", "no [[sections]]: add at least one, e.g. title = \"News\", kind = \"posts\"")
    seen: dict[str, int] = {}
    for i, source in enumerate(sources, 1):
        name = source.get("name")
        if name in seen:
            problems.error(f"sources[{i}].name", f"{name!r} is already the name of sources[{seen[name]}]: names must be unique")
        elif name:
            seen[name] = i
    for i, section in enumerate(sections, 1):
        for name in section.get("sources") or ():
            if name not in seen:
                close = difflib.get_close_matches(name, seen, n=1)
                hint = f": did you mean {close[0]!r}?" if close else ": use a name from [[sources]]"
                problems.error(f"sections[{i}].sources", f"no source is called {name!r}{hint}")
        if section.get("kind") == "text" and not section.get("body"):
            problems.error(f"sections[{i}]", "a text section needs body = \"…\" (Markdown)")


def load_config(path: Path | str) -> Config:
    """Read sources.toml from disk; a missing or unreadable file is a ConfigError too."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(str(path), ["not found: run `digest init DIR` to create one, or pass --config PATH"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot be read ({exc})"]) from None
    return parse_config(text, path)
