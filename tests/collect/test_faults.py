"""The fault matrix: each bad source, served over loopback, through build_edition.

Every case is built twice: first with a good feed (so the store has a last good copy), then
with the fault. The build must finish, name the source and the reason in the report, keep
using the last good copy when the fault leaves nothing new (stale), and stay within its
time budget. Then every case at once: the build takes about the slowest deadline, not the sum.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digest.collect.readers.registry import read
from digest.collect.store import Store
from digest.config.keys import Config
from digest.config.load import load_config
from digest.edition.pipeline import Edition, build_edition
from digest.model import Post
from tests.hardening import (
    EDITION,
    NOW,
    SHORT,
    Handler,
    LoopbackServer,
    closed_port,
    drip,
    endless,
    gzip_bomb,
    in_turn,
    posts,
    redirect,
    rss,
    send,
    stall,
    write_config,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "faults"
SECRET = "TOP-SECRET-0f9e8d"
Serve = Callable[[LoopbackServer, str, Path], str]  # (server, path prefix, tmp dir) -> the source's URL


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def at(handler: Callable[[], Handler]) -> Serve:
    """Serve a fresh handler at PREFIX/feed and return its URL."""
    def serve(server: LoopbackServer, prefix: str, tmp: Path) -> str:
        server[f"{prefix}/feed"] = handler()
        return server.url(f"{prefix}/feed")
    return serve


def body(data: bytes, **how: Any) -> Serve:
    """Serve these bytes (with send()'s status, headers, content_type)."""
    return at(lambda: send(data, **how))


def _refused(server: LoopbackServer, prefix: str, tmp: Path) -> str:
    return f"http://127.0.0.1:{closed_port()}/feed"


def _moved(status: int) -> Serve:
    def serve(server: LoopbackServer, prefix: str, tmp: Path) -> str:
        server[f"{prefix}/feed"] = redirect(f"{prefix}/new-feed", status)
        server[f"{prefix}/new-feed"] = send(rss(posts(2, prefix="Moved")))
        return server.url(f"{prefix}/feed")
    return serve


def _loop(server: LoopbackServer, prefix: str, tmp: Path) -> str:
    server[f"{prefix}/feed"] = redirect(f"{prefix}/again", 302)
    server[f"{prefix}/again"] = redirect(f"{prefix}/feed", 302)
    return server.url(f"{prefix}/feed")


def _web_page(server: LoopbackServer, prefix: str, tmp: Path) -> str:
    server[f"{prefix}/feed"] = send(fixture("web-page.html"), content_type="text/html; charset=utf-8")
    return server.url(f"{prefix}/feed")


def _xxe(server: LoopbackServer, prefix: str, tmp: Path) -> str:
    secret = tmp / "secret.txt"
    secret.write_text(SECRET)
    server[f"{prefix}/evil.dtd"] = send(f'<!ENTITY leak "{SECRET}">'.encode(), content_type="application/xml-dtd")
    data = (fixture("xxe.xml").replace(b"SECRET_PATH", str(secret).encode())
            .replace(b"EVIL_DTD_URL", server.url(f"{prefix}/evil.dtd").encode()))
    server[f"{prefix}/feed"] = send(data)
    return server.url(f"{prefix}/feed")


TEN_THOUSAND = rss(posts(10_000, prefix="Archive", step=timedelta(days=1)))


@dataclass(frozen=True)
class Case:
    """One row of the matrix: how to serve the fault, what the report must then say."""

    id: str
    serve: Serve
    status: str                  # the source's status in the faulty build
    says: tuple[str, ...] = ()   # report lines for this source, after "name: "; {base} is the server
    budget: float = 3.0          # seconds the faulty build may take (CPU time is shared on CI)
    new: tuple[str, ...] = ()    # titles the faulty build must bring in (beside the kept ones)
    found: int | None = None     # how many posts the store then holds for the member, when it matters
    alone: bool = True           # also built on its own (False: only in the all-at-once build)

    @property
    def name(self) -> str:
        return f"Member {self.id}"

    @property
    def kept(self) -> set[str]:
        """The titles of this member's last good copy."""
        return {f"Kept-{self.id} {i}" for i in range(3)}

    def serve_good(self, server: LoopbackServer) -> str:
        server[f"/good/{self.id}"] = send(rss(posts(3, prefix=f"Kept-{self.id}")))
        return server.url(f"/good/{self.id}")


CASES = [
    Case("refused", _refused, "stale", ("stale: 127.0.0.1 refused the connection: the site may be down; try again later",)),
    Case("dns", lambda *_: "http://nonexistent.invalid/feed", "stale",
         ("stale: the address nonexistent.invalid cannot be found (DNS): check the URL for typos, "
          "or whether the site has moved",)),
    Case("404", body(b"Not here", status=404), "stale",
         ("stale: not found (HTTP 404) at {base}/404/feed: the feed has moved or been removed — "
          "ask the member for its new address",)),
    Case("410", body(b"", status=410), "stale",
         ("stale: gone for good (HTTP 410) at {base}/410/feed: the member has removed this feed — "
          "remove or replace it in sources.toml",)),
    Case("500-twice", body(b"oops", status=500, headers={"Retry-After": "1"}), "stale",
         ("stale: the member's site had an error (HTTP 500), again after waiting 1 s as it asked; try again later",),
         budget=3.5),
    Case("503-then-ok", at(lambda: in_turn(send(b"busy", status=503, headers={"Retry-After": "1"}),
                                              send(rss(posts(1, prefix="Recovered"))))),
         "ok", budget=3.5, new=("Recovered 0",)),
    Case("read-timeout", at(stall), "stale",
         ("stale: 127.0.0.1 stopped sending for 1 s (read timeout): the site may be overloaded; try again later",),
         budget=3.5),
    Case("slow-drip", at(lambda: drip(0.2)), "stale",  # a byte every 0.2 s: no read ever times out
         ("stale: 127.0.0.1 took longer than 3 s in all (the per-source deadline): "
          "the site is very slow or never finished sending; try again later",), budget=5.5),
    Case("301", _moved(301), "ok", ("the feed has moved permanently: use {base}/301/new-feed in sources.toml",),
         new=("Moved 0",)),
    Case("308", _moved(308), "ok", ("the feed has moved permanently: use {base}/308/new-feed in sources.toml",),
         new=("Moved 0",)),
    Case("redirect-loop", _loop, "stale",
         ("stale: {base}/redirect-loop/feed redirects in a loop (more than 10 redirects): "
          "ask the member for their current feed address",)),
    Case("50-mb", at(lambda: endless(rss(posts(2, prefix="Huge"))[:-20], b"<!-- padding -->" * 4096, 50 << 20)),
         "ok", ("the feed is larger than 4 MB and was cut there; entries after that are missing",
                "the feed has XML errors (not well-formed (invalid token)); 2 entries were still read"),
         new=("Huge 0", "Huge 1"), budget=5),
    Case("gzip-bomb", body(gzip_bomb(64 << 20), headers={"Content-Encoding": "gzip"}), "stale",
         ("stale: not a readable feed (not well-formed (invalid token)): check the URL points at the RSS/Atom feed",
          "the feed is larger than 4 MB and was cut there; entries after that are missing")),
    Case("cp1252-labelled-utf8", body(fixture("windows-1252-labelled-utf-8.xml")), "ok",
         new=("Café “Cuppa” – naïve questions",)),
    Case("utf8-labelled-cp1252", body(fixture("utf-8-labelled-windows-1252.xml"),
                                      content_type="application/rss+xml; charset=windows-1252"), "ok",
         new=("Café “Cuppa” – naïve questions",)),
    Case("no-charset", body(fixture("windows-1252-no-charset.xml"), content_type="application/rss+xml"), "ok",
         new=("Café “Cuppa” – naïve questions",)),
    Case("utf16-bom", body(fixture("utf-16-bom.xml"), content_type="application/rss+xml"), "ok",
         new=("Café “Cuppa” – naïve questions",)),
    Case("web-page", _web_page, "stale",
         ("stale: this address is a web page, not a feed: use this URL instead: {base}/web-page/news/feed/",)),
    Case("empty", body(b""), "stale", ("stale: the source sent an empty body: the feed may be broken or moved",)),
    Case("billion-laughs", body(fixture("billion-laughs.xml")), "ok",
         ("the feed has XML errors (undefined entity); 1 entries were still read",), new=("Laughs &lol9;",)),
    Case("quadratic-blowup", body(fixture("quadratic-blowup.xml").replace(b"BIG_REFERENCES", b"&big;" * 20_000)),
         "ok", ("the feed has XML errors (undefined entity); 1 entries were still read",), new=("Big",)),
    Case("xxe", _xxe, "ok", ("the feed has XML errors (undefined entity); 2 entries were still read",),
         new=("Read this &xxe;", "An ordinary post after it")),
    Case("truncated", body(fixture("truncated.xml")), "ok",
         ("the feed has XML errors (no element found); 3 entries were still read",
          "skipped 'an untitled entry': it has no publication date"),
         new=("Whole post one", "Whole post two")),
    Case("no-title-link-date", body(fixture("missing-title-link-date.xml")), "ok",
         ("note: 1 posts have no date: each is dated when digest first saw it (1 new today)",),
         new=("Our volunteers met in Leeds to plan the winter programme…", "A post without a link", "(untitled)",
              "A post without a date")),
    Case("absurd-dates", body(fixture("absurd-dates.xml")), "ok",
         ("skipped 'From before the web': its date 1889-09-20 is not believable",
          "note: 1 post is dated in the future (e.g. 'From the far future', 2999-09-20), which is not believed: "
          "each is dated when digest first saw it",
          "note: 1 posts have no date: each is dated when digest first saw it (1 new today)"),
         new=("A believable post", "From the far future", "From a five-digit year")),
    # ~5 s of feedparser on 2 cores, so it is run once, in the all-at-once build below.
    # readers/bounds.py's MAX_ITEMS: the newest 500 are kept (and 3 stored before)
    Case("10000-entries", body(TEN_THOUSAND), "ok", budget=20.0, new=("Archive 0", "Archive 499"), found=503,
         alone=False),
]


def _config(tmp: Path, urls: dict[str, str]) -> Config:
    return load_config(write_config(tmp, urls))


def _lines(edition: Edition, case: Case) -> list[str]:
    return [p for p in edition.report.problems() if p.startswith(f"{case.name}: ")]


def _stored(config_path: Path, case: Case) -> set[str]:
    """Every title the store holds for this member (before sections dedupe across members)."""
    with Store.beside(config_path) as store:
        return {i.title for i in store.items(case.name)}


def _check(edition: Edition, config_path: Path, case: Case, seconds: float, base: str) -> None:
    """What every row promises: status, the report's words, nothing lost, the budget."""
    (report,) = [s for s in edition.report.sources if s.name == case.name]
    lines = _lines(edition, case)
    assert report.status == case.status, (report.status, report.reason, lines)
    assert len(lines) == len(set(lines)), f"said twice: {lines}"
    for said in case.says:
        assert f"{case.name}: {said.format(base=base)}" in lines
    if case.status == "stale":
        assert f"{case.name}: stale: {report.reason}" in lines
    titles = _stored(config_path, case)
    assert case.kept <= titles, "the last good copy's posts must still be there"
    assert set(case.new) <= titles, (case.new, titles)
    assert case.found is None or report.found == case.found
    assert seconds < case.budget, f"{case.id} took {seconds:.1f} s (budget {case.budget} s)"


SLOW_CASES = {"slow-drip", "50-mb", "503-then-ok", "500-twice", "read-timeout"}  # > 1 s each: they wait on real time


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.id in SLOW_CASES else [])
                                  for c in CASES if c.alone])
