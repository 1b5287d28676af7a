"""Collect's steps one at a time: plan → download → save (parse beside them), and what each hands the next.

tests/collect/test_collect.py drives the whole stage over HTTP; these hold each step to its own
contract, at the boundaries the split made: what the plan says before anything is fetched, what
download returns offline and online, how save settles each outcome, and where parsing runs.
"""

from __future__ import annotations

import ast
import threading
from concurrent.futures import BrokenExecutor, Executor, Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.collect.download import download
from digest.collect.fetch import DEFAULT_LIMITS, FetchResult, Limits
from digest.collect.network import Network
from digest.collect.parse import ParseJob, Parsing, parse_all, parse_job
from digest.collect.plan import parsed_key, plan
from digest.collect.report import SourceReport
from digest.collect.run import collect
from digest.collect.save import save, settle
from digest.collect.store import Store
from digest.config.load import load_config
from tests.conftest import ROOT

WINDOW = (datetime(2024, 10, 1, tzinfo=UTC), datetime(2024, 12, 1, tzinfo=UTC))
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>M</title><link>https://m.example.org/</link>'
       b"<item><title>{title}</title><link>https://m.example.org/a</link><guid>a</guid>"
       b"<pubDate>Tue, 10 Sep 2024 10:00:00 GMT</pubDate><description>Body</description></item></channel></rss>")


def feed(title: str = "Hello") -> bytes:
    return RSS.replace(b"{title}", title.encode())


@pytest.fixture
def network_of_files(tmp_path: Path) -> Path:
    """Two members whose feeds are local files, and a posts section: sources.toml's path."""
    (tmp_path / "a.xml").write_bytes(feed("From A"))
    (tmp_path / "b.xml").write_bytes(feed("From B"))
    path = tmp_path / "sources.toml"
    path.write_text('[newsletter]\ntitle = "T"\ntimezone = "Europe/London"\n\n[[sections]]\ntitle = "News"\nkind = "posts"\n'
                    'days_back = 400\n\n[[sources]]\nname = "A"\nurl = "a.xml"\n\n[[sources]]\nname = "B"\nurl = "b.xml"\n')
    return path


def test_the_plan_knows_what_is_stored_before_anything_is_fetched(network_of_files: Path) -> None:
    config = load_config(network_of_files)
    with Store.beside(config.path) as store:
        first = plan(config, store, WINDOW, refetch=True)
        assert (first.never_parsed(), [r.name for r in first.requests()]) == (2, ["A", "B"])
        assert all(r.path is not None and r.etag is None for r in first.requests())  # files, nothing to be conditional on
        collect(config, store, WINDOW)
        second = plan(config, store, WINDOW, refetch=True)
        assert second.never_parsed() == 0
        assert all(r.etag and r.etag.startswith("file:") for r in second.requests())  # size+mtime as validators
        assert plan(config, store, WINDOW, refetch=False).requests() == []


def test_only_a_calendar_is_parsed_again_for_another_window(network_of_files: Path) -> None:
    config = load_config(network_of_files)
    later = (datetime(2024, 11, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))
    assert parsed_key("feed", "h", config, WINDOW) == parsed_key("feed", "h", config, later)
    assert parsed_key("ical", "h", config, WINDOW) != parsed_key("ical", "h", config, later)
    assert parsed_key("feed", "h", config, WINDOW) != parsed_key("feed", "other body", config, WINDOW)


def test_download_offline_takes_every_source_as_unchanged_without_a_loop(network_of_files: Path) -> None:
    config = load_config(network_of_files)
    with Store.beside(config.path) as store, Network() as network:
        fetched = download(plan(config, store, WINDOW, refetch=False), network, DEFAULT_LIMITS, Parsing())
        assert {n: r.status for n, r in fetched.items()} == {"A": "not-modified", "B": "not-modified"}
        assert network.runs == 0


class Recorder(Executor):
    """An executor that runs each job at once, here, and remembers which sources it was given."""

    def __init__(self) -> None:
        self.sources: list[str] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.sources.append(args[0].source)
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_download_starts_parsing_a_changed_body_as_it_arrives(network_of_files: Path) -> None:
    config = load_config(network_of_files)
    pool = Recorder()
    seen: list[str] = []
    with Store.beside(config.path) as store, Network() as network:
        parsing = Parsing(pool)
        fetched = download(plan(config, store, WINDOW, refetch=True), network, DEFAULT_LIMITS, parsing,
                           on_done=lambda r: seen.append(r.name))
    assert sorted(seen) == ["A", "B"] and sorted(pool.sources) == ["A", "B"]  # started during the download
    results = list(parsing.results({n: ParseJob(r.wire or b"", n, None, 280, "UTC", WINDOW) for n, r in fetched.items()}))
    assert [r.items[0].title for r in results] == ["From A", "From B"]
    assert sorted(pool.sources) == ["A", "B"], "the bodies started early are not submitted twice"


