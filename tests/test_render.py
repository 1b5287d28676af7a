"""The rendered email: safe, email-shaped (lang, title, preheader, Outlook comments), localised, deterministic."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.config import Config, parse_config
from digest.group import group
from digest.model import Post
from digest.render import render

BASE = '''[newsletter]
title = "Network <Digest> & Friends"
timezone = "Europe/London"
language = "{language}"
intro = "Hello **all**. <script>alert(1)</script> [Our site](https://net.example.org/)"
logo = "https://net.example.org/logo.png"

[[sections]]
title = "News"
kind = "posts"

[[sections]]
title = "Get involved"
kind = "text"
body = "Write to [us](mailto:hi@example.org)."

[[sources]]
name = "A"
url = "https://a.example.org/feed"
'''
EDITION = date(2024, 10, 1)


def config(language: str = "en-GB") -> Config:
    return parse_config(BASE.replace("{language}", language), Path("sources.toml"))


def posts() -> list[Post]:
    when = datetime(2024, 9, 27, 9, 0, tzinfo=timezone.utc)
    return [
        Post(id="1", source="A", title="</mj-text><mj-raw><script>alert('x')</script></mj-raw> {{ 7*7 }}",
             url="https://a.example.org/1", published=when, summary_html="<p>Safe <strong>summary</strong></p>"),
        Post(id="2", source="A", title="No link here", url=None, published=when, summary_html=""),
    ]


def rendered(language: str = "en-GB"):
    cfg = config(language)
    return render(cfg, EDITION, group(posts(), cfg, EDITION))


@pytest.fixture(scope="module")
def out():
    return rendered()


def test_feed_text_stays_text(out) -> None:
    doc = lxml_html.document_fromstring(out.html)
    assert doc.xpath("//script") == []
    heading = doc.xpath("//h3")[0].text_content()
    assert heading.replace("\u200b", "") == "</mj-text><mj-raw><script>alert('x')</script></mj-raw> {{ 7*7 }}"
    assert "49" not in heading and "{{" not in heading  # defused at render too, whatever made the item
    assert "&lt;script&gt;" in out.mjml


def test_email_shape(out) -> None:
    assert out.html.startswith("<!doctype html>\n<html lang=\"en-GB\"")
    doc = lxml_html.document_fromstring(out.html)
    assert doc.findtext(".//title") == "Network <Digest> & Friends – Tuesday 1 October 2024"
    assert "fonts.googleapis.com" not in out.html and "<link" not in out.html
    assert "<!--[if mso | IE]>" in out.html and "<![endif]-->" in out.html
    preheader = doc.xpath("//body/div[1]")[0]
    assert "display:none" in preheader.get("style").replace(" ", "")
    assert [h.tag for h in doc.xpath("//h1|//h2")] == ["h1", "h2", "h2"]


def test_css_is_inlined(out) -> None:
    doc = lxml_html.document_fromstring(out.html)
    h2 = doc.xpath("//h2")[0]
    assert "font-size:22px" in h2.get("style").replace(" ", "")


def test_links_absolute_no_empty_href_images_with_alt(out) -> None:
    doc = lxml_html.document_fromstring(out.html)
    hrefs = [a.get("href") for a in doc.xpath("//a")]
    assert hrefs and all(h and h.startswith(("https://", "mailto:")) for h in hrefs)
    assert "No link here" in [h.text_content() for h in doc.xpath("//h3[not(a)]")]
    for img in doc.xpath("//img"):
        assert img.get("src").startswith("https://") and img.get("alt")


def test_intro_markdown_is_sanitised(out) -> None:
    doc = lxml_html.document_fromstring(out.html)
    intro = doc.xpath("//strong[text()='all']")
    assert intro, "Markdown bold rendered"
    assert "alert(1)" in out.html and "<script>alert(1)" not in out.html  # shown as text, never as a tag


def test_text_twin(out) -> None:
    lines = out.text.splitlines()
    assert lines[0] == "NETWORK <DIGEST> & FRIENDS"
    assert lines[1] == "Tuesday 1 October 2024"
    assert "NEWS" in lines and "GET INVOLVED" in lines
    assert "  https://a.example.org/1" in lines
    assert "  A · Friday 27 September 2024" in lines
    assert all(len(line) <= 78 or "://" in line for line in lines)


def test_welsh_dates() -> None:
    out = rendered("cy")
    assert '<html lang="cy"' in out.html
    assert "Dydd Gwener, 27 Medi 2024" in out.html


def test_deterministic(out) -> None:
    again = rendered()
    assert (again.html, again.text, again.mjml) == (out.html, out.text, out.mjml)
