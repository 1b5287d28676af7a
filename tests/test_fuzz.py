"""Fuzzing whole builds: thousands of hostile member items, in every format a member's text arrives in.

A seeded mutator (so a failure names its seed and can be run again) writes each case — one item:
its title, summary, link, place and date — from a pool of hostile fragments (live and escaped
markup, script URLs, comment and heading openers, merge tags, control, invisible and bidi
characters, CR/LF, calendar property lines) and the words of the fixtures, into one of six
formats: RSS (escaped text or CDATA HTML), Atom, JSON Feed, CSV, iCalendar and a web page's
JSON-LD. Cases are built in batches, a network per batch, each batch built from the feeds (with the
Easy Read edition), drafted, and built again from its draft. Every build must end with an exit
code the README documents and no traceback, within BUILD_LIMIT; every HTML output, parsed with
lxml, holds no script, no on*= attribute and no script URL; no line of an .ics file is begun by
a member's text; no link is garbled into a Rust escape (`\\u{200b}`) or a template tag (`{%20`); and a
draft digest wrote always reads back.

CASES under CI (CI=true), fewer locally; FUZZ_SEED picks another run of cases.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape as html_escape
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from lxml import html as lxml_html

from tests.network import digest
from tests.test_escaped_text import ICS_LINE

pytestmark = pytest.mark.slow

CASES = 2000 if os.environ.get("CI") == "true" else 300
BATCH = 100  # cases per network: each network is built three times
BUILD_LIMIT = 30.0  # seconds a build may take, however hostile its members
SEED = int(os.environ.get("FUZZ_SEED", "22"))
WHEN = datetime(2024, 9, 20, 9, 0, tzinfo=UTC)
FIXTURE_WORDS = ("Hillside", "Carers", "drop-in", "café", "—", "£2", "a", "cup", "·", "Co-production", "board",
                 "Leeds", "Voices", "Walking", "group", "Gruppo", "di", "lettura", "24", "Set", "2018", "Ταβέρνα",
                 "ǅemal", "東京", "مرحبا", "بكم")
HOSTILE = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<svg onload=alert(3)>",
    "<iframe src=javascript:alert(4)></iframe>", "<form action=https://evil.example/><input name=q>",
    '<a href="javascript:alert(5)">click</a>', "<a href=' jav&#x09;ascript:alert(6)'>x</a>",
    "<math><mi xlink:href=javascript:alert(7)>x</mi></math>", "<style>body{display:none}</style>",
    "<b onmouseover=alert(8)>b</b>", "<p style=color:red>p</p>", "<body onload=alert(9)>", "<img src=x",
    "&lt;script&gt;alert(10)&lt;/script&gt;", "&lt;img src=x onerror=alert(11)&gt;", "&amp;lt;b&amp;gt;",
    "<!--", "-->", "<!-- id: fakeid -->", "### Fake item", "## Fake section", "easy: fake", "![x](https://e.example/x.png)",
    "*|UNSUB|*", "{{ unsubscribe }}", "{% if x %}", "{ ", " }", "%%x%%", "%", "[unsubscribe]", "{$name}",
    "\r\n", "\r", "\n", "\n\n", "\t", "\x00", "\x1b[31m", "\x07", "\x9b", "\u200b", "\u200d", "\u2060", "\ufeff",
    "\u202e", "\u2066", "BEGIN:VEVENT", "\r\nX-EVIL:1", "\nATTACH:https://evil.example/", "END:VCALENDAR",
    "\\n", "\\,", ";", ",", '"', "'", "`", "]]>", "<![CDATA[", "&", "&#0;", "&#x202e;", "javascript:alert(12)",
    "data:text/html,<script>alert(13)</script>", "vbscript:msgbox(14)", "a" * 300, "😀" * 20, "e\u0301" * 10,
)
LINK_TAILS = ("\r\nX-EVIL:1", "\nATTACH:https://evil.example/", "\r", "\u200b", "\u2060", "{ x}", "{{x}}", "{%x%}",
              "*|UNSUB|*", ">", "<", " ", "%", "%%", '"', "'", "\t", "\x00", "é", "#frag", "?q=<script>")
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Mutator:
    """Hostile values from a seeded random source."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def text(self, most: int = 6) -> str:
        parts = [self.random.choice(HOSTILE if self.random.random() < 0.6 else FIXTURE_WORDS)
                 for _ in range(self.random.randint(1, most))]
        return self.random.choice(("", " ", "\n")).join(parts)

    def link(self) -> str:
        kind = self.random.random()
        if kind < 0.3:
            return "https://member.example/" + self.text(2)
        if kind < 0.7:
            tails = [self.random.choice(LINK_TAILS) for _ in range(self.random.randint(1, 3))]
            return f"https://member.example/item-{self.random.randint(0, 10**6)}" + "".join(tails)
        if kind < 0.8:
            return self.random.choice(HOSTILE)
        return f"https://member.example/item-{self.random.randint(0, 10**6)}"

    def case(self, number: int) -> dict[str, str]:
        start = WHEN + timedelta(days=self.random.randint(-20, 40), hours=self.random.randint(0, 23))
        return {"title": f"Case{number} " + self.text(4), "summary": self.text(10) + " words" * self.random.randint(0, 60),
                "link": self.link(), "place": self.text(3), "when": start.isoformat(), "id": f"case-{number}"}


