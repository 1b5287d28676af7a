"""The draft read on markdown-it tokens, the desk's changes to it, and "the edition for a date" in every command."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.config.load import load_config
from digest.edition.draft import DraftError
from digest.edition.draft.edit import EditError, add_item, drop_item, move_item, set_blurb, set_intro, set_title
from digest.edition.draft.parse import parse_draft
from tests.network import digest, make_network
from tests.publish.test_send import Inbox, smtp  # noqa: F401 — the SMTP fixture

DRAFT = "editions/2024-10-01.md"
HEAD = "<!-- digest edition 2024-10-01 -->\n"


@pytest.fixture
def network(tmp_path: Path) -> Path:
    config = make_network(tmp_path)
    assert digest("draft", "-c", config, "--date", "2024-10-01").exit_code == 0
    return config


def h3s(html: str) -> list[str]:
    return [h.text_content() for h in lxml_html.document_fromstring(html).xpath("//h3")]


# --- reading ---------------------------------------------------------------------------------

def test_a_heading_inside_a_fenced_code_block_is_the_blurbs_own(tmp_path: Path) -> None:
    config = load_config(make_network(tmp_path))
    text = (HEAD + "## Members' news\n\n### Our code\n\nLike this:\n\n```\n## Not a section\n### Not an item\n"
            "<!-- not a comment -->\n```\n\n~~~md\n## Nor this\n~~~\n\n    ## indented code\n\n"
            "### Next item\n")
    draft = parse_draft(text, tmp_path / "d.md", config)
    items = draft.sections[0].items
    assert [i.title for i in items] == ["Our code", "Next item"]
    assert "## Not a section\n### Not an item\n<!-- not a comment -->" in items[0].text
    assert "~~~md\n## Nor this\n~~~" in items[0].text and "    ## indented code" in items[0].text


def test_a_setext_underline_or_a_quoted_heading_is_no_structure(tmp_path: Path) -> None:
    config = load_config(make_network(tmp_path))
    text = HEAD + "## Members' news\n\n### Item\n\nA line\n---\n\n> ## quoted\n\n- ### listed\n"
    items = parse_draft(text, tmp_path / "d.md", config).sections[0].items
    assert [i.title for i in items] == ["Item"] and "> ## quoted" in items[0].text


def test_an_id_comment_left_open_is_reported_and_swallows_nothing(network: Path) -> None:
    path = network.parent / DRAFT
    text = path.read_text()
    text = text.replace("<!-- id: 46571e861bac9f8f -->", "<!-- id: 46571e861bac9f8f")
    path.write_text(text)
    line = text.split("\n").index("<!-- id: 46571e861bac9f8f") + 1
    result = digest("build", "-c", network, "--date", "2024-10-01")
    assert result.exit_code == 2
    assert (f"{path}: line {line}: a comment opened with <!-- is not closed with --> before the next one opens on "
            f"line {line + 6}: end it with -->") in result.output
    assert result.output.count(": line ") == 1, "one mistake, one message: the items after it are read as written"


def test_an_id_comment_spanning_lines_is_reported(network: Path) -> None:
    path = network.parent / DRAFT
    text = path.read_text().replace("<!-- id: 46571e861bac9f8f -->", "<!-- id: 46571e861bac9f8f\n-->")
    path.write_text(text)
    result = digest("build", "-c", network, "--date", "2024-10-01")
    assert result.exit_code == 2 and "the id comment is not closed on its own line" in result.output


def test_an_invalid_date_in_the_header_is_a_sentence(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    draft = tmp_path / "x.md"
    draft.write_text("<!-- digest edition 2024-13-45 -->\n## Members' news\n")
    result = digest("build", "-c", config, "--edition", draft)
    assert result.exit_code == 2
    assert "line 1: '2024-13-45' in the first line is not a date: write it as YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output


# --- the desk's changes ------------------------------------------------------------------------

def test_each_change_rewrites_only_its_own_lines(network: Path) -> None:
    config, path = load_config(network), network.parent / DRAFT
    original = path.read_text().replace("## Coming up\n", "## Coming up\n<!-- a note of mine -->\n")
    text = set_title(original, path, config, (0, 1), "Volunteers: [three] wanted")
    assert text == original.replace("### [Autumn volunteers wanted]", "### [Volunteers: \\[three\\] wanted]")
    text = set_blurb(text, path, config, (0, 1), "## Not a heading\n\nSee **you** there.")
    assert "\\## Not a heading\n\nSee **you** there.\n\n### [Our summer report]" in text
    assert [i.title for i in parse_draft(text, path, config).sections[0].items] == [
        "Circle meets the council", "Volunteers: [three] wanted", "Our summer report"]
    text = set_blurb(text, path, config, (0, 1), "")
    assert "<!-- id: b546951ae29e8b9b -->\n\n### [Our summer report]" in text
    text = set_blurb(text, path, config, (0, 1), "Back again.")
    assert "<!-- id: b546951ae29e8b9b -->\n\nBack again.\n\n### [Our summer report]" in text
    moved = move_item(text, path, config, (0, 0), 1, 1)
    coming = moved.split("## Coming up\n")[1]
    assert coming.startswith("<!-- a note of mine -->\n\n### [Hull Circle open day]")
    assert coming.index("Hull Circle open day") < coming.index("Circle meets the council") < coming.index("Winter fair")
    back = move_item(moved, path, config, (1, 1), 0, 0)
    assert back == text, "moving an item there and back leaves the file as it was"
    dropped = drop_item(text, path, config, (0, 2))
    assert "Our summer report" not in dropped.split("<!-- digest offered")[0]
    assert dropped.replace("\n\n\n", "\n\n") == dropped and "64617a74e4999600" in dropped


def test_the_intro_and_new_items(network: Path) -> None:
    config, path = load_config(network), network.parent / DRAFT
    original = path.read_text()
    text = set_intro(original, path, config, "A *new* intro.\n\n### not an item")
    assert text == original.replace("Hello from the **network**.", "A *new* intro.\n\n\\### not an item")
    assert parse_draft(text, path, config).intro == "A *new* intro.\n\n\\### not an item"
    text = set_intro(text, path, config, "")
    assert parse_draft(text, path, config).intro == "" and "\n\n\n" not in text
    text = set_intro(text, path, config, "Back.")
    assert parse_draft(text, path, config).intro == "Back."
    added = add_item(original, path, config, 1, title="Quiz night", url="https://hull.example.org/quiz",
                     day="2024-10-25", blurb="Bring a pen.")
    assert "Stalls and mince pies.\n\neasy:\n\n### [Quiz night](https://hull.example.org/quiz)\n2024-10-25\n\nBring a pen.\n\n" \
           "## Get involved" in added
    with pytest.raises(EditError, match="is a text section"):
        add_item(original, path, config, 2, title="Nope")
    with pytest.raises(EditError, match="not a web address"):
        add_item(original, path, config, 0, title="Nope", url="javascript:alert(1)")
    with pytest.raises(EditError, match="not a date"):
        add_item(original, path, config, 0, title="Nope", day="25/10/2024")
    with pytest.raises(EditError, match="has no item number 9"):
        drop_item(original, path, config, (0, 8))
    with pytest.raises(DraftError):  # a blurb that would leave the draft unreadable is refused, nothing written
        set_blurb(original, path, config, (0, 1), "<!-- id: 46571e861bac9f8f -->")


# --- one idea of the edition for a date ---------------------------------------------------------

def edit_draft(network: Path) -> Path:
    path = network.parent / DRAFT
    path.write_text(path.read_text().replace("Circle meets the council](", "The Circle met the council]("))
    return path


def test_build_check_and_publish_use_the_draft_and_say_so(network: Path) -> None:
    edit_draft(network)
    built = digest("build", "-c", network, "--date", "2024-10-01")
    assert built.exit_code == 0, built.output
    assert built.stderr.splitlines()[0] == f"from the draft {network.parent / DRAFT}"
    out = network.parent / "build" / "2024-10-01"
    assert h3s((out / "newsletter.html").read_text())[0] == "The Circle met the council"
    assert "not fetched (draft build)" in built.stdout

    checked = digest("check", "-c", network, "--date", "2024-10-01")
    assert checked.stderr.splitlines()[0] == f"from the draft {network.parent / DRAFT}"

    feeds = digest("build", "-c", network, "--date", "2024-10-01", "--from-feeds")
    assert feeds.exit_code == 0 and "from the draft" not in feeds.output
    assert h3s((out / "newsletter.html").read_text())[0] == "The Circle met the council", "the draft's build is kept"
    assert h3s((network.parent / "build" / "2024-10-01-from-feeds" / "newsletter.html").read_text())[0] == \
        "Circle meets the council"

    published = digest("publish", "-c", network, "--date", "2024-10-01")
    assert published.exit_code == 0, published.output
    assert "published the edition of 2024-10-01: 5 items recorded as sent" in published.stdout
    assert "The Circle met the council" in (network.parent / "archive" / "2024-10-01" / "index.html").read_text()


def test_publish_without_a_draft_says_what_to_do(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    result = digest("publish", "-c", config, "--date", "2024-10-01")
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path / DRAFT}: not found: run `digest draft` to write the draft of this "
                             "edition (or `digest build --final` to publish a build from the feeds)\n")


def test_edition_and_from_feeds_do_not_go_together(network: Path) -> None:
    result = digest("build", "-c", network, "--edition", network.parent / DRAFT, "--from-feeds")
    assert result.exit_code == 2 and "--draft and --from-feeds cannot go together" in result.output


def test_send_sends_the_draft_as_it_is_now(network: Path, smtp: tuple[Inbox, int, list]) -> None:  # noqa: F811
    inbox, port, _ = smtp
    assert digest("build", "-c", network, "--date", "2024-10-01").exit_code == 0
    edit_draft(network)  # edited after the build: the test send still shows the edit
    result = digest("send", "-c", network, "--date", "2024-10-01", "--to", "editor@example.org",
                    "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == f"from the draft {network.parent / DRAFT}"
    (_sender, _to, raw), = inbox.messages
    html = message_from_bytes(raw, policy=policy.default).get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert h3s(html)[0] == "The Circle met the council"


def test_preview_takes_one_of_edition_and_from_feeds(network: Path) -> None:
    result = digest("preview", "-c", network, "--edition", network.parent / DRAFT, "--from-feeds", "--port", "0")
    assert result.exit_code == 2 and "--draft and --from-feeds cannot go together" in result.output


def test_a_rewritten_blurb_keeps_its_hard_breaks_and_code(network: Path) -> None:
    config, path = load_config(network), network.parent / DRAFT
    text = set_blurb(path.read_text(), path, config, (0, 0), "\r\nFirst line  \r\nsecond line\n\n```\n## code\n```\n\n\n")
    assert "<!-- id: 46571e861bac9f8f -->\n\nFirst line  \nsecond line\n\n```\n## code\n```\n\n### [Autumn" in text
