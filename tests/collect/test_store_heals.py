"""A store that heals: damaged rows cost only themselves, `digest repair` mends them and keeps the sent
record, and a run with the clock wrong leaves nothing wrong behind (collect/rows.py, repair.py, dating.py)."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.collect import dating
from digest.collect import store as store_module
from digest.collect.repair import is_healthy, mend, repair, rows_only
from digest.collect.store import SourceState, Store
from digest.config.load import load_config
from digest.edition.pipeline import build_edition
from digest.model import Post
from tests.hardening import NOW, Entry, posts, rss, write_config

MEMBERS = ("Hillside", "Riverside", "Park Lane")


def filled_store(folder: Path) -> Path:
    """Three members' 60 posts each (titles that appear nowhere else in the file), 50 of them sent."""
    path = folder / ".digest" / "store.sqlite"
    with Store(path) as store:
        for member in MEMBERS:
            items = [Post(id=f"{member[:2]}{n}", source=member, title=f"{member} post {n:03} marker", url=None,
                          published=NOW - timedelta(days=n % 20), summary_html="<p>" + "words " * 40 + "</p>")
                     for n in range(60)]
            store.save_parsed(SourceState(name=member, url=f"https://{member[:2]}.example/feed", body=b"<rss/>",
                                          parsed_key="k"), items)
        store.mark_sent([f"Hi{n}" for n in range(25)] + [f"Ri{n}" for n in range(25)], "2024-09-01")
    return path


def damage_random_bytes(path: Path, count: int, seed: int = 22) -> list[str]:
    """Overwrite bytes inside `count` rows' JSON in the file itself (lengths kept, so SQLite sees nothing);
    the titles of the rows damaged."""
    chooser = random.Random(seed)
    data = bytearray(path.read_bytes())
    titles = chooser.sample([f"{m} post {n:03} marker" for m in MEMBERS for n in range(60)], count)
    for title in titles:
        at = data.index(title.encode()) + chooser.randrange(len(title))
        junk = bytes([chooser.randrange(0x00, 0x20)]) + chooser.randbytes(2)  # a control character: never valid JSON
        data[at:at + 3] = junk
    path.write_bytes(bytes(data))
    return titles


def sent(path: Path) -> set[tuple[str, str]]:
    db = sqlite3.connect(path)
    try:
        return set(db.execute("SELECT item_id, edition FROM sent"))
    finally:
        db.close()


def test_40_rows_damaged_at_random_bytes_are_skipped_then_repaired_with_the_history_intact(tmp_path: Path) -> None:
    path = filled_store(tmp_path)
    before = sent(path)
    damaged = damage_random_bytes(path, 40)
    with Store(path) as store:
        found = store.all_items()
        assert sum(len(items) for items in found.values()) == 180 - 40
        assert len(store.damaged) == 40
        assert {row.source for row in store.damaged} <= set(MEMBERS)
    assert not is_healthy(path) and rows_only(path)
    result = CliRunner().invoke(main, ["repair", "--config", str(tmp_path / "sources.toml")])
    assert result.exit_code == 0, result.output
    members = ", ".join(dict.fromkeys(m for m in MEMBERS if any(t.startswith(m) for t in damaged)))
    assert result.output == (f"mended {path}: set aside 40 damaged items (kept in its damaged_items table); the next "
                             f"build reads these members' feeds again: {members}\n")
    assert sent(path) == before
    assert is_healthy(path)
    with Store(path) as store:
        assert sum(len(items) for items in store.all_items().values()) == 140 and store.damaged == []
        assert store.db.execute("SELECT count(*) FROM damaged_items").fetchone() == (40,)
        assert {state.name: state.parsed_key for state in store.states().values()} == {
            m: None if m in members else "k" for m in MEMBERS}  # read again by the next build


def test_a_rebuilt_store_sets_damaged_rows_aside_and_keeps_every_sent_record(tmp_path: Path) -> None:
    path = filled_store(tmp_path)
    before = sent(path)
    damage_random_bytes(path, 40)
    done = repair(path)
    assert (done.sent, done.items, done.set_aside, done.lost_tables) == (50, 140, 40, ())
    assert sent(path) == before
    assert done.damaged.exists()  # the damaged file is kept beside it
    assert is_healthy(path)


