"""The process pool a cold build parses feed bodies in: one worker per core, started only when it pays.

Parsing and sanitising is CPU-bound Python (feedparser, nh3, lxml), so a cold build of a large
network is limited by one core without it. Workers are forked (cheap, ~10 ms), and only while this
is the only thread, since forking a threaded process can leave a lock held in the child; with other
threads running (a preview server's Refetch button, a test's HTTP server) parsing stays in this
process, as without a pool. A warm build, with nothing to parse, never starts one.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Executor
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# Below this many bodies to parse a process pool costs more (~20 ms to fork and join) than it saves.
POOL_MIN_BODIES = 8


def _cores() -> int:
    """CPUs this process may run on (a container's cpuset, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parse_pool() -> ProcessPoolExecutor | None:
    """A process pool with one worker per core, or None where one cannot help or is unsafe (see above)."""
    cores = _cores()
    if cores < 2 or threading.active_count() > 1:
        return None
    import multiprocessing  # here, not at the top: a warm build never needs it (~20 ms to import)
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    pool = ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("fork"))
    for _ in range(cores):  # a fork pool starts all its workers on its first task: now, before any thread
        pool.submit(_prepare_worker)  # not waited for: workers import the readers while we fetch
    return pool


def _prepare_worker() -> None:
    """Import the readers' libraries in a worker before its first body arrives (in the worker only: hence here)."""
    from digest.collect.readers.registry import warm

    warm()


class ParsePool:
    """collect's `pool`: asked with the number of bodies to parse, it starts a pool once there are enough.

    A context manager: the pool, if one was started, is shut down on leaving (queued work cancelled).
    """

    def __init__(self, min_bodies: int = POOL_MIN_BODIES) -> None:
        self.min_bodies = min_bodies
        self.pool: ProcessPoolExecutor | None = None

    def __call__(self, bodies: int) -> Executor | None:
        if self.pool is None and bodies >= self.min_bodies:
            self.pool = parse_pool()  # None where a pool cannot help: asked again next time
        return self.pool

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

