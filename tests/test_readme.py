"""README.md against the tree: its map of the code lists every package and ground-floor module, and its paths exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_units() -> set[str]:
    """`digest/x.py` for each ground-floor module, `digest/a/b/` for each package below digest/."""
    package = ROOT / "digest"
    modules = {f"digest/{p.name}" for p in package.glob("*.py")}
    packages = {f"{init.parent.relative_to(ROOT).as_posix()}/" for init in package.rglob("__init__.py") if init.parent != package}
    return modules | packages


def test_the_map_lists_every_package_and_ground_floor_module_once() -> None:
    block = README.split("<!-- map: start -->", 1)[1].split("<!-- map: end -->", 1)[0]
    listed = re.findall(r"^- `(digest/[\w/]*?(?:/|\.py))` — \S", block, re.M)
    assert len(listed) == len(block.strip().splitlines()), "every line of the map is `- `path` — what it is`"
    assert sorted(listed) == sorted(set(listed)), "a path is listed twice"
    assert set(listed) == code_units(), "the map differs from digest/: add or remove lines for what changed"


def test_every_path_the_readme_names_exists() -> None:
    named = set(re.findall(r"\b((?:digest|tests|bench|scripts)/[\w./-]*\w)", README))
    missing = sorted(p for p in named if "*" not in p and "<" not in p and not (ROOT / p).exists())
    assert missing == []