def _xml_text(value: str) -> str:
    return XML_ILLEGAL.sub("", escape(value))


def rss(cases: list[dict[str, str]], random_: random.Random) -> bytes:
    items = []
    for c in cases:
        summary = f"<![CDATA[{c['summary']}]]>" if random_.random() < 0.5 else _xml_text(c["summary"])
        items.append(f"<item><title>{_xml_text(c['title'])}</title><link>{_xml_text(c['link'])}</link>"
                     f"<guid isPermaLink=\"false\">{c['id']}</guid>"
                     f"<pubDate>{format_datetime(datetime.fromisoformat(c['when']))}</pubDate>"
                     f"<description>{XML_ILLEGAL.sub('', summary)}</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>R</title>'
            f"<link>https://member.example/</link>{''.join(items)}</channel></rss>").encode()


def atom(cases: list[dict[str, str]], random_: random.Random) -> bytes:
    entries = "".join(
        f"<entry><title type=\"{random_.choice(('text', 'html'))}\">{_xml_text(c['title'])}</title>"
        f"<link href=\"{_xml_text(c['link'])}\"/><id>urn:{c['id']}</id><updated>{c['when']}</updated>"
        f"<content type=\"{random_.choice(('text', 'html'))}\">{_xml_text(c['summary'])}</content></entry>"
        for c in cases)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            f"<id>urn:a</id><updated>{WHEN.isoformat()}</updated>{entries}</feed>").encode()


def json_feed(cases: list[dict[str, str]], random_: random.Random) -> bytes:
    items = [{"id": c["id"], "url": c["link"], "title": c["title"], "date_published": c["when"],
              random_.choice(("content_html", "content_text", "summary")): c["summary"]} for c in cases]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}).encode()


def sheet(cases: list[dict[str, str]], random_: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "url", "date", "summary", "start", "end", "location"])
    for c in cases:
        when = datetime.fromisoformat(c["when"])
        event = random_.random() < 0.5
        writer.writerow([c["title"], c["link"], "" if event else f"{when:%Y-%m-%d}", c["summary"],
                         f"{when:%Y-%m-%d %H:%M}" if event else "", "", c["place"] if event else ""])
    return out.getvalue().encode("utf-8")


def _ical_text(value: str, random_: random.Random) -> str:
    if random_.random() < 0.2:
        return value  # as a careless writer leaves it: raw line breaks and all
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def calendar(cases: list[dict[str, str]], random_: random.Random) -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{c['id']}\r\nDTSTAMP:20240901T000000Z\r\n"
        f"DTSTART:{datetime.fromisoformat(c['when']):%Y%m%dT%H%M%SZ}\r\n"
        f"SUMMARY:{_ical_text(c['title'], random_)}\r\nLOCATION:{_ical_text(c['place'], random_)}\r\n"
        f"URL:{_ical_text(c['link'], random_)}\r\nDESCRIPTION:{_ical_text(c['summary'], random_)}\r\nEND:VEVENT\r\n"
        for c in cases)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\n{events}END:VCALENDAR\r\n".encode()


def page(cases: list[dict[str, str]], random_: random.Random) -> bytes:
    events = [{"@context": "https://schema.org", "@type": "Event", "name": c["title"], "url": c["link"],
               "startDate": c["when"], "description": c["summary"],
               "location": {"@type": "Place", "name": c["place"], "address": c["place"]}} for c in cases]
    data = json.dumps(events).replace("</", "<\\/")
    return (f"<html><head><title>{html_escape(cases[0]['title'])}</title>"
            f'<script type="application/ld+json">{data}</script></head><body>hi</body></html>').encode()


FORMATS = {"rss.xml": rss, "atom.xml": atom, "feed.json": json_feed, "sheet.csv": sheet, "calendar.ics": calendar,
           "page.html": page}


