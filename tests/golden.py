"""Golden outputs of the sample network: `make golden` (python -m tests.golden) rewrites them.

Review the diff of tests/golden/ before committing: it is what every user of the default
theme will receive.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

from digest.build import build_edition
from digest.config import load_config

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
EDITION = date(2024, 10, 1)
FILES = ("newsletter.html", "newsletter.txt", "newsletter.mjml")


def build_sample(workdir: Path) -> dict[str, str]:
    """Build the sample network from a private copy (its own store), for the fixed edition date."""
    shutil.copy(ROOT / "sources.toml", workdir / "sources.toml")
    shutil.copytree(ROOT / "examples", workdir / "examples", dirs_exist_ok=True)
    edition = build_edition(load_config(workdir / "sources.toml"), EDITION)
    return {"newsletter.html": edition.html, "newsletter.txt": edition.text, "newsletter.mjml": edition.mjml}


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        outputs = build_sample(Path(tmp))
    for name, content in outputs.items():
        (GOLDEN / name).write_text(content, encoding="utf-8")
        print(f"wrote {GOLDEN / name} ({len(content.encode()):,} bytes)")


if __name__ == "__main__":
    main()
