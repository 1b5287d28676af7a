"""Config keys declared once, as dataclass fields; checking, the starter file and the README table follow from them.

mkdocs' `config_options` is the model: a key is one `key(...)` field of a frozen dataclass, giving its type (the
annotation), its default (none: required), a check whose message says how to fix the value, one line of help and an
example. From that single declaration this module

1. checks a parsed TOML table (`check_table`), collecting every problem with its key and line;
2. writes the table's part of `digest init`'s commented starter file (`starter`);
3. writes the table's rows of the README's key reference (`reference`).

Run `python -m digest.config.reference` to rewrite the README's table after changing a key (a test fails until you
do).
"""

from __future__ import annotations

import builtins
import dataclasses
import difflib
import json
import re
import textwrap
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

Check = Callable[[Any], str | None]
_MISSING: Any = dataclasses.MISSING
_NO_EXAMPLE: Any = type("NoExample", (), {"__repr__": lambda self: "<no example>"})()


@dataclass(frozen=True)
class Meta:
    """What a key's field says besides its type and default."""

    help: str
    check: Check | None = None
    example: Any = _NO_EXAMPLE  # the value the starter file and README show; default: the key's default
    show: bool = False  # written uncommented in the starter file


def key(default: Any = _MISSING, *, help: str, check: Check | None = None, example: Any = _NO_EXAMPLE,
        show: bool = False) -> Any:
    """Declare one config key as a dataclass field (no default: the key is required)."""
    return field(default=default, metadata={"key": Meta(help, check, example, show)})


@dataclass(frozen=True)
class Spec:
    """One key as the checker sees it, derived from its field."""

    name: str
    type: type  # the TOML value's Python type: str, int, bool, list or dict
    items: builtins.type | None  # lists: the type of each entry (`type` is the field above, here)
    table: builtins.type | None  # nested tables ([newsletter.utm]): the dataclass they become
    default: Any
    meta: Meta

    @property
    def required(self) -> bool:
        return self.default is _MISSING

    @property
    def example(self) -> Any:
        return self.default if self.meta.example is _NO_EXAMPLE else self.meta.example


@cache
def specs(cls: type) -> dict[str, Spec]:
    """The keys a dataclass declares, in declaration order."""
    hints = typing.get_type_hints(cls)
    result: dict[str, Spec] = {}
    for f in dataclasses.fields(cls):
        if "key" not in f.metadata:
            continue
        kind = hints[f.name]
        if isinstance(kind, types.UnionType):  # `str | None`: None is "not set", never written in TOML
            kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        items = table = None
        if typing.get_origin(kind) is tuple:
            kind, items = list, typing.get_args(kind)[0]
        elif typing.get_origin(kind) is dict:  # an inline table of values its check reads: [newsletter.words]
            kind = dict
        elif dataclasses.is_dataclass(kind):
            kind, table = dict, kind
        result[f.name] = Spec(f.name, kind, items, table, f.default, f.metadata["key"])
    return result


class Problems:
    """Collects errors and warnings with their line numbers while a file is checked."""

    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def _where(self, key: str) -> str:
        """`key (line N)`: its own line, else its table's (a key of an inline table: `button = { url = … }`)."""
        name = key
        while name and name not in self.lines:
            name = name.rpartition(".")[0]
        return f"{key} (line {self.lines[name]})" if name else key

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self._where(key)}: {message}")

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(f"{self._where(key)}: {message}")


def key_lines(text: str) -> dict[str, int]:
    """Map `sources[3].url`-style key names to their line numbers (TOML parsers do not say)."""
    lines: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if m := re.match(r"\[\[\s*([\w.-]+)\s*\]\]", stripped):
            name = m.group(1)
            counts[name] = counts.get(name, 0) + 1
            table = f"{name}[{counts[name]}]"
            lines.setdefault(table, number)
        elif m := re.match(r"\[\s*([\w.-]+)\s*\]", stripped):
            table = m.group(1)
            lines.setdefault(table, number)
        elif m := re.match(r"([\w-]+)\s*=", stripped):
            lines.setdefault(f"{table}.{m.group(1)}" if table else m.group(1), number)
    return lines


_TYPE_NAMES = {str: "text in quotes", int: "a whole number", list: "a list like [\"a\", \"b\"]", bool: "true or false",
               dict: "a table"}


