"""Read and validate sources.toml against a declarative schema.

Each table's keys are declared once (type, default, a check whose message says how to fix
the value). Every problem in the file is collected and reported together, naming the key as
`sources[3].url` and the line it is on, so the editor fixes everything in one pass. Unknown
keys are warnings with a "did you mean" suggestion, not errors: a typo must not stop a build.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from digest.exceptions import ConfigError

Check = Callable[[Any], str | None]
KINDS = ("posts", "events", "text")
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Key:
    """One key of a table: its type, whether it is required, its default and a check."""

    type: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    check: Check | None = None
    items: type | None = None  # element type for lists
    table: dict[str, Key] | None = None  # a nested table ([newsletter.utm]): its own keys
    into: Callable[..., Any] | None = None  # what a nested table's checked values become


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown timezone {value!r}: use an IANA name such as \"Europe/London\" or \"UTC\""
    return None


def _language(value: str) -> str | None:
    try:
        Locale.parse(value, sep="-" if "-" in value else "_")
    except (UnknownLocaleError, ValueError):
        return f"unknown language {value!r}: use a code such as \"en-GB\" or \"cy\""
    return None


def _hex_colour(value: str) -> str | None:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", value):
        return f"{value!r} is not a colour: write it as a hex colour such as \"#6b2c91\""
    return None


def _web_url(value: str) -> str | None:
    if not re.match(r"https?://[^/\s]+", value):
        return f"{value!r} is not a web address: use an absolute https:// URL"
    return None


def _regex(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"{value!r} is not a valid regular expression ({exc}): e.g. \"(?i)cuppa\""
    return None


def _positive(value: int) -> str | None:
    return None if value > 0 else f"{value} must be a whole number above 0"


def _kind(value: str) -> str | None:
    return None if value in KINDS else f"{value!r} is not a section kind: use one of {', '.join(KINDS)}"


def _esp(value: str) -> str | None:
    from digest.esp import PRESETS

    return None if value in PRESETS else f"{value!r} is not an email service digest knows: use one of {', '.join(PRESETS)}"


def _placeholders(*allowed: str) -> Check:
    """A check that only {name} placeholders from `allowed` appear (they are filled in per edition)."""

    def check(value: str) -> str | None:
        unknown = [name for name in re.findall(r"\{([^{}]*)\}", value) if name not in allowed]
        if unknown:
            known = " and ".join("{" + a + "}" for a in allowed)
            return f"{{{unknown[0]}}} is not filled in: only {known} can be used here"
        return None

    return check


def _link(value: str) -> str | None:
    if not re.match(r"(https?://[^/\s]+|mailto:[^\s@]+@[^\s@]+)", value):
        return f"{value!r} is not a link: use an absolute https:// address or mailto:name@example.org"
    return None


def _source_url(value: str) -> str | None:
    if not value.strip():
        return "is empty: give the feed's https:// address or a file path"
    if "://" in value and not value.startswith(("http://", "https://")):
        return f"{value!r}: only http(s) addresses or file paths can be collected"
    return None


@dataclass(frozen=True)
class Utm:
    """UTM tags added to members' links ([newsletter.utm]); `{date}` is the edition date."""

    source: str = "newsletter"
    medium: str = "email"
    campaign: str = "digest-{date}"


# ---- the newsletter's look (issue 12): buttons, the edition label, members' public names, featured items ----


@dataclass(frozen=True)
class Button:
    """A call to action that ends the intro or a text section, rendered as a bulletproof MJML button."""

    text: str
    url: str


