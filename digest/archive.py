"""Published editions: what each one sent, and the archive that lets people read and follow them.

Publishing an edition does two things: the store records the items it sent (so later editions
leave those posts out), and its web version is copied to archive/<date>/index.html. The
archive/ folder beside sources.toml is the list of past editions — one folder per edition,
nothing else to keep in step — and write_archive() turns it into archive/index.html and an
Atom feed, archive/feed.atom. Upload the folder as it is to [newsletter] url.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

from lxml import html as lxml_html

from digest.colours import readable_on
from digest.config import Config
from digest.dates import format_day
from digest.model import as_instant
from digest.exceptions import DigestError
from digest.render import DARK_BG, LIGHT_BG, archive_home, environment
from digest.store import Store
from digest.write import write_atomic

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


@dataclass(frozen=True)
class Published:
    """What publish() did: the edition's page in the archive, how many items it recorded, the archive."""

    page: Path
    recorded: int
    archive: Archive


def archive_dir(config: Config) -> Path:
    return config.root / "archive"


def publish(config: Config, edition: date, ids: list[str], web_html: str,
            calendars: dict[str, str] | None = None) -> Published:
    """Record the edition's items as sent, put its web version (and its events' .ics files) in the
    archive and rewrite the index and feed."""
    page = archive_dir(config) / edition.isoformat() / "index.html"
    try:
        page.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(page, web_html)
        for name, content in (calendars or {}).items():
            (page.parent / name).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(page.parent / name, content)
    except OSError as exc:
        raise DigestError(f"cannot write {page} ({exc.strerror or exc}): check the folder is writable") from None
    with Store.beside(config.path) as store:
        store.mark_sent(ids, edition.isoformat())
    return Published(page, len(ids), write_archive(config))


def past_editions(config: Config) -> list[PastEdition]:
    """Every edition in archive/, newest first, with the title and summary its web version carries."""
    folder = archive_dir(config)
    found = []
    for page in folder.glob("*/index.html") if folder.is_dir() else ():
        if not _EDITION_DIR.fullmatch(page.parent.name):
            continue
        when = date.fromisoformat(page.parent.name)
        doc = lxml_html.document_fromstring(page.read_bytes())
        title = " ".join((doc.findtext(".//title") or config.newsletter.title).split())
        summary = next(iter(doc.xpath("//meta[@name='description']/@content")), "")
        found.append(PastEdition(when, title, " ".join(str(summary).split()), format_day(when, config.newsletter.language)))
    return sorted(found, key=lambda e: e.date, reverse=True)


def write_archive(config: Config) -> Archive:
    """archive/index.html (every edition, newest first) and archive/feed.atom, from archive/*/."""
    editions = past_editions(config)
    if not editions:
        raise DigestError(f"{archive_dir(config)} has no published editions yet: "
                          "run `digest publish --edition editions/<date>.md` after sending one")
    folder = archive_dir(config)
    page = environment(config.templates_dir).get_template("archive.html.j2").render(
        title=config.newsletter.title, language=config.newsletter.language, editions=editions,
        accent=readable_on(config.newsletter.accent, LIGHT_BG), accent_dark=readable_on(config.newsletter.accent, DARK_BG),
        feed="feed.atom")
    try:
        write_atomic(folder / "index.html", page)
        write_atomic(folder / "feed.atom", atom_feed(config, editions))
    except OSError as exc:
        raise DigestError(f"cannot write to {folder} ({exc.strerror or exc}): check the folder is writable") from None
    return Archive(folder / "index.html", folder / "feed.atom", editions)


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
