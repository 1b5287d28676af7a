"""The editor's draft: round trip, edits rendered in order, manual items, re-drafting, broken edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.collect.normalize import stable_id
from digest.config.load import load_config
from digest.edition.draft.parse import parse_draft
from digest.edition.draft.write import md_escape
from tests.network import FIXTURES, digest, make_network

DRAFT = "editions/2024-10-01.md"


def h3s(html: str) -> list[str]:
    return [h.text_content() for h in lxml_html.document_fromstring(html).xpath("//h3")]


def test_draft_built_without_edits_is_the_plain_build_byte_for_byte(sample_network: Path, tmp_path: Path) -> None:
    plain = digest("build", "-c", sample_network, "--date", "2024-10-01", "--out", tmp_path / "plain")
    assert plain.exit_code == 0, plain.output
    drafted = digest("draft", "-c", sample_network, "--date", "2024-10-01")
    assert drafted.exit_code == 0, drafted.output
    path = sample_network.parent / DRAFT
    assert drafted.stdout.splitlines()[-1] == f"edit it, then: digest build -c {sample_network} --draft {path}"
    built = digest("build", "-c", sample_network, "--edition", path, "--out", tmp_path / "draft")
    assert built.exit_code == 0, built.output
    for name in ("newsletter.html", "newsletter.txt", "web.html"):
        assert (tmp_path / "draft" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_the_draft_is_readable_markdown(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    assert digest("draft", "-c", config, "--date", "2024-10-01").exit_code == 0
    text = (tmp_path / DRAFT).read_text()
    assert text.startswith("<!-- digest edition 2024-10-01: the draft of Test Network News.\n")
    assert "\n\nHello from the **network**.\n\n## Members' news\n\n" in text
    assert ("### [Circle meets the council](https://hull.example.org/council)\n"
            "Hull Circle · Wednesday 25 September 2024\n"
            "<!-- id: 46571e861bac9f8f -->\n\n"
            "We met the council's adult social care team.\n") in text
    assert "### Winter fair\nWednesday 20 November 2024 · Hull Minster · Hull Circle\n" in text
    assert "## Get involved\n\nWrite to [us](mailto:hello@example.org).\n" in text


def edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)


BLOCKS = {
    "council": ("### [Circle meets the council](https://hull.example.org/council)\n"
                "Hull Circle · Wednesday 25 September 2024\n<!-- id: 46571e861bac9f8f -->\n\n"
                "We met the council's adult social care team.\n\n"),
    "volunteers": ("### [Autumn volunteers wanted](https://leeds.example.org/volunteers)\n"
                   "Leeds Voices · Tuesday 10 September 2024\n<!-- id: b546951ae29e8b9b -->\n\n"
                   "We need three more people to help run the autumn sessions.\n\n"),
    "summer": ("### [Our summer report](https://leeds.example.org/summer-report)\n"
               "Leeds Voices · Tuesday 20 August 2024\n<!-- id: 64617a74e4999600 -->\n\n"
               "What we did this summer, in pictures and words.\n\n"),
    "open day": ("### [Hull Circle open day](https://hull.example.org/open-day)\n"
                 "Tuesday 15 October 2024, 10:00–12:00 · Hull Central Library · Hull Circle\n"
                 "<!-- id: 3e90a8f3f73c45f6 -->\n\nCome and meet us.\n\n"),
}


def test_edits_are_sent_as_written_in_the_drafts_order(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    digest("draft", "-c", config, "--date", "2024-10-01")
    path = tmp_path / DRAFT
    edit(path,
         ("Hello from the **network**.", "A *new* intro for October."),
         (BLOCKS["summer"], ""),  # deleted
         (BLOCKS["volunteers"], ""),  # moved after the council below
         (BLOCKS["council"], BLOCKS["council"].replace("Circle meets the council", "The Circle met the council")
          .replace("We met the council's adult social care team.", "We met the **adult social care** team.")
          + BLOCKS["volunteers"]
          + "### George and Vanessa showcased our project\n2024-09-21\n\nAt the *Impact Conference* in Oxford.\n\n"
          + "### [Our own news](https://network.example.org/news)\n\n"),
         (BLOCKS["open day"], ""),  # moved into Members' news, at the end
         ("## Coming up", BLOCKS["open day"] + "## Coming up"))
    result = digest("build", "-c", config, "--edition", path)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "build" / "2024-10-01" / "newsletter.html").read_text()
    assert h3s(html) == ["The Circle met the council", "Autumn volunteers wanted", "George and Vanessa showcased our project",
                         "Our own news", "Hull Circle open day", "Winter fair"]
    doc = lxml_html.document_fromstring(html)
    assert [h.text_content() for h in doc.xpath("//h2")] == ["Members' news", "Coming up", "Get involved"]
    assert doc.xpath("//em[text()='new']") and "Hello from the" not in html
    assert doc.xpath("//strong[text()='adult social care']"), "an edited blurb is rendered from its Markdown"
    manual = doc.xpath("//h3[text()='George and Vanessa showcased our project']")[0]
    assert manual.getnext().text_content() == "Saturday 21 September 2024", "an ISO date line is shown the newsletter's way"
    assert manual.getnext().getnext().xpath(".//em/text()") == ["Impact Conference"]
    assert doc.xpath("//h3/a[@href='https://network.example.org/news']/text()") == ["Our own news"]
    text = (tmp_path / "build" / "2024-10-01" / "newsletter.txt").read_text()
    assert "* George and Vanessa showcased our project\n  Saturday 21 September 2024\n" in text
    assert "Our summer report" not in html + text


def test_redraft_keeps_the_edits_and_adds_only_new_items_at_the_end_of_their_section(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    digest("draft", "-c", config, "--date", "2024-10-01")
    path = tmp_path / DRAFT
    edit(path, (BLOCKS["summer"], ""),
         ("Circle meets the council](", "Our Circle met the council]("),
         ("## Coming up\n", "## Coming up\n\n### Our AGM\n2024-10-20\n\nAll members welcome. <!-- check the room -->\n"))
    edited = path.read_text()
    sheet = tmp_path / "leeds.csv"
    sheet.write_text(sheet.read_text() + "Late news,https://leeds.example.org/late,2024-09-29,Just in.\n")
    (tmp_path / "hull.csv").write_text((tmp_path / "hull.csv").read_text()
                                       + "Quiz night,,,,2024-10-25 19:00,21:00,The Crown\n")

    again = digest("draft", "-c", config, "--date", "2024-10-01")
    assert again.exit_code == 0, again.output
    assert again.stdout == (f"added 2 new items to {path} (marked as new, at the end of their section; "
                            "your edits are untouched):\n"
                            "  + Members' news: Late news\n"
                            "  + Coming up: Quiz night\n")
    text = path.read_text()
    new_post = ("### [Late news](https://leeds.example.org/late)\nLeeds Voices · Sunday 29 September 2024\n"
                f"<!-- id: {stable_id('Leeds Voices', 'https://leeds.example.org/late')} · new since the last draft -->"
                "\n\nJust in.\n")
    head, tail = edited.split("## Coming up")
    assert text.startswith(head.rstrip("\n") + "\n\n" + new_post + "\n## Coming up"), "the new post ends its section"
    assert "Our Circle met the council" in text and "Our summer report" not in text, "edits and deletions kept"
    assert "All members welcome. <!-- check the room -->\n\n### [Hull Circle open day]" in text
    assert ("Stalls and mince pies.\n\neasy:\n\n"  # the Easy Read edition's default: the next events
            "### Quiz night\nFriday 25 October 2024, 19:00–21:00 · The Crown · Hull Circle\n") in text

    third = digest("draft", "-c", config, "--date", "2024-10-01")
    assert third.stdout == f"{path} is up to date: nothing new since it was drafted (your edits are untouched)\n"
    built = digest("build", "-c", config, "--edition", path)
    assert built.exit_code == 0, built.output
    html = (tmp_path / "build" / "2024-10-01" / "newsletter.html").read_text()
    assert h3s(html) == ["Our Circle met the council", "Autumn volunteers wanted", "Late news",
                         "Our AGM", "Hull Circle open day", "Winter fair", "Quiz night"]
    assert "check the room" not in html and "new since" not in html, "comments are notes, never sent"


def test_force_starts_over(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    digest("draft", "-c", config, "--date", "2024-10-01")
    path = tmp_path / DRAFT
    first = path.read_text()
    edit(path, (BLOCKS["summer"], ""))
    result = digest("draft", "-c", config, "--date", "2024-10-01", "--force")
    assert result.stdout.startswith(f"wrote {path} (5 items)\n")
    assert path.read_text() == first


def test_a_section_the_editor_removed_comes_back_only_with_new_items(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    digest("draft", "-c", config, "--date", "2024-10-01")
    path = tmp_path / DRAFT
    edit(path, (BLOCKS["open day"], ""), ("## Coming up\n\n", ""),
         ("### Winter fair\nWednesday 20 November 2024 · Hull Minster · Hull Circle\n<!-- id: b819ce6e31f8c1b5 -->\n\n"
          "Stalls and mince pies.\n\n", ""))
    (tmp_path / "hull.csv").write_text((tmp_path / "hull.csv").read_text() + "Quiz night,,,,2024-10-25 19:00,,The Crown\n")
    digest("draft", "-c", config, "--date", "2024-10-01")
    text = path.read_text()
    assert text.count("## Coming up") == 1
    assert "Write to [us](mailto:hello@example.org).\n\n## Coming up\n\n### Quiz night\n" in text
    assert "Winter fair" not in text
    assert digest("build", "-c", config, "--edition", path).exit_code == 0


def test_broken_edits_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    draft = FIXTURES / "editions" / "broken.md"
    result = digest("build", "-c", config, "--edition", draft)
    assert result.exit_code == 2
    assert result.output == f"""Error: {draft} has 9 problems:
  {draft}: line 5: the item 'A stray item' is above the first section heading: move it under a "## Section" heading
  {draft}: line 7: "## Members news" names no section of sources.toml: did you mean "Members' news"?
  {draft}: line 13: an item needs a title after "### "
  {draft}: line 16: the link 'www.example.org/page' is not a web address: write it in full, e.g. https://www.example.org/page
  {draft}: line 24: the id 3e90a8f3f73c45f6 is also on line 21: an item can appear only once — delete one of the two
  {draft}: line 25: the picture 'picture.png' is not a web address: write it in full, starting https://
  {draft}: line 30: the id b546951ae29e8b9b is not under an item heading: the text section 'Get involved' shows only its \