BUTTON = {
    "text": Key(str, required=True),
    "url": Key(str, required=True, check=_link),
}
LOOK_NEWSLETTER = {
    "network": Key(str, ""),  # the network's name in the masthead and the logo's alt; "" means the title
    "edition_label": Key(str, ""),  # a Babel date pattern such as "MMMM y"; "" means the language's month and year
    "button": Key(dict, None, table=BUTTON, into=Button),  # ends the intro
}
LOOK_SECTION = {
    "feature": Key(int, 0, check=lambda v: None if v >= 0 else f"{v} must be 0 or more"),  # the first N items featured
    "button": Key(dict, None, table=BUTTON, into=Button),  # ends a text section
}
LOOK_SOURCE = {
    "member": Key(str, ""),  # the member's public name shown to readers; "" means the source's name
}

# ---------------------------------------------------------------------------------------------------------

UTM = {
    "source": Key(str, "newsletter", check=_placeholders("date")),
    "medium": Key(str, "email", check=_placeholders("date")),
    "campaign": Key(str, "digest-{date}", check=_placeholders("date")),
}
NEWSLETTER = {
    "title": Key(str, required=True),
    "timezone": Key(str, "UTC", check=_timezone),
    "language": Key(str, "en", check=_language),
    "intro": Key(str, ""),
    "logo": Key(str, None, check=_web_url),
    "accent": Key(str, "#1d5a8c", check=_hex_colour),
    "footer": Key(str, ""),
    "preheader": Key(str, ""),
    "summary_length": Key(int, 280, check=_positive),
    "templates": Key(str, None),
    "url": Key(str, None, check=_web_url),
    "subject": Key(str, "", check=_placeholders("title", "date")),
    "esp": Key(str, "none", check=_esp),
    "address": Key(str, ""),
    "why": Key(str, ""),
    "utm": Key(dict, None, table=UTM, into=Utm),
    **LOOK_NEWSLETTER,
}
SECTION = {
    "title": Key(str, required=True),
    "kind": Key(str, required=True, check=_kind),
    "days_back": Key(int, 31, check=_positive),
    "days_ahead": Key(int, 62, check=_positive),
    "match": Key(str, None, check=_regex),
    "sources": Key(list, [], items=str),
    "tags": Key(list, [], items=str),
    "limit": Key(int, None, check=_positive),
    "body": Key(str, ""),
    "images": Key(bool, False),
    "repeat": Key(bool, None),
    **LOOK_SECTION,
}
SOURCE = {
    "name": Key(str, required=True),
    "url": Key(str, required=True, check=_source_url),
    "tags": Key(list, [], items=str),
    **LOOK_SOURCE,
}


@dataclass(frozen=True)
class Newsletter:
    title: str
    timezone: str = "UTC"
    language: str = "en"
    intro: str = ""
    logo: str | None = None
    accent: str = "#1d5a8c"
    footer: str = ""
    preheader: str = ""
    summary_length: int = 280
    templates: str | None = None
    url: str | None = None  # where the web versions and the archive are published
    subject: str = ""  # the email's subject; "" means "{title} – {date}"
    esp: str = "none"  # the email service whose merge tags go in the footer (digest/esp.py)
    address: str = ""  # postal address shown in the footer
    why: str = ""  # "why you get this" line shown in the footer (Markdown)
    utm: Utm | None = None  # None: member links are left as they are
    network: str = ""  # look: the masthead's name and the logo's alt ("" = title)
    edition_label: str = ""  # look: Babel pattern of the edition label ("" = month and year)
    button: Button | None = None  # look: a button ending the intro

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Section:
    title: str
    kind: str
    days_back: int = 31
    days_ahead: int = 62
    match: str | None = None
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    limit: int | None = None
    body: str = ""
    images: bool = False  # show each item's picture
    repeat: bool | None = None  # None: events repeat until they happen, posts are never sent twice
    feature: int = 0  # look: how many of the first items are featured
    button: Button | None = None  # look: a button ending a text section

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return re.compile(self.match) if self.match else None

    @property
    def repeats(self) -> bool:
        """Whether an item already sent in an earlier edition may appear here again."""
        return self.kind == "events" if self.repeat is None else self.repeat


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    tags: tuple[str, ...] = ()
    member: str = ""  # look: the member's public name ("" = name)

    @property
    def shown_as(self) -> str:
        """The name readers see: the member's public name, shared by its blog and calendar."""
        return self.member or self.name

    @property
    def is_remote(self) -> bool:
        return self.url.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Config:
    path: Path
    newsletter: Newsletter
    sections: tuple[Section, ...]
    sources: tuple[Source, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def templates_dir(self) -> Path:
        if self.newsletter.templates:
            return (self.root / self.newsletter.templates).resolve()
        return DEFAULT_TEMPLATES

    def source_path(self, source: Source) -> Path:
        """A local source's file, relative to sources.toml."""
        return (self.root / source.url).resolve()

    def overriding(self, **newsletter: Any) -> Config:
        """This config with some [newsletter] values replaced (command-line options such as --esp)."""
        return replace(self, newsletter=replace(self.newsletter, **newsletter))


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


class _Problems:
    """Collects errors and warnings with their line numbers while the file is checked."""

    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def _where(self, key: str) -> str:
        line = self.lines.get(key)
        return f"{key} (line {line})" if line else key

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self._where(key)}: {message}")

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(f"{self._where(key)}: {message}")


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text in quotes", int: "a whole number", list: "a list like [\"a\", \"b\"]", bool: "true or false",
             dict: "a table"}
    return names.get(kind, str(kind)) if isinstance(kind, type) else " or ".join(map(_type_name, kind))


