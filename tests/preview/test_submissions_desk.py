"""The desk's Submissions in real Chromium: what members sent, approved into a section, edited, rejected,
and a saved email dropped on the page — the served newsletter checked after each.

Skipped with a reason where Chromium is missing; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import html as lxml_html

from digest.collect.store import Store
from digest.collect.submissions import Submissions
from tests.collect.test_submissions import CONFIG, SENDERS
from tests.conftest import FIXTURES, ON_CI, axe_violations
from tests.msgfile import outlook_msg
from tests.preview.test_browser import SHOTS
from tests.preview.test_desk import browser, sections_of, wait_for_newsletter

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    if ON_CI:
        raise
    pytest.skip("playwright is not installed: pip install -e '.[test]'", allow_module_level=True)

from digest.preview.server import PreviewServer
from tests.preview.harness import loopback_context, open_page, running_preview

pytestmark = pytest.mark.slow  # ~10 s: Chromium
__all__ = ["browser"]  # the module's Chromium, shared with the desk's tests

DROPPED = (b"From: Ann Lee <ann@example.org>\r\nSubject: Men's shed opens in Hull\r\nDate: Thu, 26 Sep 2024 08:30:00 +0100"
           b"\r\nMessage-ID: <shed@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           b"The shed is open on Tuesdays. https://shed.example.org/\r\n")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    shutil.copy(FIXTURES / "submissions" / "google-forms.csv", tmp_path)
    shutil.copytree(FIXTURES / "submissions" / "emails", tmp_path / "emails")
    (tmp_path / "sources.toml").write_text(CONFIG, encoding="utf-8")
    with running_preview(tmp_path / "sources.toml") as running:
        yield running


@pytest.fixture
def page(browser: Browser, server: PreviewServer) -> Iterator[Page]:
    with loopback_context(browser, height=1400) as context:
        yield open_page(context, server.url, ready="#submissions li.submission")


def card(page: Page, title: str) -> object:
    return page.locator("#submissions li.submission", has_text=title)


def test_the_submissions_list_approve_edit_reject_and_drop(page: Page, server: PreviewServer, tmp_path: Path) -> None:
    cards = page.locator("#submissions li.submission")
    expect(cards).to_have_count(5)
    expect(page.locator("#submissions .badge", has_text="new")).to_have_count(5)
    expect(page.locator("#submissions .source")).to_contain_text("5 waiting, 5 new since you last looked.")
    allotment = card(page, "Our new allotment is open")
    expect(allotment.locator(".from")).to_have_text(  # type: ignore[attr-defined]
        "From Jane Doe, Hillside Carers <jane.doe@example.org> · 20 Sep 2024, 09:14 · Share your news form")
    expect(card(page, "Riverside walk").locator(".line", has_text="Attached")).to_have_text(  # type: ignore[attr-defined]
        "Attached (not sent): walk.jpg (1 KB)")
    SHOTS.mkdir(exist_ok=True)
    page.locator("#submissions").screenshot(path=str(SHOTS / "submissions.png"))

    allotment.get_by_label("Section for Our new allotment is open").select_option("Members' news")  # type: ignore[attr-defined]
    allotment.get_by_role("button", name="Approve").click()  # type: ignore[attr-defined]
    expect(page.locator("#status")).to_have_text("Approved 'Our new allotment is open' into \"Members' news\".")
    expect(cards).to_have_count(4)
    html = wait_for_newsletter(page, server, lambda h: "Our new allotment is open" in h)
    assert "Our new allotment is open" in sections_of(html)["Members' news"]  # the editor's section, not "News"
    assert "Shared by Jane Doe, Hillside Carers" in lxml_html.document_fromstring(html).text_content()
    assert not any(address in html for address in SENDERS)
    frame = page.frame_locator("#desktop")
    expect(frame.locator("text=Shared by Jane Doe, Hillside Carers")).to_be_visible()

    coffee = card(page, "Coffee morning")
    coffee.get_by_role("button", name="Edit").click()  # type: ignore[attr-defined]
    coffee = page.locator("#submissions li.submission", has=page.get_by_label("Title"))
    coffee.get_by_label("Title").fill("Coffee morning at Market Street")
    coffee.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_have_text("Saved your version of 'Coffee morning at Market Street'.")
    expect(card(page, "Coffee morning at Market Street").locator(".line", has_text="your version")).to_be_visible()  # type: ignore[attr-defined]

    spam = card(page, "Buy cheap things")
    spam.get_by_role("button", name="Reject").click()  # type: ignore[attr-defined]
    spam.get_by_label("Why reject Buy cheap things (optional, for your own record)").fill("spam")  # type: ignore[attr-defined]
    spam.get_by_role("button", name="Reject for good").click()  # type: ignore[attr-defined]
    expect(page.locator("#status")).to_have_text("Rejected 'Buy cheap things': it will not come back.")
    expect(cards).to_have_count(3)

    # a saved email dragged from the desktop onto the page
    page.evaluate("""(bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], "shed.eml", {type: "message/rfc822"}));
        document.querySelector("#desk").dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
    }""", list(DROPPED))
    expect(page.locator("#status")).to_have_text("Added \"Men's shed opens in Hull\" from shed.eml to the submissions.")
    expect(card(page, "Men's shed opens in Hull").locator(".from")).to_contain_text("From Ann Lee <ann@example.org>")  # type: ignore[attr-defined]
    # an Outlook .msg chosen with the button
    msg = tmp_path / "cake.msg"
    msg.write_bytes(outlook_msg(subject="Cake sale at the hub", body="Cakes on Friday.", sender="Tom Jones",
                                address="tom@example.org", headers="From: Tom Jones <tom@example.org>\r\n"
                                "Subject: Cake sale at the hub\r\nMessage-ID: <cake@example.org>\r\n\r\n"))
    page.set_input_files("#submission-file", str(msg))
    expect(card(page, "Cake sale at the hub")).to_be_visible()
    expect(cards).to_have_count(5)

    with Store.beside(tmp_path / "sources.toml") as store:
        everything = {s.item.title: s for s in Submissions(store).listing(statuses=("pending", "approved", "rejected"))}
    assert everything["Our new allotment is open"].status == "approved"
    assert everything["Our new allotment is open"].section == "Members' news"
    assert (everything["Buy cheap things"].status, everything["Buy cheap things"].reason) == ("rejected", "spam")
    assert everything["Men's shed opens in Hull"].source == "Emailed stories"
    html = httpx.get(server.url + "newsletter.html").text
    assert "Buy cheap things" not in html and "Men's shed" not in html and "Coffee morning" not in html

    page.reload()  # looked at: only the two dropped since are new
    expect(cards).to_have_count(5)
    expect(page.locator("#submissions .badge", has_text="new")).to_have_count(2)
    page.reload()
    expect(page.locator("#submissions li.submission").first).to_be_visible()
    expect(page.locator("#submissions .badge", has_text="new")).to_have_count(0)
    assert axe_violations(page, "#submissions") == []
    page.locator("#submissions").screenshot(path=str(SHOTS / "submissions-after.png"))
