"""The only stage that writes outputs: atomically, so a reader never sees half a file or half a build.

Every file is written to a temporary name beside it and renamed over the old one. A build's
set of files is first written whole into a temporary folder beside the output folder and only
then renamed into place, so a full disk or a kill leaves the last complete build, never a mix.
Temporaries are named `.NAME.….tmp`; ones left by a killed run are swept the next time that
folder is written (only ones older than a minute, so a build running at the same time keeps its own).
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from digest.exceptions import DigestError

STALE_AFTER = 60.0  # seconds: a write takes milliseconds, so an older temporary was left by a killed run


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write to a temp file beside `path`, then rename over it (sweeping what a killed earlier write left)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    _sweep(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"), time.time())
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sweep_temporaries(folder: Path, *, depth: int = 0, now: float | None = None) -> list[Path]:
    """Remove the `.….tmp` files and folders our writes left in `folder` (and `depth` levels below)."""
    now = time.time() if now is None else now
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    removed = _sweep((e for e in entries if e.name.startswith(".") and e.name.endswith(".tmp")), now)
    for entry in entries if depth > 0 else ():
        if entry.is_dir() and not entry.is_symlink() and entry not in removed:
            removed += sweep_temporaries(entry, depth=depth - 1, now=now)
    return removed


def _sweep(temporaries: Iterable[Path], now: float) -> list[Path]:
    """Remove the temporaries older than STALE_AFTER (younger ones may be another run's, still writing)."""
    removed = []
    for entry in temporaries:
        try:
            if now - entry.lstat().st_mtime <= STALE_AFTER:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
        except OSError:
            continue
    return removed


def write_outputs(out_dir: Path, files: Mapping[str, str | bytes]) -> dict[str, Path]:
    """Write the named files into out_dir, all or none; an unwritable folder is a clear error, not a traceback."""
    staging: Path | None = None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        sweep_temporaries(out_dir.parent)
        sweep_temporaries(out_dir)
        staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
        for name, content in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)  # a name may hold a folder ("events/x.ics")
            write_atomic(staging / name, content)
        written = {}
        for name in files:  # renames need no space: once every file is written, these cannot fail half-way
            (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, out_dir / name)
            written[name] = out_dir / name
        return written
    except OSError as exc:
        raise DigestError(f"cannot write to {out_dir} ({exc.strerror or exc}): "
                          "choose another --out folder or fix its permissions") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
