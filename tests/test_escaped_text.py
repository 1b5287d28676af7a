"""A member's *escaped* markup stays text in every output, whatever form it came in and however it is cut.

The defect this guards: a summary given as text (an RSS description without a `<p>`, a JSON Feed
`summary` or `content_text`) holding `&lt;script&gt;…` and longer than `summary_length` came out
of the trimming step decoded, as a live `<script>` in newsletter.html, web.html, the archive and
the preview. Each output is parsed with lxml (tests/test_hostile.py's `live_markup`), never grepped.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
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


# --- every output path, every input form ------------------------------------------------------------
# One network whose members send the same attacks in each form a member's text arrives in: HTML (an
# RSS description with markup), escaped text (a description holding `&lt;script&gt;`, a JSON Feed's
# content_text) and plain text (CSV cells, a title, an event's place). Each form carries a word of
# its own, so every output is shown to carry that form's text, and to carry it only as text.

FORMS = {"html": "Htmlform", "escaped": "Escapedform", "plain": "Plainform"}
EVERY_ATTACK = "".join(ATTACKS.values()) + '<a href="javascript:alert(6)">click</a>'


def _forms_network(folder: Path) -> Path:
    html = f"<p>{FORMS['html']} words <b>bold</b></p>{EVERY_ATTACK}" + LONG
    html_item = (f"<item><title>{FORMS['html']} {escape(ATTACKS['svg'])}</title><link>javascript:alert(7)</link>"
                 f"<guid>h1</guid><pubDate>{format_datetime(WHEN)}</pubDate>"
                 f"<description><![CDATA[{html}]]></description></item>")
    (folder / "html.xml").write_bytes(
        (f'<?xml version="1.0"?><rss version="2.0"><channel><title>H</title><link>https://member.example/</link>'
         f"{html_item}</channel></rss>").encode())
    (folder / "rss.xml").write_bytes(_rss(f"{FORMS['escaped']} " + escape(EVERY_ATTACK) + LONG))
    (folder / "feed.json").write_bytes(_jsonfeed(f"{FORMS['escaped']} {EVERY_ATTACK}{LONG}"))
    rows = [["title", "url", "date", "summary", "start", "end", "location"],
            [f"{FORMS['plain']} {ATTACKS['script']}", "https://member.example/p\u200b{ x}", "2024-09-25",
             f"{FORMS['plain']} {EVERY_ATTACK}{LONG}", "", "", ""],
            [f"{FORMS['plain']} event {ATTACKS['img']}", "https://member.example/e\r\nX-EVIL:1", "",
             f"{FORMS['plain']} {EVERY_ATTACK}", "2024-10-15 10:00", "12:00", f"Hall {ATTACKS['iframe']}\r\nX-EVIL:2"]]
    import csv

    with (folder / "sheet.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    config = folder / "sources.toml"
    config.write_text(
        '[newsletter]\ntitle = "Forms"\ntimezone = "UTC"\nlanguage = "en-GB"\nsummary_length = 60\n'
        'url = "https://news.example/"\n'
        '\n[[sections]]\ntitle = "News"\nkind = "posts"\ndays_back = 31\n'
        '\n[[sections]]\ntitle = "Events"\nkind = "events"\ndays_ahead = 60\n'
        + "".join(f'\n[[sources]]\nname = "{n}"\nurl = "{u}"\n' for n, u in
                  (("HTML member", "html.xml"), ("RSS member", "rss.xml"), ("JSON member", "feed.json"),
                   ("Sheet member", "sheet.csv"))), encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def every_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every output a member's text reaches, by path: built from the feeds, drafted, built from the draft, published."""
    folder = tmp_path_factory.mktemp("forms")
    config = _forms_network(folder)
    feeds = folder / "from-feeds"
    result = digest("build", "-c", config, "--date", "2024-10-01", "--out", feeds, "--easy-read")
    assert result.exit_code == 0, result.output
    assert digest("draft", "-c", config, "--date", "2024-10-01").exit_code == 0
    # The editor chooses every item for the Easy Read edition (an `easy:` line ends each item's block):
    # nothing a member wrote reaches it otherwise, so the feeds' Easy Read shows none of these posts.
    draft = folder / "editions" / "2024-10-01.md"
    draft.write_text(re.sub(r"(?m)^(### .*(?:\n(?!###|## |<!-- offered).*)*)", lambda m: m.group(1).rstrip() + "\n\neasy:\n",
                            draft.read_text(encoding="utf-8")), encoding="utf-8")
    drafted = folder / "drafted"
    result = digest("build", "-c", config, "--date", "2024-10-01", "--out", drafted, "--easy-read")
    assert result.exit_code == 0, result.output
    result = digest("publish", "-c", config, "--date", "2024-10-01")
    assert result.exit_code == 0, result.output
    outputs = {"email": feeds / "newsletter.html", "text twin": feeds / "newsletter.txt", "web": feeds / "web.html",
               "easy read": feeds / "easy-read.html", "easy read text": feeds / "easy-read.txt",
               "draft": folder / "editions" / "2024-10-01.md", "email from the draft": drafted / "newsletter.html",
               "web from the draft": drafted / "web.html", "easy read from the draft": drafted / "easy-read.html",
               "archive page": folder / "archive" / "2024-10-01" / "index.html",
               "archive index": folder / "archive" / "index.html", "atom feed": folder / "archive" / "feed.atom"}
    outputs |= {f"calendar {p.name}": p for p in sorted((feeds / "events").glob("*.ics"))}
    return outputs


SHOWS_ITEMS = ("email", "text twin", "web", "draft", "email from the draft",
               "web from the draft", "archive page")


