"""The fast parse path gives feedparser's items exactly, and only takes the feeds it can read that way.

Agreement is checked on feedparser's whole corpus (about 2,100 files), the sample network's
feeds and benchmark feeds; the eligibility rules are checked one by one on small feeds.
"""

from __future__ import annotations

from datetime import date

import pytest

from bench.agreement import compare, files
from bench.feeds import make_feeds
from digest.collect.readers.fastfeed import NotEligible, fast_entries, read
from digest.collect.readers.feed import read_feed
from tests.conftest import ROOT, corpus

RSS = ('<?xml version="1.0" encoding="{encoding}"?>{doctype}<rss version="2.0"><channel><title>M</title>'
       "<link>https://m.example.org/</link>{items}</channel></rss>")
ITEM = ("<item><title>{title}</title><link>https://m.example.org/a</link><guid>a</guid>"
        "<pubDate>Tue, 10 Sep 2024 10:00:00 BST</pubDate><description>&lt;p&gt;Body&lt;/p&gt;</description></item>")


def feed(*, title: str = "Tea &amp; talk", encoding: str = "utf-8", doctype: str = "", item: str = ITEM) -> bytes:
    return RSS.format(encoding=encoding, doctype=doctype, items=item.format(title=title)).encode(
        "latin-1" if encoding == "iso-8859-1" else "utf-8")


def test_the_whole_feedparser_corpus_agrees() -> None:
    agreement = compare(files(corpus("feedparser", "tests")))
    assert agreement.feeds > 2000
    assert agreement.eligible > 600  # the fast path is really used...
    assert agreement.disagree == {}  # ...and never gives another answer than feedparser's


def test_the_sample_and_benchmark_feeds_agree() -> None:
    samples = compare(files(ROOT / "examples" / "feeds"))
    bench = compare([(f.name, f.body) for f in make_feeds(10, date(2024, 10, 1))], base_url="http://127.0.0.1:9/feed")
    assert samples.eligible >= 2 and samples.disagree == {}
    assert bench.eligible == bench.feeds == 9 and bench.disagree == {}  # every WordPress-style feed takes it
    assert bench.fast_entries == 450


def test_a_well_formed_feed_takes_the_fast_path() -> None:
    quick = fast_entries(feed())
    assert quick is not None
    version, link, entries = quick
    assert (version, link, [(title, dated) for _, title, dated in entries]) == (
        "RSS 2.0", "https://m.example.org/", [("Tea & talk", True)])
    (raw, _, _), = entries
    assert raw.published is not None and raw.published.isoformat() == "2024-09-10T09:00:00+00:00"  # digest's BST rule


@pytest.mark.parametrize(("body", "reason"), [
    (feed(encoding="iso-8859-1", title="Caf\xe9"), "declared iso-8859-1"),
    (feed().replace(b"utf-8", b"utf-8", 1).replace(b"talk", "t\xe9".encode("latin-1")), "does not decode as UTF-8"),
    (feed()[:-40], "not well-formed"),  # a truncated feed: feedparser's loose parser reads what there is
    (feed(doctype='<!DOCTYPE rss [<!ENTITY e "x">]>'), "DOCTYPE"),
    (feed(title="Tea &lt;b&gt;and&lt;/b&gt; talk"), "an HTML title"),
    (feed().replace(b"<channel>", b'<channel xml:base="https://m.example.org/blog/">'), "xml:base"),
    (feed().replace(b'version="2.0"', b'version="0.91"'), "not RSS 2.0 or Atom 1.0"),
    (feed(item=ITEM.replace("<guid>a</guid>", "<guid>a</guid><guid>b</guid>")), "two guid"),
    (feed(item=ITEM.replace("<guid>a</guid>", '<dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2024</dc:date>')),
     "entry element {http://purl.org/dc/elements/1.1/}date"),
])
def test_anything_else_goes_to_feedparser(body: bytes, reason: str) -> None:
    with pytest.raises(NotEligible) as why:
        read(body)
    assert str(why.value).startswith(reason)
    assert fast_entries(body) is None
    fast, slow = (read_feed(body, source="M", base_url=None, summary_length=280, fast=f) for f in (True, False))
    assert fast == slow  # read by feedparser either way
