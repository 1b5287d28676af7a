"""Member websites on loopback for the sources tests: each site its own server, so its paths start at its root.

A route maps a path (with its query, e.g. "/events/?ical=1") to (status, content type, body);
"{base}" in a body becomes the site's own address. Anything else is a 404. Every request is
recorded, so tests can say what was (and was not) asked for.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages"
TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/rss+xml", ".ics": "text/calendar",
         ".opml": "text/x-opml"}

Route = tuple[int, str, bytes | str]


def page(name: str) -> Route:
    """A fixture file from tests/fixtures/pages as a 200 response of its type."""
    path = FIXTURES / name
    return 200, TYPES[path.suffix], path.read_text(encoding="utf-8")


class Site:
    """One member's website on 127.0.0.1 with its own port."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the stdlib's name
                site.requests.append(self.path)
                status, kind, body = site.routes.get(self.path, (404, "text/plain", "not found"))
                data = (body.replace("{base}", site.base) if isinstance(body, str) else body)
                data = data.encode("utf-8") if isinstance(data, str) else data
                self.send_response(status)
                if status in (301, 302, 308):
                    self.send_header("Location", data.decode())
                    data = b""
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        # shutdown() waits for one poll of serve_forever: the default 0.5 s cost every test half a second
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