def _is_html(path: Path) -> bool:
    return path.suffix == ".html"


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("output", [*SHOWS_ITEMS, "archive index", "atom feed"])
def test_each_output_path_shows_each_input_form_as_text(every_output: dict[str, Path], output: str, form: str) -> None:
    path = every_output[output]
    if _is_html(path):
        _no_live_markup_in(path)
    elif path.suffix == ".atom":
        from lxml import etree

        feed = etree.fromstring(path.read_bytes())
        for node in feed.iter("{http://www.w3.org/2005/Atom}content", "{http://www.w3.org/2005/Atom}summary"):
            if node.get("type") in ("html", "xhtml"):
                assert live_markup(node.text or "") == [], path
    text = path.read_text(encoding="utf-8")
    if output in SHOWS_ITEMS:
        shown = lxml_html.document_fromstring(text).text_content() if _is_html(path) else text
        assert FORMS[form] in shown, f"{output}: the {form} member's words should be shown"
    assert "javascript:" not in _every_link(path), output


def _no_live_markup_in(path: Path) -> None:
    doc = lxml_html.document_fromstring(path.read_bytes())
    assert live_markup(lxml_html.tostring(doc, encoding="unicode"), allow_style_elements=True) == [], path


def _every_link(path: Path) -> str:
    """Every href and src of an HTML output (all its text otherwise), for scheme checks."""
    if not _is_html(path):
        return "" if path.suffix != ".md" else " ".join(re.findall(r"\]\(([^)]*)\)", path.read_text(encoding="utf-8")))
    doc = lxml_html.document_fromstring(path.read_bytes())
    return " ".join(str(v) for v in doc.xpath("//@href | //@src"))


def test_no_calendar_line_begins_with_member_text(every_output: dict[str, Path]) -> None:
    calendars = [p for name, p in every_output.items() if name.startswith("calendar ")]
    assert calendars, "the event card should have its .ics file"
    for path in calendars:
        lines = path.read_bytes().decode("utf-8").split("\r\n")
        assert len(lines) > 10, path  # lines as iCalendar ends them
        assert [line for line in lines if line and not ICS_LINE.match(line)] == [], path
        assert "X-EVIL" not in "".join(line.split(":", 1)[0] for line in lines)


ICS_LINE = re.compile(r"^(?:[ \t]|(?:BEGIN|END|VERSION|PRODID|METHOD|UID|DTSTAMP|DTSTART|DTEND|SUMMARY|LOCATION|URL|"
                      r"DESCRIPTION)[;:])")


def test_links_with_invisible_characters_and_braces_are_percent_encoded_everywhere(
        every_output: dict[str, Path]) -> None:
    for name in ("email", "web", "email from the draft", "text twin", "draft"):
        text = every_output[name].read_text(encoding="utf-8")
        assert "\\u{" not in text, name  # the MJML renderer's Rust escape of an invisible character
        assert "{%20" not in text, name
        assert "https://member.example/p%E2%80%8B%7B%20x%7D" in text, name


def test_the_desk_token_is_in_no_document_member_content_is_rendered_into(tmp_path: Path) -> None:
    import httpx

    from digest.preview.server import PreviewServer

    with PreviewServer(_forms_network(tmp_path), date(2024, 10, 1), port=0) as server:
        token = server.previewer.token
        for path in ("newsletter.html", "newsletter-dark.html", "newsletter.txt", "easy-read.html", "events?since=-1",
                     "api/desk"):
            answer = httpx.get(server.url + path, timeout=10)
            assert answer.status_code == 200, path
            assert token not in answer.text, path


# --- the critical case in a real browser: no dialog may open ----------------------------------------

@pytest.mark.slow  # ~6 s: Chromium
def test_no_output_runs_a_members_script_in_chromium(every_output: dict[str, Path], tmp_path: Path) -> None:
    from tests.conftest import need
    from tests.preview.test_browser import CHROMIUM, CHROMIUM_ARGS

    need(CHROMIUM, "Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from digest.preview.server import PreviewServer

    dialogs: list[str] = []
    # the preview's first build runs here, before Playwright's event loop holds this thread
    with PreviewServer(_forms_network(tmp_path), date(2024, 10, 1), port=0) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
        page.set_content("<script>alert('control')</script>")  # the listener hears a live script
        assert [d.rsplit(": ", 1)[1] for d in dialogs] == ["control"]
        dialogs.clear()
        opened = 0
        for path in every_output.values():  # every output a browser shows, opened as a reader opens it
            if path.suffix == ".ics":
                continue  # a browser downloads it: a calendar application reads it (checked line by line above)
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(50)
            opened += 1
        for path in ("", "newsletter.html", "newsletter-dark.html", "newsletter.txt", "easy-read.html"):
            page.goto(server.url + path, wait_until="load")  # the desk and the documents it frames
            page.wait_for_timeout(300 if not path else 50)
            opened += 1
        browser.close()
    assert opened == 17
    assert dialogs == []


def test_easy_read_shows_chosen_items_titles_as_text(every_output: dict[str, Path]) -> None:
    """Easy Read shows only what the editor chose, in their words: a chosen item's own title (a member's
    `<script>` in it included) is text there; the member's blurb is not carried over at all."""
    doc = lxml_html.document_fromstring(every_output["easy read from the draft"].read_bytes())
    assert "Plainform <script>alert(1)</script>" in doc.text_content()
    assert live_markup(lxml_html.tostring(doc, encoding="unicode"), allow_style_elements=True) == []
    assert "Escapedform" not in doc.text_content()
