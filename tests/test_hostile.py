"""Hostile feed content never survives as live markup.

Two sources of attacks: feedparser's 745 sanitiser cases (../shared/corpora/feedparser/tests/
wellformed/sanitize/), run through the reader and the normaliser; and our own hostile feeds
(tests/fixtures/hostile/), built into a whole newsletter. Everything is checked by parsing
with lxml, not by grepping, so an attribute split across lines or an entity-encoded
`javascript:` cannot slip past.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from digest.collect.normalize import normalize_post
from digest.collect.readers.feed import parse_feed, raw_entry, read_feed
from digest.config.load import load_config
from digest.edition.pipeline import build_edition
from digest.model import Post
from tests.conftest import corpus
from tests.hardening import EDITION, posts, rss, write_config

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hostile"
LIVE_ELEMENTS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "form", "input",
                 "button", "textarea", "select", "svg", "math", "link", "meta", "base"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster", "data", "lowsrc", "dynsrc",
                  "srcset", "xlink:href", "{http://www.w3.org/1999/xlink}href"}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)
SOMETIME = datetime(2024, 9, 20, tzinfo=UTC)


def live_markup(fragment: str, *, allow_style_elements: bool = False) -> list[str]:
    """Everything in an HTML fragment that a mail client could run or that would restyle the email."""
    if not fragment.strip():
        return []
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions are inert
        tag = element.tag.lower()
        if tag in LIVE_ELEMENTS and not (allow_style_elements and tag == "style"):
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"<{tag} {name}=>")
            if name.lower() == "style" and not allow_style_elements:
                found.append(f"<{tag} style=>")
            # browsers drop tabs, newlines and other controls inside a scheme: "jav\tascript:"
            if name.lower() in URL_ATTRIBUTES and BAD_SCHEME.match(re.sub(r"[\x00-\x20]", "", value)):
                found.append(f"<{tag} {name}={value[:30]!r}>")
    return found


def unsafe_url(url: str | None) -> bool:
    return url is not None and urlsplit(url).scheme.lower() not in ("http", "https")


def post_problems(post: Post, *, title_as_html: bool = True) -> list[str]:
    """Live markup in any of a post's fields.

    A title is plain text, escaped wherever it is shown. From feedparser's corpus it must
    not even look like markup; an RSS title that is text/plain by feedparser's rules and
    spells out "<script>" is kept as that text (title_as_html=False) and checked where it
    is shown, in the newsletter.
    """
    problems = live_markup(post.summary_html) + (live_markup(post.title) if title_as_html else [])
    if unsafe_url(post.url):
        problems.append(f"url {post.url!r}")
    if post.image and (unsafe_url(post.image.url) or live_markup(post.image.alt)):
        problems.append(f"image {post.image!r}")
    return problems


def test_the_checker_sees_what_it_must() -> None:
    """The checker itself must catch each kind of live markup, or the tests below prove nothing."""
    for bad in ['<script>x</script>', '<p onclick="x">', '<a href=" jav&#x09;ascript:x">', '<a href="DATA:text/html,x">',
                '<iframe src="https://e.example/">', '<p style="x">', '<form>', '<svg onload=x>', '<object data=x>']:
        assert live_markup(bad), bad
    assert not live_markup('<p>Fine <a href="https://e.example/">link</a> &lt;script&gt;</p>')


def sanitize_cases() -> list[Path]:
    return sorted(corpus("feedparser", "tests", "wellformed", "sanitize").iterdir())


@pytest.mark.slow  # ~1 s: a corpus
def test_feedparser_sanitizer_corpus() -> None:
    """Each of the 745 vectors, read and normalised: nothing live in any item field.

    Most vectors have no date, which the normaliser (rightly) skips; to check their fields
    anyway every entry without one is given a date before normalising.
    """
    files = sanitize_cases()
    assert len(files) >= 700
    checked, problems = 0, {}
    for path in files:
        body = path.read_bytes()
        read_feed(body, source="corpus", base_url="http://127.0.0.1/feed", summary_length=10_000)  # never raises
        parsed, base = parse_feed(body, "http://127.0.0.1/feed")
        for entry in parsed.entries:
            raw = raw_entry(entry, base)
            if raw.published is None and raw.updated is None:
                raw = dataclasses.replace(raw, published=SOMETIME)
            post = normalize_post(raw, source="corpus", summary_length=10_000)
            checked += 1
            if found := post_problems(post):
                problems[path.name] = found
    assert not problems
    assert checked >= 550  # every vector that has an entry was checked


@pytest.fixture
def hostile_edition(tmp_path: Path):
    for name in ("hostile-rss.xml", "hostile-atom.xml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    config = load_config(write_config(tmp_path, {"Hostile member": "hostile-rss.xml", "Atom member": "hostile-atom.xml"},
                                      extra='esp = "mailchimp"\nsummary_length = 2000\n'))
    return build_edition(config, EDITION)


def test_hostile_items_are_defused(hostile_edition) -> None:
    posts = [i for box in hostile_edition.sections for i in box.items if isinstance(i, Post)]
    assert len(posts) == 5
    for post in posts:
        assert not post_problems(post, title_as_html=False), post
    by_title = {p.title: p for p in posts}
    assert by_title["Image attacks"].image is None  # a data: image is no image
    assert all(p.url is None or p.url.startswith("https://") for p in posts)


def test_hostile_newsletter_has_no_live_markup(hostile_edition) -> None:
    html = hostile_edition.html
    doc = lxml_html.document_fromstring(html.encode("utf-8"))
    body = doc.find("body")
    # The theme's own <style> in <head> is fine; nothing in the body may run or restyle.
    assert live_markup(lxml_html.tostring(body, encoding="unicode"), allow_style_elements=True) == []
    assert [s.text_content() for s in doc.iter("style") if "expression" in s.text_content() or "evil" in s.text_content()] == []
    # Every attack in the fixtures points at evil.example: no attribute may (text that shows it may).
    assert [(e.tag, k, v) for e in doc.iter() if isinstance(e.tag, str) for k, v in e.attrib.items()
            if re.search(r"evil\.example|javascript:|vbscript:|data:", v, re.I)] == []
    assert not [e for e in doc.iter() if isinstance(e.tag, str) and e.tag.startswith("mj-")]
    (h3,) = [h for h in body.iter("h3") if "Hostile" in h.text_content()]
    assert h3.text_content().startswith("<script>alert('title')</script>Hostile")  # shown as the text it is


def test_templates_and_merge_tags_in_feed_text_stay_text(hostile_edition) -> None:
    doc = lxml_html.document_fromstring(hostile_edition.html.encode("utf-8"))
    text = doc.find("body").text_content()
    assert "7*7" in text and "49" not in text  # Jinja never evaluated feed text
    assert "{{" not in text and "{%" not in text and "*|UNSUB|*" not in text and "*|FNAME|*" not in text
    assert "*\u200b|UNSUB|\u200b*" in text  # still readable, but no service will expand it
    # The footer's real unsubscribe tag is the only live one.
    assert hostile_edition.html.count("*|UNSUB|*") == 1
    assert hostile_edition.text.count("*|UNSUB|*") == 1
    for output in (hostile_edition.text, hostile_edition.mjml):
        assert "*|FNAME|*" not in output and "{{ 7*7 }}" not in output and "%%unsubscribe%%" not in output


def test_mjml_structure_survives(hostile_edition, tmp_path: Path) -> None:
    """Feed text that closes MJML tags changes nothing: the item after it renders in the same section."""
    doc = lxml_html.document_fromstring(hostile_edition.html.encode("utf-8"))
    (heading,) = [h for h in doc.iter("h2") if h.text_content().strip() == "News"]
    section = heading.getparent()
    titles = [h.text_content().strip() for h in section.iter("h3")]
    assert titles[-1] == "The item after the hostile ones"
    assert len(titles) == 5
    # The MJML has exactly the tags the theme writes for five items, as for a harmless feed.
    tags = re.findall(r"</?mj-[a-z-]+", hostile_edition.mjml)
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "feed.xml").write_bytes(rss(posts(5)))
    harmless = build_edition(load_config(write_config(tmp_path / "plain", {"Plain": "feed.xml"},
                                                      extra='esp = "mailchimp"\n')), EDITION)
    assert tags == re.findall(r"</?mj-[a-z-]+", harmless.mjml)
