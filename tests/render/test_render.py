"""The rendered email: safe, email-shaped (lang, title, preheader, Outlook comments), localised, deterministic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html

from digest.config.keys import Config
from digest.config.load import parse_config
from digest.edition.group import group
from digest.model import Event, Filled, Post
from digest.render.email import Rendered, render_views
from digest.render.views import section_views

BASE = '''[newsletter]
title = "Network <Digest> & Friends"
timezone = "Europe/London"
language = "{language}"
intro = "Hello **all**. <script>alert(1)</script> [Our site](https://net.example.org/)"
logo = "https://net.example.org/logo.png"

[[sections]]
title = "News"
kind = "posts"

[[sections]]
title = "Get involved"
kind = "text"
body = "Write to [us](mailto:hi@example.org)."

[[sources]]
name = "A"
url = "https://a.example.org/feed"
'''
EDITION = date(2024, 10, 1)



def render(config: Config, edition: date, filled: list[Filled]) -> Rendered:
    """A grouping rendered as a build renders it: as views."""
    return render_views(config, edition, section_views(filled, config))

def config(language: str = "en-GB") -> Config:
    return parse_config(BASE.replace("{language}", language), Path("sources.toml"))


def posts() -> list[Post]:
    when = datetime(2024, 9, 27, 9, 0, tzinfo=UTC)
    return [
        Post(id="1", source="A", title="</mj-text><mj-raw><script>alert('x')</script></mj-raw> {{ 7*7 }}",
             url="https://a.example.org/1", published=when, summary_html="<p>Safe <strong>summary</strong></p>"),
        Post(id="2", source="A", title="No link here", url=None, published=when, summary_html=""),
    ]


def rendered(language: str = "en-GB"):
    cfg = config(language)
    return render(cfg, EDITION, group(posts(), cfg, EDITION))


@pytest.fixture(scope="module")
def out():
    return rendered()


def test_feed_text_stays_text(out) -> None:
    doc = lxml_html.document_fromstring(out.html)
    assert doc.xpath("//script") == []
    heading = doc.xpath("//h3")[0].text_content()
    assert heading.replace("\u200b", "") == "</mj-text><mj-raw><script>alert('x')</script></mj-raw> {{ 7*7 }}"
    assert "49" not in heading and "{{" not in heading  # defused at render too, whatever made the item
    assert "&lt;script&gt;" in out.mjml


def test_email_shape(out) -> None:
    assert out.html.startswith("<!doctype html>\n<html lang=\"en-GB\"")
    doc = lxml_html.document_fromstring(out.html)
    assert doc.findtext(".//title") == "Network <Digest> & Friends – October 2024"
    assert "fonts.googleapis.com" not in out.html and "<link" not in out.html
    assert "<!--[if mso | IE]>" in out.html and "<![endif]-->" in out.html
    preheader = doc.xpath("//body/div[1]")[0]
    assert "display:none" in preheader.get("style").replace(" ", "")
    assert [h.tag for h in doc.xpath("//h1|//h2")] == ["h1", "h2", "h2"]


def test_css_is_inlined(out) -> None:
    doc = lxml_html.document_fromstring(out.html)
    h2 = doc.xpath("//h2")[0]
    assert "font-size:22px" in h2.get("style").replace(" ", "")


def test_mjmls_table_and_paragraph_reset_stays_in_the_head_and_inline_styles_are_compact() -> None:
    """MRML's `table, td` and `p` reset is written once in <head> (where Outlook reads it, as MJML
    leaves it), not on every cell; the rest of the reset is still inlined; declarations are joined by ";"."""
    html = event_render([cuppa(15, title="Board drop-in", location="Town Hall, Huddersfield")]).html
    doc = lxml_html.document_fromstring(html)
    head = [s.text for s in doc.xpath("//head/style") if "mso-table-lspace" in (s.text or "")]
    assert len(head) == 1 and "border-collapse: collapse" in head[0] and "p { display: block" in head[0]
    assert "data-premailer" not in html
    styles = doc.xpath("//@style")
    assert not [s for s in styles if "mso-table-lspace" in s or "border-collapse" in s or "display:block; " in s]
    assert not [s for s in styles if "; " in s]
    assert "margin:0" in doc.xpath("//body/@style")[0], "the body's reset is still inline"
    day = doc.xpath("//td[@class='ed']")[0]
    assert day.get("style") == "padding-top:14px;font-size:14px;line-height:1.3;color:#57525e"


def test_links_absolute_no_empty_href_images_with_alt(out) -> None:
    doc = lxml_html.document_fromstring(out.html)
    hrefs = [a.get("href") for a in doc.xpath("//a")]
    assert hrefs and all(h and h.startswith(("https://", "mailto:", "#")) for h in hrefs)
    jumps = [h[1:] for h in hrefs if h.startswith("#")]  # the contents list, to each section's heading
    assert jumps == ["s-news", "s-get-involved"] and doc.xpath("//h2/@id") == jumps
    assert "No link here" in [h.text_content() for h in doc.xpath("//h3[not(a)]")]
    for img in doc.xpath("//img"):
        assert img.get("src").startswith("https://") and img.get("alt")


def test_intro_markdown_is_sanitised(out) -> None:
    doc = lxml_html.document_fromstring(out.html)
    intro = doc.xpath("//strong[text()='all']")
    assert intro, "Markdown bold rendered"
    assert "alert(1)" in out.html and "<script>alert(1)" not in out.html  # shown as text, never as a tag


def test_text_twin(out) -> None:
    lines = out.text.splitlines()
    assert lines[0] == "NETWORK <DIGEST> & FRIENDS"
    assert lines[1] == "October 2024"
    assert "NEWS" in lines and "GET INVOLVED" in lines
    assert "  https://a.example.org/1" in lines
    assert "  A · Friday 27 September 2024" in lines
    assert all(len(line) <= 78 or "://" in line for line in lines)


def test_welsh_dates() -> None:
    out = rendered("cy")
    assert '<html lang="cy"' in out.html
    assert "Dydd Gwener, 27 Medi 2024" in out.html


def test_deterministic(out) -> None:
    again = rendered()
    assert (again.html, again.text, again.mjml) == (out.html, out.text, out.mjml)


# ---- the look: masthead, preheader, buttons, links, footer ---------------------------------------

def test_logo_alt_is_the_network_and_the_label_is_the_month() -> None:
    cfg = parse_config(BASE.replace("{language}", "cy").replace('logo = ', 'network = "Y Rhwydwaith"\nlogo = '),
                       Path("sources.toml"))
    out = render(cfg, EDITION, group(posts(), cfg, EDITION))
    doc = lxml_html.document_fromstring(out.html)
    assert doc.xpath("//img[contains(@src, 'logo.png')]/@alt") == ["Y Rhwydwaith"]
    assert "Hydref 2024" in doc.xpath("//h1/following-sibling::p[1]")[0].text_content()
    patterned = parse_config(BASE.replace("{language}", "en-GB").replace('title = ', 'edition_label = "d MMMM y"\ntitle = '),
                             Path("sources.toml"))
    assert render(patterned, EDITION, []).text.splitlines()[1] == "1 October 2024"


def test_preheader_is_the_rendered_intro_padded() -> None:
    cfg = parse_config(BASE.replace("{language}", "en-GB").replace(
        'intro = "Hello **all**. <script>alert(1)</script> [Our site](https://net.example.org/)"',
        'intro = "Our round-up (edited): read [our report](https://net.example.org/r) now."'), Path("sources.toml"))
    out = render(cfg, EDITION, group(posts(), cfg, EDITION))
    hidden = lxml_html.document_fromstring(out.html).xpath("//body/div[1]")[0].text_content()
    assert hidden.startswith("Our round-up (edited): read our report now.\u034f\u200c\u00a0")
    assert len(hidden) > 150, "padded so the inbox does not pull body text into the preview"


def test_text_section_and_intro_end_in_buttons() -> None:
    cfg = parse_config(BASE.replace("{language}", "en-GB").replace(
        'body = "Write to [us](mailto:hi@example.org)."',
        'body = "Write to us."\nbutton = { text = "Share your story", url = "mailto:hi@example.org" }').replace(
        'logo = ', 'button = { text = "Join the network", url = "https://net.example.org/join" }\nlogo = '),
        Path("sources.toml"))
    out = render(cfg, EDITION, group(posts(), cfg, EDITION))
    doc = lxml_html.document_fromstring(out.html)
    buttons = {a.text_content().strip(): a.get("href") for a in doc.xpath("//td[@bgcolor]/a")}
    assert buttons == {"Join the network": "https://net.example.org/join", "Share your story": "mailto:hi@example.org"}
    assert "Share your story: mailto:hi@example.org" in out.text.splitlines()
    assert "Join the network: https://net.example.org/join" in out.text.splitlines()


def test_bare_urls_become_short_link_text_and_the_text_twin_spells_links_out() -> None:
    cfg = config()
    bare = Post(id="3", source="A", title="Register", url="https://a.example.org/3",
                published=datetime(2024, 9, 26, tzinfo=UTC),
                summary_html='<p>Sign up at <a href="https://www.example.org/register/?ref=feed">'
                             'https://www.example.org/register/?ref=feed</a> or <a href="mailto:hi@example.org">'
                             'write to us</a>.</p>')
    out = render(cfg, EDITION, group([bare], cfg, EDITION))
    doc = lxml_html.document_fromstring(out.html)
    assert [a.text_content() for a in doc.xpath("//a[contains(@href, 'register')]")] == ["example.org/register"]
    assert "Sign up at https://www.example.org/register/?ref=feed or write to us (hi@example.org)." in " ".join(out.text.split())
    assert "](" not in out.text, "never raw Markdown"


def test_footer_links_view_online_when_the_archive_is_known() -> None:
    cfg = parse_config(BASE.replace("{language}", "en-GB").replace('logo = ', 'url = "https://net.example.org/digest"\n'
                       'address = "1 Example Street, London"\nwhy = "You joined the network."\nlogo = '),
                       Path("sources.toml"))
    out = render(cfg, EDITION, [])
    doc = lxml_html.document_fromstring(out.html)
    assert doc.xpath("//a[text()='View in your browser']/@href") == ["https://net.example.org/digest/2024-10-01/"]
    assert "1 Example Street, London" in doc.text_content() and "You joined the network." in doc.text_content()
    assert "View in your browser: https://net.example.org/digest/2024-10-01/" in out.text
    web = lxml_html.document_fromstring(out.web)
    assert web.xpath("//a[text()='View all editions']/@href") == ["https://net.example.org/digest/"]


# ---- event cards -----------------------------------------------------------------------------------

EVENTS = '''[newsletter]
title = "Network"
timezone = "Europe/London"
language = "en-GB"
url = "https://net.example.org/digest/"

[[sections]]
title = "Co-Pro Cuppas"
kind = "events"
days_ahead = 62

[[sources]]
name = "Collective events"
member = "Co-Production Collective"
url = "https://c.example.org/events.ics"
'''
LONDON = ZoneInfo("Europe/London")


def cuppa(day: int, month: int = 10, **changes: object) -> Event:
    start = datetime(2024, month, day, 10, 30, tzinfo=LONDON)
    fields: dict[str, object] = dict(id=f"c{month}-{day}", source="Collective events", title="Co-Pro Cuppa", start=start,
                                     end=start + timedelta(hours=1, minutes=30), location="Online",
                                     url="https://c.example.org/cuppa/", uid="cuppa@c.example.org",
                                     summary_html="<p>A cuppa and a chat.</p>")
    fields.update(changes)
    return Event(**fields)  # type: ignore[arg-type]


def event_render(events: list[Event]):
    cfg = parse_config(EVENTS, Path("sources.toml"))
    return render(cfg, EDITION, group(events, cfg, EDITION))


def test_four_cuppa_dates_in_a_month_are_one_card() -> None:
    out = event_render([cuppa(2), cuppa(9), cuppa(16), cuppa(23)])
    doc = lxml_html.document_fromstring(out.html)
    assert [h.text_content() for h in doc.xpath("//h3")] == ["Co-Pro Cuppa"]
    row = doc.xpath("//h3")[0].getparent().getparent().text_content()  # a compact row: no section features it
    assert row.replace("\xa0", " ") == ("Wed2 OctCo-Pro CuppaEvery Wednesday, 10:30–12:00 — 2, 9, 16 and 23 October · "
                                        "Online · Co-Production Collective · Add to calendar")
    assert "Collective events" not in doc.text_content(), "readers see the member's name, not the source's"
    card = "https://net.example.org/digest/2024-10-01/#e-co-pro-cuppa-1002"
    assert doc.xpath("//a[starts-with(text(), 'Add')]/@href") == [card], "one link, to the choice on the web version"
    web = lxml_html.document_fromstring(out.web)
    assert web.xpath("//div[@id='e-co-pro-cuppa-1002']//h3")[0].text_content() == "Co-Pro Cuppa"
    [google] = web.xpath("//a[starts-with(@href, 'https://calendar.google.com/')]/@href")
    query = parse_qs(urlsplit(google).query)
    assert (query["recur"], query["ctz"], query["dates"]) == (
        ["RRULE:FREQ=WEEKLY;COUNT=4"], ["Europe/London"], ["20241002T103000/20241002T120000"]), "every date"
    outlook = web.xpath("//a[starts-with(@href, 'https://outlook.live.com/')]")
    assert [a.text_content() for a in outlook] == ["2 Oct", "9 Oct", "16 Oct", "23 Oct"]  # one a date
    assert list(out.calendars) == ["events/co-pro-cuppa-2024-10-02.ics"]
    ics = out.calendars["events/co-pro-cuppa-2024-10-02.ics"]
    assert ics.count("BEGIN:VEVENT") == 4 and "DTSTART:20241023T093000Z" in ics
    assert doc.xpath("//a[contains(@href, '.ics')]/@href") == []
    ics_link = web.xpath("//a[contains(@href, '.ics')]/@href")
    assert ics_link == ["https://net.example.org/digest/2024-10-01/events/co-pro-cuppa-2024-10-02.ics"]
    text = out.text
    assert text.count("* Co-Pro Cuppa") == 1
    assert "  When: Every Wednesday, 10:30–12:00 — 2, 9, 16 and 23 October" in text.splitlines()
    assert f"  Add to calendar: {card}" in text.splitlines()


def test_a_series_across_months_and_a_one_off_stay_apart() -> None:
    out = event_render([cuppa(23), cuppa(30), cuppa(6, 11), cuppa(24, title="Co-Pro Cuppa special", uid="s")])
    doc = lxml_html.document_fromstring(out.html)
    assert [h.text_content() for h in doc.xpath("//h3")] == ["Co-Pro Cuppa", "Co-Pro Cuppa special"]
    assert "Every Wednesday, 10:30–12:00 — 23 and 30 October and 6 November" in doc.text_content()


def test_an_event_without_url_links_its_descriptions_first_link() -> None:
    out = event_render([cuppa(2, url=None, summary_html='<p>Free. Book your place: <a href="https://tickets.example.org/'
                                                         'cuppa?id=1&amp;x=2">https://tickets.example.org/cuppa</a>, '
                                                         'or <a href="https://c.example.org/">see us</a>.</p>')])
    doc = lxml_html.document_fromstring(out.html)
    target = "https://tickets.example.org/cuppa?id=1&x=2"
    assert doc.xpath("//h3/a/@href") == [target]
    assert f"  Book a place: {target}" in out.text.splitlines()


def test_calendar_links_carry_utc_times_across_the_clock_change() -> None:
    """London is UTC+1 until 27 October 2024 and UTC+0 after: 10:30 local is 09:30Z, then 10:30Z."""
    out = event_render([cuppa(23, title="Before"), cuppa(30, title="After", uid="a")])
    doc = lxml_html.document_fromstring(out.web)  # the choice of calendars
    google = [parse_qs(urlsplit(h).query) for h in doc.xpath("//a[starts-with(@href, 'https://calendar.google.com/')]/@href")]
    outlook = [parse_qs(urlsplit(h).query) for h in doc.xpath("//a[starts-with(@href, 'https://outlook.live.com/')]/@href")]
    assert [g["dates"] for g in google] == [["20241023T093000Z/20241023T110000Z"], ["20241030T103000Z/20241030T120000Z"]]
    assert [(o["startdt"], o["enddt"]) for o in outlook] == [
        (["2024-10-23T09:30:00Z"], ["2024-10-23T11:00:00Z"]), (["2024-10-30T10:30:00Z"], ["2024-10-30T12:00:00Z"])]
    assert [(g["text"], g["location"]) for g in google] == [(["Before"], ["Online"]), (["After"], ["Online"])]
    assert outlook[0]["rru"] == ["addevent"] and outlook[0]["subject"] == ["Before"]


def test_calendar_links_are_short_and_end_in_their_times() -> None:
    """":", "/" and "," as they are (a query may carry them); the times last, so a plain-text reader's
    linkifier never leaves a trailing comma of the place off the link."""
    out = event_render([cuppa(23, title="Cuppa: autumn, & more", location="Town Hall, Huddersfield,")])
    doc = lxml_html.document_fromstring(out.web)
    [google] = doc.xpath("//a[starts-with(@href, 'https://calendar.google.com/')]/@href")
    [outlook] = doc.xpath("//a[starts-with(@href, 'https://outlook.live.com/')]/@href")
    assert google == ("https://calendar.google.com/calendar/render?action=TEMPLATE&text=Cuppa:+autumn,+%26+more"
                      "&location=Town+Hall,+Huddersfield,&dates=20241023T093000Z/20241023T110000Z")
    assert outlook == ("https://outlook.live.com/calendar/0/action/compose?rru=addevent&subject=Cuppa:+autumn,+%26+more"
                       "&location=Town+Hall,+Huddersfield,&startdt=2024-10-23T09:30:00Z&enddt=2024-10-23T11:00:00Z")
    assert parse_qs(urlsplit(outlook).query)["subject"] == ["Cuppa: autumn, & more"]
    assert "calendar.google.com" not in out.text, "the text twin links the web version's card instead"


def test_all_day_events_link_whole_days() -> None:
    week = cuppa(21, title="Autumn week", start=date(2024, 10, 21), end=date(2024, 10, 26), all_day=True, uid="w")
    doc = lxml_html.document_fromstring(event_render([week]).web)
    [google] = doc.xpath("//a[starts-with(@href, 'https://calendar.google.com/')]/@href")
    [outlook] = doc.xpath("//a[starts-with(@href, 'https://outlook.live.com/')]/@href")
    assert parse_qs(urlsplit(google).query)["dates"] == ["20241021/20241026"]
    assert parse_qs(urlsplit(outlook).query)["allday"] == ["true"]


def test_a_final_build_publishes_each_events_ics_beside_its_web_version(sample_network: Path) -> None:
    from click.testing import CliRunner

    from digest.cli import main

    result = CliRunner().invoke(main, ["build", "-c", str(sample_network), "--date", "2024-10-01", "--final", "-q"])
    assert result.exit_code == 0, result.output
    edition = sample_network.parent / "archive" / "2024-10-01"
    series = edition / "events" / "co-production-board-drop-in-2024-10-15.ics"
    assert series.read_bytes().count(b"BEGIN:VEVENT") == 4
    page = lxml_html.document_fromstring((edition / "index.html").read_bytes())
    links = page.xpath("//a[contains(@href, '.ics')]/@href")
    assert "https://digest.example.org/2024-10-01/events/co-production-board-drop-in-2024-10-15.ics" in links
    assert {h.rsplit("/", 1)[1] for h in links} == {p.name for p in (edition / "events").iterdir()}
