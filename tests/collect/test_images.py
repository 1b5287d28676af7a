"""Item pictures: only where a section asks (images = true), in their true shape, linked, with alt, never oversized."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html
from pytest_httpserver import HTTPServer

from digest.collect.pictures import size_of
from digest.config.load import load_config, parse_config
from digest.edition.draft.parse import parse_draft
from digest.edition.draft.write import format_draft
from digest.edition.group import group
from digest.edition.pipeline import build_from_draft
from digest.model import Image, Post
from digest.render.email import render_views
from digest.render.layout import picture
from digest.render.views import Picture, section_views

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
WHEN = datetime(2024, 9, 20, tzinfo=UTC)
POSTS = [
    Post(id="a1", source="A", title="With alt", url="https://a.example.org/1", published=WHEN,
         image=Image("https://a.example.org/cover.jpg", "Cover of the report", 1600, 900)),
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
    html = render_views(config, EDITION, section_views(group(POSTS, config, EDITION), config)).html
    found = images(html)
    assert [(i["src"], i["alt"], i["width"], i.get("height")) for i in found] == [
        ("https://a.example.org/cover.jpg", "Cover of the report", "552", "310"),  # 1600×900 keeps its 16:9 (310.5)
        # size never read: the width only, clients keep the shape; no alt of its own: named by where it links
        ("https://a.example.org/photo.jpg", "Without alt", "552", None),
    ]
    for img in found:
        style = img["style"].replace(" ", "")
        assert "width:100%" in style and "max-width:552px" in style and "height:auto" in style
    doc = lxml_html.document_fromstring(html)
    assert [a.get("href") for a in doc.xpath("//a[img]")] == ["https://a.example.org/1", "https://a.example.org/2"]


def test_the_draft_carries_the_picture_for_the_editor(tmp_path: Path) -> None:
    config = parse_config(CONFIG, tmp_path / "sources.toml")
    text = format_draft(config, EDITION, group(POSTS, config, EDITION), tmp_path / "editions" / "2024-10-01.md")
    assert "### [With alt](https://a.example.org/1)\nA · Friday 20 September 2024\n" \
           "![Cover of the report](https://a.example.org/cover.jpg)\n<!-- id: a1 -->\n" in text
    assert "photo.jpg" in text and "b.example.org/photo.jpg" not in text, "only sections that show pictures list them"
    edited = text.replace("![Cover of the report]", "![The 2024 report's cover]").replace(
        "![](https://a.example.org/photo.jpg)\n", "")
    draft = parse_draft(edited, tmp_path / "d.md", config)
    assert [i.image and (i.image.url, i.image.alt) for i in draft.sections[0].items] == [
        ("https://a.example.org/cover.jpg", "The 2024 report's cover"), None, None]


def test_a_built_draft_shows_the_pictures_it_lists(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(CONFIG)
    config = parse_config(CONFIG, tmp_path / "sources.toml")
    path = tmp_path / "editions" / "2024-10-01.md"
    path.parent.mkdir()
    text = format_draft(config, EDITION, group(POSTS, config, EDITION), path)
    path.write_text(text.replace("![](https://a.example.org/photo.jpg)\n", ""))
    html = build_from_draft(config, path).html
    assert [(i["src"], i["alt"]) for i in images(html)] == [("https://a.example.org/cover.jpg", "Cover of the report")]


# ---- sizes read at collect ---------------------------------------------------------------------

def picture_bytes(width: int, height: int, kind: str = "PNG") -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (107, 44, 145)).save(buffer, kind)
    return buffer.getvalue()


def test_collect_reads_each_pictures_true_shape(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A 600×800 portrait becomes a 120×160 thumbnail beside the text; a 1200×675 picture fills the column;
    a picture that is not one is left out with a note; sizes are kept in the store and read once."""
    from digest.collect.fetch import Limits
    from digest.collect.network import Network
    from digest.collect.pictures import with_sizes
    from digest.collect.report import SourceReport
    from digest.collect.store import Store

    httpserver.expect_request("/portrait.jpg").respond_with_data(picture_bytes(600, 800, "JPEG"), content_type="image/jpeg")
    httpserver.expect_request("/wide.png").respond_with_data(picture_bytes(1200, 675), content_type="image/png")
    httpserver.expect_request("/broken.png").respond_with_data(b"<html>not found</html>", content_type="image/png")
    (tmp_path / "sources.toml").write_text(CONFIG)
    config = load_config(tmp_path / "sources.toml")
    posts = [Post(id=name, source="A", title=name.title(), url=f"https://a.example.org/{name}", published=WHEN,
                  image=Image(httpserver.url_for(f"/{file}"), alt))
             for name, file, alt in (("portrait", "portrait.jpg", ""), ("wide", "wide.png", "Members at the fair"),
                                     ("broken", "broken.png", ""))]

    def collected() -> tuple[str, SourceReport]:
        report = SourceReport("A", "ok")
        with Store.beside(config.path) as store, Network() as network:
            items = with_sizes(list(posts), store, [report], refetch=True, network=network,
                               limits=Limits(private_pictures=True))  # the test's server is on loopback
        return render_views(config, EDITION, section_views(group(items, config, EDITION), config)).html, report

    html, report = collected()
    found = {i["src"].rsplit("/", 1)[1]: i for i in images(html)}
    assert set(found) == {"portrait.jpg", "wide.png"}
    assert (found["portrait.jpg"]["width"], found["portrait.jpg"]["height"]) == ("120", "160")  # 3:4, as the picture
    assert (found["wide.png"]["width"], found["wide.png"]["height"]) == ("552", "310")
    assert found["wide.png"]["alt"] == "Members at the fair"
    doc = lxml_html.document_fromstring(html)
    thumb_cell = doc.xpath("//img[contains(@src, 'portrait')]/ancestor::td[1]")[0]
    assert thumb_cell.getnext() is not None and "Portrait" in thumb_cell.getnext().text_content(), "beside the text"
    assert report.problems == ["the picture of 'Broken' was left out: it is not a picture format email clients show "
                               f"(JPEG, PNG, GIF, WebP) ({httpserver.url_for('/broken.png')})"]
    served = len(httpserver.log)
    again, report = collected()  # sizes come from the store, and the failure is remembered for a day
    assert [(i["src"], i["width"]) for i in images(again)] == [(i["src"], i["width"]) for i in images(html)]
    assert httpserver.log[served:] == []
    assert report.problems == ["the picture of 'Broken' was left out: it is not a picture format email clients show "
                               f"(JPEG, PNG, GIF, WebP) ({httpserver.url_for('/broken.png')})"]


