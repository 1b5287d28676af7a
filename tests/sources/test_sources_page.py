"""The page reader: schema.org Events and articles wherever a page keeps them, sanitised like any feed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from digest.collect.readers.registry import detect, read
from digest.model import Event, Image, Post

LONDON = ZoneInfo("Europe/London")
WINDOW = (datetime(2024, 10, 1, tzinfo=LONDON), datetime(2024, 12, 1, tzinfo=LONDON))
BASE = "https://member.example.org/whats-on/"


def read_page(html: str):
    body = html.encode()
    assert detect(body) == "html"
    return read(body, source="Member", base_url=BASE, summary_length=280, tz=LONDON, window=WINDOW)


def json_ld(data: object) -> str:
    text = json.dumps(data).replace("</", "<\\/")  # as pages write it, so "</script>" in a value stays in the value
    return (f'<!DOCTYPE html><html><head><title>t</title><script type="application/ld+json">{text}'
            "</script></head><body></body></html>")


def test_graph_with_posts_and_an_item_list() -> None:
    result = read_page(json_ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Member"},
        {"@type": "BlogPosting", "headline": "Graph post", "url": "/blog/graph", "datePublished": "2024-09-20T09:00:00+01:00",
         "description": "From the <b>graph</b>", "image": {"@type": "ImageObject", "url": "/img/a.jpg", "caption": "A walk"},
         "keywords": "walks, carers"},
        {"@type": "ItemList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "item": {"@type": "NewsArticle", "headline": "Listed news",
                                                          "mainEntityOfPage": {"@id": "https://member.example.org/news/1"},
                                                          "datePublished": "2024-09-18"}}]},
    ]}))
    assert result.problems == []
    graph, listed = result.items
    assert isinstance(graph, Post) and isinstance(listed, Post)
    assert (graph.title, graph.url, graph.published) == (
        "Graph post", "https://member.example.org/blog/graph", datetime(2024, 9, 20, 8, tzinfo=UTC))
    assert graph.summary_html == "From the &lt;b&gt;graph&lt;/b&gt;"  # a description is text, kept as text
    assert (graph.image.url, graph.image.alt) == ("https://member.example.org/img/a.jpg", "A walk")
    assert graph.categories == ("walks", "carers")
    assert (listed.url, listed.published) == ("https://member.example.org/news/1", datetime(2024, 9, 17, 23, tzinfo=UTC))


def test_event_statuses_and_places() -> None:
    events = [
        {"@type": "Event", "name": "Put back", "startDate": "2024-10-10T10:00:00Z",
         "eventStatus": "https://schema.org/EventPostponed"},
        {"@type": "MusicEvent", "name": "Both ways", "startDate": "2024-10-11T19:00:00+01:00",
         "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
         "location": [{"@type": "Place", "name": "Hall"}, {"@type": "VirtualLocation", "url": "https://zoom.example"}]},
        {"@type": "Event", "name": "Moved", "startDate": "2024-10-12T10:00:00+01:00",
         "eventStatus": "EventMovedOnline", "location": {"@type": "Place", "name": "Old room"}},
        {"@type": "Event", "name": "Off", "startDate": "2024-10-13T10:00:00+01:00", "eventStatus": "EventCancelled"},
        {"@type": "Event", "name": "No start"},
        {"@type": "Festival", "name": "Week", "startDate": "2024-10-21", "endDate": "2024-10-25",
         "location": "Across Leeds",
         "image": [{"@type": "ImageObject", "url": "/img/week.jpg", "caption": "Banners in the square"}]},
    ]
    result = read_page(json_ld({"@context": "https://schema.org", "@type": "ItemList",
                                "itemListElement": [{"@type": "ListItem", "item": e} for e in events]}))
    by_title = {e.title: e for e in result.items}
    assert list(by_title) == ["Postponed: Put back", "Both ways", "Moved", "Week"]
    assert by_title["Week"].image == Image("https://member.example.org/img/week.jpg", "Banners in the square")
    assert by_title["Moved"].image is None
    assert by_title["Both ways"].location == "Hall and online"
    assert by_title["Moved"].location == "Online"
    week = by_title["Week"]
    assert isinstance(week, Event) and week.all_day
    assert (week.start, week.end, week.location) == (date(2024, 10, 21), date(2024, 10, 26), "Across Leeds")
    assert result.skipped == 1
    assert result.problems == ["note: left out 'Off': the page says it is cancelled",
                               "skipped 'No start': it has no start date (startDate) digest can read"]


def test_times_without_offset_are_the_newsletters_with_a_note() -> None:
    result = read_page(json_ld({"@type": "Event", "name": "Cuppa", "startDate": "2024-10-29T14:00",
                                "endDate": "2024-10-29T15:00"}))
    (event,) = result.items
    assert event.start == datetime(2024, 10, 29, 14, tzinfo=LONDON)  # GMT by then: 14:00 UTC
    assert event.start.astimezone(UTC).hour == 14
    assert result.problems == ["note: 2 dates on the page give no UTC offset and were read as Europe/London time "
                               "(e.g. '2024-10-29T14:00')"]


def test_rdfa_events() -> None:
    result = read_page("""<!DOCTYPE html><html><head><title>t</title></head><body vocab="https://schema.org/">
      <div typeof="Event"><a property="url" href="/e/rdfa"><span property="name">RDFa forum</span></a>
        <span property="startDate" content="2024-10-20T10:00:00+01:00">20 Oct</span>
        <div property="location" typeof="Place"><span property="name">Room 4</span></div></div></body></html>""")
    (event,) = result.items
    assert (event.title, event.url, event.location) == ("RDFa forum", "https://member.example.org/e/rdfa", "Room 4")
    assert event.start == datetime(2024, 10, 20, 9, tzinfo=UTC)


def test_same_event_in_json_ld_and_microdata_is_one() -> None:
    html = json_ld({"@type": "Event", "name": "Twice", "url": "/e/1", "startDate": "2024-10-20T10:00:00+01:00"}).replace(
        "<body>", '<body><div itemscope itemtype="https://schema.org/Event"><a itemprop="url" href="/e/1">'
                  '<span itemprop="name">Twice</span></a><meta itemprop="startDate" content="2024-10-20T10:00:00+01:00"></div>')
    assert [e.title for e in read_page(html).items] == ["Twice"]


def test_page_content_is_sanitised() -> None:
    result = read_page(json_ld([{"@type": "Event", "name": "<img src=x onerror=alert(1)>Party *|UNSUB|*",
                                 "url": "javascript:alert(1)", "startDate": "2024-10-20T10:00:00+01:00",
                                 "description": "<script>alert(1)</script>Come along"}]))
    (event,) = result.items
    assert event.title == "Party *\u200b|UNSUB|\u200b*"  # the merge tag defused, the <img> gone
    assert event.url is None
    assert event.summary_html == "<p>Come along</p>"


def test_broken_or_hostile_data_is_not_a_crash() -> None:
    deep: dict = {"@type": "Thing"}
    for _ in range(200):
        deep = {"@type": "Thing", "about": deep}
    html = json_ld(deep).replace("</head>", '<script type="application/ld+json">{not json</script></head>')
    result = read_page(html)
    assert result.items == []
    assert result.problems[0].startswith("this web page has no feed and no events or posts digest can read")
    assert ("(1 JSON-LD block, 1 JSON-LD block nested more than 64 levels deep could not be read)"
            in result.problems[0])


def test_one_broken_json_ld_block_does_not_hide_the_others() -> None:
    html = json_ld({"@type": "Event", "name": "Still here", "startDate": "2024-10-20T10:00:00+01:00"})
    result = read_page(html.replace("</head>", '<script type="application/ld+json">{not json</script></head>'))
    assert [e.title for e in result.items] == ["Still here"]


def test_page_with_a_feed_but_no_data_points_at_the_feed() -> None:
    result = read_page('<html><head><link rel="alternate" type="application/rss+xml" href="/feed/"></head></html>')
    assert result.problems == ["this address is a web page, not a feed: use this URL instead: https://member.example.org/feed/"]


def test_undated_article_is_listed_for_first_seen() -> None:
    result = read_page(json_ld({"@type": "Article", "headline": "Timeless", "url": "/a/timeless"}))
    (post,) = result.items
    assert result.undated == [post.id]
    assert abs(post.published - datetime.now(UTC)) < timedelta(minutes=1)


def test_reading_a_page_makes_no_network_request(monkeypatch) -> None:
    import socket

    asked: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        asked.append(args)
        raise OSError("no network in a build")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = read_page("""<!DOCTYPE html><html version="XHTML+RDFa 1.1" prefix="ev: https://schema.org/">
      <head profile="https://example.org/profile"><title>t</title>
      <link rel="profile" href="https://example.org/rdfa-profile"></head>
      <body vocab="https://schema.org/"><div typeof="Event"><span property="name">Remote vocab</span>
      <span property="startDate" content="2024-10-20T10:00:00+01:00"></span></div></body></html>""")
    assert [e.title for e in result.items] == ["Remote vocab"]
    assert asked == []
