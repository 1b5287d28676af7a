"""The desk and the edition's life, in real Chromium: the build folder follows every change, a cancelled event
is named on its item, a published edition is shown and never changed; and what Ctrl-C says.

Skipped with a reason where Chromium is missing; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from digest.preview import server as preview_server
from digest.preview.server import PreviewServer, serve
from tests.network import digest
from tests.preview import test_desk
from tests.preview.harness import EDITION, off_the_loop
from tests.preview.test_desk import item, wait_for_newsletter

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - test_desk skips the module the same way
    pytest.skip("playwright is not installed: pip install -e '.[test]'", allow_module_level=True)

EDITS = 3
# the desk tests' fixtures, by the names the tests below ask for
browser, draft, server, page = test_desk.browser, test_desk.draft, test_desk.server, test_desk.page


def built(draft: Path) -> Path:
    return draft.parent.parent / "build" / EDITION.isoformat()


def wait_for_file(path: Path, server: PreviewServer, text: str) -> None:
    """Until `text` is in the file; fails after 10 s."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(encoding="utf-8"):
            return
        server.previewer.wait_for_change(server.previewer.snapshot.number, 0.02)
    pytest.fail(f"{path} never showed {text!r}")


@pytest.mark.slow
def test_every_desk_edit_and_every_save_reaches_the_build_folder(page: Page, server: PreviewServer, draft: Path) -> None:
    folder = built(draft)
    expect(page.locator("#folder")).to_contain_text(f"saved in the folder build/{EDITION.isoformat()} in your network's "
                                                    "folder, ready to paste")
    for n in range(EDITS):  # how fast: bench.browser_refresh (desk change → build folder), never a test
        title = f"Autumn volunteers wanted, take {n + 1}"
        page.locator("#desk li.item").nth(1).locator("button.title").click()
        field = page.locator("input.title-edit")
        field.fill(title)
        field.press("Enter")
        wait_for_file(folder / "newsletter.html", server, title)
        expect(page.frame_locator("#desktop").locator("h3", has_text=title)).to_be_visible()  # the page settled too
        page.wait_for_function("n => window.deskTimings.length >= n", arg=n + 1)
    assert title in (folder / "newsletter.txt").read_text(encoding="utf-8")
    draft.write_text(draft.read_text().replace("### Winter fair", "### Winter fair and carols"))  # a text editor's save
    wait_for_file(folder / "newsletter.html", server, "Winter fair and carols")
    wait_for_newsletter(page, server, lambda html: "Winter fair and carols" in html)
    other = draft.parent.parent / "by-hand"
    assert off_the_loop(lambda: digest("build", "-c", draft.parent.parent / "sources.toml", "--date",
                                       EDITION.isoformat(), "--out", other)).exit_code == 0
    for name in ("newsletter.html", "newsletter.txt", "newsletter.mjml", "web.html"):
        assert (folder / name).read_bytes() == (other / name).read_bytes(), f"{name} differs from `digest build`'s"


@pytest.mark.slow
def test_an_event_the_member_dropped_is_named_on_its_item(page: Page, server: PreviewServer, draft: Path) -> None:
    sheet = draft.parent.parent / "hull.csv"
    sheet.write_text("\n".join(line for line in sheet.read_text().splitlines() if "open day" not in line) + "\n")
    page.get_by_role("button", name="Refetch sources").click()
    expect(page.locator("#status")).to_have_text("Fetched every source again.")
    notice = item(page, "Hull Circle open day").locator(".notice")
    expect(notice).to_contain_text("cancelled since your draft: 'Hull Circle open day' on Tuesday 15 October 2024 — "
                                   "Hull Circle no longer lists it")
    expect(page.locator("#report")).to_contain_text("cancelled since your draft: 'Hull Circle open day'")
    expect(page.frame_locator("#desktop").locator("h3", has_text="Hull Circle open day")).to_be_visible()  # kept
    page.screenshot(path="/tmp/digest-shots/desk-cancelled.png", full_page=True)


@pytest.mark.slow
def test_a_published_edition_is_shown_and_never_changed(page: Page, server: PreviewServer, draft: Path) -> None:
    config = draft.parent.parent / "sources.toml"
    assert off_the_loop(lambda: digest("publish", "-c", config, "--date", EDITION.isoformat())).exit_code == 0
    page.reload()
    expect(page.locator("#desk .published")).to_contain_text("the edition of 2024-10-01 was published on ")
    expect(page.locator("#desk .published")).to_contain_text("the desk changes nothing in its draft")
    expect(page.get_by_role("button", name="Add new items from the feeds")).to_be_disabled()
    expect(page.locator("#desk li.item").first.locator("button.title")).to_be_disabled()
    before = draft.read_bytes()
    answer = page.evaluate("""async () => {
        const token = document.querySelector('meta[name="digest-token"]').content;
        const r = await fetch("/api/desk", {method: "POST", headers: {"Content-Type": "application/json",
            "X-Digest-Token": token}, body: JSON.stringify({op: "drop", section: 0, item: 0, version: ""})});
        return [r.status, (await r.json()).error];
    }""")
    assert answer[0] == 403 and answer[1].startswith("the edition of 2024-10-01 was published on ")
    assert draft.read_bytes() == before
    page.screenshot(path="/tmp/digest-shots/desk-published.png", full_page=True)


def test_ctrl_c_says_which_folder_holds_the_curated_edition(draft: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []

    def interrupted(self: PreviewServer) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(PreviewServer, "wait", interrupted)
    off_the_loop(lambda: serve(draft.parent.parent / "sources.toml", EDITION, host="127.0.0.1", port=0,
                               open_browser=False, say=said.append) or True)
    assert said[-1] == (f"Stopped. The edition as you left it is in {built(draft)}/ — newsletter.html to paste into "
                        "your email service, newsletter.txt its plain-text part.")
    assert (built(draft) / "newsletter.html").is_file()
    assert preview_server.stopped(None) == "Stopped. Nothing was built, so no files were written."
