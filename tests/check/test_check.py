"""`digest check`: each rule against a small hand-written fixture, a real MJML email, and the CLI."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.check import Finding, caniemail, summarise
from digest.check.budget import SERVICE_EXTRAS, TRACKED_LINK, section_sizes, sent_size
from digest.check.caniemail import DEFAULT_CLIENTS
from digest.check.lint import check_html
from digest.colours import parse_colour
from digest.commands.check import check

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "check"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def found(name_or_html: str, **kwargs) -> list[tuple[str, str, str]]:
    html = fixture(name_or_html) if name_or_html.endswith(".html") else name_or_html
    return [(f.severity, f.code, f.message) for f in check_html(html, **kwargs)]


def test_clean_fixture_has_no_findings() -> None:
    # It also carries what must not be flagged: Outlook-only CSS in conditional comments,
    # JSON-LD email markup, merge-tag links, alt="" on a decorative image, a hidden preheader.
    assert found("clean.html") == []


def test_the_size_as_sent_adds_tracked_links_the_services_extras_and_quoted_printable() -> None:
    # "é" is two bytes, six quoted-printable ("=C3=A9"); each line ends CRLF on the wire; a short link
    # grows to a tracked link's length, and so does a merge tag; an #anchor and mailto: stay as they are.
    assert sent_size("<p>é</p>\n") == len("<p>=C3=A9</p>\r\n") + SERVICE_EXTRAS
    links = '<a href="https://a.org/x">A</a><a href="*|UNSUB|*">U</a>\n<a href="#s">S</a><a href="mailto:a@b.c">M</a>\n'
    assert sent_size(links) == len(links.replace("=", "=3D")) + 2 + (TRACKED_LINK - 15) + (TRACKED_LINK - 9) + SERVICE_EXTRAS


def test_size_over_gmail_clip_as_sent_is_an_error_naming_the_biggest_section() -> None:
    # Padding the clean email in a comment rather than shipping a 100 KB fixture: it falls in the last
    # (and only) section, which is the one to trim.
    html = fixture("clean.html").replace("</body>", "<!--" + "x" * (96 * 1024) + "--></body>")
    raw, sent = len(html.encode()) / 1024, sent_size(html) / 1024
    assert raw < 102 < sent
    [(title, size)] = section_sizes(html)
    assert title == "Co-Pro Cuppa" and size > 96 * 1024
    assert found(html) == [("error", "size", f"newsletter is {raw:.1f} KB, about {sent:.1f} KB as your email "
                            "service sends it (tracked links, quoted-printable encoding): Gmail clips messages over "
                            "102 KB, hiding the rest and the unsubscribe link — trim 'Co-Pro Cuppa' "
                            f"({size / 1024:.1f} KB): lower its limit or feature fewer items")]


def test_size_close_to_gmail_clip_as_sent_is_a_warning() -> None:
    html = fixture("clean.html").replace("<h2>", "<h2>Big</h2>" + "<p>x</p>" * 11_000 + "<h2>")
    raw, sent = len(html.encode()) / 1024, sent_size(html) / 1024
    assert raw < 90 < sent < 102
    size = dict(section_sizes(html))["Big"] / 1024
    assert found(html) == [("warning", "size", f"newsletter is {raw:.1f} KB, about {sent:.1f} KB as your email "
                            "service sends it (tracked links, quoted-printable encoding), close to the 102 KB at "
                            f"which Gmail clips messages — trim 'Big' ({size:.1f} KB): lower its limit or feature "
                            "fewer items")]


def test_missing_lang_and_title_are_errors() -> None:
    assert found("head.html") == [
        ("error", "lang", "<html> has no lang attribute — add the edition's language (lang=\"en-GB\") "
         "so screen readers pronounce it right"),
        ("error", "title", "no <title> — add one; web views and some clients show it"),
    ]


def test_empty_title_is_an_error() -> None:
    html = fixture("clean.html").replace("Co-Production Network Digest — October 2025</title>", " </title>")
    assert found(html) == [("error", "title", "<title> is empty — give it the newsletter's name and date")]


def test_preheader_must_come_before_visible_text() -> None:
    assert found("preheader.html") == [
        ("warning", "preheader", "no hidden preheader before the first visible text — add <mj-preview> "
         "or inboxes preview 'Welcome to the October digest of the Co…'"),
    ]


def test_scripts_external_css_and_web_fonts() -> None:
    assert found("resources.html") == [
        ("error", "script", "<script src='https://example.org/track.js'> — email clients strip scripts "
         "and spam filters penalise them; remove it"),
        ("error", "script", "<script> — email clients strip scripts and spam filters penalise them; remove it"),
        ("warning", "stylesheet", "<link rel=stylesheet href='https://example.org/email.css'> loads external "
         "CSS that Gmail and Outlook ignore — put the CSS in the template"),
        ("warning", "stylesheet", "@import 'https://example.org/more.css' loads external CSS that most "
         "clients ignore — put the CSS in the template"),
        # The Google Fonts URL is both <link>ed and @imported (as MJML does): one warning.
        ("warning", "webfont", "<link> requests the web font 'https://fonts.googleapis.com/css?family=Ubuntu', "
         "which most clients ignore — drop it and rely on the font-family fallback stack"),
        ("warning", "webfont", "@font-face requests the web font 'https://example.org/brand.woff2', which "
         "most clients ignore — drop it and rely on the font-family fallback stack"),
    ]


def test_links_must_be_absolute_or_merge_tags() -> None:
    assert found("links.html") == [
        ("error", "link-empty", "link 'Empty post' goes nowhere (href=\"\") — point it at the item's URL"),
        ("error", "link-empty", "link 'Hash post' goes nowhere (href=\"#\") — point it at the item's URL"),
        ("error", "link-javascript", "link 'Script post' uses javascript:, which clients block — link to "
         "a web page instead"),
        ("error", "link-relative", "link 'Relative post' → '/posts/1' is relative; an inbox has no base "
         "URL — make it absolute (https://…)"),
        ("error", "link-relative", "link 'Protocol-relative post' → '//example.org/posts/2' is relative; "
         "an inbox has no base URL — make it absolute (https://…)"),
        ("warning", "link-scheme", "link 'FTP file' → 'ftp://example.org/file.txt' is not http(s), mailto "
         "or tel — many clients won't open it"),
        ("warning", "caniemail", "'<a href=\"#top\">' (html-anchor-links) is not supported by Gmail iOS"),
    ]


def test_a_contents_lists_jump_links_are_not_a_caniemail_finding() -> None:
    """Where a client ignores #links (Gmail iOS) the list still names every section; elsewhere they are reported."""
    contents = '<div role="navigation" aria-label="In this issue"><a href="#s-news">News</a></div>'
    html = fixture("clean.html").replace("<h1>", contents + "<h1>")
    assert found(html) == []
    assert found(html.replace('role="navigation"', "")) == [
        ("warning", "caniemail", "'<a href=\"#s-news\">' (html-anchor-links) is not supported by Gmail iOS")]


