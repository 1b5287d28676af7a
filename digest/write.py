"""The only stage that writes outputs: atomically, so a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from digest.exceptions import DigestError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write to a temp file beside `path`, then rename over it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(out_dir: Path, files: dict[str, str]) -> dict[str, Path]:
    """Write each named file into out_dir; an unwritable folder is a clear error, not a traceback."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = {}
        for name, content in files.items():
            path = out_dir / name  # a name may hold a folder ("events/x.ics")
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, content)
            written[name] = path
        return written
    except OSError as exc:
        raise DigestError(f"cannot write to {out_dir} ({exc.strerror or exc}): choose another --out folder or fix its permissions") from None
