"""Nothing lost: the store survives being killed mid-build, two builds at once, and damage.

The kill and concurrency tests run the real `digest build` in a subprocess against a slow
loopback network whose feeds grow on every fetch, so each run has something new to save.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from digest.collect.store import SCHEMA_VERSION, SourceState, Store
from digest.exceptions import StoreError
from digest.model import Post
from tests.hardening import NOW, LoopbackServer, posts, rss, send, write_config

MEMBERS = 8  # the size at which a build starts its parse pool (build.POOL_MIN_SOURCES)


def growing(prefix: str, delay: float):
    """A slow feed that has one more post each time it is fetched."""
    count = [0]

    def handler(req) -> None:  # type: ignore[no-untyped-def]
        count[0] += 1
        time.sleep(delay)
        body = rss(posts(count[0] + 1, prefix=prefix))
        req.send_response(200)
        req.send_header("Content-Type", "application/rss+xml")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    return handler


def network(server: LoopbackServer, folder: Path) -> Path:
    sources = {}
    for n in range(MEMBERS):
        server[f"/m{n}"] = growing(f"M{n}", delay=0.05 + 0.02 * n)
        sources[f"Member {n}"] = server.url(f"/m{n}")
    return write_config(folder, sources)


def digest_build(config: Path, out: Path) -> subprocess.Popen[bytes]:
    """`digest build` in its own process group, so a kill reaches the parse pool too."""
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "build", "--config", str(config), "--date", "2024-10-01", "--out", str(out), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def store_file(config: Path) -> Path:
    return config.parent / ".digest" / "store.sqlite"


def kill_when_saving(run: subprocess.Popen[bytes], config: Path, before: int) -> None:
    """SIGKILL the build the moment its first new post is committed: mid-way through saving."""
    db = sqlite3.connect(f"file:{store_file(config)}?mode=ro", uri=True, timeout=5)
    try:
        give_up = time.monotonic() + 30
        while run.poll() is None and time.monotonic() < give_up:
            if db.execute("SELECT count(*) FROM items").fetchone()[0] > before:
                break
            time.sleep(0.001)
    finally:
        db.close()
    os.killpg(run.pid, signal.SIGKILL)


def stored_ids(config: Path) -> set[tuple[str, str]]:
    """(source, id) of every stored item, read straight from SQLite, after an integrity check."""
    path = store_file(config)
    if not path.exists():
        return set()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return set(db.execute("SELECT source, id FROM items"))
    finally:
        db.close()


def whole(html: Path) -> bool:
    """An output is the last complete one or the new complete one, never half of either."""
    text = html.read_text(encoding="utf-8")
    return text.startswith("<!doctype html>") and text.rstrip().endswith("</html>")


@pytest.mark.slow  # ~11 s: builds killed at random points
def test_sigkill_at_random_points_loses_nothing(server: LoopbackServer, tmp_path: Path) -> None:
    config = network(server, tmp_path)
    started = time.perf_counter()
    first = digest_build(config, tmp_path / "out")
    assert first.wait(60) == 0, first.stderr.read() if first.stderr else ""
    full_run = time.perf_counter() - started
    had = stored_ids(config)
    assert len(had) == 2 * MEMBERS

    chance = random.Random(6)
    for attempt in range(8):
        run = digest_build(config, tmp_path / "out")
        if attempt % 3 == 2:
            kill_when_saving(run, config, len(had))
        else:
            time.sleep(chance.uniform(0.1, full_run))  # anywhere from start-up to writing the outputs
            os.killpg(run.pid, signal.SIGKILL)
        run.wait(10)
        now = stored_ids(config)
        assert had <= now, f"kill {attempt} lost {had - now}"
        assert whole(tmp_path / "out" / "newsletter.html")
        had = now

    last = digest_build(config, tmp_path / "out")
    assert last.wait(60) == 0, last.stderr.read() if last.stderr else ""
    final = stored_ids(config)
    assert had < final  # it worked, and brought the posts published meanwhile
    assert whole(tmp_path / "out" / "newsletter.html")


@pytest.mark.slow  # ~1.5 s: two build processes
def test_two_builds_at_once_share_the_store(server: LoopbackServer, tmp_path: Path) -> None:
    config = network(server, tmp_path)
    runs = [digest_build(config, tmp_path / f"out{n}") for n in range(2)]
    outcomes = [(run.wait(60), (run.stderr.read() if run.stderr else b"").decode()) for run in runs]
    for code, errors in outcomes:
        assert code == 0 or (code == 2 and "busy — another digest is using this store" in errors), errors
    assert any(code == 0 for code, _ in outcomes)
    ids = stored_ids(config)
    assert {source for source, _ in ids} == {f"Member {n}" for n in range(MEMBERS)}
    with Store.beside(config) as store:
        assert all(state.stored and store.body(name) for name, state in store.states().items())


def _saved_store(folder: Path) -> Path:
    """A store with one source and a few hundred posts in it, closed."""
    path = folder / ".digest" / "store.sqlite"
    with Store(path) as store:
        items = [Post(id=f"id{n}", source="M", title=f"Post {n}", url=None, published=NOW, summary_html="x" * 500)
                 for n in range(400)]
        store.save_parsed(SourceState(name="M", url="https://m.example/feed", body=b"<rss/>"), items)
    return path


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / ".digest" / "store.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"this is not SQLite at all" * 100)
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert caught.value.message == (f"{path}: is not a digest store or is damaged (file is not a database): "
                                    "run `digest repair` to rebuild it (it keeps the record of what was sent; "
                                    "sources are fetched afresh on the next build)")


def test_damage_found_after_opening_is_reported_too(tmp_path: Path) -> None:
    path = _saved_store(tmp_path)
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 3: page * 40] = b"\xde\xad" * (page * 37 // 2)  # the items' pages, not the header
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as caught, Store(path) as store:
        store.all_items()
    assert caught.value.message.startswith(f"{path}: is not a digest store or is damaged (")
    assert caught.value.message.endswith("run `digest repair` to rebuild it (it keeps the record of what was sent; "
                                    "sources are fetched afresh on the next build)")


def test_a_store_from_a_newer_digest(tmp_path: Path) -> None:
    path = _saved_store(tmp_path)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert caught.value.message == (f"{path}: made by a newer digest (store version {SCHEMA_VERSION + 1}, this one reads "
                                    f"{SCHEMA_VERSION}): upgrade digest, or delete the .digest folder to start a fresh store")
    assert caught.value.exit_code == 2


def test_a_store_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / ".digest").write_text("a file where the folder should be")
    with pytest.raises(StoreError) as caught:
        Store.beside(tmp_path / "sources.toml")
    assert caught.value.message == f"{tmp_path / '.digest'}: cannot be created (File exists): check the folder is writable"


def test_a_failed_save_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """One transaction per source: an item that cannot be saved takes the whole save back."""
    path = _saved_store(tmp_path)

    with Store(path) as store:
        before = store.states()["M"]
        good = Post(id="new", source="M", title="New", url=None, published=NOW)
        bad = Post(id="bad", source="M", title=b"not text", url=None, published=NOW)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            store.save_parsed(SourceState(name="M", url="https://m.example/moved", body=b"<rss>2</rss>"), [good, bad])
        assert store.states()["M"] == before
        assert len(store.items("M")) == 400


V1_SCHEMA = """
CREATE TABLE sources (name TEXT PRIMARY KEY, url TEXT NOT NULL, etag TEXT, last_modified TEXT, body BLOB,
    body_hash TEXT, parsed_key TEXT, fetched_at TEXT, ok_at TEXT, last_error TEXT);
