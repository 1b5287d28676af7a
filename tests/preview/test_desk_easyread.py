"""The desk's Easy Read tab in real Chromium: tick an item, write it in easy words, see the feedback
(words per sentence, hard words, the glossary's suggestion) and the Easy Read preview change.

Skipped with a reason where Chromium is missing; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import need
from tests.network import digest, make_network
from tests.preview import test_desk
from tests.preview.test_browser import CHROMIUM, SHOTS

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # pragma: no cover - test_desk skips (or fails on CI) first
    pytest.skip("playwright is not installed", allow_module_level=True)

from digest.preview.server import PreviewServer
from tests.preview.harness import loopback_context, off_the_loop, open_page, running_preview

pytestmark = pytest.mark.slow  # ~10 s: Chromium
browser = test_desk.browser  # test_desk's Chromium fixture, found here by its name
GLOSSARY = '\n[[glossary]]\nword = "co-production"\nmeaning = "People working together as equals."\n'


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    config = make_network(tmp_path)
    config.write_text(config.read_text() + GLOSSARY)
    assert off_the_loop(lambda: digest("draft", "-c", config, "--date", "2024-10-01")).exit_code == 0
    return tmp_path / "editions" / "2024-10-01.md"


@pytest.fixture
def server(draft: Path) -> Iterator[PreviewServer]:
    with running_preview(draft.parent.parent / "sources.toml") as running:
        yield running


@pytest.fixture
def page(browser: Browser, server: PreviewServer) -> Iterator[Page]:
    need(CHROMIUM, "Chromium (apt-get install chromium)")
    with loopback_context(browser) as context:
        yield open_page(context, server.url)


def test_tick_write_see_the_feedback_and_the_easy_read_preview_change(page: Page, server: PreviewServer,
                                                                       draft: Path) -> None:
    page.get_by_role("tab", name="Easy Read").click()
    expect(page.locator("#desk figcaption, .main-frame figcaption")).to_have_text("Easy Read (620 px)")
    expect(page.locator("#desktop")).to_have_attribute("src", re.compile(r"^/easy-read\.html"))
    before = httpx.get(server.url + "easy-read.html").text
    assert "Autumn volunteers wanted" not in before, "no post is in the Easy Read edition until it is ticked"
    assert "Hull Circle open day" in before, "the next events are, from the start"

    page.get_by_role("checkbox", name="Autumn volunteers wanted").check()
    expect(page.locator("#status")).to_contain_text("is in the Easy Read edition")
    assert "\n\neasy: Autumn volunteers wanted\n" in draft.read_text()

    page.get_by_role("textbox", name="Easy title of “Autumn volunteers wanted”").fill("Help us run our meetings")
    page.get_by_role("textbox", name="Sentence 1 of “Autumn volunteers wanted”").fill(
        "We need three more people to help with our co-production sessions this autumn in the big hall.")
    page.get_by_role("textbox", name="Sentence 2 of “Autumn volunteers wanted”").fill("Volunteering requires commitment.")
    notes = page.locator("li.easy-item", has_text="Autumn volunteers wanted").locator(".easy-feedback")
    expect(notes.locator("p.said").first).to_contain_text("17 words: too long (15 or fewer)", timeout=15_000)
    expect(notes.locator("p.said").nth(1)).to_contain_text("3 words")
    expect(notes.locator("mark.hard")).to_have_text(["Volunteering", "requires", "commitment"])
    expect(notes.locator(".glossary-note")).to_contain_text("“co-production” is in your glossary.")
    expect(notes.locator(".glossary-note")).to_contain_text("People working together as equals.")

    page.get_by_role("textbox", name="Sentence 1 of “Autumn volunteers wanted”").fill("We need 3 more helpers.")
    page.get_by_role("textbox", name="Sentence 2 of “Autumn volunteers wanted”").fill("Can you help?")
    expect(notes.locator("p.said").first).to_contain_text("4 words")
    build = server.previewer.snapshot.number
    page.get_by_role("button", name="Save the easy words of “Autumn volunteers wanted”").click()
    expect(page.locator("#status")).to_contain_text("Saved the easy words")
    assert "\n\neasy: Help us run our meetings\nWe need 3 more helpers.\nCan you help?\n" in draft.read_text()

    frame = page.frame_locator("#desktop")
    expect(frame.locator("h3", has_text="Help us run our meetings")).to_be_visible(timeout=15_000)
    assert server.previewer.snapshot.number > build
    easy = httpx.get(server.url + "easy-read.html").text
    assert "We need 3 more helpers." in easy and "We need three more people" not in easy
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "desk-easy-read.png", full_page=False)

    page.get_by_role("checkbox", name="Autumn volunteers wanted").uncheck()
    expect(page.locator("#status")).to_contain_text("is out of the Easy Read edition")
    assert "easy: Help us run our meetings" not in draft.read_text()
    expect(frame.locator("h3", has_text="Help us run our meetings")).to_have_count(0, timeout=15_000)
    page.get_by_role("tab", name="The edition").click()
    expect(page.locator("#desktop")).to_have_attribute("src", re.compile(r"^/newsletter\.html"))
