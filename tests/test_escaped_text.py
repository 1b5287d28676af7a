"""A member's *escaped* markup stays text in every output, whatever form it came in and however it is cut.

The defect this guards: a summary given as text (an RSS description without a `<p>`, a JSON Feed
`summary` or `content_text`) holding `&lt;script&gt;…` and longer than `summary_length` came out
of the trimming step decoded, as a live `<script>` in newsletter.html, web.html, the archive and
the preview. Each output is parsed with lxml (tests/test_hostile.py's `live_markup`), never grepped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from lxml import html as lxml_html

from digest.sanitize import clean_html, text_to_html, trim_html
from tests.network import digest
from tests.test_hostile import live_markup

WHEN = datetime(2024, 9, 20, 9, 0, tzinfo=UTC)
LONG = " and some more words to pass the summary length" * 3
ATTACKS = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(2)>",
    "svg": "<svg onload=alert(3)>",
    "iframe": "<iframe src=javascript:alert(4)></iframe>",
    "form": "<form action=https://evil.example/><input name=q>",
}


@pytest.mark.parametrize("attack", list(ATTACKS.values()), ids=list(ATTACKS))
def test_trimming_escaped_text_keeps_it_text(attack: str) -> None:
    escaped = escape(attack) + LONG  # what a text-only description is, as HTML
    trimmed = trim_html(escaped, 40)
    assert live_markup(trimmed) == []
    assert trimmed.endswith("\u2026")
    assert lxml_html.fragment_fromstring(trimmed, create_parent="div").text_content().startswith(attack[:5])


@pytest.mark.parametrize("form", ["html", "escaped", "plain"])
def test_every_input_form_trims_safely(form: str) -> None:
    attack = ATTACKS["img"] + LONG
    fragment = {"html": clean_html(f"<p>{attack}</p>"), "escaped": escape(attack), "plain": text_to_html(attack)}[form]
    for limit in (5, 20, 60, 400):
        assert live_markup(trim_html(fragment, limit)) == [], (form, limit)


def _rss(description: str) -> bytes:
    item = (f"<item><title>Escaped</title><link>https://member.example/escaped</link><guid>escaped-1</guid>"
            f"<pubDate>{format_datetime(WHEN)}</pubDate><description>{escape(description)}</description></item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>M</title><link>https://member.example/</link>'
            f"{item}</channel></rss>").encode()


def _jsonfeed(text: str) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J",
                       "items": [{"id": "j1", "url": "https://member.example/j1", "title": "JSON text",
                                  "date_published": WHEN.isoformat(), "content_text": text}]}).encode()


@pytest.fixture
def network(tmp_path: Path) -> Path:
    # The RSS description holds *escaped* markup (text, to feedparser); the JSON Feed gives it as content_text.
    escaped_text = escape(ATTACKS["script"] + ATTACKS["img"] + ATTACKS["svg"]) + LONG
    (tmp_path / "rss.xml").write_bytes(_rss(escaped_text))
    (tmp_path / "feed.json").write_bytes(_jsonfeed(ATTACKS["iframe"] + ATTACKS["form"] + LONG))
    (tmp_path / "sources.toml").write_text(
        '[newsletter]\ntitle = "Escapes"\ntimezone = "UTC"\nlanguage = "en-GB"\nsummary_length = 60\n'
        'url = "https://news.example/"\n\n[newsletter.words]\n"View in your browser" = "<script>alert(5)</script> 100% online"\n'
        '\n[[sections]]\ntitle = "News"\nkind = "posts"\ndays_back = 31\n'
        '\n[[sources]]\nname = "RSS member"\nurl = "rss.xml"\n'
        '\n[[sources]]\nname = "JSON member"\nurl = "feed.json"\n', encoding="utf-8")
    return tmp_path / "sources.toml"


def _no_live_markup(path: Path) -> None:
    doc = lxml_html.document_fromstring(path.read_bytes())
    body = doc.find("body")
    assert body is not None, path
    assert live_markup(lxml_html.tostring(body, encoding="unicode"), allow_style_elements=True) == [], path
    assert "alert(1)" in body.text_content(), f"{path}: the member's words should still be shown, as text"


def test_every_output_keeps_escaped_markup_as_text(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = digest("build", "-c", network, "--date", "2024-10-01", "--out", out)
    assert result.exit_code == 0, result.output
    for name in ("newsletter.html", "web.html"):
        _no_live_markup(out / name)
    text = (out / "newsletter.txt").read_text(encoding="utf-8")
    assert "<script>alert(1)" in text  # the text twin shows the words as the member wrote them

    assert digest("draft", "-c", network, "--date", "2024-10-01").exit_code == 0
    # The draft shows the member's words as they wrote them; its Markdown is rendered with raw HTML off.
    assert "alert(1)" in (tmp_path / "editions" / "2024-10-01.md").read_text(encoding="utf-8")
    drafted = tmp_path / "drafted"
    result = digest("build", "-c", network, "--date", "2024-10-01", "--out", drafted)
    assert result.exit_code == 0, result.output
    _no_live_markup(drafted / "newsletter.html")

    result = digest("publish", "-c", network, "--date", "2024-10-01")
    assert result.exit_code == 0, result.output
    pages = [p for p in (tmp_path / "archive").rglob("*.html") if "2024-10-01" in str(p)]
    assert pages
    for page in pages:
        _no_live_markup(page)


def test_network_words_are_text_and_percent_safe(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "words"
    result = digest("build", "-c", network, "--date", "2024-10-01", "--out", out)
    assert result.exit_code == 0, result.output
    doc = lxml_html.document_fromstring((out / "newsletter.html").read_bytes())
    assert not list(doc.iter("script"))
    assert "<script>alert(5)</script> 100% online" in doc.text_content()  # the editor's words, as text
    assert "<script>alert(5)</script> 100% online" in (out / "newsletter.txt").read_text(encoding="utf-8")


def test_preview_serves_member_documents_without_scripts_or_token(network: Path, tmp_path: Path) -> None:
    import httpx

    from tests.preview.test_preview import free_port, preview_process

    port = free_port()
    with preview_process(network, port, tmp_path / "preview.log"):
        desk = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        token = lxml_html.document_fromstring(desk.content).xpath("//meta[@name='digest-token']/@content")[0]
        for path in ("/newsletter.html", "/newsletter-dark.html"):
            answer = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
            policy = answer.headers["Content-Security-Policy"]
            assert "script-src 'none'" in policy and "sandbox" in policy, path
            assert token not in answer.text, path
            body = lxml_html.document_fromstring(answer.content).find("body")
            assert live_markup(lxml_html.tostring(body, encoding="unicode"), allow_style_elements=True) == [], path
            assert "alert(1)" in body.text_content()
