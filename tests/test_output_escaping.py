"""Outputs escape by construction: calendar files, the draft and links, whatever a member's text holds."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from digest.config.load import load_config
from digest.edition.draft.parse import parse_draft
from digest.edition.draft.write import destination, item_block
from digest.model import Image
from digest.render.calendar import Occurrence, ics_file
from digest.render.views import ItemView
from digest.sanitize import defuse_url, safe_link
from tests.network import digest, make_network
from tests.test_escaped_text import ICS_LINE

STAMP = datetime(2024, 10, 1, tzinfo=UTC)
WHEN = Occurrence(datetime(2024, 10, 15, 10, tzinfo=UTC), datetime(2024, 10, 15, 12, tzinfo=UTC))


# --- calendar files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["title", "place", "url"])
def test_cr_lf_in_an_events_url_name_or_place_neither_crashes_the_ics_writer_nor_adds_lines(field: str) -> None:
    hostile = "Hall\r\nX-EVIL:1\nATTACH:https://evil.example/\rEND:VEVENT\x00\x1b[31m"
    values = {"title": "Drop-in", "place": "Library", "url": "https://member.example/drop-in"}
    values[field] = (values[field] if field != "url" else "https://member.example/x") + hostile
    text = ics_file(values["title"], [WHEN], place=values["place"], url=values["url"],
                    details="Line one\r\nBEGIN:VEVENT\nline three", stamp=STAMP)
    lines = text.split("\r\n")
    assert [line for line in lines if line and not ICS_LINE.match(line)] == []
    assert [line.split(":")[0] for line in lines if line.startswith(("BEGIN", "END"))] == ["BEGIN", "BEGIN", "END", "END"]
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    shown = {"title": str(event["SUMMARY"]), "place": str(event["LOCATION"]), "url": str(event["URL"])}
    assert "\n" not in shown[field] and "\r" not in shown[field] and "\x1b" not in shown[field]
    assert "X-EVIL:1" in shown[field]  # the member's words are kept, on the one line they belong to
    assert str(event["DESCRIPTION"]) == "Line one\nBEGIN:VEVENT\nline three"  # a text value, escaped by icalendar


def test_a_csv_event_with_cr_lf_everywhere_builds_and_its_ics_has_no_member_line(tmp_path: Path) -> None:
    with (tmp_path / "events.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([
            ["title", "url", "start", "end", "location", "summary"],
            ["Open day\r\nBEGIN:VEVENT", "https://member.example/x\r\nATTACH:https://evil.example/",
             "2024-10-15 10:00", "12:00", "Hall\r\nX-EVIL:1", "Come along"]])
    config = tmp_path / "sources.toml"
    config.write_text('[newsletter]\ntitle = "T"\ntimezone = "UTC"\nlanguage = "en-GB"\nurl = "https://news.example/"\n'
                      '\n[[sections]]\ntitle = "Events"\nkind = "events"\ndays_ahead = 60\n'
                      '\n[[sources]]\nname = "M"\nurl = "events.csv"\n', encoding="utf-8")
    result = digest("build", "-c", config, "--date", "2024-10-01", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    [ics] = (tmp_path / "out" / "events").glob("*.ics")
    lines = ics.read_bytes().decode("utf-8").split("\r\n")
    assert [line for line in lines if line and not ICS_LINE.match(line)] == []
    assert "URL:https://member.example/xATTACH:https://evil.example/" in lines


# --- links ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("link", "written"), [
    ("https://member.example/a\u200bb", "https://member.example/a%E2%80%8Bb"),
    ("https://member.example/{ x}", "https://member.example/%7B%20x%7D"),
    ("https://member.example/?q={{ name }}&u=*|UNSUB|*", "https://member.example/?q=%7B%7B%20name%20%7D%7D&u=%2A%7CUNSUB%7C%2A"),
    ("https://member.example/100% sure", "https://member.example/100%25%20sure"),
    ("https://member.example/a%20b?x=%7B", "https://member.example/a%20b?x=%7B"),  # escapes already there stay
    ("https://member.example/x\r\nATTACH:y", "https://member.example/xATTACH:y"),
    ("https://member.example/a>b<c", "https://member.example/a%3Eb%3Cc"),
], ids=["zero-width", "brace-space", "merge-tags", "lone-percent", "escaped", "cr-lf", "angle-brackets"])
def test_a_members_link_is_one_line_and_percent_encoded(link: str, written: str) -> None:
    assert safe_link(link) == written
    assert safe_link(written) == written  # written again (a view replaced, a draft re-read): unchanged
    assert "{%" not in defuse_url(link) and "\\u{" not in defuse_url(link)


def test_links_with_invisible_characters_come_out_of_the_email_percent_encoded(tmp_path: Path) -> None:
    with (tmp_path / "posts.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["title", "url", "date", "summary"],
                                      ["Zero width", "https://member.example/a\u200bb/{ x}", "2024-09-25",
                                       'See <a href="https://member.example/c\u2060d/{ y}">this</a>']])
    config = tmp_path / "sources.toml"
    config.write_text('[newsletter]\ntitle = "T"\ntimezone = "UTC"\nlanguage = "en-GB"\n'
                      '\n[[sections]]\ntitle = "News"\nkind = "posts"\ndays_back = 31\n'
                      '\n[[sources]]\nname = "M"\nurl = "posts.csv"\n', encoding="utf-8")
    result = digest("build", "-c", config, "--date", "2024-10-01", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for name in ("newsletter.html", "web.html", "newsletter.txt"):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert "\\u{" not in text and "{%20" not in text, name
        assert "https://member.example/a%E2%80%8Bb/%7B%20x%7D" in text, name


# --- the draft --------------------------------------------------------------------------------------

def _view(**fields: object) -> ItemView:
    base: dict[str, object] = {"title": "A title", "url": "https://member.example/a", "meta": "M · 25 September 2024",
                               "blurb_html": "<p>Text</p>", "source": "M", "when": "25 September 2024", "id": "abc123"}
    return ItemView(**(base | fields))  # type: ignore[arg-type]


def _read_back(tmp_path: Path, view: ItemView, *, images: bool = False):
    config = load_config(make_network(tmp_path))
    text = ("<!-- digest edition 2024-10-01 -->\n\n## Members' news\n\n"
            + "\n".join(item_block(view, images=images)) + "\n")
    draft = parse_draft(text, tmp_path / "2024-10-01.md", config)
    return text, [item for section in draft.sections for item in section.items]


@pytest.mark.parametrize("where", ["title", "blurb", "meta"])
def test_a_members_comment_opener_stays_text_in_the_draft(tmp_path: Path, where: str) -> None:
    words = "Tea <!-- and cake"
    fields = {"title": {"title": words}, "blurb": {"blurb_html": f"<p>{words.replace('<', '&lt;')}</p>"},
              "meta": {"meta": f"M · {words}"}}[where]
    _text, items = _read_back(tmp_path, _view(**fields))
    assert [item.id for item in items] == ["abc123"]  # no comment swallowed the id line, none was reported
    shown = {"title": items[0].title, "blurb": items[0].text, "meta": items[0].meta}[where]
    assert "<!--" in shown.replace("\\<", "<")


def test_a_members_heading_id_line_and_easy_read_line_stay_text_in_the_draft(tmp_path: Path) -> None:
    blurb = "<p>### Fake item</p><p>&lt;!-- id: fake --&gt;</p><p>## Fake section</p><p>easy: not the editor's</p>"
    _text, items = _read_back(tmp_path, _view(blurb_html=blurb))
    assert [(item.title, item.id, item.easy) for item in items] == [("A title", "abc123", "")]
    assert "Fake item" in items[0].text and "id: fake" in items[0].text and "easy" in items[0].text


@pytest.mark.parametrize("link", ["https://member.example/a>b\n### [Fake](https://evil.example/)",
                                  "https://member.example/a b>\n<!-- id: fake -->", "https://member.example/(x)"])
def test_a_link_with_an_angle_bracket_or_newline_cannot_inject_a_fake_item(tmp_path: Path, link: str) -> None:
    text, items = _read_back(tmp_path, _view(url=link, image=Image(link, "pic")), images=True)
    assert [item.id for item in items] == ["abc123"]
    assert items[0].url == safe_link(link) and items[0].image is not None and items[0].image.url == safe_link(link)
    assert text.count("\n### ") == 1
    assert destination(link).count("\n") == 0


def test_a_meta_line_that_looks_like_a_picture_stays_the_meta_line(tmp_path: Path) -> None:
    _text, items = _read_back(tmp_path, _view(meta="![x](https://evil.example/x.png) · M"))
    assert (items[0].meta, items[0].image) == ("![x](https://evil.example/x.png) · M", None)


def test_a_draft_of_hostile_members_builds_back_exactly(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    with (tmp_path / "leeds.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(["Tea <!-- cake", "https://member.example/a>b", "2024-09-25",
                                     "### Fake\n\n<!-- id: fake -->\n\neasy: no"])
    assert digest("draft", "-c", config, "--date", "2024-10-01").exit_code == 0
    result = digest("build", "-c", config, "--date", "2024-10-01", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "newsletter.html").read_text(encoding="utf-8")
    assert "Tea &lt;!-- cake" in html and "### Fake" in html and "&lt;!-- id: fake --&gt;" in html
