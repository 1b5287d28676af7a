"""The peers' way, for comparison: one `feedparser.parse(url)` after another, default settings.

This is what rss2email and Planet do by default (sequential fetches, feedparser's own
sanitiser and relative-URI resolver on). It runs as its own process so its wall time includes
interpreter start-up, exactly like the `digest build` runs it is compared with.

Run: python -m bench.baseline URLS.txt   (prints one JSON line: seconds, feeds, entries, bozo)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    started = time.perf_counter()
    import feedparser

    urls = Path((argv or sys.argv[1:])[0]).read_text().split()
    entries = bozo = 0
    for url in urls:
        parsed = feedparser.parse(url)
        entries += len(parsed.entries)
        bozo += bool(parsed.get("bozo"))
    print(json.dumps({"seconds": time.perf_counter() - started, "feeds": len(urls), "entries": entries, "bozo": bozo}))


if __name__ == "__main__":
    main()