def test_vague_and_missing_link_text() -> None:
    assert found("link-text.html") == [
        ("warning", "link-text", "link to 'https://example.org/social' has no text — add text, or alt "
         "text to its image"),
        ("warning", "link-text", "link text 'Read more' says nothing out of context (2 links, first → "
         "https://example.org/1) — use the item's title as link text or add aria-label"),
        ("warning", "link-text", "link text 'HERE' says nothing out of context (→ https://example.org/3) "
         "— use the item's title as link text or add aria-label"),
    ]


def test_images_need_absolute_src_alt_and_width() -> None:
    assert found("images.html") == [
        ("error", "img-src", "<img alt='Missing source'> has no src — give it the image's https:// URL"),
        ("error", "img-src", "<img src='images/photo.jpg'> is relative; an inbox has no base URL — make "
         "it absolute (https://…)"),
        ("error", "img-src", "<img src='data:image/png;base64,iVBORw0KGgo='> embeds a data: URI that "
         "Gmail doesn't show — host the image and use its https:// URL"),
        ("error", "img-alt", "<img src='https://example.org/no-alt.jpg'> has no alt attribute — describe "
         "the image, or alt=\"\" if it is decoration"),
        ("warning", "img-width", "<img src='https://example.org/no-width.jpg'> has no width attribute — "
         "add width=\"…\" (in px) or Outlook shows it at its full size"),
    ]


def test_one_h1_and_no_skipped_levels() -> None:
    assert found("headings.html") == [
        ("warning", "h1", "2 <h1> elements ('Digest', 'Events') — keep one and make the others <h2>"),
        ("warning", "heading-order", "<h3> 'News from across the network' follows <h1> (and 1 more), "
         "skipping a level — use <h2>"),
        ("warning", "heading-order", "<h4> 'A skip from two to four' follows <h2>, skipping a level — "
         "use <h3>"),
    ]


