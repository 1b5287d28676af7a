"""The small network of the editor's-month tests: two members keeping CSV sheets (tests/fixtures/).

make_network() copies it into a folder of its own (its own store, editions/ and archive/);
digest() runs the command line in-process and returns Click's result.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from digest.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_network(folder: Path, *, newsletter: str = "", sections: dict[str, str] | None = None) -> Path:
    """Copy the network into `folder`; `newsletter` adds [newsletter] keys, `sections` adds keys by section title."""
    text = (FIXTURES / "editions" / "network.toml").read_text(encoding="utf-8")
    text = text.replace('language = "en-GB"\n', 'language = "en-GB"\n' + newsletter + ("\n" if newsletter else ""))
    for title, keys in (sections or {}).items():
        marker = f'title = "{title}"\n'
        assert marker in text, f"no section {title!r} in network.toml"
        text = text.replace(marker, marker + keys + "\n")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.toml").write_text(text, encoding="utf-8")
    for sheet in ("leeds.csv", "hull.csv"):
        shutil.copy(FIXTURES / "csv" / sheet, folder / sheet)
    return folder / "sources.toml"


def digest(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """Run `digest ARGS…` in-process."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env)
