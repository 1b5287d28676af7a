"""Items without dates: dated when digest first saw them (the store remembers), not a failed member."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.collect.store import Store
from digest.model import Post
from tests.conftest import ConfigFactory
from tests.network import digest
from tests.sites import Site

ITEM = """<item rdf:about="https://old.example.org/notes/{n}"><title>Note {n}</title>
<link>https://old.example.org/notes/{n}</link><description>Hand-kept note number {n}.</description></item>"""


def rss10(count: int) -> str:
    """An RSS 1.0 feed as old hand-made sites keep it: no dc:date anywhere."""
    seq = "".join(f'<rdf:li rdf:resource="https://old.example.org/notes/{n}"/>' for n in range(1, count + 1))
    items = "\n".join(ITEM.format(n=n) for n in range(1, count + 1))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://old.example.org/"><title>Old notes</title><link>https://old.example.org/</link>
<description>d</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>
{items}
</rdf:RDF>"""


def test_a_60_item_rss_1_feed_without_dates_yields_its_items(tmp_path: Path) -> None:
    site = Site({"/index.rdf": (200, "application/rdf+xml", rss10(60))})
    try:
        config = ConfigFactory(tmp_path).write(timezone="Europe/London", section={"limit": 100},
                                               source={"name": "Old notes", "url": f"{site.base}/index.rdf"})
        tomorrow = (datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=1)).isoformat()
        before = datetime.now(UTC).replace(microsecond=0)
        first = digest("build", "-c", config, "--date", tomorrow, "--out", tmp_path / "out")
        assert first.exit_code == 0, first.output
        assert "Old notes: note: 60 posts have no date: each is dated when digest first saw it (60 new today)" in first.output
        text = (tmp_path / "out" / "newsletter.txt").read_text()
        assert text.count("* Note ") == 60
        with Store.beside(config) as store:
            seen = {item.title: item.published for item in store.items("Old notes") if isinstance(item, Post)}
        assert len(seen) == 60
        assert all(before <= when <= datetime.now(UTC) for when in seen.values())

        with Store.beside(config) as store:  # as if the first 60 were first seen on 1 September
            store.db.execute("UPDATE items SET first_seen = '2024-09-01T10:00:00+00:00'")
        site.routes["/index.rdf"] = (200, "application/rdf+xml", rss10(61))  # a new note; the body changed
        second = digest("build", "-c", config, "--date", tomorrow, "--out", tmp_path / "out")
        assert second.exit_code == 0, second.output
        assert "Old notes: note: 61 posts have no date: each is dated when digest first saw it (1 new today)" in second.output
        with Store.beside(config) as store:
            again = {item.title: item.published for item in store.items("Old notes") if isinstance(item, Post)}
        assert len(again) == 61
        assert {again[title] for title in seen} == {datetime(2024, 9, 1, 10, tzinfo=UTC)}  # from first_seen
        assert before <= again["Note 61"] <= datetime.now(UTC)  # first seen now
    finally:
        site.close()


def test_store_remembers_first_seen(tmp_path: Path) -> None:
    from digest.collect.store import SourceState

    with Store(tmp_path / "store.sqlite") as store:
        post = Post(id="a", source="S", title="A", url=None, published=datetime(2024, 9, 1, tzinfo=UTC))
        store.save_parsed(SourceState(name="S", url="u"), [post])
        seen = store.first_seen("S", ["a", "never"])
    assert list(seen) == ["a"]
    assert abs(seen["a"] - datetime.now(UTC)) < timedelta(minutes=1)
    assert date.today() - seen["a"].date() <= timedelta(days=1)