def test_fault(case: Case, server: LoopbackServer, tmp_path: Path) -> None:
    first = build_edition(_config(tmp_path, {case.name: case.serve_good(server)}), EDITION, limits=SHORT)
    assert [s.status for s in first.report.sources] == ["ok"]

    config = _config(tmp_path, {case.name: case.serve(server, f"/{case.id}", tmp_path)})
    started = time.perf_counter()
    edition = build_edition(config, EDITION, limits=SHORT)
    _check(edition, config.path, case, time.perf_counter() - started, server.url(""))
    assert case.kept <= {i.title for box in edition.sections for i in box.items}


def test_the_xxe_secret_and_the_external_dtd_are_never_read(server: LoopbackServer, tmp_path: Path) -> None:
    config = _config(tmp_path, {"Nosy": _xxe(server, "/xxe", tmp_path)})
    edition = build_edition(config, EDITION, limits=SHORT)
    posts_ = [i for box in edition.sections for i in box.items if isinstance(i, Post)]
    assert [p.title for p in posts_] == ["Read this &xxe;", "An ordinary post after it"]
    for output in (edition.html, edition.text, edition.mjml, repr(posts_)):
        assert SECRET not in output
    assert server.hits("/xxe/evil.dtd") == 0


def test_entity_expansion_stays_small(server: LoopbackServer, tmp_path: Path) -> None:
    """A 100 KB feed must not become megabytes of text (feedparser alone makes 7.6 MB of it)."""
    data = fixture("quadratic-blowup.xml").replace(b"BIG_REFERENCES", b"&big;" * 20_000)
    config = _config(tmp_path, {"Big": body(data)(server, "/big", tmp_path),
                                "Laughs": body(fixture("billion-laughs.xml"))(server, "/laughs", tmp_path)})
    started = time.perf_counter()
    edition = build_edition(config, EDITION, limits=SHORT)
    assert time.perf_counter() - started < 3
    assert "BIGBIG" not in edition.html and "lollol" not in edition.html


