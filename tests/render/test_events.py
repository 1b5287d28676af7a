"""Events that fit the inbox: compact rows beyond a section's `feature`, full cards for featured events,
calendar links that add every date, the contents list, the masthead, and the sample and a busy month's sizes."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html

from digest.check.budget import sent_size
from digest.check.lint import check_html
from digest.config.load import load_config, parse_config
from digest.edition.group import group
from digest.edition.pipeline import Edition, build_edition
from digest.model import Event, Post
from digest.render.calendar import Occurrence, google_link, recurrence
from digest.render.email import Rendered, render_views
from digest.render.views import section_views
from tests.conftest import ROOT, axe_violations

LONDON = ZoneInfo("Europe/London")
EDITION = date(2024, 10, 1)
BUSY = ROOT / "tests" / "fixtures" / "busy" / "hillside-carers.ics"
CONFIG = '''[newsletter]
title = "Leeds Network"
timezone = "Europe/London"
language = "en-GB"
{newsletter}

[[sections]]
title = "Coming up"
kind = "events"
{section}

[[sources]]
name = "Voices"
url = "https://v.example.org/events.ics"
'''


def at(day: int, month: int = 10, hour: int = 10) -> Occurrence:
    start = datetime(2024, month, day, hour, 30, tzinfo=LONDON)
    return Occurrence(start, start + timedelta(hours=1))


def event(day: int, title: str = "Coffee morning", month: int = 10, **changes: object) -> Event:
    when = at(day, month)
    fields: dict[str, object] = dict(id=f"{title}-{month}-{day}", source="Voices", title=title, start=when.start,
                                     end=when.end, location="Market Street Hall, Leeds LS1 6DT",
                                     url=f"https://v.example.org/{day}", summary_html="<p>Tea and a chat.</p>")
    fields.update(changes)
    return Event(**fields)  # type: ignore[arg-type]


def render(events: list[Event], *, newsletter: str = 'url = "https://net.example.org/"', section: str = "") -> Rendered:
    config = parse_config(CONFIG.format(newsletter=newsletter, section=section), Path("sources.toml"))
    return render_views(config, EDITION, section_views(group(events, config, EDITION), config))


def doc(html: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(html)


# ---- calendar links that add every date a card says ----


def test_evenly_spaced_dates_repeat_by_rule_and_others_are_listed() -> None:
    assert recurrence([at(1), at(8), at(15), at(22)], LONDON) == "RRULE:FREQ=WEEKLY;COUNT=4"
    assert recurrence([at(1), at(15), at(29)], LONDON) == "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3"
    assert recurrence([at(1), at(2), at(3)], LONDON) == "RRULE:FREQ=DAILY;COUNT=3"
    assert recurrence([at(1), at(4)], LONDON) == "RRULE:FREQ=DAILY;INTERVAL=3;COUNT=2"
    assert recurrence([at(2), at(9), at(30)], LONDON) == "RDATE:20241009T103000,20241030T103000"
    days = [Occurrence(date(2024, 10, d), date(2024, 10, d + 1), True) for d in (1, 3, 10)]
    assert recurrence(days, LONDON) == "RDATE;VALUE=DATE:20241003,20241010"


def test_a_weekly_series_across_the_clock_change_keeps_its_wall_time() -> None:
    """15 Oct is BST and 5 Nov GMT: in UTC the series would move an hour; in London's time it repeats as it is."""
    link = google_link("Board", [at(15), at(22), at(29), at(5, 11)], LONDON, place="Town Hall")
    query = parse_qs(urlsplit(link).query)
    assert query == {"action": ["TEMPLATE"], "text": ["Board"], "location": ["Town Hall"], "ctz": ["Europe/London"],
                     "recur": ["RRULE:FREQ=WEEKLY;COUNT=4"], "dates": ["20241015T103000/20241015T113000"]}
    assert link.endswith("&dates=20241015T103000/20241015T113000")
    one = parse_qs(urlsplit(google_link("Board", [at(15)], LONDON)).query)
    assert one["dates"] == ["20241015T093000Z/20241015T103000Z"] and "recur" not in one and "ctz" not in one


def test_without_a_web_version_the_one_link_is_google_with_every_date() -> None:
    out = render([event(d) for d in (2, 9, 16, 23)], newsletter="")
    [link] = doc(out.html).xpath("//a[starts-with(@href, 'https://calendar.google.com/')]/@href")
    assert parse_qs(urlsplit(link).query)["recur"] == ["RRULE:FREQ=WEEKLY;COUNT=4"]
    assert doc(out.html).xpath("//a[starts-with(@href, 'https://calendar.google.com/')]")[0].text_content() == \
        "Add\xa0to\xa0calendar"
    assert "Add to calendar" not in out.text, "the event's own link is in the text twin; no long calendar link"
    no_link = render([event(2, url=None)], newsletter="")
    assert "  Add to calendar: https://calendar.google.com/calendar/render?action=TEMPLATE&text=Coffee+morning" \
        in no_link.text


# ---- compact rows, full cards, the cut ----