CREATE TABLE items (source TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,
    first_seen TEXT NOT NULL, PRIMARY KEY (source, id));
CREATE TABLE sent (item_id TEXT NOT NULL, edition TEXT NOT NULL, PRIMARY KEY (item_id, edition));
PRAGMA user_version=1;
"""


def test_a_version_1_store_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    for n, when in enumerate(("2024-06-01T10:00:00+00:00", "2024-09-20T10:00:00+01:00")):
        data = {"id": f"p{n}", "source": "M", "title": f"Post {n}", "url": None, "published": when, "summary_html": "",
                "categories": [], "guid": "", "image": None, "kind": "post"}
        db.execute("INSERT INTO items VALUES ('M', ?, 'post', ?, 'x')", (f"p{n}", json.dumps(data)))
    db.execute("INSERT INTO sources (name, url, body, body_hash) VALUES ('M', 'https://m.example/feed', ?, 'h')", (b"<rss/>",))
    db.commit()
    db.close()
    with Store(path) as store:
        recent = store.all_items(posts_since=datetime(2024, 9, 1, tzinfo=UTC))
        assert [item.title for item in recent["M"]] == ["Post 1"]  # found by the new column, filled from the JSON
        assert [item.title for item in store.all_items()["M"]] == ["Post 0", "Post 1"]
        state = store.states()["M"]
        assert (state.body, state.stored, state.format) == (None, True, None)  # the body is not read...
        assert store.body("M") == b"<rss/>"  # ...until asked for
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    db.close()


def test_saved_items_read_back_the_same(tmp_path: Path) -> None:
    """The store's own JSON encoder writes exactly what Post/Event.to_json would."""
    from digest.model import Event, Image, item_from_json

    post = Post(id="p", source="M", title="T ✓", url="https://m.example/p", published=NOW, summary_html="<p>x</p>",
                categories=("a", "b"), guid="g", image=Image("https://m.example/i.png", "alt"))
    event = Event(id="e", source="M", title="E", start=NOW.date(), end=None, all_day=True, categories=("c",))
    with Store(tmp_path / "store.sqlite") as store:
        store.save_parsed(SourceState(name="M", url="u"), [post, event])
        rows = dict(store.db.execute("SELECT id, data FROM items"))
        assert store.items("M") == [event, post]
    assert json.loads(rows["p"]) == json.loads(json.dumps(post.to_json()))
    assert json.loads(rows["e"]) == json.loads(json.dumps(event.to_json()))
    assert item_from_json(json.loads(rows["p"])) == post