def test_a_first_build_with_a_dead_source_still_comes_out(server: LoopbackServer, tmp_path: Path) -> None:
    """No earlier copy to fall back on: the source is reported failed, the others are built."""
    server["/ok"] = send(rss(posts(2, prefix="Alive")))
    config = _config(tmp_path, {"Dead": f"http://127.0.0.1:{closed_port()}/feed", "Alive": server.url("/ok")})
    edition = build_edition(config, EDITION, limits=SHORT)
    assert {s.name: s.status for s in edition.report.sources} == {"Dead": "failed", "Alive": "ok"}
    assert "Dead: failed: 127.0.0.1 refused the connection: the site may be down; try again later" in edition.report.problems()
    assert [i.title for i in edition.sections[0].items] == ["Alive 0", "Alive 1"]


@pytest.mark.slow  # ~12 s: every fault served at once
def test_every_fault_at_once_takes_the_slowest_not_the_sum(server: LoopbackServer, tmp_path: Path) -> None:
    """All the rows in one sources.toml: one build, every source named, about one deadline long.

    Parsing comes after fetching and is CPU time, which the 10,000-entry feed dominates (~5 s
    on an idle 2-core machine, far more on a busy one): so the bound is the slowest deadline
    plus that feed's parse (ten times a tenth of it, timed here on the same machine), plus a
    few seconds.
    """
    tenth = rss(posts(1_000, prefix="Archive", step=timedelta(days=1)))
    started = time.perf_counter()
    read(tenth, source="alone", base_url=None, summary_length=280, tz=ZoneInfo("UTC"), window=(NOW, NOW))
    parsing_alone = 10 * (time.perf_counter() - started)
    build_edition(_config(tmp_path, {c.name: c.serve_good(server) for c in CASES}), EDITION, limits=SHORT)

    config = _config(tmp_path, {c.name: c.serve(server, f"/{c.id}", tmp_path) for c in CASES})
    started = time.perf_counter()
    edition = build_edition(config, EDITION, limits=SHORT)
    seconds = time.perf_counter() - started
    for case in CASES:
        _check(edition, config.path, case, 0, server.url(""))
    # Every fetch ran at once: the last one ended about one deadline after the start,
    # though one after another they take several deadlines.
    fetching = {s.name: s.seconds for s in edition.report.sources}
    assert max(fetching.values()) < SHORT.deadline + 1, fetching
    assert sum(fetching.values()) > 2 * SHORT.deadline
    # (at least 6 s for the parse: with the fast parse path the big feed alone takes ~2 s, and storing
    # its 10,000 items and the other faults' work then weigh as much, more so on a loaded machine)
    budget = SHORT.deadline + max(1.5 * parsing_alone, 6) + 4
    assert seconds < budget, f"{seconds:.1f} s (the big feed alone: {parsing_alone:.1f} s)"