def test_alt_falls_back_to_the_posts_own_picture() -> None:
    from digest.collect.normalize import RawEntry, normalize_post

    raw = RawEntry(title="Fair", link="https://a.example.org/fair", published=WHEN, image_url="https://a.example.org/f.jpg",
                   summary_html='<p><img src="https://a.example.org/f.jpg" alt="Members at the fair">A good day.</p>')
    assert normalize_post(raw, source="A", summary_length=280).image == Image("https://a.example.org/f.jpg",
                                                                              "Members at the fair")


def test_a_sideways_phone_photo_is_measured_as_shown() -> None:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    exif = PILImage.Exif()
    exif[0x0112] = 6  # rotate 90°: stored 800×600, shown 600×800
    PILImage.new("RGB", (800, 600)).save(buffer, "JPEG", exif=exif)
    head = buffer.getvalue()
    assert size_of(head) == (600, 800)
    assert size_of(head[:40]) is None, "too few bytes: read on"


def test_portrait_and_small_pictures_are_thumbnails_in_their_shape() -> None:
    assert picture(Image("u", "", 600, 800), None, featured=False) == Picture("u", "", 120, 160, True, None)
    assert picture(Image("u", "", 200, 900), None, featured=False) == Picture("u", "", 40, 180, True, None)
    assert picture(Image("u", "", 300, 200), None, featured=False) == Picture("u", "", 120, 80, True, None)  # small
    assert picture(Image("u", "", 2000, 1000), "h", featured=False) == Picture("u", "", 552, 276, False, "h")
    assert picture(Image("u", "", 600, 800), None, featured=True).width == 180