def test_events_beyond_feature_are_rows_and_featured_ones_full_cards_title_first() -> None:
    out = render([event(2, "Open day"), event(3, "Walk and talk"), event(4, "Art club")], section="feature = 1")
    page = doc(out.html)
    [card] = page.xpath("//table[@dir='rtl']")  # the featured event
    cells = card.xpath("./tr/td")
    assert [c.get("dir") for c in cells] == ["ltr", "ltr"] and cells[1].get("aria-hidden") == "true"
    assert cells[0].text_content().replace("\xa0", " ").startswith(
        "Open dayWhen: Wednesday 2 October 2024, 10:30–11:30Where: Market Street Hall, Leeds LS1 6DTHosted by: Voices"
        "Tea and a chat.Find out more · Add to calendar")
    assert cells[1].text_content() == "Wed2 Oct", "the date column comes after the details in the markup"
    rows = [t.text_content().replace("\xa0", " ") for t in page.xpath("//table[not(@dir) and not(.//table)][.//h3]")]
    assert rows == ["Thu3 OctWalk and talk10:30–11:30 · Market Street Hall, Leeds LS1 6DT · Voices · Add to calendar",
                    "Fri4 OctArt club10:30–11:30 · Market Street Hall, Leeds LS1 6DT · Voices · Add to calendar"]
    assert "Tea and a chat." in out.text.split("* Walk and talk")[0]
    assert "Tea and a chat." not in out.text.split("* Walk and talk")[1], "a row's text is its one line, as in the HTML"


def test_a_section_cut_by_its_limit_says_see_all_and_the_web_version_shows_them_all() -> None:
    out = render([event(d, f"Event {d}") for d in range(2, 9)], section="limit = 3")
    page, web = doc(out.html), doc(out.web)
    assert [h.text_content() for h in page.xpath("//h3")] == ["Event 2", "Event 3", "Event 4"]
    assert page.xpath("//a[starts-with(., 'See all')]/@href") == ["https://net.example.org/2024-10-01/#s-coming-up"]
    assert page.xpath("//a[starts-with(., 'See all')]")[0].text_content() == "See all 7 events"
    assert [h.text_content() for h in web.xpath("//h3")] == [f"Event {d}" for d in range(2, 9)]
    assert web.xpath("//a[starts-with(., 'See all')]") == []
    assert "See all 7 events: https://net.example.org/2024-10-01/#s-coming-up" in out.text.splitlines()
    assert "Coming up · 7 events" in web.xpath("//div[@role='navigation']")[0].text_content()
    without_web = render([event(d, f"Event {d}") for d in range(2, 9)], newsletter="", section="limit = 3")
    assert "See all" not in without_web.html, "nowhere to see them: the report says what was cut"


def test_a_contents_list_opens_the_edition() -> None:
    post = Post(id="p", source="Voices", title="Our report", url="https://v.example.org/r",
                published=datetime(2024, 9, 20, tzinfo=UTC), summary_html="<p>Read it.</p>")
    config = parse_config(CONFIG.format(newsletter='intro = "Hello."', section="") + '''
[[sections]]
title = "News & views"
kind = "posts"

[[sections]]
title = "Say hello"
kind = "text"
body = "Write to us."
''', Path("sources.toml"))
    out = render_views(config, EDITION, section_views(group([event(2), event(3, "Walk"), post], config, EDITION), config))
    page = doc(out.html)
    [contents] = page.xpath("//div[@role='navigation']")
    assert contents.get("aria-label") == "In this issue"
    assert contents.text_content() == "In this issueComing up · 2 eventsNews & views · 1 postSay hello"
    assert contents.xpath(".//a/@href") == ["#s-coming-up", "#s-news-views", "#s-say-hello"]
    assert page.xpath("//h2/@id") == ["s-coming-up", "s-news-views", "s-say-hello"]
    assert page.xpath("//p[strong or text()='Hello.']")[0].text_content() == "Hello.", "under the intro"
    assert "\n\nIN THIS ISSUE\n- Coming up (2 events)\n- News & views (1 post)\n- Say hello\n" in out.text
    assert out.text.index("Hello.") < out.text.index("IN THIS ISSUE") < out.text.index("COMING UP")


# ---- the masthead ----


def test_the_logo_sits_on_a_plate_links_to_the_site_and_its_alt_text_reads_on_it() -> None:
    out = render([event(2)], newsletter='logo = "https://net.example.org/logo.png"\nsite = "https://net.example.org/"\n'
                                        'logo_background = "#1f1d24"\nnetwork = "Leeds Voices"')
    [img] = doc(out.html).xpath("//img")
    link, plate = img.getparent(), img.getparent().getparent()
    assert (link.tag, link.get("href"), plate.get("class"), plate.get("bgcolor")) == (
        "a", "https://net.example.org/", "lp", "#1f1d24")
    assert img.get("alt") == "Leeds Voices" and "color:#fff;" in img.get("style"), "light alt text on a dark plate"
    assert "font-size:18px" in img.get("style") and "font-weight:bold" in img.get("style")
    assert re.search(r"\.band \.lp \{\s*background: #1f1d24 !important", out.html), "dark mode keeps the plate"
    name = doc(render([event(2)], newsletter='network = "Leeds Voices"\nsite = "https://net.example.org/"').html)
    assert name.xpath("//p[@class='nw']/a/@href") == ["https://net.example.org/"]


