"""The first render in a fresh process, which is what every `digest build` pays once.

Why separately: render's steady-state time (measured in bench.run after a warm-up) hides the
first-call costs — cssutils parsing the theme's CSS for premailer, Babel loading the locale,
Jinja compiling the templates. Module imports are done before the clock starts (they are
start-up, measured elsewhere); the import time is reported too.

Run: python -m bench.firstrender SOURCES.toml YYYY-MM-DD ITEMS   (prints one JSON line)
"""

from __future__ import annotations

import importlib
import json
import sys
import time


def main() -> None:
    config_path, day, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    started = time.perf_counter()
    import dataclasses
    from datetime import date
    from pathlib import Path

    for heavy in ("mjml", "premailer", "digest.dates"):  # imported for their share of the import time
        importlib.import_module(heavy)
    from bench.run import scaled_limits
    from digest.collect.store import Store
    from digest.config.load import load_config
    from digest.edition.group import group
    from digest.render.email import render_views, section_views

    imports = time.perf_counter() - started
    config = load_config(Path(config_path))
    limits = scaled_limits(size)
    config = dataclasses.replace(config, sections=tuple(
        dataclasses.replace(s, limit=limits[s.title]) if s.title in limits else s for s in config.sections))
    with Store.beside(config.path) as store:
        items = [item for found in store.all_items().values() for item in found]
    edition = date.fromisoformat(day)
    filled = group(items, config, edition)
    t0 = time.perf_counter()
    render_views(config, edition, section_views(filled, config))
    t1 = time.perf_counter()
    render_views(config, edition, section_views(filled, config))
    t2 = time.perf_counter()
    print(json.dumps({"imports": imports, "first": t1 - t0, "second": t2 - t1,
                      "items": sum(len(box.items) for box in filled)}))


if __name__ == "__main__":
    main()