def test_missing_h1_ignores_hidden_headings() -> None:
    assert found("no-h1.html") == [
        ("warning", "h1", "no <h1> — give the edition one top-level heading (its name and date)"),
    ]


def test_contrast_where_both_colours_are_known() -> None:
    assert found("contrast.html") == [
        ("warning", "contrast", "text colour #999999 on #ffffff has contrast 2.85:1, below 4.5:1: <p> "
         "'Posted by the network (grey on white).' and 1 more — darken the text or lighten the background"),
        ("warning", "contrast", "text colour #000066 on #000080 has contrast 1.10:1, below 4.5:1: <p> "
         "'Dark blue on navy.' — darken the text or lighten the background"),
        ("warning", "contrast", "text colour #777777 on #ffffff has contrast 4.48:1, below 4.5:1: <p> "
         "'Transparent falls through to white.' — darken the text or lighten the background"),
        ("warning", "contrast", "text colour #ff0000 on #ffffff has contrast 4.00:1, below 4.5:1: <p> "
         "'Red on white is 4.0:1.' — darken the text or lighten the background"),
        ("warning", "caniemail", "'background: url()' (css-background-image) is not supported by Outlook Windows"),
    ]


@pytest.mark.parametrize(("value", "rgb"), [
    ("#fff", (255, 255, 255)), ("#6B2C91", (107, 44, 145)), ("bad", None), ("rgb(1, 2, 3)", (1, 2, 3)),
    ("rgba(1,2,3,1)", (1, 2, 3)), ("Navy", (0, 0, 128)), ("rgba(1,2,3,0.5)", None), ("currentColor", None),
    ("rebeccapurple", (102, 51, 153)), ("LightGoldenRodYellow", (250, 250, 210)), ("rgb(1 2 3)", (1, 2, 3)),
    ("hsl(120 100% 25%)", (0, 128, 0)), ("transparent", None), ("#abcd", None), ("oklch(0.5 0.2 30)", None),
])
def test_colour_parsing(value, rgb) -> None:
    assert parse_colour(value) == rgb


def test_every_css_named_colour_is_known() -> None:
    # CSS Color 4 names 148 colours; the old hand-written table knew 20, so "darkgrey on white" went unchecked.
    import tinycss2.color4

    names = tinycss2.color4._EXTENDED_COLOR_KEYWORDS
    assert len(names) == 148
    assert all(parse_colour(name) is not None for name, _ in names)
    html = ('<html lang="en"><head><title>T</title></head><body><div style="display:none">P</div><h1>Hi</h1>'
            '<p style="color:darkgrey;background:white">Faint</p><p><a href="*|UNSUB|*">Unsubscribe</a>, N1 0AA</p>'
            '</body></html>')
    assert found(html) == [("warning", "contrast", "text colour #a9a9a9 on #ffffff has contrast 2.35:1, below "
                            "4.5:1: <p> 'Faint' — darken the text or lighten the background")]


# --- compliance: unsubscribe link and postal address ------------------------------------------

UNSUBSCRIBE_WARNING = ("warning", "unsubscribe", "no unsubscribe link — UK PECR and CAN-SPAM require one in a "
                       "newsletter: set esp = \"…\" under [newsletter] (or --esp) so the footer carries your "
                       "email service's unsubscribe tag")
ADDRESS_WARNING = ("warning", "address", "no postal address (no postcode or <address> found) — CAN-SPAM "
                   "requires the sender's postal address and UK PECR that the sender is identified: set "
                   "address = \"…\" under [newsletter]")


def email(footer: str) -> str:
    return ('<html lang="en"><head><title>T</title></head><body><div style="display:none">P</div><h1>Hi</h1>'
            f'<p>Body</p>{footer}</body></html>')


def test_missing_unsubscribe_link_and_address_are_warnings() -> None:
    assert found(email("<p>Thanks for reading.</p>")) == [UNSUBSCRIBE_WARNING, ADDRESS_WARNING]
    assert found(email('<p><a href="https://example.org/">Our site</a>, 1 Example Street, London</p>')) == [
        UNSUBSCRIBE_WARNING, ADDRESS_WARNING]