text, so move the item to a posts or events section
  {draft}: line 32: the section 'Coming up' is already on line 18: put all its items under one heading
  {draft}: line 34: a comment opened with <!-- is never closed with -->
"""


def test_redrafting_a_broken_draft_says_what_to_fix(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    digest("draft", "-c", config, "--date", "2024-10-01")
    path = tmp_path / DRAFT
    edit(path, ("## Coming up", "## Comming up"))
    result = digest("draft", "-c", config, "--date", "2024-10-01")
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: {path}: line 38: \"## Comming up\" names no section of sources.toml: "
                                  "did you mean 'Coming up'?\n")


def test_the_draft_names_its_edition(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    digest("draft", "-c", config, "--date", "2024-10-01")
    result = digest("build", "-c", config, "--edition", tmp_path / DRAFT, "--date", "2024-11-01")
    assert result.exit_code == 2
    assert (f"Invalid value for --date: the draft {tmp_path / DRAFT} is the edition of 2024-10-01, not 2024-11-01: "
            "leave out --date") in result.output
    missing = digest("build", "-c", config, "--edition", tmp_path / "editions" / "nope.md")
    assert missing.exit_code == 2
    assert missing.output == (f"Error: {tmp_path / 'editions' / 'nope.md'}: not found: "
                              "run `digest draft` to write the draft of an edition\n")


@pytest.mark.parametrize("title", [
    'Carers & "experts by experience": what\'s missing?',
    "[Draft] *not* emphasis_here_ and `code` <b>tags</b>",
    "We are #1 # and C# and ## too",
    "Fish &amp; chips &copy; 2024 \\ back",
    "![not a picture](x) and ends with a backslash \\",
])
def test_titles_read_back_exactly(title: str, tmp_path: Path) -> None:
    config = load_config(make_network(tmp_path))
    text = ("<!-- digest edition 2024-10-01 -->\n## Members' news\n"
            f"### [{md_escape(title)}](https://x.example.org/a_(b))\n### {md_escape(title)}\n")
    items = parse_draft(text, tmp_path / "d.md", config).sections[0].items
    assert [(i.title, i.url) for i in items] == [(title, "https://x.example.org/a_(b)"), (title, None)]


def test_an_http_link_in_the_draft_is_warned_with_its_line_not_refused(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    digest("draft", "-c", config, "--date", "2024-10-01")
    path = tmp_path / DRAFT
    edit(path, ("## Coming up", "### [Plain old site](http://old.example.org/news)\n\nStill here.\n\n## Coming up"))
    line = path.read_text(encoding="utf-8").split("\n").index("### [Plain old site](http://old.example.org/news)") + 1
    result = digest("build", "-c", config, "--edition", path)
    assert result.exit_code == 0, result.output
    assert (f"2024-10-01.md: line {line}: the link 'http://old.example.org/news' is not encrypted (http://): "
            "use https://old.example.org/news if the site has it") in result.output
    assert digest("build", "-c", config, "--edition", path, "--strict").exit_code == 1