ATTACHED = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:fair@example.org\r
DTSTART;TZID=Europe/London:20241012T110000\r
DTEND;TZID=Europe/London:20241012T150000\r
SUMMARY:Community fair\r
URL:https://a.example.org/fair\r
ATTACH;FMTTYPE=image/jpeg:https://a.example.org/fair.jpg\r
ATTACH:https://a.example.org/programme.pdf\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_events_show_their_calendar_picture_where_the_section_asks() -> None:
    from zoneinfo import ZoneInfo

    from digest.collect.readers.ical import read_calendar

    london = ZoneInfo("Europe/London")
    [event] = read_calendar(ATTACHED, source="A", tz=london, start=datetime(2024, 10, 1, tzinfo=london),
                            end=datetime(2024, 12, 1, tzinfo=london)).items
    assert event.image == Image("https://a.example.org/fair.jpg")
    sized = replace(event, image=Image(event.image.url, "", 1200, 800))
    shown = CONFIG.replace('title = "With pictures"\nkind = "posts"', 'title = "With pictures"\nkind = "events"')
    config = parse_config(shown, Path("sources.toml"))
    found = images(render_views(config, EDITION, section_views(group([sized], config, EDITION), config)).html)
    assert [(i["src"], i["width"], i["height"], i["alt"]) for i in found] == [
        ("https://a.example.org/fair.jpg", "552", "368", "Community fair")]
    hidden = parse_config(shown.replace("images = true\n", ""), Path("sources.toml"))
    html = render_views(hidden, EDITION, section_views(group([sized], hidden, EDITION), hidden)).html
    assert "Community fair" in html and images(html) == []


def test_a_build_groups_once_and_sizes_only_the_pictures_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pictures are sized after grouping, from the items grouping chose: the build groups once, and a
    picture in a section that shows none (here B's) is never fetched."""
    import digest.collect.pictures as pictures
    import digest.edition.pipeline as pipeline

    item = ("<item><title>{t}</title><link>https://{s}.example.org/1</link><guid>{s}1</guid>"
            "<pubDate>Fri, 20 Sep 2024 10:00:00 GMT</pubDate><description>Text</description>"
            '<enclosure url="https://{s}.example.org/{s}.png" type="image/png" length="1"/></item>')
    for source in ("a", "b"):
        (tmp_path / f"{source}.xml").write_text(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>M</title><link>https://m.example.org/</link>'
            + item.format(t=f"Post of {source.upper()}", s=source) + "</channel></rss>")
    (tmp_path / "sources.toml").write_text(CONFIG.replace("https://a.example.org/feed", "a.xml")
                                           .replace("https://b.example.org/feed", "b.xml"))
    groupings: list[int] = []
    asked: list[str] = []
    real = pipeline.group

    async def measured(client: object, urls: list[str], limits: object) -> dict[str, tuple[int, int] | str]:
        asked.extend(urls)
        return {url: (1200, 675) for url in urls}

    monkeypatch.setattr(pipeline, "group", lambda *a, **k: groupings.append(1) or real(*a, **k))
    monkeypatch.setattr(pictures, "_read_all", measured)
    edition = pipeline.build_edition(load_config(tmp_path / "sources.toml"), EDITION)
    assert len(groupings) == 1
    assert asked == ["https://a.example.org/a.png"]
    shown = {i.title: i.image for box in edition.sections for i in box.items}
    assert shown["Post of A"] == Image("https://a.example.org/a.png", "", 1200, 675)
    assert shown["Post of B"] == Image("https://b.example.org/b.png", "")  # not shown with pictures: not measured
