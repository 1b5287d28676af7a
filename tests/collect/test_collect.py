"""Collecting over real HTTP on loopback: conditional GET, no re-parse, stale fallback, concurrency."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from digest.collect.fetch import Limits
from digest.config.load import load_config
from digest.edition.pipeline import build_edition

RSS = ("""<?xml version="1.0"?><rss version="2.0"><channel><title>M</title><link>https://m.example.org/</link>"""
       """<description>d</description>\n<item><title>{title}</title><link>https://m.example.org/{slug}</link><guid>{slug}</guid>"""
       """<pubDate>Tue, 10 Sep 2024 10:00:00 GMT</pubDate><description>Body</description></item>\n</channel></rss>""")
EDITION = date(2024, 10, 1)
FAST = Limits(connect_timeout=2, read_timeout=2, deadline=5)


def write_config(folder: Path, urls: dict[str, str]) -> Path:
    sources = "".join(f'\n[[sources]]\nname = "{name}"\nurl = "{url}"\n' for name, url in urls.items())
    path = folder / "sources.toml"
    path.write_text('[newsletter]\ntitle = "T"\ntimezone = "Europe/London"\n\n'
                    f'[[sections]]\ntitle = "News"\nkind = "posts"\n{sources}')
    return path


def statuses(edition) -> dict[str, str]:
    return {s.name: s.status for s in edition.report.sources}


