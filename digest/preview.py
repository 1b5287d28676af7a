"""`digest preview`'s server: the edition in a browser, rebuilt and refreshed as the editor saves.

Why a server rather than files: the editor's loop is edit → look → edit, so the page must follow
their saves by itself, and a preview must leave nothing behind. Everything is served from memory:
`/` the preview page (desktop, mobile and dark views, the plain-text twin, the build report),
`/newsletter.html` exactly what gets pasted into the email service, `/newsletter-dark.html` the same
with its dark-mode rules switched on, `/newsletter.txt`, `/events` a long poll that answers when the
build number changes, and `POST /refetch`. Saves to sources.toml, the templates or editions/ rebuild
from the store without fetching (watchfiles); a failed build keeps the last good newsletter on
screen under an error banner.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import sys
import threading
import traceback
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from datetime import date, datetime
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click
import jinja2
import watchfiles

from digest.build import Edition, build_edition, today
from digest.check import Finding, check_html, summarise
from digest.config import Config, load_config
from digest.exceptions import DigestError
from digest.report import GMAIL_CLIP

LONG_POLL_SECONDS = 20.0
WATCH_STEP_MS = 20  # a save is a burst of events: wait this long for quiet before rebuilding
Say = Callable[[str], None]


# --- builds ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """What the page shows: the last good edition, and whether the latest attempt failed."""

    number: int  # counts every attempt, so a failed build refreshes the page too
    edition: Edition | None = None
    good_number: int = 0
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    at: datetime = field(default_factory=datetime.now)


class Previewer:
    """Rebuilds the edition on demand, one build at a time, and wakes whoever waits for a new one."""

    def __init__(self, config_path: Path, edition_date: date | None = None, say: Say = lambda _m: None) -> None:
        self.config_path = config_path
        self.edition_date = edition_date
        self.session = secrets.token_hex(4)  # a restarted server is a new session: pages reload
        self.config: Config | None = None  # the last config that loaded: what the watcher follows
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
                edition = build_edition(config, self.edition_date, refetch=refetch)
                findings = tuple(check_html(edition.html))
                edition.report.check_summary = summarise(findings)
            except Exception as exc:  # noqa: BLE001 — any failure goes on the page; the server keeps going
                return self._publish(error=_describe(exc))
            return self._publish(edition=edition, findings=findings)

    def _publish(self, *, edition: Edition | None = None, findings: tuple[Finding, ...] = (),
                 error: str | None = None) -> Snapshot:
        with self._changed:
            last = self._snapshot
            number = last.number + 1
            if edition is None:
                snap = replace(last, number=number, error=error)
            else:
                snap = Snapshot(number, edition, number, findings)
            self._snapshot = snap
            self._changed.notify_all()
        if error:
            kept = f" (still showing #{snap.good_number})" if snap.edition else ""
            self._say(f"build #{number} failed{kept}: {error}")
        else:
            report = snap.edition.report  # type: ignore[union-attr]
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


# --- what is served ------------------------------------------------------------------------

DARK_QUERY = re.compile(r"\(\s*prefers-color-scheme\s*:\s*dark\s*\)", re.I)
LIGHT_QUERY = re.compile(r"\(\s*prefers-color-scheme\s*:\s*light\s*\)", re.I)
HEAD = re.compile(r"<head\b[^>]*>", re.I)


def dark_variant(html: str) -> str:
    """The email as a dark-mode client shows it: its dark media rules always on, light ones off.

    A framed page cannot ask the browser for dark mode, so the media conditions themselves are
    switched; the first color-scheme meta in the head wins, so ours goes first.
    """
    html = DARK_QUERY.sub("(min-width: 0px)", html)
    html = LIGHT_QUERY.sub("(max-width: -1px)", html)
    meta = '<meta name="color-scheme" content="dark">'
    head = HEAD.search(html)
    if head is None:
        return meta + html
    return html[:head.end()] + meta + html[head.end():]


@lru_cache(maxsize=1)
def _page() -> jinja2.Template:
    """The preview page's template (digest/data/preview.html.j2), autoescaped."""
    source = resources.files("digest").joinpath("data/preview.html.j2").read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True).from_string(source)