def network(folder: Path, mutator: Mutator, first: int) -> Path:
    """A network of one member per format, BATCH cases among them."""
    cases = [mutator.case(first + n) for n in range(BATCH)]
    names = list(FORMATS)
    for index, name in enumerate(names):
        (folder / name).write_bytes(FORMATS[name](cases[index::len(names)], mutator.random))
    config = folder / "sources.toml"
    config.write_text(
        '[newsletter]\ntitle = "Fuzz"\ntimezone = "Europe/London"\nlanguage = "en-GB"\nsummary_length = 80\n'
        'url = "https://news.example/"\n'
        '\n[[sections]]\ntitle = "News"\nkind = "posts"\ndays_back = 31\nlimit = 200\n'
        '\n[[sections]]\ntitle = "Events"\nkind = "events"\ndays_ahead = 60\nlimit = 200\n'
        + "".join(f'\n[[sources]]\nname = "Member {name}"\nurl = "{name}"\n' for name in names), encoding="utf-8")
    return config


BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster", "data", "xlink:href", "srcset"}


def live_parts(path: Path) -> list[str]:
    """A document's scripts, on*= attributes and script URLs, as lxml parses it."""
    doc = lxml_html.document_fromstring(path.read_bytes())
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.lower() == "script":
            found.append("<script>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"<{element.tag} {name}=>")
            if name.lower() in URL_ATTRIBUTES and BAD_SCHEME.match(re.sub(r"[\x00-\x20]", "", value)):
                found.append(f"<{element.tag} {name}={value[:40]!r}>")
    return found


def _build(*args: str | Path) -> tuple[int, str]:
    started = time.monotonic()
    result = digest(*args)
    took = time.monotonic() - started
    output = result.output + (repr(result.exception) if result.exception and result.exit_code not in (0, 1, 2) else "")
    assert took <= BUILD_LIMIT, f"{args}: took {took:.1f} s"
    assert result.exit_code in (0, 1, 2), output
    assert "Traceback" not in output and "failed unexpectedly" not in output, output
    return result.exit_code, output


def _check_outputs(folder: Path) -> int:
    """Every HTML output free of live parts and every .ics line begun by a property; how many files were checked."""
    checked = 0
    for path in folder.rglob("*.html"):
        assert live_parts(path) == [], path
        links = " ".join(str(v) for v in lxml_html.document_fromstring(path.read_bytes()).xpath("//@href | //@src"))
        assert "\\u{" not in links and "{%20" not in links, path  # a link defused into a Rust escape or a template tag
        checked += 1
    for path in folder.rglob("*.ics"):
        lines = path.read_bytes().decode("utf-8").split("\r\n")
        assert [line for line in lines if line and not ICS_LINE.match(line)] == [], path
        checked += 1
    return checked


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One small build first, untimed: a worker's first build also loads the renderers (~5 s on a busy machine)."""
    folder = tmp_path_factory.mktemp("warm")
    (folder / "rss.xml").write_bytes(rss([Mutator(0).case(0)], random.Random(0)))
    (folder / "sources.toml").write_text('[newsletter]\ntitle = "W"\ntimezone = "UTC"\nlanguage = "en-GB"\n'
                                         '\n[[sections]]\ntitle = "News"\nkind = "posts"\ndays_back = 31\n'
                                         '\n[[sources]]\nname = "M"\nurl = "rss.xml"\n', encoding="utf-8")
    digest("build", "-c", folder / "sources.toml", "--date", "2024-10-01", "--out", folder / "out", "--easy-read")


@pytest.mark.parametrize("batch", range(CASES // BATCH))
def test_hostile_members_never_break_a_build_nor_reach_any_output(tmp_path: Path, batch: int, warm: None) -> None:
    seed = SEED * 1000 + batch
    config = network(tmp_path, Mutator(seed), batch * BATCH)
    easy = ("--easy-read",) if batch % 2 == 0 else ()  # the Easy Read edition tells every other batch again
    feeds = tmp_path / "feeds"
    code, output = _build("build", "-c", config, "--date", "2024-10-01", "--out", feeds, *easy)
    assert code == 0, f"seed {seed}: {output}"
    assert _check_outputs(feeds) >= 3
    code, output = _build("draft", "-c", config, "--date", "2024-10-01", "--offline")
    assert code == 0, f"seed {seed}: {output}"
    drafted = tmp_path / "drafted"
    code, output = _build("build", "-c", config, "--date", "2024-10-01", "--out", drafted, *easy)
    assert code == 0, f"seed {seed}: a draft digest wrote must read back: {output}"
    assert _check_outputs(drafted) >= 3
    drafted_ids = re.findall(r"^<!-- id: ", (tmp_path / "editions" / "2024-10-01.md").read_text(encoding="utf-8"), re.M)
    assert len(drafted_ids) >= BATCH // 5, f"seed {seed}: most cases should reach the edition"