def test_save_settles_each_outcome(network_of_files: Path) -> None:
    config = load_config(network_of_files)
    with Store.beside(config.path) as store:
        collect(config, store, WINDOW)
        planned = plan(config, store, WINDOW, refetch=True)
        a, b = config.sources
        report = SourceReport("A", "")
        assert settle(planned, store, a, FetchResult("A", "not-modified"), report, DEFAULT_LIMITS) is None
        assert report.status == "not modified"
        report = SourceReport("B", "")
        failed = FetchResult("B", "failed", error="b.example.org refused the connection")
        assert settle(planned, store, b, failed, report, DEFAULT_LIMITS) is None
        assert (report.status, report.reason) == ("stale", "b.example.org refused the connection")
        changed = FetchResult("A", "ok", wire=feed("Changed"), sha256="0" * 64, truncated=True)
        report = SourceReport("A", "")
        pending = settle(planned, store, a, changed, report, Limits(max_bytes=1024))
        assert pending is not None and pending.job.body == feed("Changed") and pending.state.body == feed("Changed")
        assert report.problems == ["the feed is larger than 1 KB and was cut there; entries after that are missing"]


def test_save_with_nothing_stored_and_nothing_fetched_says_so(network_of_files: Path) -> None:
    config = load_config(network_of_files)
    with Store.beside(config.path) as store:
        planned = plan(config, store, WINDOW, refetch=False)
        fetched = {s.name: FetchResult(s.name, "not-modified") for s in config.sources}
        reports = save(planned, store, fetched, Parsing(), DEFAULT_LIMITS)
    assert [(r.status, r.reason) for r in reports] == [("failed", "nothing stored yet: run a build with fetching on")] * 2


def test_save_lets_each_body_go_once_stored(network_of_files: Path) -> None:
    config = load_config(network_of_files)
    with Store.beside(config.path) as store:
        planned = plan(config, store, WINDOW, refetch=True)
        fetched = {s.name: FetchResult(s.name, "ok", wire=feed(s.name), sha256=s.name * 64) for s in config.sources}
        reports = save(planned, store, fetched, Parsing(), DEFAULT_LIMITS)
        assert [(r.status, r.parsed, r.format) for r in reports] == [("ok", True, "RSS 2.0")] * 2
        assert all(r.wire is None for r in fetched.values())
        assert {s: [i.title for i in items] for s, items in store.all_items().items()} == {"A": ["A"], "B": ["B"]}


def test_a_broken_pool_falls_back_to_parsing_here() -> None:
    class Broken(Executor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            future: Future[Any] = Future()
            future.set_exception(BrokenExecutor("a worker was killed"))
            return future

    jobs = [ParseJob(feed(t), t, None, 280, "UTC", WINDOW) for t in ("One", "Two", "Three")]
    results = list(parse_all(list(jobs), Broken()))
    assert [r.items[0].title for r in results] == ["One", "Two", "Three"]
    assert parse_job(jobs[0]) == results[0]


def test_a_pool_is_asked_for_with_the_count_known_at_each_point(network_of_files: Path) -> None:
    config = load_config(network_of_files)
    asked: list[int] = []
    with Store.beside(config.path) as store:
        collect(config, store, WINDOW, pool=lambda n: asked.append(n) or None)
        (config.path.parent / "a.xml").write_bytes(feed("A again"))
        collect(config, store, WINDOW, pool=lambda n: asked.append(n) or None)
    assert asked == [2, 2, 0, 1]  # cold: both before and after fetching; warm: none before, the one changed after


def test_the_network_is_one_loop_and_one_client_and_leaves_no_thread() -> None:
    async def loop_id() -> int:
        import asyncio

        return id(asyncio.get_running_loop())

    threads = threading.active_count()
    with Network() as network:
        client = network.client()
        first, second = network.run(loop_id()), network.run(loop_id())
        assert first == second and network.client() is client
        assert threading.active_count() == threads, "forking a parse pool between runs needs a single thread"
    assert network.runs == 3  # the two, and closing the client


def test_collect_never_imports_the_edition() -> None:
    found = []
    for path in (ROOT / "digest" / "collect").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names if n.startswith("digest.edition")]
    assert found == []
