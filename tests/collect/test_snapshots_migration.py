"""A store made by the previous digest (store version 3, tests/fixtures/store-v3/) opens with nothing lost.

Its items, its sent record and the draft beside it survive the upgrade to version 4; the edition it
published becomes final (published before digest recorded when) with what can still be found of
what it sent kept as its snapshot.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from digest.collect.store import SCHEMA_VERSION, Store
from tests.conftest import ROOT
from tests.network import digest

FIXTURE = ROOT / "tests" / "fixtures" / "store-v3"


@pytest.fixture
def old_network(tmp_path: Path) -> Path:
    """The sample network as the previous digest left it: its store, its October draft."""
    shutil.copy(ROOT / "sources.toml", tmp_path / "sources.toml")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / ".digest").mkdir()
    shutil.copy(FIXTURE / "store.sqlite", tmp_path / ".digest" / "store.sqlite")
    shutil.copytree(FIXTURE / "editions", tmp_path / "editions")
    return tmp_path / "sources.toml"


def rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def test_the_fixture_is_a_version_3_store() -> None:
    assert rows(FIXTURE / "store.sqlite", "PRAGMA user_version") == [(3,)]


def test_upgrading_keeps_every_item_the_sent_record_and_the_draft(old_network: Path) -> None:
    store_path = old_network.parent / ".digest" / "store.sqlite"
    items = rows(store_path, "SELECT source, id, kind, data, first_seen, published FROM items ORDER BY source, id")
    sent = rows(store_path, "SELECT item_id, edition FROM sent ORDER BY item_id")
    draft = (old_network.parent / "editions" / "2024-10-01.md").read_bytes()
    assert (len(items), len(sent)) == (38, 41)
    with Store(store_path) as store:
        assert sum(store.counts().values()) == 38
    assert rows(store_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(store_path, "SELECT source, id, kind, data, first_seen, published FROM items ORDER BY source, id") == items
    assert rows(store_path, "SELECT item_id, edition FROM sent ORDER BY item_id") == sent
    assert rows(store_path, "SELECT edition, drafted_at, seen_mark, published_at FROM editions") == [
        ("2024-10-01", None, max(r[0] for r in rows(store_path, "SELECT rowid FROM items")), "")]
    kept = {r[0] for r in rows(store_path, "SELECT id FROM edition_items WHERE edition='2024-10-01'")}
    assert kept == {item_id for item_id, _ in sent} & {r[1] for r in items}  # what can still be found of it

    built = digest("build", "-c", old_network, "--date", "2024-10-01")
    assert built.exit_code == 0, built.output
    assert (old_network.parent / "editions" / "2024-10-01.md").read_bytes() == draft
    # October's events were lost by the old store's November build: said, not hidden
    assert ("  - 13 items of the draft are no longer in the store and shown from the draft's text alone (no date, "
            "place or calendar links): 'Co-Pro Cuppa: Black History Month special', 'Peer support cuppa', ") in built.output
    redraft = digest("draft", "-c", old_network, "--date", "2024-10-01")
    assert redraft.exit_code == 2
    assert redraft.output.splitlines()[-1].startswith(
        "Error: the edition of 2024-10-01 was published before digest recorded when: it is final")
    assert rows(store_path, "SELECT item_id, edition FROM sent ORDER BY item_id") == sent
