"""OPML, the feed readers' way of moving a subscription list: `digest sources import` and `export`.

Export writes OPML 2.0, one `<outline type="rss">` per source with its tags as the
`category` attribute, so importing what was exported gives the same sources. Import reads any
reader's OPML: every outline with an `xmlUrl`, at any depth; the folders an outline sits in
become its tags (Feedly, Inoreader and NetNewsWire export folders that way).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from digest.config.keys import Config
from digest.exceptions import DigestError
from digest.sources.edit import NewSource


def export_opml(config: Config) -> str:
    """The config's sources as an OPML 2.0 document."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{escape(config.newsletter.title)}</title>",
        f"    <dateCreated>{format_datetime(datetime.now(UTC))}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for source in config.sources:
        category = f" category={quoteattr(','.join(source.tags))}" if source.tags else ""
        lines.append(f'    <outline type="rss" text={quoteattr(source.name)} title={quoteattr(source.name)} '
                     f"xmlUrl={quoteattr(source.url)}{category}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def read_opml(data: bytes, where: str) -> list[NewSource]:
    """The sources an OPML file lists; a file that is not OPML is a DigestError naming it."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DigestError(f"{where}: is not readable OPML ({exc}): export it again from the feed reader") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise DigestError(f"{where}: is XML but not OPML (no <opml><body>): export the subscription list as OPML")
    found: list[NewSource] = []

    def walk(node: etree._Element, folders: tuple[str, ...]) -> None:
        for outline in node.iterchildren("outline"):
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            label = " ".join((outline.get("title") or outline.get("text") or "").split())
            if url:
                tags = [t.strip().strip("/") for t in (outline.get("category") or "").split(",")]
                tags = [t for t in (*folders, *tags) if t]
                found.append(NewSource(label or url, url, tuple(dict.fromkeys(tags))))
            else:
                walk(outline, (*folders, label) if label else folders)

    walk(body, ())
    return found
