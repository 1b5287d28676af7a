"""Support for the hardening tests: a loopback server that misbehaves on demand,
a guard that keeps tests off the network, and small builders for feeds and configs.

Imported by the test_* files that exercise faults and hostile input; it is not a test module itself.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from digest.collect.fetch import Limits

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
Handler = Callable[["_Request"], None]


# -- the network guard -----------------------------------------------------------------------

# -- the loopback server ---------------------------------------------------------------------

class _Request(BaseHTTPRequestHandler):
    """Dispatches each GET to the handler the test put at its path."""

    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, and no Nagle delay: thousands of requests stay quick
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # the stdlib's name
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.hits[path] = self.server.hits.get(path, 0) + 1
            handler = self.server.routes.get(path)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as a capped or
            (handler or send(b"no such path", status=404))(self)           # timed-out fetch does

    def log_message(self, *args: object) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Request)
        self.routes: dict[str, Handler] = {}
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client hanging up mid-drip is expected, not worth a traceback


class LoopbackServer:
    """An HTTP server on 127.0.0.1 whose paths each answer the way a test says.

    `server["/feed"] = send(body)` sets a path; change it between builds to turn a good
    source bad. Handlers that stall or drip stop when the server does.
    """

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __setitem__(self, path: str, handler: Handler) -> None:
        with self._server.lock:
            self._server.routes[path] = handler

    def hits(self, path: str) -> int:
        return self._server.hits.get(path, 0)


# Short limits so a fault costs a test about a second, not the production defaults' 45.
SHORT = Limits(connect_timeout=1, read_timeout=1, deadline=3, max_bytes=4 * 1024 * 1024, per_host=64,
               max_retry_after=1)


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send(body: bytes, *, status: int = 200, headers: dict[str, str] | None = None,
         content_type: str = "application/rss+xml; charset=utf-8") -> Handler:
    """Answer with this status, headers and body."""

    def handler(req: _Request) -> None:
        req.send_response(status)
        req.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            req.send_header(name, value)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    return handler


def redirect(location: str, status: int = 301) -> Handler:
    """A redirect to `location` (a path on this server or a full URL)."""
    return send(b"", status=status, headers={"Location": location}, content_type="text/plain")


def in_turn(*handlers: Handler) -> Handler:
    """The first request gets the first handler, the next the second...; the last one repeats."""
    count = [0]
    lock = threading.Lock()

    def handler(req: _Request) -> None:
        with lock:
            index = min(count[0], len(handlers) - 1)
            count[0] += 1
        handlers[index](req)

    return handler


def _open_ended(req: _Request) -> None:
    """Headers for a body whose end is the connection's end."""
    req.send_response(200)
    req.send_header("Content-Type", "application/rss+xml")
    req.send_header("Connection", "close")
    req.end_headers()
    req.close_connection = True


def stall(*, after_headers: bool = True) -> Handler:
    """Accept the request, then send nothing more until the server stops (a read timeout)."""

    def handler(req: _Request) -> None:
        if after_headers:
            _open_ended(req)
        req.server.stopping.wait(60)

    return handler


def drip(interval: float = 0.2) -> Handler:
    """A body that never ends: one byte every `interval`, so no read ever times out."""

    def handler(req: _Request) -> None:
        _open_ended(req)
        req.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>drip</title>')
        while not req.server.stopping.wait(interval):
            req.wfile.write(b" ")
            req.wfile.flush()

    return handler


def endless(head: bytes, filler: bytes, total: int) -> Handler:
    """`head` then `filler` repeated up to `total` bytes, streamed, without Content-Length."""

    def handler(req: _Request) -> None:
        _open_ended(req)
        req.wfile.write(head)
        sent = len(head)
        while sent < total and not req.server.stopping.is_set():
            req.wfile.write(filler)
            sent += len(filler)

    return handler


def gzip_bomb(decompressed: int) -> bytes:
    """A gzip body of `decompressed` zero bytes (about 1000 times smaller on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    parts = [packer.compress(block) for _ in range(decompressed // len(block))]
    return b"".join(parts) + packer.flush()


# -- feeds and configs -------------------------------------------------------------------------

NOW = datetime(2024, 9, 20, 9, 0, tzinfo=UTC)  # inside the edition window of EDITION
EDITION = datetime(2024, 10, 1).date()


@dataclass(frozen=True)
class Entry:
    """One RSS item."""

    title: str
    link: str
    published: datetime
    guid: str
    summary: str = "A short summary."


def rss(entries: Iterable[Entry]) -> bytes:
    """An RSS 2.0 feed of these items (feeds with odd bytes are files in tests/fixtures/)."""
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
        f'<guid isPermaLink="false">{escape(e.guid)}</guid><pubDate>{format_datetime(e.published)}</pubDate>'
        f"<description>{escape(e.summary)}</description></item>"
        for e in entries
    )
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>A member</title>'
            f"<link>https://member.example/</link>{items}</channel></rss>\n").encode()


def posts(count: int, *, prefix: str = "Post", start: datetime = NOW, step: timedelta = timedelta(hours=6)) -> list[Entry]:
    """`count` ordinary dated entries, newest first."""
    return [Entry(f"{prefix} {i}", f"https://member.example/{prefix.lower()}/{i}", start - step * i, f"{prefix}-{i}")
            for i in range(count)]


def write_config(folder: Path, sources: dict[str, str], *, extra: str = "") -> Path:
    """A minimal valid sources.toml: one posts section, these name → url sources, `extra` [newsletter] lines."""
    toml = ('[newsletter]\ntitle = "Hardening Digest"\ntimezone = "UTC"\nlanguage = "en-GB"\n' + extra
            + '\n[[sections]]\ntitle = "News"\nkind = "posts"\ndays_back = 31\n')
    for name, url in sources.items():
        toml += f'\n[[sources]]\nname = "{name}"\nurl = "{url}"\n'
    path = folder / "sources.toml"
    path.write_text(toml, encoding="utf-8")
    return path
