"""The only stage that writes outputs: atomically, so a reader never sees half a file or half a build.

Every file is written to a temporary name beside it and renamed over the old one. A build's
set of files is written whole into a temporary folder beside the output folder, with what the
old folder held besides (hard links, so nothing is copied), and the two folders are then swapped
in one step (Linux's renameat2 RENAME_EXCHANGE; elsewhere two renames, put right by the next
write if a kill falls between them): a full disk or a kill at any point leaves the old set or
the new set, never a mix. Temporaries are named `.NAME.….tmp`; ones left by a killed run are
swept the next time that folder is written (only ones older than a minute, so a build running
at the same time keeps its own).
"""

from __future__ import annotations

import ctypes
import errno
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
    named, out_dir = out_dir, out_dir.resolve() if out_dir.is_symlink() else out_dir  # a link's folder is swapped
    try:
        _refuse_the_working_folder(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        _put_back(out_dir)
        if out_dir.exists() and not out_dir.is_dir():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(out_dir))
        sweep_temporaries(out_dir.parent)
        staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700 folders; an output folder is an ordinary one
        for name, content in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)  # a name may hold a folder ("events/x.ics")
            write_atomic(staging / name, content)
        if out_dir.is_dir():
            _carry_over(out_dir, staging)
        _swap(staging, out_dir)
        return {name: named / name for name in files}
    except OSError as exc:
        raise DigestError(f"cannot write to {named} ({exc.strerror or exc}): "
                          "choose another --out folder or fix its permissions") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)  # after a swap, the old set


def _refuse_the_working_folder(out_dir: Path) -> None:
    """The folder swapped away must not be the one the editor's shell is in (it would be left in a deleted one)."""
    here, target = Path.cwd().resolve(), out_dir.resolve()
    if here == target or target in here.parents:
        raise DigestError(f"{out_dir} is the folder you are working in: a build puts a new folder in its place "
                          "(so no one ever sees half a build), which would leave you in the old one; "
                          "choose a folder of its own with --out (the default is build/<date>/)")


def _carry_over(old: Path, new: Path) -> None:
    """Hard-link into `new` what `old` holds that `new` does not (a file of an earlier build, a note of the editor's)."""
    for entry in old.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            continue
        there = new / entry.name
        if entry.is_dir() and not entry.is_symlink():
            if not there.exists():
                there.mkdir()
            if there.is_dir() and not there.is_symlink():
                _carry_over(entry, there)
        elif not there.exists() and not there.is_symlink():
            try:
                os.link(entry, there, follow_symlinks=False)
            except OSError:  # a file system without hard links
                shutil.copy2(entry, there, follow_symlinks=False)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux 3.15+, glibc 2.28+); False where that cannot be done."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # a file system that cannot exchange
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, out_dir: Path) -> None:
    """Put the staged folder at out_dir, the old one (if any) at staging's name, to be removed."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        staging.mkdir()  # so the caller's clean-up has what it expects
        return
    if _exchange(staging, out_dir):
        return
    aside = out_dir.with_name(f".{out_dir.name}.old.tmp")
    os.rename(out_dir, aside)  # a kill here leaves the old set aside: the next write puts it back (_put_back)
    try:
        os.rename(staging, out_dir)
    except OSError:
        os.rename(aside, out_dir)
        raise
    os.rename(aside, staging)


def _put_back(out_dir: Path) -> None:
    """After a kill between _swap's two renames: the old set back where it was."""
    aside = out_dir.with_name(f".{out_dir.name}.old.tmp")
    if aside.is_dir() and not out_dir.exists():
        os.rename(aside, out_dir)