@pytest.mark.parametrize("footer", [
    '<a href="*|UNSUB|*">Unsubscribe</a>', '<a href="{{ unsubscribe_url }}">Leave</a>',
    '<a href="{{ UnsubscribeURL }}">x</a>', '<a href="{$unsubscribe}">x</a>',
    '<unsubscribe>Unsubscribe</unsubscribe>', '<a href="https://merge-tag.invalid/unsubscribe">x</a>',
    '<a href="https://example.us1.list-manage.com/unsubscribe?u=1">Manage</a>',
    '<a href="https://example.org/prefs">Unsubscribe or change your preferences</a>',
    '<a href="https://example.org/prefs">Dad-danysgrifio</a>',
])
def test_unsubscribe_link_forms(footer: str) -> None:
    assert found(email(f"<p>{footer} · 1 Example Street, London N1 0AA</p>")) == []


@pytest.mark.parametrize("address", [
    "1 Example Street, London N1 0AA", "Unit 3, Cardiff CF10 1EP", "10 Main St, Springfield, IL 62701",
    "1 Quay, Dublin D02 X285", "1 Rue, Montréal QC H2X 1Y4", "<address>Co-Pro Network, Leeds</address>",
    "*|HTML:LIST_ADDRESS_HTML|*", "*|LIST:ADDRESSLINE|*",
])
def test_postal_address_forms(address: str) -> None:
    assert found(email(f'<p><a href="*|UNSUB|*">Unsubscribe</a></p><p>{address}</p>')) == []


def test_rendered_footer_passes_with_an_email_service_and_address(tmp_path: Path) -> None:
    from tests.network import digest, make_network

    config = make_network(tmp_path, newsletter='esp = "mailchimp"')  # its address is in Leeds LS1 1AA
    assert digest("build", "-c", config, "--date", "2024-10-01").exit_code == 0
    html = (tmp_path / "build" / "2024-10-01" / "newsletter.html").read_text()
    assert not {"unsubscribe", "address"} & {code for _, code, _ in found(html)}
    bare = make_network(tmp_path / "bare")
    bare.write_text(re.sub(r"^address = .*$", "", bare.read_text(), flags=re.M))
    result = digest("build", "-c", bare, "--date", "2024-10-01")
    assert result.exit_code == 0
    assert "digest check: 0 errors, " in result.output
    html = (tmp_path / "bare" / "build" / "2024-10-01" / "newsletter.html").read_text()
    assert {"unsubscribe", "address"} <= {code for _, code, _ in found(html)}


