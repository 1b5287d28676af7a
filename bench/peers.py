"""The tools digest is measured against, on the same loopback members: reader and rss2email.

- reader (https://pypi.org/project/reader/): `update_feeds(workers=16, scheduled=False)` on its own SQLite
  database: fetch (conditional GET from the second run on), parse with feedparser, store.
- rss2email: `r2e run --no-send`: fetch each feed in turn, parse with feedparser, turn every
  new entry into an email (not sent); it keeps ETag/Last-Modified, so a warm run gets 304s.

Each runs as its own process, as `digest build` does, so interpreter start-up counts for all.
Both are bench-only extras (`pip install -e '.[bench]'`); a missing one is skipped with a note.

Run: python -m bench.peers reader DB URLS.txt          (prints one JSON line)
     python -m bench.peers rss2email-setup DIR URLS.txt (writes DIR/r2e.cfg and DIR/r2e.json)
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

READER_WORKERS = 16


def available(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def reader_update(db: Path, urls: list[str]) -> dict[str, float | int]:
    """One reader run: add the members (a no-op once added) and update every feed."""
    started = time.perf_counter()
    from reader import make_reader

    reader = make_reader(str(db))
    for url in urls:
        reader.add_feed(url, exist_ok=True)
    reader.update_feeds(workers=READER_WORKERS, scheduled=False)  # every feed, every run (a conditional GET)
    entries = reader.get_entry_counts().total
    reader.close()
    return {"seconds": time.perf_counter() - started, "feeds": len(urls), "entries": entries}


def rss2email_setup(folder: Path, urls: list[str]) -> list[str]:
    """A fresh rss2email configuration and (empty) feed database for the members; returns its argv."""
    folder.mkdir(parents=True, exist_ok=True)
    config, data = folder / "r2e.cfg", folder / "r2e.json"
    for path in (config, data):
        path.unlink(missing_ok=True)
    lines = ["[DEFAULT]", "to = editor@example.org", "from = bench@example.org", "email-protocol = sendmail",
             "sendmail = /bin/true", ""]
    for n, url in enumerate(urls):
        lines += [f"[feed.member{n:04d}]", f"url = {url}", ""]
    config.write_text("\n".join(lines))
    data.write_text(json.dumps({"version": 2, "feeds": []}))
    return [str(Path(sys.executable).parent / "r2e"), "-c", str(config), "-d", str(data), "run", "--no-send"]


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    urls = Path(args[2]).read_text().split()
    if args[0] == "reader":
        print(json.dumps(reader_update(Path(args[1]), urls)))
    elif args[0] == "rss2email-setup":
        print(json.dumps(rss2email_setup(Path(args[1]), urls)))
    else:
        raise SystemExit(f"unknown peer {args[0]!r}")


if __name__ == "__main__":
    main()