def _table(raw: Any, schema: dict[str, Key], where: str, problems: _Problems) -> dict[str, Any]:
    """Check one table against its schema; return the values with defaults filled in."""
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
            problems.error(key, f"must be {_type_name(spec.type)}, not {value!r}")
            continue
        if spec.items and not all(isinstance(v, spec.items) for v in value):
            problems.error(key, f"every entry must be {_type_name(spec.items)}")
            continue
        if spec.check and (message := spec.check(value)):
            problems.error(key, message)
            continue
        if spec.table is not None:
            values[name] = (spec.into or dict)(**_table(value, spec.table, key, problems))
            continue
        values[name] = tuple(value) if isinstance(value, list) else value
    for name, spec in schema.items():
        if name not in raw:
            if spec.required:
                problems.error(where, f"missing required key {name!r}")
            else:
                values[name] = tuple(spec.default) if isinstance(spec.default, list) else spec.default
    return values


def parse_config(text: str, path: Path) -> Config:
    """Validate the text of a sources.toml; raise ConfigError listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"is not valid TOML: {exc} — check quotes, brackets and commas there"]) from None
    problems = _Problems(key_lines(text))
    for name in raw:
        if name not in ("newsletter", "sections", "sources"):
            close = difflib.get_close_matches(name, ["newsletter", "sections", "sources"], n=1)
            problems.warn(name, f"unknown table {name!r} is ignored" + (f": did you mean {close[0]!r}?" if close else ""))
    if "newsletter" not in raw:
        problems.error("newsletter", "missing the [newsletter] table with at least title = \"…\"")
    newsletter = _table(raw.get("newsletter", {}), NEWSLETTER, "newsletter", problems)
    sections = [_table(s, SECTION, f"sections[{i}]", problems) for i, s in enumerate(_array(raw, "sections", problems), 1)]
    sources = [_table(s, SOURCE, f"sources[{i}]", problems) for i, s in enumerate(_array(raw, "sources", problems), 1)]
    _cross_checks(sections, sources, problems)
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
        warnings=tuple(f"{path.name}: {w}" for w in problems.warnings),
    )


def _array(raw: dict[str, Any], name: str, problems: _Problems) -> list[Any]:
    value = raw.get(name, [])
    if not isinstance(value, list):
        problems.error(name, f"write each entry as a [[{name}]] table")
        return []
    return value


def _cross_checks(sections: list[dict[str, Any]], sources: list[dict[str, Any]], problems: _Problems) -> None:
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