def test_build_lists_every_finding_of_check_counted_with_its_own_warnings(tmp_path: Path) -> None:
    """A network with an empty footer: `digest build` names both missing parts in its own summary, no -v needed."""
    from tests.network import digest, make_network

    bare = make_network(tmp_path / "bare")
    bare.write_text(re.sub(r"^(address|why|footer) = .*$", "", bare.read_text(), flags=re.M))
    result = digest("build", "-c", bare, "--date", "2024-10-01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    html = (tmp_path / "bare" / "build" / "2024-10-01" / "newsletter.html").read_text()
    findings = check_html(html)
    assert f"digest check: {summarise(findings)} (listed below)" in lines
    listed = [line.removeprefix("  - ") for line in lines if line.startswith("  - ")]
    assert [f"digest check: {f.message}" for f in findings] == listed[:len(findings)], "every finding, in check's order"
    assert f"{len(listed)} warning{'s' * (len(listed) != 1)}:" in lines, "one count for everything listed"
    assert ("digest check: no unsubscribe link — UK PECR and CAN-SPAM require one in a newsletter: set esp = \"…\" "
            "under [newsletter] (or --esp) so the footer carries your email service's unsubscribe tag") in listed
    assert ("digest check: no postal address (no postcode or <address> found) — CAN-SPAM requires the sender's "
            "postal address and UK PECR that the sender is identified: set address = \"…\" under [newsletter]") in listed
    quiet = digest("build", "-c", bare, "--date", "2024-10-01", "-q")
    assert [line.removeprefix("warning: ") for line in quiet.stderr.splitlines()] == listed


def test_small_text_ignores_hidden_preheader_headings_and_whitespace_trick() -> None:
    assert found("font-size.html") == [
        ("warning", "font-size", "text at 12px is below 14px: <p> 'Nine points is 12px.' — raise its "
         "font-size to 14px or more"),
        ("warning", "font-size", "text at 13px is below 14px: <p> 'Body text inherits 13px.' and 1 more "
         "— raise its font-size to 14px or more"),
    ]


def test_caniemail_features_unsupported_by_default_clients() -> None:
    # One warning per feature (two flexboxes, one warning); float:none, webp's partial support
    # in Gmail and CSS inside <!--[if mso]> are not reported.
    assert found("caniemail.html") == [
        ("warning", "caniemail", "'display:flex' (css-display-flex) is not supported by Outlook Windows"),
        ("warning", "caniemail", "'justify-content' (css-justify-content) is not supported by Gmail, "
         "Gmail iOS, Gmail Android, Outlook Windows, Yahoo Mail"),
        ("warning", "caniemail", "'background-image' (css-background-image) is not supported by Outlook Windows"),
        ("warning", "caniemail", "'linear-gradient()' (css-linear-gradient) is not supported by Outlook "
         "Windows, Outlook Mac, Outlook.com, Yahoo Mail"),
        ("warning", "caniemail", "'display:grid' (css-display-grid) is not supported by Gmail, Gmail iOS, "
         "Gmail Android, Outlook Windows, Yahoo Mail"),
        ("warning", "caniemail", "'grid-template-columns' (css-grid-template) is not supported by Gmail, "
         "Gmail iOS, Gmail Android, Outlook Windows, Outlook Mac, Outlook.com, Yahoo Mail"),
        ("warning", "caniemail", "'@media (prefers-color-scheme)' (css-at-media-prefers-color-scheme) is "
         "not supported by Gmail, Gmail iOS, Gmail Android, Outlook Windows, Yahoo Mail"),
        ("warning", "caniemail", "'<svg>' (html-svg) is not supported by Gmail, Gmail iOS, Gmail Android, "
         "Outlook Windows, Outlook Mac, Outlook.com, Yahoo Mail"),
        ("warning", "caniemail", "'.webp image' (image-webp) is not supported by Outlook Windows"),
        ("warning", "caniemail", "'.svg image' (image-svg) is not supported by Gmail"),
    ]


def test_clients_can_be_chosen() -> None:
    assert found("caniemail.html", clients=["apple-mail/ios"]) == []
    assert found("caniemail.html", clients=["gmail/ios"])[0] == (
        "warning", "caniemail", "'justify-content' (css-justify-content) is not supported by Gmail iOS")
    with pytest.raises(ValueError, match="unknown email client"):
        check_html("<p>x</p>", clients=["hotmail"])


def test_mapped_slugs_and_default_clients_exist_in_shipped_data() -> None:
    data = json.loads(resources.files("digest").joinpath("data/caniemail.json").read_text("utf-8"))
    slugs = {feature["slug"] for feature in data["data"]}
    mapped = {*caniemail.PROPERTY_FEATURES.values(), *caniemail.DISPLAY_FEATURES.values(),
              *caniemail.FUNCTION_FEATURES.values(), *caniemail.AT_RULE_FEATURES.values(),
              *caniemail.MEDIA_FEATURES.values(), *caniemail.ELEMENT_FEATURES.values(),
              *caniemail.IMAGE_FEATURES.values(), "css-position", "html-hidden", "html-anchor-links"}
    assert mapped <= slugs
    assert set(DEFAULT_CLIENTS) <= {c for table in caniemail.support().values() for c in table}


BARE_MJML = ('<mjml lang="en"><mj-head><mj-title>T</mj-title><mj-preview>P</mj-preview></mj-head><mj-body>'
             '<mj-section><mj-column><mj-text><h1>Hi</h1><p>Body</p></mj-text><mj-text font-size="14px">'
             '<a href="*|UNSUB|*">Unsubscribe</a> · 1 Example Street, London N1 0AA</mj-text></mj-column>'
             '</mj-section></mj-body></mjml>')


def test_bare_mjml_email_only_gets_its_small_default_font() -> None:
    # MJML's own output (@media columns, preheader hiding, ghost tables, word-break...) is not
    # noise; mj-text's default 13px is a real finding the template overrides.
    from mjml import mjml2html

    expected = [("warning", "font-size", "text at 13px is below 14px: <p> 'Body' — raise its font-size "
                 "to 14px or more")]
    html = mjml2html(BARE_MJML, fonts={})
    assert found(html) == expected
    premailer = pytest.importorskip("premailer")
    assert found(premailer.transform(html, keep_style_tags=True)) == expected


def test_mjml_background_image_with_vml_fallback_is_not_reported_for_outlook() -> None:
    from mjml import mjml2html

    html = mjml2html(BARE_MJML.replace("<mj-section>", '<mj-section background-url="https://example.org/bg.jpg">'),
                     fonts={})
    assert "<v:fill" in html
    assert [f for f in found(html) if f[1] == "caniemail"] == []


def test_unparseable_html_is_an_error() -> None:
    assert found("  ") == [("error", "parse", "the HTML is empty or cannot be parsed")]


def test_summarise() -> None:
    assert summarise([]) == "0 errors, 0 warnings"
    findings = [Finding("error", "a", "x"), Finding("warning", "b", "y"), Finding("warning", "c", "z")]
    assert summarise(findings) == "1 error, 2 warnings"


# --- CLI -----------------------------------------------------------------------------------

def test_cli_clean_file_exits_0() -> None:
    result = CliRunner().invoke(check, [str(FIXTURES / "clean.html")])
    assert (result.exit_code, result.output) == (0, "0 errors, 0 warnings\n")


def test_cli_prints_findings_and_exits_1_on_error() -> None:
    result = CliRunner().invoke(check, [str(FIXTURES / "head.html")])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error   lang: <html> has no lang attribute — add the edition's language (lang=\"en-GB\") so "
        "screen readers pronounce it right",
        "error   title: no <title> — add one; web views and some clients show it",
        "2 errors, 0 warnings",
    ]


