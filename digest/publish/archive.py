"""Published editions: what each one sent, and the archive that lets people read and follow them.

Publishing an edition does two things: the store records the items it sent (so later editions
leave those posts out), and its web version is copied to archive/<date>/index.html. The
archive/ folder beside sources.toml is the list of past editions — one folder per edition,
nothing else to keep in step — and write_archive() turns it into archive/index.html and an
Atom feed, archive/feed.atom. Upload the folder as it is to [newsletter] url.

Publishing is one transaction: everything it will write (the page, the index and the feed) is
made in memory first, each file is written atomically, and the items are recorded as sent only
after all three are on disk — a failure on the way leaves the store as it was, so publishing
again is always safe. A folder in archive/ that is not an edition (a name like 2024-13-45, an
empty or unreadable index.html) is reported and left out, never a reason to stop.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

from lxml import etree
from lxml import html as lxml_html

from digest.collect import snapshots
from digest.collect.store import Store
from digest.colours import readable_on
from digest.config.keys import Config
from digest.dates import format_day
from digest.edition.lifecycle import correction
from digest.exceptions import DigestError
from digest.model import Item, as_instant
from digest.render.email import DARK_BG, LIGHT_BG, archive_home, theme
from digest.write import sweep_temporaries, write_atomic

ATOM = "http://www.w3.org/2005/Atom"
_EDITION_DIR = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class PastEdition:
    """One published edition as the archive lists it (read back from its web version)."""

    date: date
    title: str
    summary: str
    label: str


@dataclass(frozen=True)
class Archive:
    """What write_archive() wrote."""

    index: Path
    feed: Path
    editions: list[PastEdition]
    problems: list[str]


@dataclass(frozen=True)
class Published:
    """What publish() did: the edition's page in the archive, how many items it recorded, the archive."""

    page: Path
    recorded: int
    archive: Archive
    change: str = ""  # what a correction (--force) of a published edition changed


def archive_dir(config: Config) -> Path:
    return config.workspace.archive


def publish(config: Config, edition: date, ids: list[str], web_html: str,
            calendars: dict[str, str] | None = None, *, items: Sequence[Item] = (), force: bool = False) -> Published:
    """Put the edition's web version (and its events' .ics files) in the archive, rewrite the index and feed,
    then record its items as sent (and keep their records, `items`, with the edition).

    A published edition is final: publishing it again is refused unless `force`, which records what changed.
    """
    folder = archive_dir(config)
    page = folder / edition.isoformat() / "index.html"
    with Store.beside(config.path) as store:
        change = correction(store, config, edition, ids, page, web_html, force=force)
    this = _read_edition(config, edition, web_html.encode("utf-8"))
    editions, problems = past_editions(config)
    editions = sorted([e for e in editions if e.date != edition] + [this], key=lambda e: e.date, reverse=True)
    index, feed = _render(config, editions)  # everything made before anything is written
    try:
        page.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(page, web_html)
        for name, content in (calendars or {}).items():  # "events/<name>.ics", linked from the page
            (page.parent / name).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(page.parent / name, content)
    except OSError as exc:
        raise DigestError(f"cannot write {page} ({exc.strerror or exc}): check the folder is writable; "
                          "nothing was recorded as sent") from None
    written = _write(config, index, feed, editions, problems)
    with Store.beside(config.path) as store, store.transaction():
        if not change:  # a correction keeps what was kept when the edition was curated
            snapshots.keep(store, edition, items)
        snapshots.mark_published(store, edition, ids, change=change)
    return Published(page, len(ids), written, change)


def _read_edition(config: Config, when: date, page: bytes) -> PastEdition:
    """The title and summary an edition's web version carries; ValueError when it is not a page."""
    if not page.strip():
        raise ValueError("its index.html is empty")
    doc = lxml_html.document_fromstring(page)
    title = " ".join((doc.findtext(".//title") or config.newsletter.title).split())
    found = doc.xpath("//meta[@name='description']/@content")
    summary = found[0] if isinstance(found, list) and found else ""
    return PastEdition(when, title, " ".join(str(summary).split()), format_day(when, config.newsletter.language))


