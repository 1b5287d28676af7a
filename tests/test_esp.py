"""Email-service presets: each service's merge tags in the footer, exactly as it documents them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.esp import PRESETS
from tests.network import digest, make_network

FOOTERS = {
    "mailchimp": ('<a href="*|ARCHIVE|*"', '<a href="*|UNSUB|*"', "*|ARCHIVE|*", "*|UNSUB|*"),
    "buttondown": ('<a href="{{ email_url }}"', '<a href="{{ unsubscribe_url }}"', "{{ email_url }}", "{{ unsubscribe_url }}"),
    "brevo": ('<a href="{{ mirror }}"', '<a href="{{ unsubscribe }}"', "{{ mirror }}", "{{ unsubscribe }}"),
    "listmonk": ('<a href="{{ MessageURL }}"', '<a href="{{ UnsubscribeURL }}"', "{{ MessageURL }}", "{{ UnsubscribeURL }}"),
    "campaign-monitor": ("<webversion", "<unsubscribe", "[webversion]", "[unsubscribe]"),
    "mailerlite": ('<a href="{$url}"', '<a href="{$unsubscribe}"', "{$url}", "{$unsubscribe}"),
}
MERGE_SYNTAX = re.compile(r"\*\||\{\{|\{\$|\[unsubscribe\]|\[webversion\]|<unsubscribe|<webversion|merge-tag\.invalid")


def build(tmp_path: Path, *args: str, newsletter: str = "") -> tuple[str, str, str]:
    config = make_network(tmp_path, newsletter=newsletter)
    result = digest("build", "-c", config, "--date", "2024-10-01", *args)
    assert result.exit_code == 0, result.output
    out = tmp_path / "build" / "2024-10-01"
    return tuple((out / name).read_text() for name in ("newsletter.html", "newsletter.txt", "web.html"))  # type: ignore[return-value]


def test_every_preset_is_tested() -> None:
    assert sorted(PRESETS) == sorted([*FOOTERS, "none"])


@pytest.mark.parametrize("name", sorted(FOOTERS))
def test_preset_footer(name: str, tmp_path: Path) -> None:
    html, text, web = build(tmp_path, "--esp", name)
    view_html, unsubscribe_html, view_text, unsubscribe_text = FOOTERS[name]
    footer = html[html.rindex("You get this because"):]
    assert footer.count(view_html) == 1 and footer.count(unsubscribe_html) == 1
    assert ">View in your browser</" in footer and ">Unsubscribe</" in footer
    assert "merge-tag.invalid" not in html, "no placeholder is left behind"
    assert text.endswith(f"\n\nView in your browser: {view_text}\nUnsubscribe: {unsubscribe_text}\n")
    assert not MERGE_SYNTAX.search(web), "the web version carries no merge tags"


def test_campaign_monitor_tags_wrap_the_link_text(tmp_path: Path) -> None:
    html, _text, _web = build(tmp_path, "--esp", "campaign-monitor")
    footer = lxml_html.document_fromstring(html).xpath("//webversion/..")[0]
    assert [(e.tag, e.text_content()) for e in footer] == [("webversion", "View in your browser"),
                                                           ("unsubscribe", "Unsubscribe")]
    assert all("color" in e.get("style", "") for e in footer), "the link's inlined style is kept"


def test_none_leaves_no_placeholder(tmp_path: Path) -> None:
    html, text, web = build(tmp_path)
    for output in (html, text, web):
        assert not MERGE_SYNTAX.search(output)
    assert "Unsubscribe" not in html + text and "View in your browser" not in html + text


def test_footer_shows_why_and_the_postal_address(tmp_path: Path) -> None:
    html, text, _web = build(tmp_path, newsletter='esp = "mailchimp"')
    paragraphs = [p.text_content() for p in lxml_html.document_fromstring(html).xpath("//p")][-3:]
    assert paragraphs == ["You get this because you joined the Test Network.", "Test Network, 1 High Street, Leeds LS1 1AA",
                          "View in your browser · Unsubscribe"]
    assert text.endswith("-" * 78 + "\nYou get this because you joined the Test Network.\n"
                         "Test Network, 1 High Street, Leeds LS1 1AA\n\n"
                         "View in your browser: *|ARCHIVE|*\nUnsubscribe: *|UNSUB|*\n")


def test_the_command_line_overrides_the_config(tmp_path: Path) -> None:
    html, _text, _web = build(tmp_path, "--esp", "brevo", newsletter='esp = "mailchimp"')
    assert "{{ unsubscribe }}" in html and "*|UNSUB|*" not in html


def test_web_version_links_to_all_editions(tmp_path: Path) -> None:
    _html, _text, web = build(tmp_path / "a", newsletter='esp = "mailchimp"\nurl = "https://news.example.org/digest"')
    doc = lxml_html.document_fromstring(web)
    assert doc.xpath("//a[text()='View all editions']/@href") == ["https://news.example.org/digest/"]
    assert doc.xpath("//meta[@name='description']/@content") == ["Hello from the network."]
    _html, _text, web = build(tmp_path / "b")
    assert lxml_html.document_fromstring(web).xpath("//a[text()='View all editions']/@href") == ["../index.html"]


def test_an_unknown_service_is_a_config_error(tmp_path: Path) -> None:
    config = make_network(tmp_path, newsletter='esp = "mailchimps"')
    result = digest("build", "-c", config, "--date", "2024-10-01")
    assert result.exit_code == 2
    assert result.output == (f"Error: {config}: newsletter.esp (line 6): 'mailchimps' is not an email service digest "
                             "knows: use one of mailchimp, buttondown, brevo, listmonk, campaign-monitor, mailerlite, none\n")
