"""What the preview's browser tests share: a preview server started off Playwright's loop, a browser
context that reaches nothing but loopback, and a page opened on the desk once it is drawn.

Imported after each test module's own "is Playwright installed?" guard, which skips (or fails on CI).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from digest.preview.server import PreviewServer

EDITION = date(2024, 10, 1)
NOT_LOOPBACK = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")


def off_the_loop(work: Any) -> Any:
    """Run `work` in a thread of its own: Playwright's sync API holds an asyncio loop on this one,
    and fetching runs one of its own."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join()
    assert out, "it raised: see the thread's traceback above"
    return out[0]


@contextmanager
def running_preview(config: Path, edition: date = EDITION) -> Iterator[PreviewServer]:
    """`digest preview` of `config` in this process, on a free loopback port."""
    running = off_the_loop(PreviewServer(config, edition, port=0).start)
    try:
        yield running
    finally:
        running.close()


@contextmanager
def loopback_context(browser: Browser, height: int = 1500, **options: Any) -> Iterator[BrowserContext]:
    """A 1280-wide browser context whose requests beyond loopback are refused: no test reaches the internet."""
    context = browser.new_context(viewport={"width": 1280, "height": height}, **options)
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    try:
        yield context
    finally:
        context.close()


def open_page(context: BrowserContext, url: str, ready: str = "#desk li.item") -> Page:
    """A new page on `url`, once the first element matching `ready` is shown (the desk is drawn)."""
    page = context.new_page()
    page.goto(url)
    expect(page.locator(ready).first).to_be_visible()
    return page
