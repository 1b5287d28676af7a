"""Measuring child processes: wall time, their own rusage, and the peak memory of their whole tree.

Why not `resource.getrusage(RUSAGE_CHILDREN)`: it is cumulative over every child the harness
has ever waited for, so it cannot tell one build from the next. `os.wait4(pid)` returns the
rusage of exactly that child (its ru_maxrss is the largest single process, the child or one of
its reaped workers). A build that parses in a process pool uses several processes at once, so
the harness also samples the proportional set size (PSS, shared pages split between sharers)
of the child and all its descendants every 20 ms and keeps the peak of the sum: that is the
memory the build takes from the machine.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


def _cpu_of(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes, from /proc/<pid>/stat."""
    hz, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / hz
        except (OSError, IndexError, ValueError):
            continue
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat's first line."""
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    steal = fields[7] if len(fields) > 7 else 0
    total = sum(fields[:8])
    return (total - idle - steal) / hz, total / hz


@dataclass
class ChildRun:
    """One finished child process.

    other_load: the share of the machine's CPU used by processes outside this run (and outside
    the harness and its server) while it ran: 0 = we had the machine to ourselves, 0.5 = others
    used half of every core. Printed because figures from a busy machine are not comparable.
    """

    argv: list[str]
    returncode: int
    wall: float
    maxrss_kb: int
    tree_pss_peak_kb: int
    tree_procs_peak: int
    user: float
    system: float
    stdout: str
    stderr: str
    other_load: float = 0.0


def _descendants(pid: int) -> list[int]:
    """pid and every process below it, from /proc/<pid>/task/*/children."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.peak_procs = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Sample until stop(); a process that exits between listing and reading counts as 0."""
        while not self._stop_event.is_set():
            pids = _descendants(self.pid)
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in pids))
            self.peak_procs = max(self.peak_procs, len(pids))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_child(argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
              sample_memory: bool = False, logs: Path | None = None, helpers: tuple[int, ...] = ()) -> ChildRun:
    """Run argv to completion; wall time from fork to reap, rusage from wait4 for this child only.

    helpers: processes serving this run (the loopback server), not counted as other load.
    """
    logs = logs or Path(os.devnull)
    out_path, err_path = (logs.with_suffix(".out"), logs.with_suffix(".err")) if logs != Path(os.devnull) else (logs, logs)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        busy_before, total_before = machine_busy()
        helping_before = _cpu_of([os.getpid(), *helpers])
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = TreeSampler(proc.pid) if sample_memory else None
        if sampler:
            sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        busy_after, total_after = machine_busy()
        helping = _cpu_of([os.getpid(), *helpers]) - helping_before
    if sampler:
        sampler.stop()
    ours = usage.ru_utime + usage.ru_stime + helping
    other = max(0.0, (busy_after - busy_before) - ours) / max(total_after - total_before, 1e-9)
    read = (lambda p: p.read_text(errors="replace")) if logs != Path(os.devnull) else (lambda p: "")
    return ChildRun(argv, proc.returncode, wall, usage.ru_maxrss, sampler.peak_kb if sampler else 0,
                    sampler.peak_procs if sampler else 0, usage.ru_utime, usage.ru_stime,
                    read(out_path), read(err_path), other)