def check_table(raw: Any, cls: type, where: str, problems: Problems) -> dict[str, Any]:
    """Check one table against the keys `cls` declares; return the values with defaults filled in."""
    schema = specs(cls)
    if not isinstance(raw, dict):
        problems.error(where, "must be a table")
        return {}
    values: dict[str, Any] = {}
    for name, value in raw.items():
        key = f"{where}.{name}"
        if name not in schema:
            close = difflib.get_close_matches(name, schema, n=1)
            hint = f": did you mean {close[0]!r}?" if close else f": known keys are {', '.join(schema)}"
            problems.warn(key, f"unknown key {name!r} is ignored{hint}")
            continue
        spec = schema[name]
        if spec.type is int and isinstance(value, bool) or not isinstance(value, spec.type):
            problems.error(key, f"must be {_TYPE_NAMES[spec.type]}, not {value!r}")
            continue
        if spec.items and not (isinstance(value, list) and all(isinstance(v, spec.items) for v in value)):
            problems.error(key, f"every entry must be {_TYPE_NAMES[spec.items]}")
            continue
        if spec.meta.check and (message := spec.meta.check(value)):
            problems.error(key, message)
            continue
        if spec.table is not None:
            inner = check_table(value, spec.table, key, problems)
            complete = all(s.name in inner for s in specs(spec.table).values() if s.required)
            values[name] = spec.table(**inner) if complete else None
            continue
        values[name] = tuple(value) if isinstance(value, list) else value
    for name, spec in schema.items():
        if name not in raw:
            if spec.required:
                problems.error(where, f"missing required key {name!r}")
            else:
                values[name] = spec.default
    return values


def toml_value(value: Any) -> str:
    """A value written as TOML (strings with newlines as multi-line strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and "\n" in value:
        return '"""\n' + value.strip("\n") + '\n"""'
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    if isinstance(value, dict):  # an inline table: [newsletter.words]
        return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items()) + " }"
    return str(value)


_COMMENT_AT = 40  # the column where the starter file's help comments start
_WIDTH = 118


def _comment(spec: Spec) -> str:
    """A key's help as the starter file says it: required, or its default when the example differs."""
    if spec.required:
        return f"required: {spec.meta.help}"
    if spec.table is None and spec.example != spec.default and spec.default not in (None, "", ()):
        return f"{spec.meta.help} (default: {toml_value(spec.default)})"
    return spec.meta.help


def _line(assignment: str, help: str) -> list[str]:
    """`assignment` with its help as an aligned comment, or on lines of its own above it when it does not fit."""
    wrapped = textwrap.wrap(help, _WIDTH - _COMMENT_AT - 2, break_on_hyphens=False) or [""]
    if "\n" in assignment or len(assignment) >= _COMMENT_AT or len(wrapped) > 1:
        above = textwrap.wrap(help, _WIDTH - 2, break_on_hyphens=False)
        return [f"# {line}" for line in above] + assignment.splitlines()
    return [f"{assignment:<{_COMMENT_AT}}# {wrapped[0]}"]


def starter(cls: type, header: str, help: str = "", shown: bool = True) -> list[str]:
    """The starter file's lines for one table: shown keys written out, the rest commented, each with its help."""
    off = "" if shown else "# "
    lines = _line(f"{off}{header}", help) if help else [f"{off}{header}"]
    nested: list[str] = []
    for spec in specs(cls).values():
        on = shown and spec.meta.show
        if spec.table is not None:
            nested += ["", *starter(spec.table, f"[{header.strip('[]')}.{spec.name}]", spec.meta.help, on)]
            continue
        prefix = "" if on else "# "
        assignment = "\n".join(prefix + part for part in f"{spec.name} = {toml_value(spec.example)}".splitlines())
        lines += _line(assignment, _comment(spec))
    return lines + nested


_SHORT_TYPES = {str: "text", int: "whole number", bool: "true/false", list: "list", dict: "table"}


def _default(spec: Spec) -> str:
    if spec.required:
        return "**required**"
    if spec.default is None or spec.table is not None:
        return "not set"
    return f"`{toml_value(spec.default)}`"


def reference(cls: type, header: str) -> list[str]:
    """The README's Markdown rows for one table's keys (nested tables follow as their own tables)."""
    rows = [f"**`{header}`**", "", "| key | type | default | what it does | example |", "|---|---|---|---|---|"]
    nested: list[str] = []
    for spec in specs(cls).values():
        kind = f"list of {_SHORT_TYPES[spec.items]}" if spec.items else _SHORT_TYPES[spec.type]
        shown = spec.example.strip() if isinstance(spec.example, str) else spec.example
        example = "" if spec.table is not None or spec.example == spec.default else f"`{toml_value(shown)}`"
        help = spec.meta.help.replace("|", "\\|")
        rows.append(f"| `{spec.name}` | {kind} | {_default(spec)} | {help} | {example} |")
        if spec.table is not None:
            nested += ["", *reference(spec.table, f"[{header.strip('[]')}.{spec.name}]")]
    return rows + nested
