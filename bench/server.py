"""A loopback HTTP/1.1 server for the benchmark: one origin (port) per synthetic member.

Why its own process and one port per member: the server must not compete for the GIL with
what is measured, and digest's per-host politeness limit is keyed by host:port, so members on
separate ports are separate sites, as in a real network. Each response waits `latency`
seconds before its headers (a member's time to first byte), honours If-None-Match and
If-Modified-Since with a 304, and is gzip-compressed when the client accepts it, as WordPress
behind any CDN does. A control port answers /stats and /reset so the harness can check how
many full bodies and 304s each run caused.

Run: python -m bench.server MANIFEST.json --latency 0.15  (prints one JSON line with the ports)
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path


@dataclass
class Resource:
    """One member's feed as served: bytes, validators and media type."""

    path: str
    content_type: str
    body: bytes
    gzipped: bytes
    etag: str
    last_modified: datetime

    @property
    def last_modified_header(self) -> str:
        return format_datetime(self.last_modified, usegmt=True)


@dataclass
class Stats:
    """What the clients asked for since the last reset."""

    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    bytes_sent: int = 0
    connections: int = 0

    def as_json(self) -> dict[str, object]:
        return {"requests": self.requests, "by_status": {str(k): v for k, v in self.by_status.items()},
                "bytes_sent": self.bytes_sent, "connections": self.connections}


def load(manifest: Path) -> list[Resource]:
    """The resources listed in the manifest the harness wrote (one per member, in order)."""
    resources = []
    for entry in json.loads(manifest.read_text()):
        body = Path(entry["file"]).read_bytes()
        resources.append(Resource(
            path=entry["path"], content_type=entry["content_type"], body=body,
            gzipped=gzip.compress(body, compresslevel=6, mtime=0),
            etag='"' + hashlib.sha1(body).hexdigest()[:20] + '"',
            last_modified=datetime.fromisoformat(entry["last_modified"]),
        ))
    return resources


def _not_modified(resource: Resource, headers: dict[str, str]) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only when it is absent."""
    if "if-none-match" in headers:
        tags = {t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")}
        return resource.etag in tags or "*" in tags
    if "if-modified-since" in headers:
        try:
            return resource.last_modified <= parsedate_to_datetime(headers["if-modified-since"])
        except (TypeError, ValueError):
            return False
    return False


class Server:
    """All members' origins and the control origin, on one event loop."""

    def __init__(self, resources: list[Resource], latency: float) -> None:
        self.resources = resources
        self.latency = latency
        self.stats = Stats()

    async def _read_head(self, reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]] | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = (lines[0].split(" ") + ["", ""])[:3]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        return method, target, headers

    def member(self, resource: Resource):  # no return annotation: asyncio's callback type is verbose
        """The connection handler of one member's origin: keep-alive, latency before each answer."""
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.stats.connections += 1
            try:
                while (request := await self._read_head(reader)) is not None:
                    method, target, headers = request
                    self.stats.requests += 1
                    if self.latency:
                        await asyncio.sleep(self.latency)
                    keep_alive = headers.get("connection", "").lower() != "close"
                    status, extra, payload = self._answer(resource, method, target, headers)
                    self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
                    reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 405: "Method Not Allowed"}[status]
                    lines = [f"HTTP/1.1 {status} {reason}", "Server: digest-bench", *extra,
                             f"Content-Length: {len(payload)}", f"Connection: {'keep-alive' if keep_alive else 'close'}"]
                    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
                    if method != "HEAD" and status != 304:
                        writer.write(payload)
                        self.stats.bytes_sent += len(payload)
                    await writer.drain()
                    if not keep_alive:
                        break
            except ConnectionError:
                pass
            finally:
                writer.close()

        return handle

    def _answer(self, resource: Resource, method: str, target: str, headers: dict[str, str]) -> tuple[int, list[str], bytes]:
        """Status, extra headers and payload for one request (304 when the validators match)."""
        if method not in ("GET", "HEAD"):
            return 405, ["Allow: GET, HEAD"], b""
        if target.split("?", 1)[0] != resource.path:
            return 404, ["Content-Type: text/plain"], b"not found\n"
        validators = [f"ETag: {resource.etag}", f"Last-Modified: {resource.last_modified_header}",
                      "Vary: Accept-Encoding", "Cache-Control: max-age=0, must-revalidate"]
        if _not_modified(resource, headers):
            return 304, validators, b""
        if "gzip" in headers.get("accept-encoding", "").lower():
            return 200, [f"Content-Type: {resource.content_type}", "Content-Encoding: gzip", *validators], resource.gzipped
        return 200, [f"Content-Type: {resource.content_type}", *validators], resource.body

    async def control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """/stats → counters as JSON; /reset → counters zeroed; /latency?s=0.2 → new latency."""
        request = await self._read_head(reader)
        if request is not None:
            _method, target, _headers = request
            if target.startswith("/reset"):
                self.stats = Stats()
            elif target.startswith("/latency?s="):
                self.latency = float(target.split("=", 1)[1])
            body = json.dumps({**self.stats.as_json(), "latency": self.latency}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
        writer.close()

    async def serve(self) -> None:
        """Listen on one ephemeral port per member plus the control port; print them as JSON."""
        servers = [await asyncio.start_server(self.member(r), "127.0.0.1", 0, backlog=64) for r in self.resources]
        control = await asyncio.start_server(self.control, "127.0.0.1", 0)
        ports = [s.sockets[0].getsockname()[1] for s in servers]
        print(json.dumps({"ports": ports, "control": control.sockets[0].getsockname()[1]}), flush=True)
        parent = os.getppid()
        while os.getppid() == parent:  # the harness died without stopping us: do not linger
            await asyncio.sleep(1.0)


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.server MANIFEST --latency S`: serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--latency", type=float, default=0.15)
    args = parser.parse_args(argv)
    try:
        asyncio.run(Server(load(args.manifest), args.latency).serve())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
