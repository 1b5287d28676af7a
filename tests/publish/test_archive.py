"""The archive: published editions listed in archive/index.html and a valid Atom feed (read back with feedparser)."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
from lxml import html as lxml_html

from tests.network import digest, make_network

URL = 'url = "https://news.example.org/digest/"\nesp = "mailchimp"\npreheader = "{month} news from the network."'


def publish(config: Path, edition: str) -> None:
    assert digest("draft", "-c", config, "--date", edition).exit_code == 0
    result = digest("publish", "-c", config, "--edition", config.parent / "editions" / f"{edition}.md")
    assert result.exit_code == 0, result.output


def network(tmp_path: Path, newsletter: str = URL) -> Path:
    config = make_network(tmp_path, newsletter=newsletter.replace("{month}", "October"))
    publish(config, "2024-10-01")
    config.write_text(config.read_text().replace("October news", "November news"))
    publish(config, "2024-11-01")
    return config


def test_feed_is_valid_atom_with_every_edition(tmp_path: Path) -> None:
    network(tmp_path)
    feed = feedparser.parse((tmp_path / "archive" / "feed.atom").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Test Network News"
    assert feed.feed.id == "https://news.example.org/digest/"
    assert [link.href for link in feed.feed.links] == ["https://news.example.org/digest/",
                                                       "https://news.example.org/digest/feed.atom"]
    assert feed.feed.updated == "2024-11-01T00:00:00+00:00"
    assert [(e.title, e.link, e.id, e.published, e.summary) for e in feed.entries] == [
        ("Test Network News – November 2024", "https://news.example.org/digest/2024-11-01/",
         "https://news.example.org/digest/2024-11-01/", "2024-11-01T00:00:00+00:00", "November news from the network."),
        ("Test Network News – October 2024", "https://news.example.org/digest/2024-10-01/",
         "https://news.example.org/digest/2024-10-01/", "2024-10-01T00:00:00+01:00", "October news from the network."),
    ]
    assert feed.feed.author == "Test Network News"


def test_index_lists_editions_newest_first(tmp_path: Path) -> None:
    network(tmp_path)
    doc = lxml_html.document_fromstring((tmp_path / "archive" / "index.html").read_text())
    assert doc.findtext(".//title") == "Test Network News: all editions"
    assert [(a.text_content(), a.get("href")) for a in doc.xpath("//li/a")] == [
        ("Friday 1 November 2024", "2024-11-01/index.html"), ("Tuesday 1 October 2024", "2024-10-01/index.html")]
    assert doc.xpath("//link[@rel='alternate']/@href") == ["feed.atom"]


def test_published_pages_are_the_web_version(tmp_path: Path) -> None:
    network(tmp_path)
    page = (tmp_path / "archive" / "2024-10-01" / "index.html").read_bytes()
    assert page == (tmp_path / "build" / "2024-10-01" / "web.html").read_bytes()
    assert b"*|" not in page and b"View all editions" in page


def test_without_a_url_the_feed_is_still_valid(tmp_path: Path) -> None:
    network(tmp_path, newsletter='preheader = "{month} news."')
    feed = feedparser.parse((tmp_path / "archive" / "feed.atom").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.id.startswith("urn:uuid:")
    assert [e.link for e in feed.entries] == ["2024-11-01/index.html", "2024-10-01/index.html"]
    assert len({e.id for e in feed.entries}) == 2


def test_archive_command_rewrites_from_the_folders(tmp_path: Path) -> None:
    config = network(tmp_path)
    shutil.rmtree(tmp_path / "archive" / "2024-11-01")
    result = digest("archive", "-c", config)
    assert result.stdout == (f"wrote {tmp_path / 'archive' / 'index.html'} and {tmp_path / 'archive' / 'feed.atom'} "
                             "(1 edition)\n")
    feed = feedparser.parse((tmp_path / "archive" / "feed.atom").read_bytes())
    assert [e.title for e in feed.entries] == ["Test Network News – October 2024"]


def test_archive_with_nothing_published(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    result = digest("archive", "-c", config)
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path / 'archive'} has no published editions yet: "
                             "run `digest publish --draft editions/<date>.md` after sending one\n")
