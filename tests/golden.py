"""Golden outputs of the sample network: `make golden` (python -m tests.golden) rewrites them.

Review the diff of tests/golden/ before committing: it is what every user of the default
theme will receive. The email and web HTML are single-line documents as sent, so they are
stored pretty-printed (one block tag a line: a one-word change is a one-line diff), with the
SHA-256 of the exact bytes beside each (`newsletter.html.sha256`, in sha256sum's format): the
test compares both, so nothing the pretty form hides can change unseen. The text twin, the
MJML and each event's .ics file are stored as they are.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

from digest.config.load import load_config
from digest.edition.pipeline import build_edition
from digest.render.layout import CALENDAR_FOLDER

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
EDITION = date(2024, 10, 1)
PRETTY = ("newsletter.html", "web.html")
AS_IS = ("newsletter.txt", "newsletter.mjml")
CALENDARS = CALENDAR_FOLDER
_BLOCK = re.compile(r"(?=<(?:/?(?:html|head|body|table|tbody|tr|td|div|p|h[1-6]|ul|ol|li|style|meta|title)\b|!--|!\[endif))",
                    re.I)
_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S | re.I)


def pretty(html: str) -> str:
    """One block tag a line, CSS one rule a line; only for reading: the hash is of the real bytes."""
    html = _STYLE.sub(lambda m: m.group(1) + re.sub(r"\}\s*", "}\n", m.group(2)) + m.group(3), html)
    return "\n".join(line.rstrip() for line in _BLOCK.sub("\n", html).splitlines() if line.strip()) + "\n"


def digest_line(name: str, content: str) -> str:
    return f"{hashlib.sha256(content.encode('utf-8')).hexdigest()}  {name}\n"


def build_sample(workdir: Path) -> dict[str, str]:
    """Build the sample network from a private copy (its own store), for the fixed edition date."""
    shutil.copy(ROOT / "sources.toml", workdir / "sources.toml")
    shutil.copytree(ROOT / "examples", workdir / "examples", dirs_exist_ok=True)
    edition = build_edition(load_config(workdir / "sources.toml"), EDITION)
    files = edition.files()
    return {name: files[name] for name in (*PRETTY, *AS_IS)} | edition.rendered.calendars


def golden_files(outputs: dict[str, str]) -> dict[str, str]:
    """What tests/golden/ holds for these outputs: pretty HTML with its hash, everything else as it is."""
    files: dict[str, str] = {}
    for name, content in outputs.items():
        if name in PRETTY:
            files[name] = pretty(content)
            files[name + ".sha256"] = digest_line(name, content)
        else:
            files[name] = content
    return files


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = golden_files(build_sample(Path(tmp)))
    shutil.rmtree(GOLDEN / CALENDARS, ignore_errors=True)
    (GOLDEN / CALENDARS).mkdir(parents=True)
    for name, content in files.items():
        (GOLDEN / name).write_bytes(content.encode("utf-8"))  # bytes: .ics lines end in CRLF
        print(f"wrote {GOLDEN / name} ({len(content.encode()):,} bytes)")


if __name__ == "__main__":
    main()
