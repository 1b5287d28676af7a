"""`digest sources add` over member websites on loopback, and a build that shows what was added.

The pages in tests/fixtures/pages/ were written for this project in the shape of what each
platform serves: a WordPress home page, a Wix home page with no <link> to its feed, an
Eventbrite-style organiser page with JSON-LD events, a The Events Calendar list page, a
council page with microdata events, and a page with nothing on it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from digest.config.load import load_config
from digest.sources.discover import PLATFORMS, _platform_url
from tests.conftest import ROOT
from tests.network import digest
from tests.sites import FIXTURES, Route, Site, page

NETWORK = """# A test network: members are added with `digest sources add`.
[newsletter]
title = "Sources Test Network"
timezone = "Europe/London"
language = "en-GB"

[[sections]]
title = "News"
kind = "posts"
days_back = 31

[[sections]]
title = "Coming up"
kind = "events"
days_ahead = 62
"""


@pytest.fixture
def sites() -> Iterator[Callable[[dict[str, Route]], Site]]:
    started: list[Site] = []

    def start(routes: dict[str, Route]) -> Site:
        started.append(Site(routes))
        return started[-1]

    yield start
    for site in started:
        site.close()


@pytest.fixture
def network(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(NETWORK, encoding="utf-8")
    return path


def wordpress(sites) -> Site:
    return sites({"/": page("wordpress-home.html"), "/feed/": page("wordpress-feed.xml"),
                  "/comments/feed/": (200, "application/rss+xml", "<rss version='2.0'><channel></channel></rss>")})


def wix(sites) -> Site:
    return sites({"/": page("wix-home.html"), "/blog-feed.xml": page("wix-blog-feed.xml")})


def eventbrite(sites) -> Site:
    return sites({"/o/co-pro-cuppas-123": page("eventbrite-organiser.html")})


def tribe(sites) -> Site:
    return sites({"/events/": page("tribe-events-list.html"), "/events/?ical=1": page("tribe-events.ics")})


def council(sites) -> Site:
    return sites({"/whats-on/": page("microdata-events.html")})


def add(network: Path, url: str, *args: str):
    return digest("sources", "add", url, "--yes", "--date", "2024-10-01", "-c", network, *args)


def sources_of(network: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(s.name, s.url, s.tags) for s in load_config(network).sources]


def test_wordpress_home_page_gives_its_advertised_feed_not_comments(sites, network: Path) -> None:
    site = wordpress(sites)
    result = add(network, site.base + "/")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:4] == [
        f"{site.base}/ (Hillside Carers)",
        "  built with: WordPress",
        f"  1. {site.base}/feed/",
        "     RSS 2.0, 2 posts, newest 2024-09-23 — advertised by the page",
    ]
    assert sources_of(network) == [("Hillside Carers", f"{site.base}/feed/", ())]
    assert "/comments/feed/" not in site.requests  # a comments feed is never offered
    assert "(tried" not in result.output  # what gave nothing is listed only with -v


def test_wix_home_page_without_link_gives_blog_feed_xml(sites, network: Path) -> None:
    site = wix(sites)
    result = add(network, site.base + "/", "--tags", "user-led,leeds")
    assert result.exit_code == 0, result.output
    assert "  built with: Wix" in result.output
    assert f"  1. {site.base}/blog-feed.xml\n     RSS 2.0, 1 post, newest 2024-09-17 — Wix feed address" in result.output
    assert sources_of(network) == [("Voices Together", f"{site.base}/blog-feed.xml", ("user-led", "leeds"))]


def test_eventbrite_organiser_page_is_its_own_source(sites, network: Path) -> None:
    site = eventbrite(sites)
    result = add(network, site.base + "/o/co-pro-cuppas-123", "--name", "Co-Pro Cuppas")
    assert result.exit_code == 0, result.output
    assert (f"  1. {site.base}/o/co-pro-cuppas-123\n"
            "     web page (schema.org), 2 events, next 2024-10-15 — the page's own schema.org data") in result.output
    assert sources_of(network) == [("Co-Pro Cuppas", f"{site.base}/o/co-pro-cuppas-123", ())]


def test_events_calendar_list_page_gives_its_ical_export(sites, network: Path) -> None:
    site = tribe(sites)
    result = add(network, site.base + "/events/", "-v")
    assert result.exit_code == 0, result.output
    assert "  built with: The Events Calendar, WordPress" in result.output
    assert (f"  1. {site.base}/events/?ical=1\n     iCalendar, 1 event, next 2024-10-17 — The Events Calendar feed address"
            in result.output)
    # the advertised /feed/ is missing on this site: tried and said so, not offered
    assert f"  (tried {site.base}/feed/ (advertised by the page): not found (HTTP 404)" in result.output
    assert sources_of(network) == [("Riverside Mind", f"{site.base}/events/?ical=1", ())]


def test_microdata_page_gives_events_and_news(sites, network: Path) -> None:
    site = council(sites)
    result = add(network, site.base + "/whats-on/", "--member", "Northgate Council")
    assert result.exit_code == 0, result.output
    assert ("web page (schema.org), 1 post, newest 2024-09-20, 2 events, next 2024-10-09 — "
            "the page's own schema.org data") in result.output
    assert sources_of(network) == [("Northgate Council", f"{site.base}/whats-on/", ())]
    assert "[[sources]] # Northgate Council: the page's own schema.org data\n" in network.read_text()


def test_page_with_nothing_names_what_was_tried(sites, network: Path) -> None:
    site = sites({"/": page("nothing.html")})
    before = network.read_text()
    result = add(network, site.base + "/")
    assert result.exit_code == 2
    assert result.output == (
        f"{site.base}/ (Friends of Elm Park)\n"
        f"Error: {site.base}/: found no feed, calendar or schema.org events or posts digest can read:\n"
        "  tried feeds the page advertises (<link rel=alternate>): it advertises none\n"
        "  tried platform feed addresses: the page shows none of The Events Calendar, WordPress, Wix, Squarespace, "
        "Blogger, Ghost, Substack, Medium\n"
        "  tried calendar links (.ics, webcal:): the page has none\n"
        f"  tried {site.base}/ (its schema.org data: JSON-LD, microdata, RDFa): no events or posts\n"
        "ask the member for their RSS, Atom or iCalendar address\n")
    assert network.read_text() == before


def test_page_that_cannot_be_fetched_is_one_line(sites, network: Path) -> None:
    site = sites({})
    result = add(network, site.base + "/gone/")
    assert result.exit_code == 2
    assert result.output == (f"Error: {site.base}/gone/: not found (HTTP 404) at {site.base}/gone/: the feed has moved "
                             "or been removed — ask the member for its new address\n")


def test_feed_address_given_directly_is_added(sites, network: Path) -> None:
    site = wordpress(sites)
    result = add(network, site.base + "/feed/")
    assert result.exit_code == 0, result.output
    assert "     RSS 2.0, 2 posts, newest 2024-09-23 — the address itself" in result.output


def test_the_same_address_is_not_added_twice(sites, network: Path) -> None:
    site = wix(sites)
    assert add(network, site.base + "/").exit_code == 0
    again = add(network, site.base + "/")
    assert again.exit_code == 0
    assert f"not added: {site.base}/blog-feed.xml is already in sources.toml as 'Voices Together'" in again.output
    assert len(sources_of(network)) == 1


def test_several_found_each_named_for_what_it_is(sites, network: Path) -> None:
    site = sites({"/": (200, "text/html", '<html><head><title>Riverside Mind | Home</title>'
                        '<link rel="alternate" type="application/rss+xml" href="/feed/"></head>'
                        '<body><a href="/events.ics">Subscribe to our calendar</a></body></html>'),
                  "/feed/": page("wordpress-feed.xml"), "/events.ics": page("tribe-events.ics")})
    result = add(network, site.base + "/")
    assert result.exit_code == 0, result.output
    assert "     iCalendar, 1 event, next 2024-10-17 — calendar link on the page" in result.output
    assert sources_of(network) == [("Riverside Mind news", f"{site.base}/feed/", ()),
                                   ("Riverside Mind events", f"{site.base}/events.ics", ())]


def test_webcal_links_are_read_as_https() -> None:
    from digest.sources.discover import calendar_links

    body = b'<html><body><a href="webcal://cal.example.org/team.ics">Add</a><a href="/x?ical=1">Export</a></body></html>'
    assert calendar_links(body, "https://example.org/events/") == [
        "https://cal.example.org/team.ics", "https://example.org/x?ical=1"]


def test_choosing_on_a_terminal(sites, network: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from digest.cli import main

    monkeypatch.setattr("digest.commands.sources._interactive", lambda: True)
    site = council(sites)
    tribe_site = tribe(sites)
    result = CliRunner().invoke(main, ["sources", "add", tribe_site.base + "/events/", "--date", "2024-10-01",
                                       "-c", str(network)], input="none\n")
    assert result.exit_code == 0, result.output
    assert "Add which? (numbers, 'all' or 'none') [1]: none" in result.output
    assert "nothing added" in result.output
    result = CliRunner().invoke(main, ["sources", "add", site.base + "/whats-on/", "--date", "2024-10-01",
                                       "-c", str(network)], input="\n")
    assert result.exit_code == 0, result.output
    assert [s[0] for s in sources_of(network)] == ["Northgate Council Involvement Team"]


def test_not_a_terminal_and_no_yes_adds_nothing(sites, network: Path) -> None:
    site = wix(sites)
    result = digest("sources", "add", site.base + "/", "-c", network)
    assert result.exit_code == 2
    assert result.output.endswith("Error: nothing added: not a terminal to ask on — pass --yes to add all 1\n")
    assert sources_of(network) == []


# -- every platform `sources add` recognises, each by what its pages show ------------------------

PLATFORM_PAGES = {
    "WordPress": ('<meta name="generator" content="WordPress 6.6.2" />', "/feed/"),
    "The Events Calendar": ('<meta name="generator" content="The Events Calendar 6.6.4" />', "/events/?ical=1"),
    "Wix": ('<meta name="generator" content="Wix.com Website Builder"/>', "/blog-feed.xml"),
    "Squarespace": ("<!-- This is Squarespace. --><script src='https://static1.squarespace.com/s.js'></script>",
                    "/?format=rss"),
    "Blogger": ("<meta content='blogger' name='generator'/>", "/feeds/posts/default"),
    "Ghost": ('<meta name="generator" content="Ghost 5.96">', "/rss/"),
    "Substack": ('<link rel="preconnect" href="https://substackcdn.com">', "/feed"),
    "Medium": ('<script src="https://cdn-client.medium.com/lite/static/js/main.js"></script>', "/feed"),
}


@pytest.mark.parametrize("platform", PLATFORM_PAGES)
def test_platform_feed_address_found_from_what_the_page_shows(platform: str, sites, network: Path) -> None:
    sign, path = PLATFORM_PAGES[platform]
    routes = {"/": (200, "text/html", f"<!DOCTYPE html><html><head><title>Member</title>{sign}</head><body></body></html>"),
              path: page("tribe-events.ics" if "ical" in path else "wix-blog-feed.xml")}
    site = sites(routes)
    result = add(network, site.base + "/")
    assert result.exit_code == 0, result.output
    assert f"  built with: {platform}" in result.output.replace("The Events Calendar, ", "The Events Calendar\n")
    assert sources_of(network) == [("Member", site.base + path, ())]


def test_medium_and_hosted_platforms_by_address() -> None:
    medium = next(p for p in PLATFORMS if p.name == "Medium")
    assert _platform_url(medium, "https://medium.com/@coproduction", "/feed") == "https://medium.com/feed/@coproduction"
    blogger = next(p for p in PLATFORMS if p.name == "Blogger")
    assert _platform_url(blogger, "https://voices.blogspot.com/2024/", "/feeds/posts/default") == \
        "https://voices.blogspot.com/feeds/posts/default"


# -- sources.toml keeps every comment and blank line (golden) ------------------------------------

def test_add_keeps_every_comment_and_blank_line(sites, tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    shutil.copy(ROOT / "sources.toml", config)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    before = config.read_text(encoding="utf-8")
    site = council(sites)
    result = add(config, site.base + "/whats-on/", "--member", "Northgate Council", "--tags", "council")
    assert result.exit_code == 0, result.output
    after = config.read_text(encoding="utf-8")
    assert after.startswith(before)  # nothing before it moved, not one comment or blank line
    golden = FIXTURES / "sources-added.golden.toml"
    assert after[len(before):].replace(site.base, "{base}") == golden.read_text(encoding="utf-8")
    assert sources_of(config)[-1] == ("Northgate Council", f"{site.base}/whats-on/", ("council",))


# -- a build shows what was added, at the right times ---------------------------------------------

def test_build_shows_the_added_members_events_and_posts(sites, network: Path) -> None:
    members = [wordpress(sites).base + "/", wix(sites).base + "/", eventbrite(sites).base + "/o/co-pro-cuppas-123",
               tribe(sites).base + "/events/", council(sites).base + "/whats-on/"]
    for url in members:
        assert add(network, url).exit_code == 0
    assert len(sources_of(network)) == 5
    out = network.parent / "out"
    result = digest("build", "-c", network, "--date", "2024-10-01", "--out", out)
    assert result.exit_code == 0, result.output
    text = " ".join((out / "newsletter.txt").read_text(encoding="utf-8").split())  # lines are wrapped at 78
    for line in (
        "Our autumn walk",  # WordPress, 23 September
        "Our new peer group",  # Wix, 17 September
        "A new lived-experience panel",  # microdata NewsArticle, 20 September
        "Co-Pro Cuppa: October",
        "Tuesday 15 October 2024, 14:00–15:30",  # JSON-LD with +01:00
        "Co-production 101 (online)",
        "Tuesday 22 October 2024, 10:00–12:00",
        "Wellbeing evening",
        "Thursday 17 October 2024, 18:30–20:00",  # The Events Calendar's ?ical=1
        "Involvement forum",
        "Wednesday 9 October 2024, 18:00–19:30",  # microdata without an offset: London time
        "Monday 28 – Tuesday 29 October 2024",  # an all-day event over two days
    ):
        assert line in text, line
    assert "Summer picnic" not in text  # cancelled on the page
    assert "Carers Week round-up" not in text  # June: outside the 31 days before the edition
    assert "Co-production 101 (online) When: Tuesday 22 October 2024, 10:00–12:00 Where: Online" in text  # an event card
    assert "The Old Library, 14 Mill Lane, Leeds, LS1 4AB" in text
    assert ("Northgate Council Involvement Team: note: 2 dates on the page give no UTC offset and were read as "
            "Europe/London time (e.g. '2024-10-09T18:00')") in result.output
    assert "Co-Pro Cuppas: note: left out 'Summer picnic': the page says it is cancelled" in result.output


def test_build_of_a_page_with_nothing_fails_that_member_only(sites, network: Path) -> None:
    empty, good = sites({"/": page("nothing.html")}), wix(sites)
    network.write_text(network.read_text() + f'\n[[sources]]\nname = "Elm Park"\nurl = "{empty.base}/"\n'
                       f'\n[[sources]]\nname = "Voices"\nurl = "{good.base}/blog-feed.xml"\n')
    result = digest("build", "-c", network, "--date", "2024-10-01", "--out", network.parent / "out")
    assert result.exit_code == 0, result.output
    assert ("Elm Park: failed: this web page has no feed and no events or posts digest can read: tried the feeds it "
            "advertises (<link rel=alternate>) and its schema.org data (JSON-LD, microdata, RDFa) — run `digest sources "
            "add` on the member's home page, or ask the member for an RSS, Atom or iCalendar address") in result.output
    assert "Our new peer group" in (network.parent / "out" / "newsletter.txt").read_text()


@pytest.mark.parametrize(("head", "url", "name"), [
    ('<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "Site"}, '
     '{"@type": "NGO", "name": "Hillside  Carers"}]}</script><title>Home | Whatever</title>',
     "https://h.example/", "Hillside Carers"),
    ('<meta property="og:site_name" content="Voices Together"><title>Blog | VT</title>',
     "https://v.example/blog", "Voices Together"),
    ("<title>Events – Riverside Mind</title>", "https://r.example/events/", "Riverside Mind"),
    ("<title>Riverside Mind – Mental health in the valley</title>", "https://r.example/", "Riverside Mind"),
    ("<title></title>", "https://r.example/", ""),
])
def test_the_member_is_named_from_the_page(head: str, url: str, name: str) -> None:
    from digest.sources.discover import page_title

    assert page_title(f"<!DOCTYPE html><html><head>{head}</head><body></body></html>".encode(), url) == name


def test_sources_not_last_in_the_file_stay_where_they_are(tmp_path: Path) -> None:
    from digest.sources.edit import NewSource, add_sources

    config = tmp_path / "sources.toml"
    before = ('[newsletter]\ntitle = "T"\n\n[[sources]]\nname = "A"\nurl = "https://a.example/feed"\n\n'
              '[[sections]]   # sections after the sources\ntitle = "News"\nkind = "posts"\n# the end, no newline')
    config.write_text(before, encoding="utf-8")
    added, refused = add_sources(config, [NewSource("B", "https://b.example/feed", ("x",), "B: advertised by the page"),
                                          NewSource("A", "https://c.example/\"quoted\"", ()),
                                          NewSource("Again", "https://a.example/feed")])
    assert [s.name for s in added] == ["B", "A (2)"]
    assert refused == ["https://a.example/feed is already in sources.toml as 'A'"]
    assert config.read_text(encoding="utf-8") == before + (
        '\n\n[[sources]] # B: advertised by the page\nname = "B"\nurl = "https://b.example/feed"\ntags = ["x"]\n'
        '\n[[sources]]\nname = "A (2)"\nurl = "https://c.example/\\"quoted\\""\n')
    assert [s.name for s in load_config(config).sources] == ["A", "B", "A (2)"]


def test_a_feed_that_moved_for_good_is_added_at_its_new_address(sites, network: Path) -> None:
    site = sites({"/": (200, "text/html", '<html><head><title>Moved Member</title><link rel="alternate" '
                        'type="application/rss+xml" href="/old-feed"></head></html>'),
                  "/old-feed": (301, "text/plain", "{base}/new-feed"), "/new-feed": page("wordpress-feed.xml")})
    result = add(network, site.base + "/")
    assert result.exit_code == 0, result.output
    assert sources_of(network) == [("Moved Member", f"{site.base}/new-feed", ())]
