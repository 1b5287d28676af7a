"""`python -m bench.browser_refresh [--edits 10]`: save → refreshed newsletter in `digest preview`, by Chromium's clocks.

Two figures: a save of sources.toml in a text editor, and a change made at the desk (a title edited in
the page, from the moment it leaves the page to the desktop frame showing the rebuild: desk.js's
`window.deskTimings`). The tests only check that every save and change refreshes; the speed is here.

Moved here from the browser test, which keeps only its bound (every refresh under 2 s): timings belong in
bench/, not in the unit suite's output. The sample network is copied to a temp folder, `digest preview`
runs in its own process, Chromium (/usr/bin/chromium, via Playwright) opens the page, and each edit of
sources.toml changes the title; "shown" is when the reloaded desktop frame has its document
(DOMContentLoaded), "loaded" that frame's load event after its images (served by Playwright); the page
itself stays, only its frames and panels are refreshed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tests.preview.test_preview import EDITION, copy_sample, edit, free_port, preview_process, stop_preview

if TYPE_CHECKING:
    from playwright.sync_api import Page

SHOWN_AND_LOADED = """() => {
    const frame = document.querySelector("#desktop").contentWindow.performance;
    const nav = frame.getEntriesByType("navigation")[0];
    return [frame.timeOrigin + nav.domContentLoadedEventEnd, frame.timeOrigin + nav.loadEventEnd];
}"""
REFRESHED = """title => {
    const frame = document.querySelector("#desktop").contentWindow;
    const nav = frame.performance.getEntriesByType("navigation")[0];
    const h1 = frame.document.querySelector("h1");
    return nav && nav.loadEventEnd > 0 && h1?.textContent.trim() === title;
}"""


def time_saves(page: Page, network: Path, edits: int, timeout_ms: int = 10_000) -> tuple[list[float], list[float]]:
    """Edit the title `edits` times; the seconds from each save to the new newsletter shown, and loaded."""
    from digest.config.load import load_config

    shown, loaded = [], []
    for n in range(1, edits + 1):
        old, new = load_config(network).newsletter.title, f"Autumn Digest, draft {n}"
        saved = time.time()
        edit(network, f'title = "{old}"', f'title = "{new}"')
        page.wait_for_function(REFRESHED, arg=new, timeout=timeout_ms, polling=20)
        times = page.evaluate(SHOWN_AND_LOADED)
        shown.append(times[0] / 1000 - saved)
        loaded.append(times[1] / 1000 - saved)
    return shown, loaded


def time_desk_changes(page: Page, folder: Path, edits: int, timeout_ms: int = 10_000) -> tuple[list[float], list[float]]:
    """Start a draft at the desk, edit one item's title `edits` times: seconds from each change to its rebuild
    shown in the page, and to the build folder's newsletter.html holding it (what the editor pastes)."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Start editing this edition").click()
    page.wait_for_function("() => window.deskTimings.length >= 1", timeout=timeout_ms)  # the draft made and shown
    base = page.evaluate("window.deskTimings.length")
    written = []
    for n in range(1, edits + 1):
        page.locator("#desk li.item").first.locator("button.title").click()
        field = page.locator("input.title-edit")
        field.fill(f"Measured change {n}")
        started = time.monotonic()
        field.press("Enter")
        while f"Measured change {n}" not in _text(folder / "newsletter.html"):
            if time.monotonic() - started > timeout_ms / 1000:
                raise TimeoutError(_stuck(page, folder, n))
            page.wait_for_timeout(5)  # not time.sleep: Playwright routes this page's requests only while it runs
        written.append(time.monotonic() - started)
        page.wait_for_function("n => window.deskTimings.length >= n", arg=base + n, timeout=timeout_ms)
        expect(page.frame_locator("#desktop").get_by_text(f"Measured change {n}")).to_have_count(1)
    shown = [ms / 1000 for ms in page.evaluate("window.deskTimings")][base:base + edits]  # not "Start editing"'s own
    return shown, written


def _stuck(page: Page, folder: Path, n: int) -> str:
    """What each part holds when a change never reached the build folder."""
    mark = re.compile(r"Measured change \d+")
    drafts = [p.name for p in folder.parent.parent.glob("editions/*.md") if f"Measured change {n}" in p.read_text()]
    served = page.evaluate("fetch('/newsletter.html').then(r => r.text())")
    return (f"the build folder never showed change {n}: the page says {page.locator('#status').inner_text()!r}; "
            f"drafts with it: {drafts}; build: {mark.findall(_text(folder / 'newsletter.html'))}; "
            f"served: {mark.findall(served)}")


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:  # not written yet, or being swapped in
        return ""


def measure(edits: int) -> dict[str, list[float]]:
    """The sample network in a temp folder, its `digest preview`, and Chromium timing `edits` saves."""
    from playwright.sync_api import sync_playwright

    from tests.preview.test_browser import CHROMIUM, CHROMIUM_ARGS  # late: that module imports this one

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        network = copy_sample(Path(folder))
        port = free_port()
        with preview_process(network, port, Path(folder) / "preview.log") as proc:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
            page.goto(f"http://127.0.0.1:{port}/")
            shown, loaded = time_saves(page, network, edits)
            desk, written = time_desk_changes(page, network.parent / "build" / EDITION.isoformat(), edits)
            browser.close()
            stop_preview(proc)
    return {"save → newsletter shown": shown, "save → newsletter loaded": loaded, "desk change → newsletter shown": desk,
            "desk change → build folder written": written}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.browser_refresh", description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10, help="saves to measure (default 10)")
    args = parser.parse_args()
    for name, seconds in measure(args.edits).items():
        print(f"{name}: median {statistics.median(seconds) * 1000:.0f} ms over {len(seconds)} times "
              f"({', '.join(f'{s * 1000:.0f}' for s in seconds)} ms)")


if __name__ == "__main__":
    main()