def test_a_build_commits_once_and_a_304_never_reads_a_body(server: LoopbackServer, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.config.load import load_config
    from digest.edition.pipeline import build_edition

    body = rss(posts(3))
    server["/feed"] = lambda req: (send(body, headers={"ETag": '"v1"'}) if req.headers.get("If-None-Match") != '"v1"'
                                   else send(b"", status=304))(req)
    config = load_config(write_config(tmp_path, {"A": server.url("/feed"), "B": server.url("/feed")}))
    commits: list[str] = []
    real_open = Store._open

    def traced(self: Store) -> None:
        real_open(self)
        self.db.set_trace_callback(lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None)

    monkeypatch.setattr(Store, "_open", traced)
    first = build_edition(config, date(2024, 10, 1))
    assert [s.status for s in first.report.sources] == ["ok", "ok"]
    assert commits == ["COMMIT"]  # after the tables were made: every source saved in one transaction

    def no_body(self: Store, name: str) -> bytes:
        raise AssertionError(f"the body of {name} was read")

    monkeypatch.setattr(Store, "body", no_body)
    second = build_edition(config, date(2024, 10, 1))
    assert [s.status for s in second.report.sources] == ["not modified", "not modified"]
    assert second.html == first.html


def test_a_repaired_store_still_finds_the_window_s_posts(tmp_path: Path) -> None:
    from digest.collect.repair import repair

    path = _saved_store(tmp_path)  # 400 posts published at NOW
    repair(path)
    with Store(path) as store:
        found = store.all_items(posts_since=NOW - timedelta(days=1))
        assert len(found["M"]) == 400  # the rebuilt rows have their published column again
