"""`digest preview` and the newsletter in a real browser: Debian's Chromium driven by Playwright.

Skipped with a reason where Chromium or axe-core is missing; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.browser_refresh import time_saves
from digest.config.load import load_config
from tests.conftest import AXE, CHROMIUM, CHROMIUM_ARGS, ON_CI, ROOT, axe_violations, need  # noqa: F401 - re-exported to the other browser tests
from tests.preview.test_preview import copy_sample, edit, free_port, preview_process, stop_preview

pytestmark = pytest.mark.slow  # ~12 s: Chromium

try:
    from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
except ImportError:  # pragma: no cover - depends on the machine
    if ON_CI:
        raise
    pytest.skip("playwright is not installed: pip install -e '.[test]'", allow_module_level=True)

SHOTS = Path("/tmp/digest-shots")
LOGO = "https://logo.example.org/network.png"
EDITS = 5


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample network plus a logo, so the header's image is fitted and checked too."""
    config = copy_sample(tmp_path_factory.mktemp("network"))
    edit(config, "[newsletter]\n", f'[newsletter]\nlogo = "{LOGO}"\n')
    return config


@pytest.fixture(scope="module")
def url(browser: Browser, network: Path) -> Iterator[str]:
    port = free_port()
    log = network.parent / "preview.log"
    with preview_process(network, port, log) as proc:
        yield f"http://127.0.0.1:{port}/"
        assert stop_preview(proc) == 0, log.read_text()


@pytest.fixture(scope="module")
def picture(browser: Browser) -> bytes:
    """A 640×160 PNG, wider than a phone, drawn by the browser itself: it stands in for every web image."""
    page = browser.new_page(viewport={"width": 640, "height": 160})
    page.set_content('<body style="margin:0;background:#6b2c91"></body>')
    png = page.screenshot()
    page.close()
    return png


@pytest.fixture
def context(browser: Browser, url: str, picture: bytes) -> Iterator[BrowserContext]:
    """A browser session that never reaches the web: images get `picture`, anything else fails at once."""
    # The tests inject axe-core into the newsletter, which the preview's policy (no scripts in a
    # document holding member content) would rightly refuse: tests/test_escaped_text.py checks that policy.
    ctx = browser.new_context(bypass_csp=True)

    def offline(route: Route) -> None:
        if route.request.resource_type == "image":
            route.fulfill(body=picture, content_type="image/png")
        else:
            route.abort()

    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), offline)
    yield ctx
    ctx.close()


def title_of(network: Path) -> str:
    return load_config(network).newsletter.title


def shoot(page: Page, name: str, tmp_path: Path) -> None:
    page.screenshot(path=tmp_path / name, full_page=True)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / name, SHOTS / name)


def test_the_page_shows_the_newsletter_and_the_report(context: BrowserContext, url: str, network: Path,
                                                       tmp_path: Path) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(url)
    title = title_of(network)
    for frame in ("#desktop", "#mobile", "#dark"):
        expect(page.frame_locator(frame).locator("h1")).to_have_text(title)
    report = page.locator("#report")
    for source in load_config(network).sources:
        expect(report).to_contain_text(source.name)
    expect(report).to_contain_text("102 KB")
    expect(page.locator("#text")).to_contain_text(re.compile(re.escape(title), re.I))  # the text shouts it
    backgrounds = {frame: page.frame_locator(frame).locator("body").evaluate(
        "b => getComputedStyle(b).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)") for frame in ("#desktop", "#dark")}
    assert max(backgrounds["#dark"]) < 80 < min(backgrounds["#desktop"]), f"the dark view is not dark: {backgrounds}"
    shoot(page, "preview-page.png", tmp_path)


def test_saving_the_config_refreshes_the_page(context: BrowserContext, url: str, network: Path) -> None:
    """Save → the new newsletter shown in the page, by the browser's own clocks (the figures: bench.browser_refresh).

    "shown" is when the reloaded desktop frame has its document (DOMContentLoaded); "loaded" is the
    page's load event, after every frame's images, which here come through Playwright's routing
    (that turns the HTTP cache off, so every reload fetches them again).
    """
    page = context.new_page()
    page.goto(url)
    expect(page.frame_locator("#desktop").locator("h1")).to_have_text(title_of(network))
    shown, loaded = time_saves(page, network, EDITS, timeout_ms=10_000)
    # every save brought a new document into the frame (one loaded before the save would come out negative);
    # how fast is measured by `python -m bench.browser_refresh`, never here
    assert len(shown) == EDITS and min(shown) > 0 and all(s <= t for s, t in zip(shown, loaded, strict=True))


def test_copy_html_puts_the_email_on_the_clipboard(context: BrowserContext, url: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Copy HTML").click()
    expect(page.locator("#status")).to_contain_text("Copied")
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard == httpx.get(url + "newsletter.html").text


@pytest.mark.parametrize("width", [600, 375])
def test_the_newsletter_fits_the_screen(context: BrowserContext, url: str, width: int, tmp_path: Path) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url + "newsletter.html", wait_until="load")
    shoot(page, f"newsletter-{width}.png", tmp_path)
    page.emulate_media(color_scheme="dark")
    shoot(page, f"newsletter-{width}-dark.png", tmp_path)

    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, "the page scrolls sideways"
    images = page.evaluate("""() => [...document.images].map(img => ({
        src: img.src, right: img.getBoundingClientRect().right, loaded: img.naturalWidth > 0}))""")
    assert images, "the newsletter should show at least the logo"
    for img in images:
        assert img["loaded"], f"{img['src']} did not load"
        assert img["right"] <= width, f"{img['src']} overflows the {width}px screen (right edge {img['right']})"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(context: BrowserContext, url: str, scheme: str) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 600, "height": 900})
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(url + "newsletter.html", wait_until="load")
    violations = axe_violations(page)
    assert not violations, f"axe-core, {scheme} mode:\n" + "\n".join(violations)