def test_repair_force_on_a_healthy_store_keeps_the_whole_sent_record(tmp_path: Path) -> None:
    path = filled_store(tmp_path)
    before = sent(path)
    result = CliRunner().invoke(main, ["repair", "--force", "--config", str(tmp_path / "sources.toml")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"repaired {path}: kept 50 sent records and 180 stored items; the damaged file is ")
    assert sent(path) == before


def test_mend_takes_only_the_damaged_rows(tmp_path: Path) -> None:
    path = filled_store(tmp_path)
    with Store(path) as store:
        store.db.execute("UPDATE items SET data = substr(data, 1, 40) WHERE id = 'Pa7'")
    assert mend(path).rows == 1 and mend(path).rows == 0


@pytest.mark.slow  # two builds
def test_a_damaged_row_is_left_out_with_a_warning_naming_the_member_and_the_item(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(rss(posts(3)))
    config = load_config(write_config(tmp_path, {"Member": "feed.xml"}))
    first = build_edition(config, date(2024, 10, 1))
    with Store.beside(config.path) as store:
        post_id, data = store.db.execute("SELECT id, data FROM items WHERE data LIKE '%Post 1%'").fetchone()
        cut = data[:data.index('"summary_html"') + 20]  # the JSON cut short, as a full disk leaves it
        store.db.execute("UPDATE items SET data = ? WHERE id = ?", (cut, post_id))
    try:
        json.loads(cut)
    except json.JSONDecodeError as exc:
        why = f"JSONDecodeError: {exc}"
    edition = build_edition(config, date(2024, 10, 1))
    assert [i.title for box in edition.sections for i in box.items] == ["Post 0", "Post 2"]
    assert f"Member: its stored item 'Post 1' (id {post_id}) is damaged and was left out ({why}): run `digest repair` " \
           "to mend the store (it keeps the record of what was sent)" in edition.report.problems()
    assert [i.title for box in first.sections for i in box.items] == ["Post 0", "Post 1", "Post 2"]


# -- the clock ------------------------------------------------------------------------------------


def clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """This run's clock, wherever collect reads it."""
    monkeypatch.setattr(dating, "now", lambda: moment)
    monkeypatch.setattr(store_module, "_now", lambda: moment.isoformat(timespec="seconds"))


def skewed_feed(folder: Path) -> Path:
    """A post dated as usual, one a feed dates ten years ahead, and one without a date."""
    entries = rss([Entry("Dated", "https://m.example/dated", NOW, "dated"),
                   Entry("Far ahead", "https://m.example/ahead", NOW + timedelta(days=3650), "ahead")])
    undated = b"<item><title>Undated</title><link>https://m.example/undated</link><guid>undated</guid></item>"
    (folder / "feed.xml").write_bytes(entries.replace(b"</channel>", undated + b"</channel>"))
    return write_config(folder, {"Member": "feed.xml"})


def shown(config_path: Path) -> dict[str, datetime]:
    edition = build_edition(load_config(config_path), date(2024, 10, 1))
    return {i.title: i.published for box in edition.sections for i in box.items if isinstance(i, Post)}


@pytest.mark.slow  # two builds
def test_a_run_with_the_clock_at_2099_leaves_no_lasting_damage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = skewed_feed(tmp_path)
    clock(monkeypatch, datetime(2099, 6, 1, tzinfo=UTC))
    assert shown(config) == {"Dated": NOW}  # in 2099 the undated post is dated 2099 and the far one is believed
    right = datetime(2024, 9, 25, 12, 0, tzinfo=UTC)
    clock(monkeypatch, right)
    assert shown(config) == {"Dated": NOW, "Far ahead": right, "Undated": right}  # the body was not parsed again
    with Store.beside(config) as store:
        assert {row[0] for row in store.db.execute("SELECT first_seen FROM items")} == {right.isoformat()}


def test_a_date_more_than_a_day_ahead_is_dated_on_first_sight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = skewed_feed(tmp_path)
    first_sight = datetime(2024, 9, 22, 8, 0, tzinfo=UTC)
    clock(monkeypatch, first_sight)
    assert shown(config) == {"Dated": NOW, "Far ahead": first_sight, "Undated": first_sight}
    clock(monkeypatch, first_sight + timedelta(days=3))
    assert shown(config) == {"Dated": NOW, "Far ahead": first_sight, "Undated": first_sight}  # and stays so


def test_a_run_with_the_clock_at_2000_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = skewed_feed(tmp_path)
    clock(monkeypatch, datetime(2000, 1, 1, tzinfo=UTC))
    result = CliRunner().invoke(main, ["build", "--config", str(config), "--date", "2024-10-01",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output == ("Error: this computer's clock says 01 January 2000, which cannot be right: set its date "
                             "and time, then build again (nothing was fetched or stored)\n")
    with Store.beside(config) as store:
        assert store.counts() == {}


def test_repair_carries_every_table_it_does_not_rebuild(tmp_path: Path) -> None:
    """Submissions and `digest auto`'s records live in tables of their own: a repair keeps them (a rejected
    submission must not come back as new, a note must not be mailed twice)."""
    path = filled_store(tmp_path)
    with Store(path) as store, store.db:
        store.db.execute("CREATE TABLE submissions (id TEXT PRIMARY KEY, state TEXT NOT NULL)")
        store.db.executemany("INSERT INTO submissions VALUES (?, ?)", [("s1", "rejected"), ("s2", "approved")])
        store.db.execute("CREATE TABLE IF NOT EXISTS auto_runs (day TEXT PRIMARY KEY, what TEXT)")
        store.db.execute("INSERT INTO auto_runs VALUES ('2024-10-01', 'drafted')")
    before = sent(path)
    repair(path)
    with Store(path) as store:
        assert store.db.execute("SELECT id, state FROM submissions ORDER BY id").fetchall() == [
            ("s1", "rejected"), ("s2", "approved")]
        assert store.db.execute("SELECT day, what FROM auto_runs").fetchall() == [("2024-10-01", "drafted")]
    assert sent(path) == before
