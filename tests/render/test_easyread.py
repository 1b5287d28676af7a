"""The Easy Read edition: its layout rules, the draft's `easy:` blocks, the CLI, the readability warnings,
and the edition in a real browser (axe-core, text size, alt text, screenshots)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.config.load import load_config
from digest.edition.draft.parse import parse_draft
from digest.i18n import gettext_for
from digest.render.easyread.edition import ICONS, easy_sections, icon_png, icon_urls, sentences
from digest.render.easyread.readability import MAX_WORDS, check_easy_read, hard_words
from digest.render.email import ItemView, SectionView
from tests.network import digest, make_network
from tests.test_i18n import config, rendered

DRAFT = Path("editions") / "2024-10-01.md"
SHOTS = Path("/tmp/digest-shots")


def test_events_say_what_when_where_how_to_join_and_who_to_ask_in_that_order() -> None:
    _plain, easy = rendered(config("en-GB"))
    block = easy.text.split("\nCuppa\n", 1)[1].split("\n\n", 1)[0]
    assert block.splitlines() == [
        "What: Come along.",
        "When: Thursday 3 October 2024, 2pm to 3:30pm",
        "Where: Online",
        "How to join: Join online: https://zoom.us/j/123",
        "Who to ask: Sam, 01632 960 000",
    ]
    doc = lxml_html.document_fromstring(easy.html)
    labels = [s.text_content() for s in doc.xpath("//h3[text()='Cuppa']/following-sibling::*//strong")][:5]
    assert labels == ["What:", "When:", "Where:", "How to join:", "Who to ask:"]
    assert doc.xpath("//a[text()='Join online']/@href") == ["https://zoom.us/j/123"], "only a meeting link says Join online"
    assert doc.xpath("//a[text()='Find out more']/@href") == ["https://hull.example.org/e"] * 2, "the others, the page's words"


def test_one_sentence_a_line_pictures_for_every_item_and_no_bare_addresses() -> None:
    _plain, easy = rendered(config("en-GB"))
    doc = lxml_html.document_fromstring(easy.html)
    report = doc.xpath("//h3[text()='Our report']")[0]
    assert [p.text_content() for p in report.itersiblings("p")] == ["We wrote a report."]
    srcs = doc.xpath("//img/@src")
    assert {f"https://network.example.org/icons/{k}.png" for k in ("online", "in-person", "event", "news")} <= set(srcs)
    assert "https://leeds.example.org/s.jpg" in srcs, "an item's own picture comes before the icon"
    assert doc.xpath("//img[@src='https://leeds.example.org/s.jpg']/@alt") == ["Summer"], "no alt: its title"
    assert doc.xpath("//img[@src='https://leeds.example.org/s.jpg']/@height") == ["72"], "640×480 at 96 wide: its shape"
    assert "object-fit" not in easy.html
    visible = " ".join(doc.xpath("//body//text()"))
    assert not re.search(r"https?://|www\.", visible), "a bare address in the Easy Read email"
    assert "More information: https://leeds.example.org/r" in easy.text


def test_sentences_split_where_a_sentence_ends() -> None:
    assert sentences("Come along. Bring a friend! Is it free? Yes.\nA new line") == [
        "Come along.", "Bring a friend!", "Is it free?", "Yes.", "A new line"]
    assert sentences("It costs £2.50 per person.") == ["It costs £2.50 per person."]


@pytest.mark.slow  # ~1 s: drafts and builds through the command line
def test_the_draft_s_easy_block_is_the_item_s_easy_read_text(tmp_path: Path) -> None:
    network = make_network(tmp_path)
    assert digest("draft", "-c", network, "--date", "2024-10-01").exit_code == 0
    path = tmp_path / DRAFT
    text = path.read_text()
    marker = "We need three more people to help run the autumn sessions.\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "\neasy:\nWe need 3 more helpers. Can you help?\n"))
    draft = parse_draft(path.read_text(), path, load_config(network))
    (item,) = [i for s in draft.sections for i in s.items if i.title == "Autumn volunteers wanted"]
    assert item.easy == "We need 3 more helpers. Can you help?"
    assert item.text == "We need three more people to help run the autumn sessions."
    assert path.read_text().splitlines()[item.easy_line - 1] == "easy:"

    result = digest("build", "-c", network, "--edition", path, "--easy-read")
    assert result.exit_code == 0, result.output
    out = tmp_path / "build" / "2024-10-01"
    easy = (out / "easy-read.txt").read_text()
    assert "Autumn volunteers wanted\nWe need 3 more helpers.\nCan you help?\n" in easy
    assert "We need three more people" not in easy
    assert "We need three more people" in (out / "newsletter.txt").read_text(), "the newsletter keeps the blurb"
    assert {p.name for p in (out / "icons").iterdir()} == {f"{k}.png" for k in ICONS}
    assert (out / "icons" / "news.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "[newsletter] url is not set" in result.output, "without a url the icons cannot reach inboxes"


def test_a_reused_render_still_gives_the_whole_easy_read_edition(tmp_path: Path) -> None:
    """The second build reuses the stored newsletter; its Easy Read edition must be the same, intro included."""
    network = make_network(tmp_path)
    drafted = digest("draft", "-c", network, "--date", "2024-10-01")
    assert drafted.exit_code == 0, drafted.output
    path = tmp_path / DRAFT
    path.write_text(path.read_text().replace("Hello from the **network**.", "Our own October words."))
    out = tmp_path / "build" / "2024-10-01"
    first = digest("build", "-c", network, "--edition", path, "--easy-read")
    assert first.exit_code == 0, first.output
    made = (out / "easy-read.txt").read_text()
    assert "Hull Circle open day" in made and "Our own October words." in (out / "newsletter.txt").read_text()
    shutil.rmtree(out)
    again = digest("build", "-c", network, "--edition", path, "--easy-read")
    assert again.exit_code == 0, again.output
    assert (out / "easy-read.txt").read_text() == made


def _view(title: str, blurb: str, *, easy: str = "", line: int = 0) -> ItemView:
    return ItemView(title=title, url="https://example.org/" + title, meta="", source="Leeds Voices", when="",
                    blurb_html=f"<p>{blurb}</p>", easy=easy, line=line, easy_read=True)


def test_readability_warnings_name_the_right_items_and_lines() -> None:
    cfg = config("en-GB")
    long = "We are going to meet in the big hall next to the library on the high street after lunch."
    assert len(long.split()) > MAX_WORDS
    section = SectionView("News", "posts", [
        _view("Fine", "ignored", easy="We meet on Monday. Come and say hello.", line=12),
        _view("Too long", "ignored", easy=f"Hello.\n{long}", line=20),
        _view("Hard", "ignored", easy="The consultation considers accessibility requirements.", line=31),
        _view("Member's words", "The consultation considers accessibility requirements at length here.", line=40),
    ])
    found = check_easy_read(easy_sections([section], cfg, icon_urls(cfg), gettext_for("en")), "en-GB",
                            "editions/2024-10-01.md")
    assert [(f.severity, f.code) for f in found] == [("warning", "easy-read-long"), ("warning", "easy-read-hard")]
    assert found[0].message.startswith("editions/2024-10-01.md line 20, 'Too long': the sentence \"We are going")
    assert f"has {len(long.split())} words" in found[0].message
    assert found[1].message.startswith("editions/2024-10-01.md line 31, 'Hard': hard words"), \
        "a member's blurb is never in the Easy Read edition, so it is never checked"
    assert all(w in found[1].message for w in ('"consultation"', '"accessibility"', '"requirements"'))
    assert hard_words("Meet Councillor Abernethy at the Huddersfield consultation.") == ["consultation"], \
        "names are not hard words"
    assert not check_easy_read(easy_sections([section], cfg, icon_urls(cfg), gettext_for("cy")), "cy")[1:], \
        "only sentence length is checked outside English"


def test_digest_check_easy_read_names_the_draft_line_and_never_fails(tmp_path: Path) -> None:
    network = make_network(tmp_path)
    result = digest("check", "-c", network, "--date", "2024-10-01", "--easy-read")
    assert result.exit_code == 0 and "easy-read" not in result.output, "the sample's items are easy to read"
    assert digest("draft", "-c", network, "--date", "2024-10-01").exit_code == 0
    path = tmp_path / DRAFT
    marker = "We need three more people to help run the autumn sessions.\n"
    path.write_text(path.read_text().replace(marker, marker + "\neasy:\nVolunteering opportunities require commitment.\n"))
    line = path.read_text().splitlines().index("easy:") + 1
    result = digest("check", "-c", network, "--date", "2024-10-01", "--easy-read")
    assert result.exit_code == 0, result.output
    assert (f"warning easy-read-hard: editions/2024-10-01.md line {line}, 'Autumn volunteers wanted': hard words "
            '"Volunteering", "opportunities", "require", "commitment": use shorter, everyday words') in result.output


def test_the_report_warns_when_the_easy_read_email_would_be_clipped() -> None:
    from digest.render.easyread.edition import easy_read_outputs
    from digest.render.email import render_views

    cfg = config("en-GB")
    posts = [_view(f"Item {n}", "", easy="We meet on Monday. Come and say hello.") for n in range(100)]
    plain = render_views(cfg, date(2024, 10, 1), [SectionView("News", "posts", posts)])
    files, warnings = easy_read_outputs(cfg, date(2024, 10, 1), plain)
    size = len(str(files["easy-read.html"]).encode())
    assert size > 102 * 1024
    assert warnings == [f"easy-read.html is {size / 1024:.1f} KB: Gmail clips emails over 102 KB — Easy Read "
                               "editions are best short: choose fewer items"]


def test_the_preview_shows_the_easy_read_edition(tmp_path: Path) -> None:
    """A frame of the preview page; the icons come inline there, as nothing is published yet."""
    import httpx

    from digest.preview.server import PreviewServer

    with PreviewServer(make_network(tmp_path), date(2024, 10, 1), port=0) as running:
        page = httpx.get(running.url, timeout=30).text
        easy = httpx.get(running.url + "easy-read.html", timeout=30)
    assert 'id="easy-read" src="/easy-read.html"' in page
    assert easy.status_code == 200 and "Hull Circle open day" in easy.text and "Autumn volunteers wanted" not in easy.text
    assert 'src="data:image/png;base64,' in easy.text


@pytest.mark.slow  # ~2 s: draft and publish through the command line
def test_publishing_puts_the_easy_read_edition_beside_the_web_version(tmp_path: Path) -> None:
    network = make_network(tmp_path, newsletter='easy_read = true\nurl = "https://news.example.org/"')
    assert digest("draft", "-c", network, "--date", "2024-10-01").exit_code == 0
    result = digest("publish", "-c", network, "--date", "2024-10-01")
    assert result.exit_code == 0, result.output
    page = tmp_path / "archive" / "2024-10-01"
    assert "Hull Circle open day" in (page / "easy-read.html").read_text()
    assert "Hull Circle open day" in (page / "easy-read.txt").read_text()
    web = lxml_html.document_fromstring((page / "index.html").read_text())
    assert web.xpath("//a[text()='Read the Easy Read version']/@href") == ["easy-read.html"] * 2, "beside it"


# --- in a browser -------------------------------------------------------------------------------

from playwright.sync_api import Browser, Page, Route  # noqa: E402 (test_browser skips without it)

from tests.conftest import axe_violations  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample network's build with its Easy Read edition, by the command line."""
    from tests.preview.test_preview import copy_sample

    network = copy_sample(tmp_path_factory.mktemp("network"))
    out = network.parent / "out"
    result = digest("build", "-c", network, "--date", "2024-10-01", "--easy-read", "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def easy_html(built: Path) -> str:
    return (built / "easy-read.html").read_text()


def test_the_sample_s_easy_read_edition_is_short_easy_and_outlook_safe(built: Path) -> None:
    """What the issue asks of the sample: no long sentence, no item twice, co-production explained, buttons
    Outlook can size, pictures in their own shape, linked from the newsletter."""
    html, text = (built / "easy-read.html").read_text(), (built / "easy-read.txt").read_text()
    doc = lxml_html.document_fromstring(html)
    lines = [line for p in lxml_html.document_fromstring(html.replace("<br>", "\n")).xpath("//p")
             for line in p.xpath("string()").split("\n")]
    said = [s for line in lines for s in sentences(line)]
    assert len(said) > 30 and max(len(s.split()) for s in said) <= MAX_WORDS, max(said, key=lambda s: len(s.split()))
    titles = [h.text_content().strip() for h in doc.xpath("//h3")]
    assert len(titles) == len(set(titles)) == 4, titles
    assert titles.count("Co-production Board drop-in") == 1, "the weekly drop-in is one card"
    assert "Every Tuesday — 15, 22 and 29 October and 5 November" in text
    assert doc.xpath("//p/strong[starts-with(., 'What this word means: co-production')]")
    assert "Co-production means people working together as equals." in text
    buttons = doc.xpath("//table[contains(@class, 'btn')]//td")
    assert len(buttons) >= 5 and all("mso-padding-alt:14px 28px" in td.get("style") and td.get("bgcolor") for td in buttons)
    assert "object-fit" not in html
    assert all(img.get("width") and img.get("height") for img in doc.xpath("//td[@class='pic']/img"))
    assert not doc.xpath("//p[contains(., 'Community of practice')]"), "no post unless the editor chose it"
    assert doc.xpath("//a[text()='Send us your story']/@href") == ["mailto:hello@example.org"], "the text section's button"
    newsletter = lxml_html.document_fromstring((built / "newsletter.html").read_text())
    links = newsletter.xpath("//a[text()='Read the Easy Read version']/@href")
    assert links == ["https://digest.example.org/2024-10-01/easy-read.html"] * 2, "under the title and in the footer"
    assert "This newsletter is also in Easy Read" in (built / "newsletter.txt").read_text()


def open_page(browser: Browser, html: str, width: int) -> Page:
    """The email at `width`, every picture served from the theme's icons (nothing reaches the web)."""
    page = browser.new_page(viewport={"width": width, "height": 900})

    def offline(route: Route) -> None:
        m = re.search(r"/icons/([\w-]+)\.png$", route.request.url)
        if route.request.resource_type == "image":
            route.fulfill(body=icon_png(m.group(1) if m else "news"), content_type="image/png")
        else:
            route.abort()

    page.route(re.compile(r"^https?://"), offline)
    page.set_content(html, wait_until="load")
    return page


@pytest.mark.slow  # ~5 s: Chromium
@pytest.mark.parametrize("width", [600, 375])
def test_the_easy_read_edition_is_large_accessible_and_fits(easy_html: str, browser: Browser, width: int,
                                                             tmp_path: Path) -> None:
    """easy_html before browser: the build's asyncio.run cannot run inside Playwright's event loop."""
    page = open_page(browser, easy_html, width)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=tmp_path / "shot.png", full_page=True)
    shutil.copy(tmp_path / "shot.png", SHOTS / f"easy-read-{width}.png")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, "the page scrolls sideways"
    height = page.evaluate("document.scrollingElement.scrollHeight")
    if width == 600:
        assert height <= 9_000, f"the Easy Read edition is {height} px tall at 600 px: it should be short"
    sizes = page.evaluate("""() => {
        const out = [];
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) {
            const el = walk.currentNode.parentElement;
            if (!walk.currentNode.textContent.trim() || !el.getClientRects().length) continue;
            out.push([parseFloat(getComputedStyle(el).fontSize), walk.currentNode.textContent.trim().slice(0, 40)]);
        }
        return out;
    }""")
    assert len(sizes) > 40
    small = [(size, text) for size, text in sizes if size < 20]
    assert not small, f"text under 20px: {small[:5]}"
    images = page.evaluate("[...document.images].map(i => [i.getAttribute('alt'), i.naturalWidth, i.src])")
    assert images and all(alt and alt.strip() for alt, _w, _src in images), [i for i in images if not i[0]]
    assert all(w > 0 for _alt, w, _src in images), "every picture loads"
    shapes = page.evaluate("[...document.images].map(i => i.width / i.height)")
    assert all(abs(ratio - 1) < 0.02 for ratio in shapes), "the square icons stay square"
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)


def test_digest_init_starts_a_glossary_with_co_production(tmp_path: Path) -> None:
    from digest.commands.init import starter_file
    from digest.config.load import parse_config

    text = starter_file()
    assert '[[glossary]]' in text and 'word = "co-production"' in text
    (tmp_path / "templates").mkdir()
    cfg = parse_config(text, tmp_path / "sources.toml")
    assert [w.word for w in cfg.glossary] == ["co-production"]
    assert cfg.glossary[0].meaning.startswith("Co-production means people working together as equals.")


def test_a_glossary_entry_needs_a_word_and_a_meaning(tmp_path: Path) -> None:
    from digest.config.load import parse_config
    from digest.exceptions import ConfigError

    with pytest.raises(ConfigError) as raised:
        parse_config('[newsletter]\ntitle = "T"\n[[sections]]\ntitle = "N"\nkind = "posts"\n'
                     '[[glossary]]\nword = " "\nmeaning = "x"\npicture = "pic.png"\n', tmp_path / "sources.toml")
    message = raised.value.format_message()
    assert 'glossary[1].word (line 7): is empty: write the word as the newsletter uses it, e.g. "co-production"' in message
    assert "glossary[1].picture (line 9): 'pic.png' is not a web address: use an absolute https:// URL" in message
