"""Item pictures: only where a section asks (images = true), fixed width with width/height and alt, never oversized."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from lxml import html as lxml_html

from digest.config import parse_config
from digest.edition import format_draft, parse_draft
from digest.build import build_from_draft
from digest.group import group
from digest.model import Image, Post
from digest.render import render

CONFIG = '''[newsletter]
title = "Network"
language = "en-GB"

[[sections]]
title = "With pictures"
kind = "posts"
images = true
sources = ["A"]

[[sections]]
title = "Without"
kind = "posts"

[[sources]]
name = "A"
url = "https://a.example.org/feed"

[[sources]]
name = "B"
url = "https://b.example.org/feed"
'''
EDITION = date(2024, 10, 1)
WHEN = datetime(2024, 9, 20, tzinfo=timezone.utc)
POSTS = [
    Post(id="a1", source="A", title="With alt", url="https://a.example.org/1", published=WHEN,
         image=Image("https://a.example.org/cover.jpg", "Cover of the report")),
    Post(id="a2", source="A", title="Without alt", url="https://a.example.org/2", published=WHEN,
         image=Image("https://a.example.org/photo.jpg", "")),
    Post(id="a3", source="A", title="No picture", url="https://a.example.org/3", published=WHEN),
    Post(id="b1", source="B", title="Section without pictures", url="https://b.example.org/1", published=WHEN,
         image=Image("https://b.example.org/photo.jpg", "A photo")),
]


def images(html: str) -> list[dict[str, str]]:
    return [dict(img.attrib) for img in lxml_html.document_fromstring(html).xpath("//img")]


def test_pictures_in_the_section_that_asks_for_them() -> None:
    config = parse_config(CONFIG, Path("sources.toml"))
    html = render(config, EDITION, group(POSTS, config, EDITION)).html
    found = images(html)
    assert [(i["src"], i["alt"], i["width"], i["height"]) for i in found] == [
        ("https://a.example.org/cover.jpg", "Cover of the report", "552", "311"),
        ("https://a.example.org/photo.jpg", "", "552", "311"),  # empty alt: the title above says what it is
    ]
    for img in found:
        style = img["style"].replace(" ", "")
        assert "width:100%" in style and "max-width:552px" in style and "height:auto" in style


def test_the_draft_carries_the_picture_for_the_editor(tmp_path: Path) -> None:
    config = parse_config(CONFIG, tmp_path / "sources.toml")
    text = format_draft(config, EDITION, group(POSTS, config, EDITION), tmp_path / "editions" / "2024-10-01.md")
    assert "### [With alt](https://a.example.org/1)\nA · Friday 20 September 2024\n" \
           "![Cover of the report](https://a.example.org/cover.jpg)\n<!-- id: a1 -->\n" in text
    assert "photo.jpg" in text and "b.example.org/photo.jpg" not in text, "only sections that show pictures list them"
    edited = text.replace("![Cover of the report]", "![The 2024 report's cover]").replace(
        "![](https://a.example.org/photo.jpg)\n", "")
    draft = parse_draft(edited, tmp_path / "d.md", config)
    assert [i.image for i in draft.sections[0].items] == [
        Image("https://a.example.org/cover.jpg", "The 2024 report's cover"), None, None]


def test_a_built_draft_shows_the_pictures_it_lists(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(CONFIG)
    config = parse_config(CONFIG, tmp_path / "sources.toml")
    path = tmp_path / "editions" / "2024-10-01.md"
    path.parent.mkdir()
    text = format_draft(config, EDITION, group(POSTS, config, EDITION), path)
    path.write_text(text.replace("![](https://a.example.org/photo.jpg)\n", ""))
    html = build_from_draft(config, path).html
    assert [(i["src"], i["alt"]) for i in images(html)] == [("https://a.example.org/cover.jpg", "Cover of the report")]
