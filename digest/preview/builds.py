"""The preview's builds: the edition rebuilt on demand, one build at a time, and who waits for the next.

The bottom layer of digest/preview/: the desk (desk.py), the HTTP layer (http.py) and the server
that composes them (server.py) all read the Previewer; it reads none of them.
"""

from __future__ import annotations

import secrets
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import click
import jinja2

from digest.check import Finding
from digest.config.keys import Config
from digest.config.load import load_config
from digest.edition.pipeline import Edition, build_edition, find_draft, today
from digest.write import write_outputs

Say = Callable[[str], None]


@dataclass(frozen=True)
class Snapshot:
    """What the page shows: the last good edition, and whether the latest attempt failed."""

    number: int  # counts every attempt, so a failed build refreshes the page too
    edition: Edition | None = None
    good_number: int = 0
    error: str | None = None
    at: datetime = field(default_factory=datetime.now)
    folder: Path | None = None  # where the edition's files were written, as `digest build` writes them

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.edition.findings if self.edition else ()


class Previewer:
    """Rebuilds the edition on demand, one build at a time, and wakes whoever waits for a new one.

    The edition is the one every command builds for the date: editions/<date>.md when it exists
    (or the draft named), else the feeds; a draft made while the preview runs is picked up.
    """

    def __init__(self, config_path: Path, edition_date: date | None = None, say: Say = lambda _m: None, *,
                 draft: Path | None = None, from_feeds: bool = False) -> None:
        self.config_path = config_path
        self.edition_date = edition_date
        self.session = secrets.token_hex(4)  # a restarted server is a new session: pages reload
        self.token = secrets.token_urlsafe(32)  # proves a state-changing request comes from our page
        self.config: Config | None = None  # the last config that loaded: what the watcher follows
        self.named_draft, self.from_feeds = draft, from_feeds
        self.draft: Path | None = None  # the draft the last build used
        self._say = say
        self._build_lock = threading.Lock()
        self._changed = threading.Condition()
        self._snapshot = Snapshot(number=0)
        self._closing = False

    @property
    def snapshot(self) -> Snapshot:
        with self._changed:
            return self._snapshot

    def rebuild(self, *, refetch: bool) -> Snapshot:
        """Reload the config and build; on failure keep the last good edition and record why."""
        with self._build_lock:
            try:
                config = load_config(self.config_path)
                self.config = config
                self.edition_date = self.edition_date or today(config)
                draft = find_draft(config, self.edition_date, draft=self.named_draft, from_feeds=self.from_feeds)
                if draft != self.draft and draft is not None:
                    self._say(f"from the draft {draft}")
                self.draft = draft
                edition = build_edition(config, self.edition_date, draft=draft, refetch=refetch, check=True)
            except Exception as exc:  # noqa: BLE001 - any failure goes on the page; the server keeps going
                return self._publish(error=_describe(exc))
            folder = config.workspace.build(edition.date, from_feeds=self.from_feeds)
            snap = self._publish(edition=edition, folder=folder)
            try:  # then the folder follows the page, as `digest build` writes it (the web version and .ics files
                write_outputs(folder, edition.files())  # cost a render the page does not wait for)
            except Exception as exc:  # noqa: BLE001 - a folder that cannot be written is said, the page stays
                return self._publish(error=f"{folder} was not written: {_describe(exc)}")
            return snap

    def settled(self) -> Path | None:
        """Where the last good edition's files are, once any build under way has written them."""
        with self._build_lock:
            return self.snapshot.folder

    def _publish(self, *, edition: Edition | None = None, error: str | None = None, folder: Path | None = None) -> Snapshot:
        with self._changed:
            last = self._snapshot
            number = last.number + 1
            snap = replace(last, number=number, error=error) if edition is None else \
                Snapshot(number, edition, number, folder=folder)
            self._snapshot = snap
            self._changed.notify_all()
        if error or snap.edition is None:
            kept = f" (still showing #{snap.good_number})" if snap.edition else ""
            self._say(f"build #{number} failed{kept}: {error}")
        else:
            report = snap.edition.report
            self._say(f"build #{number}: {report.item_count} items, {report.html_bytes / 1024:.1f} KB, "
                      f"check: {report.check_summary}, {report.seconds:.2f} s")
        return snap

    def wait_for_change(self, since: int, timeout: float) -> Snapshot:
        """The snapshot once its number differs from `since`, or the current one after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot.number != since or self._closing, timeout)
            return self._snapshot

    def close(self) -> None:
        """Release every waiting long poll."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()


def _describe(exc: Exception) -> str:
    """One message an editor can act on; the traceback only for what is a bug in digest."""
    if isinstance(exc, click.ClickException):
        return exc.format_message()
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or exc.name} line {exc.lineno}: {exc.message}"
    if isinstance(exc, jinja2.TemplateError):
        return f"template error: {exc}"
    traceback.print_exception(exc, file=sys.stderr)
    return f"{type(exc).__name__}: {exc}"