# ---- the sample and a busy month ----


def _build(folder: Path, *, busy: bool) -> Edition:
    shutil.copy(ROOT / "sources.toml", folder / "sources.toml")
    shutil.copytree(ROOT / "examples", folder / "examples")
    if busy:  # the sample and one member with 30 more events
        shutil.copy(BUSY, folder / "examples" / "feeds" / BUSY.name)
        with (folder / "sources.toml").open("a") as handle:
            handle.write(f'\n[[sources]]\nname = "Hillside Carers"\nurl = "examples/feeds/{BUSY.name}"\n')
    return build_edition(load_config(folder / "sources.toml"), EDITION)  # its feeds are files: nothing leaves the machine


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Edition:
    return _build(tmp_path_factory.mktemp("sample"), busy=False)


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Edition:
    return _build(tmp_path_factory.mktemp("busy"), busy=True)


def _event_sizes(html: str) -> tuple[list[int], list[int]]:
    """Bytes of each compact row and each full card, as written in the email."""
    rows, cards = [], []
    for block in re.findall(r"<div(?: class=\"i[rt]\"[^>]*)?><table role=\"presentation\" width=\"100%\".*?</table></div>",
                            html):
        (cards if 'dir="rtl"' in block else rows).append(len(block.encode()))
    return rows, cards


@pytest.mark.slow  # ~2 s: builds the sample
def test_the_sample_s_events_are_small(sample: Edition) -> None:
    rows, cards = _event_sizes(sample.html)
    assert (len(rows), len(cards)) == (14, 3)
    assert max(rows) <= 900 and max(cards) <= 1400, (rows, cards)
    assert len(sample.html.encode()) < 45 * 1024


@pytest.mark.slow
def test_calendar_links_are_under_a_tenth_of_the_text_twin(sample: Edition) -> None:
    links = re.findall(r"Add to calendar: (\S+)", sample.text)
    assert len(links) == 17 and all(link.startswith("https://digest.example.org/2024-10-01/#e-") for link in links)
    assert sum(map(len, links)) < len(sample.text) / 10


@pytest.mark.slow  # ~2 s: builds the busy month
def test_a_busy_month_stays_under_the_clip_budget(busy: Edition) -> None:
    assert sum(s.count for s in busy.report.sections if s.kind == "events") == 51
    size = len(busy.html.encode())
    assert size <= 90 * 1024 and sent_size(busy.html) <= 90 * 1024, (size, sent_size(busy.html))
    assert "size" not in {f.code for f in check_html(busy.html)}
    rows, cards = _event_sizes(busy.html)
    assert len(rows) == 44 and max(rows) <= 900 and max(cards) <= 1400


# --- in a browser: the sample at 600 and 375 px, light and dark, with and without its <style> -------------

from playwright.sync_api import Browser, Page, Route  # noqa: E402 (test_browser skips without it)

from tests.preview import test_browser  # noqa: E402

STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)


def open_page(browser: Browser, html: str, width: int, scheme: str) -> Page:
    """The email at `width`; every picture a blank one, nothing reaches the web."""
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)  # type: ignore[arg-type]

    def offline(route: Route) -> None:
        route.abort()

    page.route(re.compile(r"^https?://"), offline)
    page.set_content(html, wait_until="load")
    return page


@pytest.mark.slow  # ~4 s each: Chromium
@pytest.mark.parametrize(("scheme", "styles"), [("light", True), ("dark", True), ("light", False)])  # Gmail drops
def test_the_sample_is_short_accessible_and_fits_the_phone(sample: Edition, browser: Browser, scheme: str,  # <style>
                                                           styles: bool, tmp_path: Path) -> None:  # for some accounts
    """`sample` before `browser`: the build's asyncio.run cannot run inside Playwright's event loop."""
    html = sample.html if styles else STYLE.sub("", sample.html)
    page = open_page(browser, html, 375, scheme)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375, "the page scrolls sideways on a phone"
    page.set_viewport_size({"width": 600, "height": 900})
    name = f"sample-600-{scheme}{'' if styles else '-no-style'}.png"
    page.screenshot(path=tmp_path / name, full_page=True)
    test_browser.SHOTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / name, test_browser.SHOTS / name)
    height = page.evaluate("document.scrollingElement.scrollHeight")
    assert height <= 8000, f"the sample is {height} px tall at 600 px"
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)


@pytest.mark.slow
def test_the_web_version_is_accessible(sample: Edition, browser: Browser) -> None:
    page = open_page(browser, sample.web, 600, "light")
    assert page.locator("#e-co-production-board-1015 h3").inner_text() == "Co-production Board drop-in"
    assert axe_violations(page) == []
