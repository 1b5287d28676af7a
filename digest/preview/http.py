"""What `digest preview` serves, and the guards around it (server.py composes it with the watcher).

The preview page writes files, so it is guarded like a local web app should be: it answers only
to the names of the address it is bound to (a DNS-rebinding page gets 421), every POST must carry
the session's unguessable token (another site in another tab cannot read it) and, when the
browser sends one, our own Origin; bodies are JSON of a declared length under MAX_BODY; slow or
idle connections time out, and at most MAX_CONNECTIONS are served at once.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import re
import secrets
import socket
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2

from digest.check import GMAIL_CLIP
from digest.edition.pipeline import Edition
from digest.exceptions import DigestError
from digest.preview import handoff
from digest.preview.builds import Previewer, Snapshot
from digest.preview.desk import BadRequest, Conflict, Desk, Refused
from digest.preview.submissions import SubmissionDesk

LONG_POLL_SECONDS = 20.0


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
          "/desk.css": ("data/desk.css", "text/css; charset=utf-8"),
          "/desk-handoff.js": ("data/desk-handoff.js", "text/javascript; charset=utf-8"),
          "/desk-submissions.js": ("data/desk-submissions.js", "text/javascript; charset=utf-8"),
          "/desk-submissions.css": ("data/desk-submissions.css", "text/css; charset=utf-8"),
          "/desk-easyread.js": ("data/desk-easyread.js", "text/javascript; charset=utf-8")}
MAX_BODY = 64 * 1024  # the largest request the page sends is one blurb (MAX_TEXT characters)
MAX_CONNECTIONS = 32  # beyond this, new connections are closed at once: idle ones cannot starve the page
REQUEST_TIMEOUT = 10.0  # seconds a connection may take to send its request (a long poll waits server-side)
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
               "frame-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
# Every rendered document (newsletter, dark variant, Easy Read) holds member content: no script may
# run in it, even opened on its own at the desk's origin (the sandbox gives it an opaque origin).
DOCUMENT_POLICY = ("default-src 'none'; img-src * data:; style-src 'unsafe-inline'; font-src *; script-src 'none'; "
                   "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox allow-popups allow-same-origin")
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
        with contextlib.suppress(OSError):  # a host name that does not resolve: its other names still count
            names |= set(socket.gethostbyname_ex(hostname)[2])
    elif not is_loopback(host):
        names.add(f"[{host}]" if ":" in host else host)
    names = {n.lower() for n in names}
    return frozenset({f"{n}:{port}" for n in names} | (names if port == 80 else set()))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    """The preview's HTTP server: it serves the previewer's snapshots and hands the desk's requests to `desk`."""

    def __init__(self, address: tuple[str, int], previewer: Previewer, desk: Desk, *,
                 max_connections: int = MAX_CONNECTIONS, timeout: float = REQUEST_TIMEOUT) -> None:
        self.previewer = previewer
        self.desk = desk
        self.submissions = SubmissionDesk(previewer)  # the desk's Submissions (preview/submissions.py)
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

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a page reloaded while its long poll was open, a client that timed out: nothing went wrong
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "digest-preview"

    def setup(self) -> None:
        self.request.settimeout(self.server.request_timeout)  # slow or idle connections time out
        super().setup()

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
                self._send(200, output(edition), content_type, {"Content-Security-Policy": DOCUMENT_POLICY})
        elif url.path == "/easy-read.html" and (edition := previewer.snapshot.edition) and previewer.config:
            from digest.render.easyread.edition import inline_icon, render_easy_read

            easy = render_easy_read(previewer.config, edition.date, edition.rendered, inline_icon, draft=edition.draft)
            self._send(200, easy.html, "text/html; charset=utf-8", {"Content-Security-Policy": DOCUMENT_POLICY})
        elif url.path in ASSETS:
            name, content_type = ASSETS[url.path]
            self._send(200, resources.files("digest").joinpath(name).read_text(encoding="utf-8"), content_type)
        elif url.path == "/events":
            since = parse_qs(url.query).get("since", [""])[0]
            snap = previewer.wait_for_change(int(since) if since.lstrip("-").isdigit() else -1, LONG_POLL_SECONDS)
            self._json({"build": snap.number, "session": previewer.session, "error": snap.error})
        elif url.path == "/api/desk":
            self._answer(self.server.desk.state)
        elif url.path == "/api/handoff":
            self._answer(lambda: handoff.state(previewer))
        elif url.path in ("/handoff/easy-read.html", "/handoff/easy-read.txt") and (
                handed := handoff.easy_read_email(previewer)):
            html = url.path.endswith(".html")
            self._send(200, handed[0] if html else handed[1], f"text/{'html' if html else 'plain'}; charset=utf-8",
                       {"Content-Security-Policy": DOCUMENT_POLICY})
        elif url.path == "/api/submissions":
            self._answer(self.server.submissions.state)
        elif url.path == "/api/easy-feedback":  # the Easy Read tab's live feedback: reads nothing, writes nothing
            from digest.preview.easyread import feedback

            query = parse_qs(url.query)
            self._json(feedback(previewer.config, query.get("title", [""])[0], query.get("text", [""])[0]))
        else:
            self._send(404, "not found", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        if not self._host_ok():
            return
        path = urlsplit(self.path).path
        if path not in ("/refetch", "/api/desk", "/api/push", "/api/submissions", "/api/submissions/upload"):
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
        if path == "/api/submissions/upload":  # a dropped .eml/.msg: its bytes, not JSON
            self._answer(lambda: self.server.submissions.upload(self.headers, self.rfile))
            return
        body = self._body()
        if body is not None and path == "/api/push":
            self._answer(lambda: handoff.push(self.server.previewer, body))
        elif body is not None:
            self._answer(lambda: (self.server.submissions if path == "/api/submissions" else self.server.desk).change(body))

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
            body: object = json.loads(self.rfile.read(int(length)).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._send(400, "the body is not JSON", "text/plain; charset=utf-8")
            return None
        return body

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



def listen(host: str, port: int, previewer: Previewer, desk: Desk, *, max_connections: int = MAX_CONNECTIONS,
           timeout: float = REQUEST_TIMEOUT) -> Server:
    """The server, bound to host:port; a port in use or an address that cannot be had is a DigestError."""
    try:
        return Server((host, port), previewer, desk, max_connections=max_connections, timeout=timeout)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise DigestError(f"port {port} is in use: pass --port {port + 1} (or any free port), "
                              "or stop the program that is using it") from None
        raise DigestError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
