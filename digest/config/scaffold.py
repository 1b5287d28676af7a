"""Writing a new network's folder (`digest init`): all of it or none of it.

Everything is first written into a hidden temporary folder inside the target, then moved into
place, so a failure (no permission, a full disk) leaves nothing half-written behind. An existing
customised theme or sources.toml is never overwritten: with --force it is kept as `*.bak-<time>`.
"""

from __future__ import annotations

import filecmp
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from digest.config.keys import DEFAULT_TEMPLATES
from digest.config.workspace import Workspace
from digest.exceptions import DigestError

NOT_THEME = shutil.ignore_patterns("__init__.py", "__pycache__", "*.pyc")


@dataclass
class Scaffold:
    config: Path
    theme: Path
    kept: list[Path] = field(default_factory=list)


def scaffold(directory: Path, starter: str, *, force: bool) -> Scaffold:
    """Write DIRECTORY/sources.toml (the starter text) and DIRECTORY/templates/ (the default theme)."""
    made = Scaffold(Workspace(directory).config, Workspace(directory).theme)
    if made.config.exists() and not force:
        raise DigestError(f"{made.config} already exists: edit it, or pass --force to replace it "
                          "(your old one is kept as a .bak file)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DigestError(f"cannot create the folder {directory} ({exc.strerror or exc}): "
                          "choose a folder you can write to") from None
    try:
        staging = Path(tempfile.mkdtemp(prefix=".digest-init-", dir=directory))
    except OSError as exc:
        raise DigestError(f"cannot write in {directory} ({exc.strerror or exc}): choose a folder you can write to") from None
    try:
        staged = Workspace(staging)
        staged.config.write_text(starter, encoding="utf-8")
        shutil.copytree(DEFAULT_TEMPLATES, staged.theme, ignore=NOT_THEME)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for name in (staged.config.name, staged.theme.name):
            old = directory / name
            if old.exists() and not _same(old, staging / name):
                backup = directory / f"{name}.bak-{stamp}"
                old.rename(backup)
                made.kept.append(backup)
            elif old.is_dir():
                shutil.rmtree(old)
            (staging / name).replace(old)
    except OSError as exc:
        raise DigestError(f"cannot write {exc.filename or directory} ({exc.strerror or exc}): "
                          "choose a folder you can write to; nothing was left behind") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return made


def _same(old: Path, new: Path) -> bool:
    """Is the existing file or folder identical to what would replace it (so nothing is lost)?"""
    if old.is_file() and new.is_file():
        return filecmp.cmp(old, new, shallow=False)
    if old.is_dir() and new.is_dir():
        compared = filecmp.dircmp(old, new, ignore=["__pycache__"])
        return _no_differences(compared)
    return False


def _no_differences(compared: filecmp.dircmp[str]) -> bool:
    if compared.left_only or compared.right_only or compared.diff_files or compared.funny_files:
        return False
    return all(_no_differences(sub) for sub in compared.subdirs.values())