def past_editions(config: Config) -> tuple[list[PastEdition], list[str]]:
    """Every edition in archive/, newest first, and a sentence for each folder that is not one."""
    folder = archive_dir(config)
    found: list[PastEdition] = []
    problems: list[str] = []
    if not folder.is_dir():
        return found, problems
    sweep_temporaries(folder, depth=1)
    for page in sorted(folder.glob("*/index.html")):
        name = page.parent.name
        if not _EDITION_DIR.fullmatch(name):
            continue
        try:
            found.append(_read_edition(config, date.fromisoformat(name), page.read_bytes()))
        except ValueError as exc:  # a date that does not exist, an empty page
            why = str(exc) if "index.html" in str(exc) else f"{name} is not a date"
            problems.append(f"{page.parent} is left out of the archive: {why}; delete or rename that folder")
        except (OSError, etree.ParserError) as exc:
            problems.append(f"{page.parent} is left out of the archive: its index.html cannot be read "
                            f"({getattr(exc, 'strerror', None) or exc}); delete that folder or publish it again")
    return sorted(found, key=lambda e: e.date, reverse=True), problems


def _render(config: Config, editions: list[PastEdition]) -> tuple[str, str]:
    """archive/index.html and archive/feed.atom, as text."""
    page = theme(config).get_template("archive.html.j2").render(
        title=config.newsletter.title, language=config.newsletter.language, editions=editions,
        accent=readable_on(config.newsletter.accent, LIGHT_BG), accent_dark=readable_on(config.newsletter.accent, DARK_BG),
        feed="feed.atom")
    return page, atom_feed(config, editions)


def _write(config: Config, index: str, feed: str, editions: list[PastEdition], problems: list[str]) -> Archive:
    folder = archive_dir(config)
    try:
        write_atomic(folder / "index.html", index)
        write_atomic(folder / "feed.atom", feed)
    except OSError as exc:
        raise DigestError(f"cannot write to {folder} ({exc.strerror or exc}): check the folder is writable") from None
    return Archive(folder / "index.html", folder / "feed.atom", editions, problems)


def write_archive(config: Config) -> Archive:
    """archive/index.html (every edition, newest first) and archive/feed.atom, from archive/*/."""
    editions, problems = past_editions(config)
    if not editions:
        raise DigestError(f"{archive_dir(config)} has no published editions yet: "
                          "run `digest publish --draft editions/<date>.md` after sending one"
                          + "".join(f"\n  {p}" for p in problems))
    return _write(config, *_render(config, editions), editions, problems)


def _moment(config: Config, when: date) -> str:
    """An edition's timestamp: its date at 00:00 in the newsletter's zone (the same on every run)."""
    return as_instant(when, config.newsletter.tz).isoformat()


def atom_feed(config: Config, editions: list[PastEdition]) -> str:
    """An Atom 1.0 feed of the editions (RFC 4287), absolute links when [newsletter] url is set.

    Without a url the ids are stable urn:uuid names and the links are relative to the feed.
    """
    home = archive_home(config)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": config.newsletter.language})

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    def ident(*parts: str) -> str:
        return home + "/".join(parts) if home else uuid.uuid5(uuid.NAMESPACE_URL, "digest:" + "/".join(
            (config.newsletter.title, *parts))).urn

    add(feed, "title", config.newsletter.title)
    add(feed, "id", ident())
    add(feed, "updated", _moment(config, editions[0].date))
    add(feed, "link", rel="alternate", type="text/html", href=home or "index.html")
    if home:
        add(feed, "link", rel="self", type="application/atom+xml", href=home + "feed.atom")
    add(add(feed, "author"), "name", config.newsletter.title)
    add(feed, "generator", "digest")
    for edition in editions:
        entry = add(feed, "entry")
        add(entry, "title", edition.title)
        add(entry, "id", ident(edition.date.isoformat() + "/"))
        add(entry, "link", rel="alternate", type="text/html",
            href=f"{home or ''}{edition.date.isoformat()}/{'' if home else 'index.html'}")
        add(entry, "published", _moment(config, edition.date))
        add(entry, "updated", _moment(config, edition.date))
        if edition.summary:
            add(entry, "summary", edition.summary)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
