"""The keys of sources.toml, every one declared once, as a field of the dataclass it fills.

Each key is one `key(...)` field (schema.py): its type, default, a check whose message says how to
fix the value (mkdocs' style: "… is not a colour: write it as a hex colour such as "#6b2c91""), its
help and an example. The same declaration gives the checking (load.py reads the file and checks it
against these tables), `digest init`'s starter file and the README's key reference (reference.py).

Length (~300 lines): it is the declaration of every key of every table, with its help text; the
machinery that reads declarations is in schema.py, the reading of the file in load.py.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.colours import is_hex_colour
from digest.config.forms import check_columns
from digest.config.glossary import Word
from digest.config.push import Push
from digest.config.schedule import Schedule, email_address
from digest.config.schema import Check, key
from digest.config.workspace import Workspace
from digest.placeholders import PLACEHOLDER
from digest.urls import is_web_url

KINDS = ("posts", "events", "text")
# The default theme is package data (templates/ in the repository, `digest.theme` once installed).
DEFAULT_TEMPLATES = Path(str(resources.files("digest.theme")))


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown timezone {value!r}: use an IANA name such as \"Europe/London\" or \"UTC\""
    return None


def _babel_has(value: str) -> bool:
    """Whether Babel has data for a plain code ("cy", "en-GB"), seen without importing Babel.

    Importing Babel and parsing a locale is most of a config load, and a build that reuses its
    outputs never formats a date; anything not plainly there is left to Locale.parse.
    """
    if not re.fullmatch(r"[a-z]{2,3}(?:[-_][A-Z]{2})?", value):
        return False
    spec = importlib.util.find_spec("babel")  # finds the package without running it
    folders = (spec.submodule_search_locations if spec else None) or []
    return any((Path(f) / "locale-data" / f"{value.replace('-', '_')}.dat").is_file() for f in folders)


def _language(value: str) -> str | None:
    if _babel_has(value):
        return None
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(value, sep="-" if "-" in value else "_")
    except (UnknownLocaleError, ValueError):
        return f"unknown language {value!r}: use a code such as \"en-GB\" or \"cy\""
    return None


def _hex_colour(value: str) -> str | None:
    if not is_hex_colour(value):
        return f"{value!r} is not a colour: write it as a hex colour such as \"#6b2c91\""
    return None


def _web_url(value: str) -> str | None:
    if not is_web_url(value):
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


def _up_to(high: int, unit: str = "") -> Callable[[int], str | None]:
    """A whole number from 1 to `high`: beyond that a window or a cut means nothing (and dates overflow)."""

    def check(value: int) -> str | None:
        if value > high:
            return f"{value} is too large: use a whole number from 1 to {high:,}{unit}"
        return _positive(value)

    return check


def _kind(value: str) -> str | None:
    return None if value in KINDS else f"{value!r} is not a section kind: use one of {', '.join(KINDS)}"


def _esp(value: str) -> str | None:
    from digest.esp import PRESETS

    return None if value in PRESETS else f"{value!r} is not an email service digest knows: use one of {', '.join(PRESETS)}"


def _words(value: dict[str, Any]) -> str | None:
    wrong = [k for k, v in value.items() if not isinstance(v, str)]
    if wrong:
        return (f"every word must be text in quotes, e.g. \"Unsubscribe\" = \"Dad-danysgrifio\" (not {wrong[0]} = "
                f"{value[wrong[0]]!r})")
    for english, theirs in value.items():
        filled = dict.fromkeys(PLACEHOLDER.findall(english))
        unknown = [name for name in PLACEHOLDER.findall(theirs) if name not in filled]
        if unknown:
            known = " and ".join(f"%({name})s" for name in filled)
            return (f"\"{english}\" = \"{theirs}\": nothing fills in %({unknown[0]})s there: "
                    + (f"use only {known}" if known else "write it without"))
    return None


def _placeholders(*allowed: str) -> Check:
    """A check that only {name} placeholders from `allowed` appear (they are filled in per edition)."""

    def check(value: str) -> str | None:
        unknown = [name for name in re.findall(r"\{([^{}]*)\}", value) if name not in allowed]
        if unknown:
            known = " and ".join("{" + a + "}" for a in allowed)
            return f"{{{unknown[0]}}} is not filled in: only {known} can be used here"
        return None

    return check


def _source_url(value: str) -> str | None:
    if not value.strip():
        return "is empty: give the feed's https:// address or a file path"
    if re.search(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", value):
        return f"{value!r} has a control character in it: retype the address"
    if value.startswith("imaps://") and "@" in value.split("/")[2] and ":" in value.split("/")[2].rpartition("@")[0]:
        return "has a password in it: take it out, and set DIGEST_IMAP_PASSWORD when you run digest instead"
    if "://" in value and not value.startswith(("http://", "https://", "imaps://")):
        return f"{value!r}: only http(s) addresses, imaps:// mail folders or file paths can be collected"
    return None


@dataclass(frozen=True)
class Utm:
    """UTM tags added to members' links ([newsletter.utm]); `{date}` is the edition's date."""

    source: str = key("newsletter", check=_placeholders("date"), help="utm_source on members' links",
                      example="coproduction-digest")
    medium: str = key("email", check=_placeholders("date"), help="utm_medium")
    campaign: str = key("digest-{date}", check=_placeholders("date"), help="utm_campaign; {date} is the edition's date")


# ---- the newsletter's look: buttons, the masthead, the edition label, members' names, featured items ----


def _link(value: str) -> str | None:
    if not re.match(r"(https?://[^/\s]+|mailto:[^\s@]+@[^\s@]+)", value):
        return f"{value!r} is not a link: use an absolute https:// address or mailto:name@example.org"
    return None


def _feature(value: int) -> str | None:
    return None if 0 <= value <= 100 else f"{value} must be a whole number from 0 to 100"


@dataclass(frozen=True)
class Button:
    """A call to action that ends the intro or a text section, rendered as a bulletproof MJML button."""

    text: str = key(help="the button's words", example="Share your story")
    url: str = key(check=_link, example="mailto:hello@example.org", help="where it leads: https:// or mailto:")


# -------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Newsletter:
    title: str = key(help="the newsletter's name", example="Our Network Digest", show=True)
    timezone: str = key("UTC", check=_timezone, show=True, example="Europe/London",
                        help="IANA name: dates and event times are shown in it")
    language: str = key("en", check=_language, show=True, example="en-GB",
                        help="dates in this language; becomes `<html lang>` (Welsh: \"cy\")")
    intro: str = key("", show=True, example="\nA few words from the editor, in **Markdown**.\n",
                     help="Markdown shown under the title")
    logo: str | None = key(None, check=_web_url, example="https://example.org/logo.png", help="an absolute image URL")
    logo_background: str = key("#ffffff", check=_hex_colour, help="the plate the logo sits on in the masthead, so "
                                                                   "a logo of any colour reads on the accent band")
    site: str | None = key(None, check=_web_url, example="https://example.org/",
                           help="the network's website: the masthead's logo and name link to it")
    accent: str = key("#1d5a8c", check=_hex_colour, help="your brand colour (darkened if too light to read)")
    footer: str = key("", example="More Markdown for the footer", help="Markdown shown in the footer")
    preheader: str = key("", example="The one line shown after the subject in the inbox",
                         help="inbox preview text")
    summary_length: int = key(280, check=_up_to(10_000, " characters"), help="characters of each item's blurb")
    templates: str | None = key(None, example="templates", show=True,  # `digest init` copies the theme beside it
                                help="a theme folder of your own, relative to this file (not set: the default theme)")
    url: str | None = key(None, check=_web_url, example="https://example.org/digest/",
                          help="where you publish archive/ (web versions and an Atom feed)")
    subject: str = key("", check=_placeholders("title", "date"), example="{title} – {date}",
                       help="the subject line (\"\" means \"{title} – {date}\"; test sends add \"[Test] \")")
    esp: str = key("none", check=_esp, example="mailchimp",
                   help="mailchimp, buttondown, brevo, listmonk, campaign-monitor, mailerlite or none: that "
                        "service's unsubscribe and view-online tags go in the footer (or --esp NAME)")
    address: str = key("", example="Our Network, 1 Example Street, London N1 0AA",
                       help="postal address shown in the footer")
    why: str = key("", show=True, example="You get this email because you are a member of our network.",
                   help="the footer's \"why you get this\" line (Markdown)")
    utm: Utm | None = key(None, help="optional: tag members' links for their analytics (not set: links are left as "
                                     "they are)")
    # the look
    network: str = key("", example="Our Network", help="the network's name in the masthead and the logo's alt "
                                                       "(\"\" means the title)")
    edition_label: str = key("", example="d MMMM y", help="a Babel date pattern for the edition label "
                                                          "(\"\" means the month and year: \"October 2024\")")
    button: Button | None = key(None, help="optional: a button that ends the intro")
    push: Push | None = key(None, help="optional: where `digest push` makes the draft (its service, list and sender)")
    # not hashed: a dict (the rest of Newsletter still hashes as before)
    easy_read: bool = key(False, example=True, help="also write the Easy Read edition (easy-read.html beside "
                                                    "newsletter.html) and link to it from the newsletter (or --easy-read)")
    words: dict[str, str] | None = field(default=None, hash=False, metadata=key(
        None, check=_words, example={"Unsubscribe": "Stop getting these emails"},
        help="the theme's own words in your words: \"English\" = \"yours\", for any word of digest/locale/digest.pot "
             "(see Languages and Easy Read)").metadata)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Section:
    title: str = key(help="the section's heading", example="What else have we been up to?", show=True)
    kind: str = key(check=_kind, example="posts", show=True, help="posts, events or text")
    days_back: int = key(31, check=_up_to(3660, " days (ten years)"), show=True,
                         help="posts published in [date - days_back, date)")
    days_ahead: int = key(62, check=_up_to(3660, " days (ten years)"), help="events starting in [date, date + days_ahead)")
    late_days: int | None = key(None, check=_up_to(3660, " days (ten years)"), example=14,
                                help="a post that reached its feed after the last edition was drafted is offered "
                                     "if at most this many days older than days_back (not set: days_back again)")
    match: str | None = key(None, check=_regex, example="(?i)research",
                            help="only items whose title matches this regular expression")
    sources: tuple[str, ...] = key((), example=["A member"], help="only items from these sources (by name)")
    tags: tuple[str, ...] = key((), example=["london"],
                                help="only items whose source tags or categories include one of these")
    limit: int | None = key(None, check=_up_to(1000, " items"), example=10, help="at most this many items")
    body: str = key("", example="Markdown", help="a text section's text (Markdown)")
    images: bool = key(False, example=True, help="show each item's picture")
    repeat: bool | None = key(None, example=False, help="may items sent in an earlier edition appear again? "
                                                        "(not set: events yes, posts no)")
    # the look
    feature: int = key(0, check=_feature, example=1, help="feature the first N items (bigger title and picture)")
    button: Button | None = key(None, help="optional: a button that ends a text section")

    @property
    def late_limit(self) -> int:
        """How many days before its window a post that arrived late may be dated and still be offered."""
        return self.days_back if self.late_days is None else self.late_days

    @property
    def repeats(self) -> bool:
        """Whether an item already sent in an earlier edition may appear here again."""
        return self.kind == "events" if self.repeat is None else self.repeat


@dataclass(frozen=True)
class Source:
    name: str = key(help="the member's name as shown in the newsletter; unique", example="A member", show=True)
    url: str = key(check=_source_url, example="https://example.org/feed/", show=True,
                   help="RSS, Atom, JSON Feed, iCalendar, CSV, form responses or a web page with schema.org events "
                        "or posts: an http(s) URL, or a file path relative to this file; a folder of saved emails or "
                        "an imaps://user@host/Folder")
    tags: tuple[str, ...] = key((), example=["london"], help="used by sections' tags filters")
    # the look
    member: str = key("", example="A member", help="the member's public name readers see; give a member's blog and "
                                                   "calendar the same one (\"\" means the name)")
    # members' own submissions (digest/collect/submissions.py)
    review: bool | None = key(None, example=True, help="hold its items for the editor to approve (not set: form "
                                                        "responses and emails yes, feeds no)")
    columns: dict[str, str] | None = field(default=None, hash=False, metadata=key(
        None, check=check_columns, example={"story": "Tell us your news"},
        help="a form's columns by field: timestamp, name, email, phone, organisation, title, story, link, date, "
             "time, end, place (usual headings are recognised without it)").metadata)
    contact: str = key("", check=email_address, example="web@member.example.org",
                       help="who to tell when this feed keeps failing (`digest members notify`); \"\" means nobody")
    ask: str = key("", example="Sam Jones, 0113 496 0000", help="who readers can ask about this member's events: "
                   "a name and a phone number or email (the Easy Read edition's \"Who to ask\")")

    @property
    def shown_as(self) -> str:
        """The name readers see: the member's public name, shared by its blog and calendar."""
        return self.member or self.name

    @property
    def is_remote(self) -> bool:
        return is_web_url(self.url)


TABLES: tuple[tuple[str, type], ...] = (("[newsletter]", Newsletter), ("[[sections]]", Section), ("[[sources]]", Source),
                                        ("[schedule]", Schedule), ("[[glossary]]", Word))


@dataclass(frozen=True)
class Config:
    path: Path
    newsletter: Newsletter
    sections: tuple[Section, ...]
    sources: tuple[Source, ...]
    warnings: tuple[str, ...] = field(default=())
    schedule: Schedule | None = None  # [schedule]: when `digest auto` drafts, and whom it tells
    glossary: tuple[Word, ...] = field(default=())  # [[glossary]]: digest/config/glossary.py

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def workspace(self) -> Workspace:
        """The paths of the network's folder: the store, editions/, build/, archive/…"""
        return Workspace(self.root)

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