def test_etag_304_and_unchanged_body_not_parsed(httpserver: HTTPServer, tmp_path: Path) -> None:
    seen: list[dict[str, str | None]] = []

    def etag_feed(request: Request) -> Response:
        seen.append({"inm": request.headers.get("If-None-Match"), "ims": request.headers.get("If-Modified-Since")})
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(RSS.format(title="Hello", slug="a"), headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"})

    def lm_feed(request: Request) -> Response:
        if request.headers.get("If-Modified-Since") == "Tue, 10 Sep 2024 10:00:00 GMT":
            return Response(status=304)
        return Response(RSS.format(title="Dated", slug="b"), headers={"Last-Modified": "Tue, 10 Sep 2024 10:00:00 GMT"})

    def no_validators(request: Request) -> Response:
        return Response(RSS.format(title="Same", slug="c"))

    httpserver.expect_request("/etag").respond_with_handler(etag_feed)
    httpserver.expect_request("/lm").respond_with_handler(lm_feed)
    httpserver.expect_request("/plain").respond_with_handler(no_validators)
    config = load_config(write_config(tmp_path, {"E": httpserver.url_for("/etag"), "L": httpserver.url_for("/lm"),
                                                 "P": httpserver.url_for("/plain")}))

    first = build_edition(config, EDITION, limits=FAST)
    assert statuses(first) == {"E": "ok", "L": "ok", "P": "ok"}
    assert all(s.parsed for s in first.report.sources)

    second = build_edition(config, EDITION, limits=FAST)
    assert statuses(second) == {"E": "not modified", "L": "not modified", "P": "not modified"}
    assert not any(s.parsed for s in second.report.sources)
    assert seen[-1] == {"inm": '"v1"', "ims": None}
    assert sorted(i.title for i in second.sections[0].items) == ["Dated", "Hello", "Same"]


def test_failing_source_uses_last_good_copy(httpserver: HTTPServer, tmp_path: Path) -> None:
    state = {"up": True}

    def feed(request: Request) -> Response:
        if state["up"]:
            return Response(RSS.format(title="Kept", slug="k"))
        return Response("oops", status=500)

    httpserver.expect_request("/feed").respond_with_handler(feed)
    config = load_config(write_config(tmp_path, {"Member": httpserver.url_for("/feed")}))
    assert statuses(build_edition(config, EDITION, limits=FAST)) == {"Member": "ok"}

    state["up"] = False
    edition = build_edition(config, EDITION, limits=FAST)
    (report,) = edition.report.sources
    assert report.status == "stale"
    assert report.reason == "the member's site had an error (HTTP 500); try again later"
    assert [i.title for i in edition.sections[0].items] == ["Kept"]
    assert "Member: stale: the member's site had an error (HTTP 500); try again later" in edition.report.problems()


def test_posts_gone_from_the_feed_are_kept(httpserver: HTTPServer, tmp_path: Path) -> None:
    bodies = iter([RSS.format(title="First", slug="1"), RSS.format(title="Second", slug="2")])
    httpserver.expect_request("/feed").respond_with_handler(lambda r: Response(next(bodies)))
    config = load_config(write_config(tmp_path, {"M": httpserver.url_for("/feed")}))
    build_edition(config, EDITION, limits=FAST)
    edition = build_edition(config, EDITION, limits=FAST)
    assert sorted(i.title for i in edition.sections[0].items) == ["First", "Second"]


def _slow_members(count: int, delay: float) -> tuple[HTTPServer, dict[str, int]]:
    """A threaded loopback server with `count` slow feeds; records how many were in flight at once."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    lock = threading.Lock()
    active = {"now": 0, "max": 0}

    def slow(request: Request) -> Response:
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        time.sleep(delay)
        with lock:
            active["now"] -= 1
        return Response(RSS.format(title=request.path, slug=request.path.strip("/")))

    for n in range(count):
        server.expect_request(f"/m{n}").respond_with_handler(slow)
    return server, active


def _build_members(tmp_path: Path, server: HTTPServer, count: int, limits: Limits):
    config = load_config(write_config(tmp_path, {f"M{n}": server.url_for(f"/m{n}") for n in range(count)}))
    try:
        return build_edition(config, EDITION, limits=limits)
    finally:
        server.clear()
        server.stop()


def test_sources_are_fetched_concurrently(tmp_path: Path) -> None:
    """Six slow members: all in flight together, not one by one."""
    server, active = _slow_members(6, 0.4)
    edition = _build_members(tmp_path, server, 6, Limits(connect_timeout=2, read_timeout=2, deadline=5, per_host=6))
    assert set(statuses(edition).values()) == {"ok"}
    assert active["max"] == 6


@pytest.mark.slow  # ~1 s: waits on served latency
def test_per_host_limit_is_polite(tmp_path: Path) -> None:
    """The same members behind one host with the default per-host limit: never more than 2 at once."""
    server, active = _slow_members(6, 0.2)
    _build_members(tmp_path, server, 6, FAST)
    assert active["max"] == 2


def test_old_posts_are_counted_but_not_loaded(tmp_path: Path) -> None:
    from datetime import datetime

    from digest.collect.store import SourceState, Store
    from digest.model import Event, Post

    with Store(tmp_path / "store.sqlite") as store:
        old = Post(id="old", source="M", title="Old", url=None, published=datetime(2020, 1, 1, tzinfo=UTC))
        new = Post(id="new", source="M", title="New", url=None, published=datetime(2024, 9, 30, 23, 30, tzinfo=UTC))
        event = Event(id="ev", source="M", title="Past event", start=datetime(2019, 1, 1, tzinfo=UTC), end=None)
        store.save_parsed(SourceState(name="M", url="u"), [old, new, event])
        loaded = store.all_items(posts_since=datetime.fromisoformat("2024-10-01T00:00:00+01:00"))
        assert sorted(i.id for i in loaded["M"]) == ["ev", "new"]  # 23:30 UTC is after 00:00 BST
        assert store.counts() == {"M": 3}


def test_a_gzipped_body_stays_compressed_until_read(httpserver: HTTPServer, tmp_path: Path) -> None:
    """The body waits for its parse, and is stored, as it came (gzip); it reads as the plain body would,
    and a failing fetch the next day falls back to the stored (compressed) copy."""
    import gzip

    from digest.collect.store import Store

    plain = RSS.format(title="Zipped", slug="z").encode()
    wire = gzip.compress(plain)
    state = {"up": True}

    def feed(request: Request) -> Response:
        if not state["up"]:
            return Response("oops", status=500)
        return Response(wire, headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})

    httpserver.expect_request("/feed").respond_with_handler(feed)
    config = load_config(write_config(tmp_path, {"Z": httpserver.url_for("/feed")}))
    first = build_edition(config, EDITION, limits=FAST)
    assert statuses(first) == {"Z": "ok"} and [i.title for i in first.sections[0].items] == ["Zipped"]
    with Store.beside(config.path) as store:
        assert store.wire("Z") == (wire, "gzip")
        assert store.body("Z") == plain
        assert store.state("Z").body_hash == hashlib.sha256(plain).hexdigest()  # the same hash as a plain body's
    state["up"] = False
    config = load_config(write_config(tmp_path, {"Z": httpserver.url_for("/feed")}))
    second = build_edition(config, EDITION, limits=FAST)
    assert statuses(second) == {"Z": "stale"} and [i.title for i in second.sections[0].items] == ["Zipped"]
