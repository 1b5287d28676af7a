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
import ipaddress
import json
import os
import re
import secrets
import socket
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
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click
import jinja2
import watchfiles

from digest.build import Edition, build_edition, find_draft, today
from digest.check import Finding
from digest.config import Config, load_config
from digest.desk import BadRequest, Conflict, Desk, Refused
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
    error: str | None = None
    at: datetime = field(default_factory=datetime.now)

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
            except Exception as exc:  # noqa: BLE001 — any failure goes on the page; the server keeps going
                return self._publish(error=_describe(exc))
            return self._publish(edition=edition)

    def _publish(self, *, edition: Edition | None = None, error: str | None = None) -> Snapshot:
        with self._changed:
            last = self._snapshot
            number = last.number + 1
            if edition is None:
                snap = replace(last, number=number, error=error)
            else:
                snap = Snapshot(number, edition, number)
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


def render_page(snap: Snapshot, previewer: Previewer) -> str:
    """The preview page for one snapshot."""
    edition = snap.edition
    return _page().render(
        snap=snap, session=previewer.session, token=previewer.token, edition=edition, clip=GMAIL_CLIP,
        report=edition.report if edition else None, draft=previewer.draft,
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
ASSETS = {"/desk.js": ("data/desk.js", "text/javascript; charset=utf-8"),
          "/desk.css": ("data/desk.css", "text/css; charset=utf-8")}
MAX_BODY = 64 * 1024  # the largest request the page sends is one blurb (MAX_TEXT characters)
MAX_CONNECTIONS = 32  # beyond this, new connections are closed at once: idle ones cannot starve the page
REQUEST_TIMEOUT = 10.0  # seconds a connection may take to send its request (a long poll waits server-side)
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
               "frame-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_names(host: str, port: int) -> frozenset[str]:
    """The Host headers a request to the preview may carry: the names of the address it is bound to.

    Anything else is refused, so a web page on a rebinding domain (evil.example resolving to
    127.0.0.1) can neither read the unpublished edition nor post to it.
    """
    names = set(LOOPBACK_NAMES)
    if host in ("", "0.0.0.0", "::"):
        hostname = socket.gethostname()
        names |= {hostname, socket.getfqdn()}
        try:
            names |= set(socket.gethostbyname_ex(hostname)[2])
        except OSError:
            pass
    elif not is_loopback(host):
        names.add(f"[{host}]" if ":" in host else host)
    names = {n.lower() for n in names}
    return frozenset({f"{n}:{port}" for n in names} | (names if port == 80 else set()))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], previewer: Previewer, *, max_connections: int = MAX_CONNECTIONS,
                 timeout: float = REQUEST_TIMEOUT) -> None:
        self.previewer = previewer
        self.desk = Desk(previewer)
        self.request_timeout = timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, _Handler)
        self.hosts = host_names(address[0], self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # full: refuse at once rather than queue behind idle connections
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a page reloaded while its long poll was open, a client that timed out: nothing went wrong
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "digest-preview"

    @property
    def timeout(self) -> float:  # type: ignore[override]  # read by StreamRequestHandler.setup
        return self.server.request_timeout

    def _host_ok(self) -> bool:
        if self.headers.get("Host", "").lower() in self.server.hosts:
            return True
        self._send(421, "wrong Host: open the preview at the address digest preview printed", "text/plain; charset=utf-8")
        return False

    def do_GET(self) -> None:
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        previewer = self.server.previewer
        if url.path == "/":
            self._send(200, render_page(previewer.snapshot, previewer), "text/html; charset=utf-8",
                       {"Content-Security-Policy": PAGE_POLICY, "X-Frame-Options": "DENY"})
        elif url.path in OUTPUTS:
            edition = previewer.snapshot.edition
            if edition is None:
                self._send(503, "no edition has been built yet", "text/plain; charset=utf-8")
            else:
                output, content_type = OUTPUTS[url.path]
                self._send(200, output(edition), content_type, {"Content-Security-Policy": "frame-ancestors 'self'"})
        elif url.path in ASSETS:
            name, content_type = ASSETS[url.path]
            self._send(200, resources.files("digest").joinpath(name).read_text(encoding="utf-8"), content_type)
        elif url.path == "/events":
            since = parse_qs(url.query).get("since", [""])[0]
            snap = previewer.wait_for_change(int(since) if since.lstrip("-").isdigit() else -1, LONG_POLL_SECONDS)
            self._json({"build": snap.number, "session": previewer.session, "error": snap.error})
        elif url.path == "/api/desk":
            self._answer(self.server.desk.state)
        else:
            self._send(404, "not found", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        if not self._host_ok():
            return
        path = urlsplit(self.path).path
        if path not in ("/refetch", "/api/desk"):
            self._send(404, "not found", "text/plain; charset=utf-8")
            return
        origin = self.headers.get("Origin")
        token = self.headers.get("X-Digest-Token", "")
        if (origin is not None and origin.lower() != f"http://{self.headers.get('Host', '')}".lower()) \
                or not secrets.compare_digest(token.encode(), self.server.previewer.token.encode()):
            self._send(403, "only the preview page itself can change the edition: reload it",
                       "text/plain; charset=utf-8")
            return
        if path == "/refetch":
            snap = self.server.previewer.rebuild(refetch=True)
            self._json({"build": snap.number, "session": self.server.previewer.session, "error": snap.error})
            return
        body = self._body()
        if body is not None:
            self._answer(lambda: self.server.desk.change(body))

    def _body(self) -> object | None:
        """The request's JSON, or None once refused: only JSON, of a declared length under MAX_BODY."""
        if self.headers.get_content_type() != "application/json":
            self._send(415, "send JSON (Content-Type: application/json)", "text/plain; charset=utf-8")
            return None
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            self._send(411, "say the body's Content-Length", "text/plain; charset=utf-8")
            return None
        if int(length) > MAX_BODY:
            self._send(413, f"a change is at most {MAX_BODY // 1024} KB", "text/plain; charset=utf-8")
            return None
        try:
            return json.loads(self.rfile.read(int(length)).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._send(400, "the body is not JSON", "text/plain; charset=utf-8")
            return None

    def _answer(self, work: Callable[[], dict[str, Any]]) -> None:
        """Run a desk request; its errors become statuses with the message an editor can act on."""
        try:
            self._json(work())
        except BadRequest as exc:
            self._json({"error": exc.format_message()}, 400)
        except Refused as exc:
            self._json({"error": exc.format_message()}, 403)
        except Conflict as exc:
            self._json({"error": exc.format_message(), "state": self.server.desk.state()}, 409)
        except DigestError as exc:  # a change the draft cannot take (EditError, DraftError): nothing written
            self._json({"error": exc.format_message()}, 422)

    def _json(self, data: dict[str, Any], status: int = 200) -> None:
        self._send(status, json.dumps(data), "application/json")

    def _send(self, status: int, body: str, content_type: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
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
                 port: int = 8000, say: Say = lambda _m: None, draft: Path | None = None, from_feeds: bool = False,
                 max_connections: int = MAX_CONNECTIONS, timeout: float = REQUEST_TIMEOUT) -> None:
        self.previewer = Previewer(config_path, edition_date, say, draft=draft, from_feeds=from_feeds)
        self.host, self.port, self._say = host, port, say
        self._limits = {"max_connections": max_connections, "timeout": timeout}
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
        self._httpd = _listen(self.host, self.port, self.previewer, **self._limits)  # type: ignore[arg-type]
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


def _listen(host: str, port: int, previewer: Previewer, **limits: Any) -> _Server:
    try:
        return _Server((host, port), previewer, **limits)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise DigestError(f"port {port} is in use: pass --port {port + 1} (or any free port), "
                              "or stop the program that is using it") from None
        raise DigestError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


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
            say("Stopped.")
