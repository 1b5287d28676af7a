"""One run at a time: `digest auto` and `digest members notify` hold the network's lock while they work.

Two runs at once (a slow refresh still going when cron starts the next) could each draft and each
mail; with the lock the second sees it held and leaves the first to finish. It is an OS lock
(filelock), so one left by a run that was killed is free again at once: nothing stale to clear.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from digest.config.keys import Config
from digest.exceptions import DigestError


@contextmanager
def one_at_a_time(config: Config) -> Iterator[bool]:
    """Hold the network's lock (.digest/auto.lock) while the block runs; False when another run holds it.

    An OS lock (filelock), so one left by a run that was killed is free again at once.
    """
    path = config.workspace.lock
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DigestError(f"cannot create {path.parent} ({exc.strerror or exc}): check the folder is writable") from None
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
