"""The editor's desk in real Chromium: curate the draft in the preview page, with the file and the
served newsletter checked after each change; the on-disk-edit race; cross-origin and rebinding refused.

Skipped with a reason where Chromium is missing; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import html as lxml_html

from tests.conftest import ON_CI, axe_violations, need
from tests.network import digest, make_network
from tests.preview.test_browser import AXE, CHROMIUM, CHROMIUM_ARGS, SHOTS

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    if ON_CI:
        raise
    pytest.skip("playwright is not installed: pip install -e '.[test]'", allow_module_level=True)

from digest.preview.server import PreviewServer
from tests.preview.harness import EDITION, loopback_context, off_the_loop, open_page, running_preview

COUNCIL = ("### [Circle meets the council](https://hull.example.org/council)\n"
           "Hull Circle · Wednesday 25 September 2024\n<!-- id: 46571e861bac9f8f -->\n\n"
           "We met the council's adult social care team.\n")
CHANGES = 5
pytestmark = pytest.mark.slow  # ~30 s: Chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    need(CHROMIUM, "Chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        # evil.example resolves to this computer, as a DNS-rebinding attacker's name would
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            *CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"])
        yield chromium
        chromium.close()


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    config = make_network(tmp_path)
    assert off_the_loop(lambda: digest("draft", "-c", config, "--date", EDITION.isoformat())).exit_code == 0
    path = tmp_path / "editions" / "2024-10-01.md"
    # a note of the editor's own, which no change in the page may touch
    path.write_text(path.read_text().replace("## Coming up\n", "## Coming up\n<!-- ask Hull about the room -->\n"))
    return path


@pytest.fixture
def server(draft: Path) -> Iterator[PreviewServer]:
    with running_preview(draft.parent.parent / "sources.toml") as running:
        yield running


@pytest.fixture
def page(browser: Browser, server: PreviewServer) -> Iterator[Page]:
    with loopback_context(browser) as context:
        yield open_page(context, server.url)


def item(page: Page, title: str) -> Any:
    return page.locator("#desk li.item", has_text=title)


def section(page: Page, title: str) -> Any:
    return page.locator("#desk section.desk-section", has=page.locator("h3", has_text=title))


def wait_for_newsletter(page: Page, server: PreviewServer, test: Any) -> str:
    """The served newsletter.html once `test(html)` holds, and the desktop frame showing that build."""
    for _ in range(100):
        html = httpx.get(server.url + "newsletter.html").text
        if test(html):
            build = server.previewer.snapshot.number
            page.wait_for_function("b => Number(document.documentElement.dataset.shownBuild) >= b", arg=build,
                                   timeout=5000)
            return html
        server.previewer.wait_for_change(server.previewer.snapshot.number, 0.1)
    pytest.fail("the served newsletter never showed the change")


def h3s(html: str) -> list[str]:
    return [h.text_content().strip() for h in lxml_html.document_fromstring(html).xpath("//h3")]


def sections_of(html: str) -> dict[str, list[str]]:
    """Each h2 of the newsletter with the h3s that follow it."""
    out: dict[str, list[str]] = {}
    current = ""
    for h in lxml_html.document_fromstring(html).xpath("//h2|//h3"):
        if h.tag == "h2":
            current = h.text_content().strip()
            out[current] = []
        else:
            out[current].append(h.text_content().strip())
    return out


def test_drag_an_item_to_another_section(page: Page, server: PreviewServer, draft: Path, tmp_path: Path) -> None:
    before = draft.read_text()
    item(page, "Circle meets the council").drag_to(section(page, "Coming up").locator("li.item").last)
    expect(section(page, "Coming up").locator("li.item")).to_have_count(3)
    text = draft.read_text()
    news, coming = text.split("## Coming up\n")
    assert "Circle meets the council" not in news and COUNCIL in coming
    assert text.replace(COUNCIL, "").replace("\n\n\n", "\n\n") == before.replace(COUNCIL, "").replace("\n\n\n", "\n\n")
    assert "<!-- ask Hull about the room -->" in text
    html = wait_for_newsletter(page, server, lambda h: "Circle meets the council" in sections_of(h).get("Coming up", []))
    assert sections_of(html)["Coming up"] == ["Hull Circle open day", "Circle meets the council", "Winter fair"]
    expect(page.frame_locator("#desktop").locator("h3", has_text="Circle meets the council")).to_be_visible()


def test_items_new_since_the_draft_are_added_and_marked(page: Page, server: PreviewServer, draft: Path,
                                                        tmp_path: Path) -> None:
    sheet = tmp_path / "leeds.csv"
    sheet.write_text(sheet.read_text() + "Late news,https://leeds.example.org/late,2024-09-29,Just in.\n")
    page.get_by_role("button", name="Refetch sources").click()
    expect(page.locator("#status")).to_have_text("Fetched every source again.")
    page.get_by_role("button", name="Add new items from the feeds").click()
    expect(page.locator("#status")).to_have_text("Added 1 new item from the feeds, marked new.")
    late = item(page, "Late news")
    expect(late.locator(".badge")).to_have_text("new")
    expect(page.locator("#desk")).to_contain_text("1 new since the draft was made")
    assert "new since the last draft -->\n\nJust in.\n\n## Coming up" in draft.read_text()
    wait_for_newsletter(page, server, lambda h: "Late news" in h)
    page.screenshot(path=tmp_path / "desk-1280.png")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "desk-1280.png")


def test_edit_a_blurb(page: Page, server: PreviewServer, draft: Path) -> None:
    before = draft.read_text()
    council = item(page, "Circle meets the council")
    council.get_by_role("button", name="Edit text of “Circle meets the council”").click()
    box = page.get_by_role("textbox", name="Text of Circle meets the council")
    box.fill("We met the **adult social care** team, and they listened.")
    page.get_by_role("button", name="Save").click()
    expect(item(page, "Circle meets the council")).to_contain_text("and they listened")
    assert draft.read_text() == before.replace("We met the council's adult social care team.",
                                               "We met the **adult social care** team, and they listened.")
    html = wait_for_newsletter(page, server, lambda h: "and they listened" in h)
    assert "<strong>adult social care</strong>" in html


def test_drop_an_item_and_undo(page: Page, server: PreviewServer, draft: Path) -> None:
    before = draft.read_text()
    item(page, "Our summer report").get_by_role("button", name="Drop “Our summer report”").click()
    expect(item(page, "Our summer report")).to_have_count(0)
    assert "Our summer report" not in draft.read_text().split("<!-- digest offered")[0]
    assert "64617a74e4999600" in draft.read_text(), "its id stays offered, so drafting again leaves it out"
    html = wait_for_newsletter(page, server, lambda h: "Our summer report" not in h)
    assert h3s(html)[:2] == ["Circle meets the council", "Autumn volunteers wanted"]
    page.get_by_role("button", name="Undo").click()
    expect(item(page, "Our summer report")).to_have_count(1)
    assert draft.read_text() == before, "undo puts the file back byte for byte"
    wait_for_newsletter(page, server, lambda h: "Our summer report" in h)


def test_add_a_manual_item(page: Page, server: PreviewServer, draft: Path) -> None:
    news = section(page, "Members' news")
    news.locator("summary").click()
    news.get_by_role("textbox", name="Title (Members' news)").fill("George and Vanessa showcased our project")
    news.get_by_role("textbox", name="Link (https://…) (Members' news)").fill("https://network.example.org/impact")
    news.locator("input[name=date]").fill("2024-09-21")
    news.get_by_role("textbox", name="Text (Members' news)").fill("At the *Impact Conference* in Oxford.")
    news.get_by_role("button", name="Add the item").click()
    expect(item(page, "George and Vanessa")).to_have_count(1)
    assert ("We need three more people to help run the autumn sessions.\n\n"
            "### [Our summer report]") in draft.read_text()
    assert ("What we did this summer, in pictures and words.\n\n"
            "### [George and Vanessa showcased our project](https://network.example.org/impact)\n2024-09-21\n\n"
            "At the *Impact Conference* in Oxford.\n\n## Coming up\n") in draft.read_text()
    html = wait_for_newsletter(page, server, lambda h: "George and Vanessa" in h)
    assert sections_of(html)["Members' news"][-1] == "George and Vanessa showcased our project"
    assert "Saturday 21 September 2024" in html and "<em>Impact Conference</em>" in html


def test_a_keyboard_only_reorder(page: Page, server: PreviewServer, draft: Path) -> None:
    page.get_by_role("button", name="Move “Circle meets the council” down").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#desk li.item").nth(1)).to_have_attribute("aria-label", "Circle meets the council")
    expect(page.get_by_role("button", name="Move “Circle meets the council” down")).to_be_focused()
    page.keyboard.press("Space")  # focus stayed on the moved item's button: keep going
    expect(page.locator("#desk li.item").nth(2)).to_have_attribute("aria-label", "Circle meets the council")
    news = draft.read_text().split("## Coming up")[0]
    assert news.index("Autumn volunteers") < news.index("Our summer report") < news.index("Circle meets the council")
    html = wait_for_newsletter(page, server, lambda h: h3s(h)[2] == "Circle meets the council")
    assert h3s(html)[:3] == ["Autumn volunteers wanted", "Our summer report", "Circle meets the council"]


def test_focus_survives_a_rebuild_that_redraws_the_desk(page: Page, server: PreviewServer, draft: Path) -> None:
    # the rebuild a change triggers redraws the desk a moment later: a keyboard user must not be thrown out,
    # and a form the editor opened stays open
    section(page, "Members' news").locator("summary").click()
    button = page.get_by_role("button", name="Move “Circle meets the council” down")
    button.focus()
    draft.write_text(draft.read_text().replace("Autumn volunteers wanted", "Volunteers wanted this autumn"))
    expect(item(page, "Volunteers wanted this autumn")).to_have_count(1)  # the desk was drawn again
    expect(button).to_be_focused()
    expect(section(page, "Members' news").get_by_role("button", name="Add the item")).to_be_visible()


def test_the_files_own_edit_wins_the_race(page: Page, server: PreviewServer, draft: Path) -> None:
    page.route("**/events*", lambda route: None)  # the page hears of no rebuild: it still has the old version
    page.reload()
    expect(page.locator("#desk li.item").first).to_be_visible()
    edited = draft.read_text().replace("Autumn volunteers wanted", "Volunteers wanted this autumn")
    draft.write_text(edited)  # the editor saves in a text editor
    item(page, "Our summer report").get_by_role("button", name="Drop “Our summer report”").click()
    expect(page.locator("#status")).to_contain_text("changed on disk")
    assert draft.read_text() == edited, "the page did not overwrite the file"
    expect(item(page, "Volunteers wanted this autumn")).to_have_count(1)  # it shows the file as it is now
    expect(item(page, "Our summer report")).to_have_count(1)
    item(page, "Our summer report").get_by_role("button", name="Drop “Our summer report”").click()
    expect(item(page, "Our summer report")).to_have_count(0)  # now it knows the file: the change goes through
    assert "Volunteers wanted this autumn" in draft.read_text()


def test_a_draft_error_is_a_banner_and_fixing_it_clears_it(page: Page, server: PreviewServer, draft: Path) -> None:
    good = draft.read_text()
    draft.write_text(good.replace("## Coming up", "## Comming up"))
    expect(page.locator("#banner")).to_contain_text("names no section")
    expect(page.locator("#banner")).to_contain_text(re.compile(r"line \d+"))
    expect(page.frame_locator("#desktop").locator("h3", has_text="Winter fair")).to_be_visible()  # last good render
    draft.write_text(good)
    expect(page.locator("#banner .error")).to_have_count(0)


def test_every_change_in_the_page_and_every_save_refreshes_the_newsletter(page: Page, draft: Path) -> None:
    # how fast: `python -m bench.browser_refresh` measures both, never a test
    for n in range(CHANGES):
        title = f"Autumn volunteers wanted, take {n + 1}"
        page.locator("#desk li.item").nth(1).locator("button.title").click()
        field = page.locator("input.title-edit")
        field.fill(title)
        field.press("Enter")
        expect(page.frame_locator("#desktop").locator("h3", has_text=title)).to_be_visible()
        page.wait_for_function("n => window.deskTimings.length >= n", arg=n + 1)
    assert len(page.evaluate("window.deskTimings")) == CHANGES  # one refresh per change, none lost or doubled
    for n in range(CHANGES):  # and a save in a text editor
        title = f"Winter fair, take {n + 1}"
        draft.write_text(re.sub(r"### Winter fair[^\n]*", f"### {title}", draft.read_text()))
        expect(page.frame_locator("#desktop").locator("h3", has_text=title)).to_be_visible(timeout=10_000)
        expect(item(page, title)).to_have_count(1)  # the desk follows the file too


class _Evil(BaseHTTPRequestHandler):
    """Another site in another tab: it tries to change the draft behind the editor's back."""

    target = ""

    def do_GET(self) -> None:
        body = f"""<!doctype html><title>evil</title><form id=f method=post action="{self.target}api/desk"
        enctype="text/plain"><input name='{{"op":"drop","section":0,"item":0,"version":"' value='"}}'></form>
        <script>
        fetch("{self.target}api/desk", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
              body: JSON.stringify({{op: "drop", section: 0, item: 0, version: ""}})}})
          .then(() => document.title = "sent", () => document.title = "sent");
        </script>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def test_a_cross_origin_post_is_refused(browser: Browser, server: PreviewServer, draft: Path) -> None:
    before = draft.read_text()
    _Evil.target = server.url
    evil = HTTPServer(("127.0.0.1", 0), _Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        seen: list[int] = []
        page.on("response", lambda r: seen.append(r.status) if "api/desk" in r.url else None)
        page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        expect(page).to_have_title("sent")
        with page.expect_navigation():
            page.evaluate("document.getElementById('f').submit()")
        assert "only the preview page itself" in page.content()
        assert seen and set(seen) == {403}, seen
    finally:
        context.close()
        evil.shutdown()
        evil.server_close()
    assert draft.read_text() == before


def test_a_rebinding_host_is_refused(browser: Browser, server: PreviewServer) -> None:
    """A page on evil.example that resolves to 127.0.0.1 (DNS rebinding) gets nothing."""
    port = server.url.rsplit(":", 1)[1].strip("/")
    page = browser.new_page()
    try:
        answer = page.goto(f"http://evil.example:{port}/")
        assert answer is not None and answer.status == 421
        assert "wrong Host" in page.content() and server.previewer.token not in page.content()
        assert page.evaluate(f"""fetch("http://evil.example:{port}/api/desk").then(r => r.status)""") == 421
        assert page.evaluate(f"""fetch("http://evil.example:{port}/newsletter.html").then(r => r.status)""") == 421
    finally:
        page.close()


def test_axe_finds_no_violations_on_the_desk(browser: Browser, server: PreviewServer) -> None:
    need(AXE, "axe-core (npm install)")
    with loopback_context(browser, bypass_csp=True) as context:  # bypass: to inject axe
        page = open_page(context, server.url)
        page.locator("#desk details.add").first.locator("summary").click()  # the add form too
        violations = axe_violations(page)
    assert not violations, "axe-core on the desk:\n" + "\n".join(violations)


def test_what_the_editor_is_typing_survives_a_rebuild(page: Page, server: PreviewServer, draft: Path) -> None:
    item(page, "Winter fair").get_by_role("button", name="Edit text of “Winter fair”").click()
    box = page.get_by_role("textbox", name="Text of Winter fair")
    box.fill("Stalls, mince pies and a choir.")
    build = server.previewer.snapshot.number
    draft.write_text(draft.read_text().replace("Come and meet us.", "Come and meet us all."))  # saved elsewhere
    page.wait_for_function("b => Number(document.documentElement.dataset.shownBuild) > b", arg=build, timeout=5000)
    expect(box).to_have_value("Stalls, mince pies and a choir.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_contain_text("changed on disk")  # the file's edit wins: shown, not overwritten
    assert "Stalls, mince pies and a choir." not in draft.read_text()
    box = page.get_by_role("textbox", name="Text of Winter fair")
    expect(box).to_have_value("Stalls, mince pies and a choir.")  # the typing is kept, over the file as it is now
    expect(item(page, "Hull Circle open day")).to_contain_text("Come and meet us all.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_have_text("Saved to the draft.")
    text = draft.read_text()
    assert "Come and meet us all." in text and "Stalls, mince pies and a choir." in text


def test_an_editor_just_opened_survives_a_rebuild(page: Page, server: PreviewServer, draft: Path) -> None:
    # opened, nothing typed yet, and the rebuild of the last change (or a save elsewhere) redraws the desk
    item(page, "Circle meets the council").get_by_role("button", name="Circle meets the council: edit the title").click()
    build = server.previewer.snapshot.number
    draft.write_text(draft.read_text().replace("Come and meet us.", "Come and meet us all."))
    page.wait_for_function("b => Number(document.documentElement.dataset.shownBuild) > b", arg=build, timeout=5000)
    field = page.get_by_role("textbox", name="Title of Circle meets the council")
    expect(field).to_be_focused()  # still open, still where the editor is typing
    field.fill("Circle met the council")
    field.press("Enter")  # the page had not drawn the file's edit (an editor was open): refused, reopened as typed
    expect(page.locator("#status")).to_contain_text("changed on disk")
    expect(field).to_have_value("Circle met the council")
    expect(field).to_be_focused()
    field.press("Enter")
    expect(item(page, "Circle met the council")).to_have_count(1)
    expect(item(page, "Hull Circle open day")).to_contain_text("Come and meet us all.")  # the file's edit is kept
    assert "Circle met the council" in draft.read_text() and "Come and meet us all." in draft.read_text()