def render_page(snap: Snapshot, session: str) -> str:
    """The preview page for one snapshot."""
    edition = snap.edition
    return _page().render(
        snap=snap, session=session, edition=edition, clip=GMAIL_CLIP,
        report=edition.report if edition else None,
        title=_title(edition.html) if edition else "digest preview",
    )


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S | re.I)
    return unescape(match.group(1)) if match else "newsletter"


# --- HTTP ----------------------------------------------------------------------------------

OUTPUTS: dict[str, tuple[Callable[[Edition], str], str]] = {
    "/newsletter.html": (lambda e: e.html, "text/html; charset=utf-8"),
    "/newsletter-dark.html": (lambda e: dark_variant(e.html), "text/html; charset=utf-8"),
    "/newsletter.txt": (lambda e: e.text, "text/plain; charset=utf-8"),
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], previewer: Previewer) -> None:
        self.previewer = previewer
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a page reloaded while its long poll was open: nothing went wrong
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "digest-preview"

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        previewer = self.server.previewer
        if url.path == "/":
            self._send(200, render_page(previewer.snapshot, previewer.session), "text/html; charset=utf-8")
        elif url.path in OUTPUTS:
            edition = previewer.snapshot.edition
            if edition is None:
                self._send(503, "no edition has been built yet", "text/plain; charset=utf-8")
            else:
                output, content_type = OUTPUTS[url.path]
                self._send(200, output(edition), content_type)
        elif url.path == "/easy-read.html" and (edition := previewer.snapshot.edition) and previewer.config:
            from digest.easyread import inline_icon, render_easy_read

            easy = render_easy_read(previewer.config, edition.date, edition.rendered, inline_icon)
            self._send(200, easy.html, "text/html; charset=utf-8")
        elif url.path == "/events":
            since = parse_qs(url.query).get("since", [""])[0]
            snap = previewer.wait_for_change(int(since) if since.lstrip("-").isdigit() else -1, LONG_POLL_SECONDS)
            self._json({"build": snap.number, "session": previewer.session, "error": snap.error})
        else:
            self._send(404, "not found", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/refetch":
            self._send(404, "not found", "text/plain; charset=utf-8")
            return
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{self.headers.get('Host', '')}":
            self._send(403, "refetch is only accepted from the preview page", "text/plain; charset=utf-8")
            return
        snap = self.server.previewer.rebuild(refetch=True)
        self._json({"build": snap.number, "session": self.server.previewer.session, "error": snap.error})

    def _json(self, data: dict[str, object]) -> None:
        self._send(200, json.dumps(data), "application/json")

    def _send(self, status: int, body: str, content_type: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return  # one line per request (and per long poll) would drown the build messages


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
        trees = [config_path.parent / "editions"]
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
                 port: int = 8000, say: Say = lambda _m: None) -> None:
        self.previewer = Previewer(config_path, edition_date, say)
        self.host, self.port = host, port
        self._stop = threading.Event()
        self._httpd: _Server | None = None
        self._watcher: threading.Thread | None = None
        self._serving: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() first"
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self._httpd.server_address[1]}/"

    def start(self) -> PreviewServer:
        """Listen, build once (fetching, so the store is current), watch, then serve."""
        self._httpd = _listen(self.host, self.port, self.previewer)
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


def _listen(host: str, port: int, previewer: Previewer) -> _Server:
    try:
        return _Server((host, port), previewer)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise DigestError(f"port {port} is in use: pass --port {port + 1} (or any free port), "
                              "or stop the program that is using it") from None
        raise DigestError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(config_path: Path, edition_date: date | None, *, host: str, port: int, open_browser: bool,
          say: Say) -> None:
    """Run the preview until Ctrl-C: `digest preview`."""
    with PreviewServer(config_path, edition_date, host=host, port=port, say=say) as server:
        say(f"Previewing at {server.url} — edit sources.toml or the templates and the page follows. "
            "Ctrl-C to stop.")
        if open_browser:
            webbrowser.open(server.url)
        try:
            server.wait()
        except KeyboardInterrupt:
            say("Stopped.")