def test_cli_warnings_only_exit_0() -> None:
    result = CliRunner().invoke(check, [str(FIXTURES / "no-h1.html")])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "warning h1: no <h1> — give the edition one top-level heading (its name and date)",
        "0 errors, 1 warning",
    ]


def test_cli_unreadable_file_exits_2_without_traceback(tmp_path: Path) -> None:
    missing = CliRunner().invoke(check, [str(tmp_path / "nope.html")])
    (tmp_path / "latin1.html").write_bytes("<p>caf\xe9</p>".encode("latin-1"))
    binary = CliRunner().invoke(check, [str(tmp_path / "latin1.html")])
    directory = CliRunner().invoke(check, [str(tmp_path)])
    for result, reason in ((missing, "cannot read"), (binary, "is not UTF-8 text"), (directory, "")):
        assert result.exit_code == 2
        assert "Traceback" not in result.output and not isinstance(result.exception, (OSError, UnicodeError))
        assert reason in result.output


def test_cli_without_file_builds_the_edition(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import datetime
    import types

    calls = []

    def build_edition(config, edition_date, *, draft, refetch):
        calls.append(("build", config, edition_date))
        assert (draft, refetch) == (None, True), "no draft for the date: built from the feeds"
        return types.SimpleNamespace(html=fixture("clean.html"))

    # the real modules with their entry points replaced (faking whole modules in sys.modules made the
    # test depend on which modules earlier tests had imported)
    monkeypatch.setattr("digest.config.load.load_config", lambda path: calls.append(("config", path)) or "CONFIG")
    monkeypatch.setattr("digest.edition.pipeline.build_edition", build_edition)
    monkeypatch.setattr("digest.edition.pipeline.find_draft", lambda config, edition, *, draft, from_feeds: None)

    result = CliRunner().invoke(check, ["--config", str(tmp_path / "s.toml"), "--date", "2025-10-01"])
    assert (result.exit_code, result.output) == (0, "0 errors, 0 warnings\n")
    result = CliRunner().invoke(check, [])
    assert result.exit_code == 0
    assert calls == [("config", tmp_path / "s.toml"), ("build", "CONFIG", datetime.date(2025, 10, 1)),
                     ("config", Path("sources.toml")), ("build", "CONFIG", None)]


def test_xml_declaration_and_legacy_bgcolor_are_understood() -> None:
    html = ('<?xml version="1.0" encoding="utf-8"?><html lang="en"><head><title>T</title></head>'
            '<body bgcolor="000"><div style="display:none">Preview</div><h1 style="color:#111">Hi</h1>'
            '<p style="color:#fff"><a href="*|UNSUB|*">Unsubscribe</a> · Leeds LS1 4AP</p></body></html>')
    assert found(html) == [("warning", "contrast", "text colour #111111 on #000000 has contrast 1.11:1, below "
                            "4.5:1: <h1> 'Hi' — darken the text or lighten the background")]
