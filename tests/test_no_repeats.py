"""No repeats: posts sent in a published edition stay out of later ones; events repeat until they happen.

The test network's posts sections look back 62 days, so consecutive editions' windows overlap
and a post would otherwise be sent twice.
"""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from tests.network import digest, make_network


def titles(folder: Path, edition: str) -> list[str]:
    html = (folder / "build" / edition / "newsletter.html").read_text()
    return [h.text_content() for h in lxml_html.document_fromstring(html).xpath("//h3")]


def draft_and_publish(config: Path, edition: str) -> None:
    assert digest("draft", "-c", config, "--date", edition).exit_code == 0
    result = digest("publish", "-c", config, "--edition", config.parent / "editions" / f"{edition}.md")
    assert result.exit_code == 0, result.output


def test_two_published_editions(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    draft_and_publish(config, "2024-10-01")
    assert titles(tmp_path, "2024-10-01") == ["Circle meets the council", "Autumn volunteers wanted", "Our summer report",
                                              "Hull Circle open day", "Winter fair"]

    draft_and_publish(config, "2024-11-01")  # posts from 31 August: the council and the volunteers were sent
    assert titles(tmp_path, "2024-11-01") == ["Walking group restarts", "Winter fair", "Carol singing"]

    assert digest("build", "-c", config, "--date", "2024-11-20").exit_code == 0  # posts from 19 September
    assert titles(tmp_path, "2024-11-20") == ["Winter newsletter", "Winter fair", "Carol singing"]


def test_publish_says_what_it_recorded(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    digest("draft", "-c", config, "--date", "2024-10-01")
    result = digest("publish", "-c", config, "--edition", tmp_path / "editions" / "2024-10-01.md")
    assert result.stdout == (
        "published the edition of 2024-10-01: 5 items recorded as sent\n"
        f"web version: {tmp_path / 'archive' / '2024-10-01' / 'index.html'}\n"
        f"archive: {tmp_path / 'archive' / 'index.html'} and {tmp_path / 'archive' / 'feed.atom'} (1 edition)\n")


def test_an_edition_rebuilt_after_publishing_still_shows_what_it_sent(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    draft_and_publish(config, "2024-10-01")
    assert digest("build", "-c", config, "--date", "2024-10-01", "--out", tmp_path / "again").exit_code == 0
    again = (tmp_path / "again" / "newsletter.html").read_bytes()
    assert again == (tmp_path / "build" / "2024-10-01" / "newsletter.html").read_bytes()


def test_build_final_records_like_publish(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    final = digest("build", "-c", config, "--date", "2024-10-01", "--final")
    assert final.exit_code == 0, final.output
    assert final.stdout.endswith("published: 5 items recorded as sent in the edition of 2024-10-01; web version in "
                                 f"{tmp_path / 'archive' / '2024-10-01' / 'index.html'}\n")
    digest("build", "-c", config, "--date", "2024-11-01")
    assert titles(tmp_path, "2024-11-01") == ["Walking group restarts", "Winter fair", "Carol singing"]


def test_a_section_chooses_whether_it_repeats(tmp_path: Path) -> None:
    config = make_network(tmp_path, sections={"Members' news": "repeat = true", "Coming up": "repeat = false"})
    digest("build", "-c", config, "--date", "2024-10-01", "--final")
    digest("build", "-c", config, "--date", "2024-11-01")
    assert titles(tmp_path, "2024-11-01") == ["Walking group restarts", "Circle meets the council",
                                              "Autumn volunteers wanted", "Carol singing"]


def test_a_sent_post_does_not_fall_through_to_a_later_section(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    config.write_text(config.read_text().replace('[[sections]]\ntitle = "Coming up"',
                                                 '[[sections]]\ntitle = "Everything else"\nkind = "posts"\n'
                                                 'days_back = 62\nrepeat = true\n\n[[sections]]\ntitle = "Coming up"'))
    digest("build", "-c", config, "--date", "2024-10-01", "--final")
    digest("build", "-c", config, "--date", "2024-11-01")
    assert titles(tmp_path, "2024-11-01") == ["Walking group restarts", "Winter fair", "Carol singing"]


def test_repeat_must_be_true_or_false(tmp_path: Path) -> None:
    config = make_network(tmp_path, sections={"Coming up": 'repeat = "yes"'})
    result = digest("build", "-c", config, "--date", "2024-10-01")
    assert result.exit_code == 2
    assert result.output == f"Error: {config}: sections[2].repeat (line 17): must be true or false, not 'yes'\n"
