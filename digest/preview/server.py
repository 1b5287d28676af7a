"""`digest preview`'s server: the edition in a browser, rebuilt and refreshed as the editor saves.

Why a server rather than files: the editor's loop is edit → look → edit, so the page must follow
their saves by itself, and a preview must leave nothing behind. Everything is served from memory:
`/` the preview page (the editor's desk beside the desktop view, mobile and dark views, the
plain-text twin, the build report), `/newsletter.html` exactly what gets pasted into the email
service, `/newsletter-dark.html` the same with its dark-mode rules switched on, `/newsletter.txt`,
`/events` a long poll that answers when the build number changes, `/api/desk` the draft as the
desk shows it (GET) and the desk's changes (POST, see desk.py), and `POST /refetch`. Saves to
sources.toml, the templates or editions/ rebuild from the store without fetching (watchfiles);
a failed build keeps the last good newsletter on screen under an error banner.

This module composes the layers below it, none of which imports it or each other upwards:
builds.py (the Previewer: builds and who waits for them) ← desk.py (the draft's changes) ←
http.py (what is served and how it is guarded, given the previewer and the desk) ← here (the
watcher, and the server, its first build and the watcher started and stopped together).
"""

from __future__ import annotations

import os
import threading
import webbrowser
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import watchfiles

from digest.config.keys import Config
from digest.config.workspace import Workspace
from digest.exceptions import DigestError
from digest.preview.builds import Previewer, Say
from digest.preview.desk import Desk
from digest.preview.http import MAX_CONNECTIONS, REQUEST_TIMEOUT, Server, is_loopback, listen

WATCH_STEP_MS = 20  # a save is a burst of events: wait this long for quiet before rebuilding


# --- watching ------------------------------------------------------------------------------

EDITOR_NOISE = watchfiles.DefaultFilter()


@dataclass(frozen=True)
class WatchSet:
    """The saves that rebuild: sources.toml, and any file under the templates folder or editions/.

    The folders are watched one by one, not recursively from the config's folder, which may
    hold a virtualenv or node_modules.
    """

    config_path: Path
    trees: tuple[Path, ...]
    folders: tuple[Path, ...]

    @classmethod
    def of(cls, config_path: Path, config: Config | None) -> WatchSet:
        config_path = config_path.resolve()
        trees = [Workspace.beside(config_path).editions]
        if config is not None:
            trees.insert(0, config.templates_dir)
        folders = [config_path.parent]
        for tree in trees:
            if tree.is_dir():
                folders.extend(Path(d) for d, _dirs, _files in os.walk(tree))
        return cls(config_path, tuple(trees), tuple(dict.fromkeys(folders)))

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if not EDITOR_NOISE(change, path):  # swap and backup files, .git
            return False
        changed = Path(path)
        return changed == self.config_path or any(changed == t or t in changed.parents for t in self.trees)


class _StopOrArmed:
    """The stop event handed to watchfiles, which first polls it once its watches are in place:
    so the first poll also says that saves from now on are seen."""

    def __init__(self, stop: threading.Event, armed: threading.Event) -> None:
        self.stop, self.armed = stop, armed

    def is_set(self) -> bool:
        self.armed.set()
        return self.stop.is_set()


def watch(previewer: Previewer, stop: threading.Event, armed: threading.Event) -> None:
    """Rebuild from the store after each save until `stop`; re-arm when the folders to watch change."""
    while not stop.is_set():
        watched = WatchSet.of(previewer.config_path, previewer.config)
        try:
            for _changes in watchfiles.watch(*watched.folders, watch_filter=watched,
                                             stop_event=_StopOrArmed(stop, armed),
                                             step=WATCH_STEP_MS, recursive=False, raise_interrupt=False):
                previewer.rebuild(refetch=False)
                if WatchSet.of(previewer.config_path, previewer.config) != watched:
                    break
        except OSError:  # a folder vanished between listing and watching it
            stop.wait(0.5)


# --- running -------------------------------------------------------------------------------

class PreviewServer:
    """The server, its first build and the watcher, started and stopped together."""

    def __init__(self, config_path: Path, edition_date: date | None = None, *, host: str = "127.0.0.1",
                 port: int = 8000, say: Say = lambda _m: None, draft: Path | None = None, from_feeds: bool = False,
                 max_connections: int = MAX_CONNECTIONS, timeout: float = REQUEST_TIMEOUT) -> None:
        self.previewer = Previewer(config_path, edition_date, say, draft=draft, from_feeds=from_feeds)
        self.host, self.port, self._say = host, port, say
        self._max_connections, self._timeout = max_connections, timeout
        self._stop = threading.Event()
        self._httpd: Server | None = None
        self._watcher: threading.Thread | None = None
        self._serving: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() first"
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self._httpd.server_address[1]}/"

    def start(self) -> PreviewServer:
        """Listen, build once (fetching, so the store is current), watch, then serve."""
        self._httpd = listen(self.host, self.port, self.previewer, Desk(self.previewer),
                             max_connections=self._max_connections, timeout=self._timeout)
        if not is_loopback(self.host):
            self._say(f"WARNING: the preview listens on {self.host or 'every address'}, beyond this computer: anyone "
                      "who can reach it can read the unpublished edition (its token guards changes). "
                      "Leave out --host to keep it to this computer.")
        try:
            first = self.previewer.rebuild(refetch=True)
            if first.edition is None:
                raise DigestError(f"nothing to preview: {first.error}")
            armed = threading.Event()
            self._watcher = threading.Thread(target=watch, args=(self.previewer, self._stop, armed),
                                             name="preview-watch", daemon=True)
            self._watcher.start()
            armed.wait(timeout=5)  # so that once the page is served, no save is missed
            self._serving = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                             name="preview-http", daemon=True)
            self._serving.start()
        except BaseException:
            self.close()
            raise
        return self

    def wait(self) -> None:
        """Block until close() (from another thread) or Ctrl-C."""
        self._stop.wait()

    def close(self) -> None:
        """Stop watching, answer open long polls, stop serving and release the port."""
        self._stop.set()
        self.previewer.close()
        if self._httpd is not None:
            if self._serving is not None:
                self._httpd.shutdown()  # waits for serve_forever to return: only once it has started
            self._httpd.server_close()
        for thread in (self._watcher, self._serving):
            if thread is not None:
                thread.join(timeout=5)

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(config_path: Path, edition_date: date | None, *, host: str, port: int, open_browser: bool,
          say: Say, draft: Path | None = None, from_feeds: bool = False) -> None:
    """Run the preview until Ctrl-C: `digest preview`."""
    with PreviewServer(config_path, edition_date, host=host, port=port, say=say, draft=draft,
                       from_feeds=from_feeds) as server:
        what = "the draft" if server.previewer.draft else "sources.toml or the templates"
        say(f"Previewing at {server.url} — edit {what} (in the page or any editor) and the page follows. "
            "Ctrl-C to stop.")
        if open_browser:
            webbrowser.open(server.url)
        try:
            server.wait()
        except KeyboardInterrupt:
            say(stopped(server.previewer.settled()))


def stopped(folder: Path | None) -> str:
    """What Ctrl-C says: where the curated edition's files are."""
    if folder is None:
        return "Stopped. Nothing was built, so no files were written."
    return (f"Stopped. The edition as you left it is in {folder}{os.sep} — newsletter.html to paste into your email "
            "service, newsletter.txt its plain-text part.")
