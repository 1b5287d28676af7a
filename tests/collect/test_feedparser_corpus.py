"""feedparser's own test corpus, served over loopback and read as digest reads a member's feed.

About 2,100 files (well-formed, ill-formed, odd encodings, entities): no exception may escape,
and no entry may be lost silently — each one feedparser finds is an item or counted as
skipped, and exactly the entries with a believable date, or with no date at all but something to
know them by (they are dated when first seen), become items.
"""

from __future__ import annotations

import asyncio
import calendar
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digest.collect.fetch import Request, fetch_all
from digest.collect.normalize import EARLIEST_YEAR
from digest.collect.readers.feed import parse_feed
from digest.collect.readers.registry import read
from tests.conftest import corpus
from tests.hardening import SHORT, LoopbackServer, send

pytestmark = pytest.mark.slow  # ~10 s: every file of feedparser's corpus

FOLDERS = ("wellformed", "illformed", "encoding", "entities")
WINDOW = (datetime(2024, 9, 1, tzinfo=UTC), datetime(2024, 10, 1, tzinfo=UTC))


def kept(entry: Any, now: datetime) -> bool:
    """Whether the reader keeps an entry: a believable date, or no date it can read and a title, link or id.

    A date in the future is kept as the feed gives it (collect dates it by first sight, collect/dating.py).
    """
    for key in ("published_parsed", "updated_parsed"):
        if parsed := dict.get(entry, key):
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).year >= EARLIEST_YEAR
            except (OverflowError, ValueError, OSError):
                break
    return bool(entry.get("id") or entry.get("link") or (entry.get("title") or "").strip())


def test_every_corpus_file_is_collected_and_no_entry_is_lost(server: LoopbackServer) -> None:
    root = corpus("feedparser", "tests")
    files = [path for folder in FOLDERS for path in sorted((root / folder).rglob("*")) if path.is_file()]
    assert len(files) > 2000
    requests = []
    for number, path in enumerate(files):
        url_path = "/" + path.relative_to(root).as_posix()
        server[url_path] = send(path.read_bytes(), content_type="application/xml")
        requests.append(Request(str(number), server.url(url_path)))
    # A few at a time: the server shares this process (and its GIL) with the client.
    fetched = asyncio.run(fetch_all(requests, limits=replace(SHORT, concurrency=4, per_host=4)))

    now = datetime.now(UTC)
    raised, lost, wrong = {}, {}, {}
    items = entries = 0
    for request, path in zip(requests, files, strict=True):
        result = fetched[request.name]
        assert result.status == "ok" and result.body == path.read_bytes(), path
        name = str(path.relative_to(root))
        try:
            read_result = read(result.body, source=name, base_url=result.final_url, summary_length=280,
                               tz=ZoneInfo("UTC"), window=WINDOW)
        except Exception as exc:  # noqa: BLE001 - collected, so one failure names them all
            raised[name] = repr(exc)
            continue
        found = parse_feed(result.body, result.final_url)[0].entries
        if len(read_result.items) + read_result.skipped != len(found):
            lost[name] = (len(found), len(read_result.items), read_result.skipped, read_result.problems[:2])
        if len(read_result.items) != sum(kept(e, now) for e in found):
            wrong[name] = (len(read_result.items), [dict.get(e, "published") for e in found])
        items += len(read_result.items)
        entries += len(found)
    assert raised == {}
    assert lost == {}
    assert wrong == {}
    assert entries > 1000 and items > 40  # the corpus was really read (most of its entries have no date)
