"""A build's outputs are replaced all together: a failure or a kill at any point leaves the old set or the new set.

Two ways of stopping a build part-way: failures injected at every step of write_outputs (each call
it makes that touches the disk, in turn), with the clean-up a kill never runs left out; and real
`digest build` processes killed with SIGKILL at spread moments.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import digest.write
from digest.exceptions import DigestError
from digest.write import write_outputs
from tests.hardening import posts, rss, write_config

OLD = {"newsletter.html": "old html", "newsletter.txt": "old text", "web.html": "old web",
       "events/a.ics": "old a", "events/b.ics": "old b"}
NEW = {"newsletter.html": "new html", "newsletter.txt": "new text", "web.html": "new web",
       "events/a.ics": "new a", "events/c.ics": "new c"}


def contents(folder: Path) -> dict[str, str]:
    """Every file under `folder` (temporaries left out), by path."""
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.endswith(".tmp") for part in p.relative_to(folder).parts)}


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, clean-up included."""


STEPS = ("write_atomic", "_exchange", "_carry_over")
OS_STEPS = ("rename", "link", "replace", "mkdir", "chmod")


def _stop_at(monkeypatch: pytest.MonkeyPatch, at: int, stop: type[BaseException]) -> list[str]:
    """Make the `at`-th disk step of write_outputs raise `stop`; return the steps as they were taken."""
    taken: list[str] = []

    def step(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            taken.append(name)
            if len(taken) == at:
                if stop is Killed:  # a killed process runs no clean-up
                    monkeypatch.setattr(digest.write.shutil, "rmtree", lambda *a, **k: None)
                raise stop(28, "No space left on device") if stop is OSError else stop()
            return real(*args, **kwargs)
        return run

    for name in STEPS:
        monkeypatch.setattr(digest.write, name, step(name, getattr(digest.write, name)))
    for name in OS_STEPS:
        monkeypatch.setattr(digest.write.os, name, step(f"os.{name}", getattr(os, name)))
    return taken


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "two-renames"])
@pytest.mark.parametrize("stop", [OSError, Killed], ids=["failure", "kill"])
def test_a_failure_or_kill_at_every_step_leaves_the_old_set_or_the_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                        exchange: bool, stop: type[BaseException]) -> None:
    if not exchange:
        monkeypatch.setattr(digest.write, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    at, outcomes = 0, set()
    while True:
        at += 1
        shutil.rmtree(tmp_path, ignore_errors=True)
        tmp_path.mkdir()
        write_outputs(out, OLD)
        (out / "notes.md").write_text("the editor's")  # not a build's: kept by every build
        with monkeypatch.context() as patched:
            taken = _stop_at(patched, at, stop)
            with contextlib.suppress(Killed, DigestError):
                write_outputs(out, NEW)
            finished = len(taken) < at  # this time it ran to the end without reaching the stopping point
        if not out.exists():  # two renames, killed between them: the next write puts the old set back
            assert not exchange and stop is Killed, (at, taken)
            digest.write._put_back(out)
        got = contents(out)
        assert got in ({**OLD, "notes.md": "the editor's"}, {**OLD, **NEW, "notes.md": "the editor's"}), (at, taken)
        outcomes.add("new" if got["web.html"] == "new web" else "old")
        if finished:
            break
    assert outcomes == {"old", "new"}
    assert at > 15  # every step was a stopping point: the files, the links, the swap
    write_outputs(out, NEW)  # and the next build is whole again
    assert contents(out) == {**OLD, **NEW, "notes.md": "the editor's"}


def test_the_folder_you_are_working_in_is_not_swapped_away(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DigestError) as raised:
        write_outputs(Path("."), NEW)
    assert raised.value.format_message() == (
        ". is the folder you are working in: a build puts a new folder in its place (so no one ever sees half "
        "a build), which would leave you in the old one; choose a folder of its own with --out (the default is "
        "build/<date>/)")


@pytest.mark.slow  # ~12 s: real processes, killed
def test_a_build_killed_at_many_moments_leaves_the_old_set_or_the_new(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(rss(posts(40)))
    config = write_config(tmp_path, {"Member": "feed.xml"}, extra='url = "https://news.example/"\n')
    out = tmp_path / "out"
    command = [sys.executable, "-m", "digest", "build", "-c", str(config), "--date", "2024-10-01", "--out", str(out), "-q"]
    assert subprocess.run(command, capture_output=True).returncode == 0
    old = contents(out)
    (tmp_path / "feed.xml").write_bytes(rss(posts(40, prefix="Later")))
    started = time.monotonic()
    assert subprocess.run(command, capture_output=True).returncode == 0
    took = time.monotonic() - started
    new = contents(out)
    assert old != new
    for n in range(6):  # kill points over the end of a build, where it writes (every step is injected above)
        (tmp_path / "feed.xml").write_bytes(rss(posts(40, prefix="Later" if n % 2 else "Post")))
        shutil.rmtree(tmp_path / ".digest" / "reuse", ignore_errors=True)  # every build renders and writes
        before = contents(out)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(took * (0.75 + n / 20))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = contents(out)
        assert after in (before, old, new), n


def test_an_output_folder_given_as_a_link_keeps_its_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    written = write_outputs(tmp_path / "link", OLD)
    write_outputs(tmp_path / "link", NEW)
    assert (tmp_path / "link").is_symlink() and written["web.html"] == tmp_path / "link" / "web.html"
    assert contents(tmp_path / "real") == {**OLD, **NEW}
