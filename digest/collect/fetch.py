"""Fetch every source concurrently, politely and within limits.

Members are different small sites, so all sources are fetched at once (bounded overall and
per host), each with connect/read timeouts, an overall deadline, a size cap applied after
decompression, and a conditional GET from the store's ETag/Last-Modified. Nothing here
raises for a bad source: every outcome is a FetchResult whose error an editor can act on.

A body is kept as it came over the wire (digest/wire.py): here it is inflated once, a bounded
piece at a time, only to apply the size cap and take its hash, and whoever reads it inflates
it again. A cold build at 1,000 members thus holds its bodies compressed while they wait for
the parse workers.

One fetch per source with its many outcomes (304, redirects, retries, caps, deadlines, each
with its sentence) is kept together, so every failure path reads in one place; the client it
fetches with is digest/collect/transport.py's.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import hashlib
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from urllib.parse import urlsplit

import httpx

from digest.collect.wire import Inflater, Undecodable, inflate

RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class Limits:
    """How long and how much one source may take (tests pass small ones)."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 45.0
    max_bytes: int = 10 * 1024 * 1024
    concurrency: int = 512  # members are different sites: 1,000 members fetch in two round trips, not eight
    per_host: int = 2
    max_retry_after: float = 10.0
    max_redirects: int = 10
    picture_timeout: float = 5.0  # one picture, connection and reading together (collect/pictures.py)
    picture_budget: float = 20.0  # every picture of one build, all together
    picture_host_budget: float = 8.0  # every picture from one site in one build
    private_pictures: bool = False  # tests only: pictures may come from loopback (never from a config key)


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Request:
    """One source to fetch: its name, its URL or file, and what the store knows of it."""

    name: str
    url: str
    path: Path | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """The outcome for one source.

    status: "ok" (body fetched), "not-modified" (304 or file unchanged) or "failed".
    wire is the body as it came, in Content-Encoding `coding` (None: as is); `body` is it
    decoded, on first use; sha256 is the decoded body's. The body is left out of repr():
    asyncio.run reprs its main task's result on the way out, and a repr is four times its size.
    """

    name: str
    status: str
    wire: bytes | None = field(default=None, repr=False)
    coding: str | None = None
    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    moved_to: str | None = None
    http_status: int | None = None
    error: str | None = None
    truncated: bool = False
    seconds: float = 0.0

    @functools.cached_property
    def body(self) -> bytes | None:
        """The decoded body (kept once asked for: the build hands `wire` on instead)."""
        return None if self.wire is None else inflate(self.wire, self.coding)


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps: httpx hides the socket error a few levels down."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _describe(exc: BaseException, url: str, limits: Limits) -> str:
    """Say what went wrong in words an editor can act on."""
    host = urlsplit(url).hostname or url
    causes = list(_causes(exc))
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return (f"{host} took longer than {_seconds(limits.deadline)} in all (the per-source deadline): "
                "the site is very slow or never finished sending; try again later")
    if isinstance(exc, httpx.ConnectTimeout):
        return f"{host} did not answer within {_seconds(limits.connect_timeout)}: the site may be down; try again later"
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)):
        return (f"{host} stopped sending for {_seconds(limits.read_timeout)} (read timeout): "
                "the site may be overloaded; try again later")
    if isinstance(exc, httpx.TooManyRedirects):
        return (f"{url} redirects in a loop (more than {limits.max_redirects} redirects): "
                "ask the member for their current feed address")
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return f"{url!r} is not a usable address: fix it in sources.toml"
    if isinstance(exc, Undecodable):
        return f"{host} sent the feed compressed as {exc}, which digest cannot read: tell the member's web person"
    if isinstance(exc, (httpx.DecodingError, zlib.error)):
        return f"{host} sent a compressed body that could not be decompressed: tell the member's web person"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return f"the address {host} cannot be found (DNS): check the URL for typos, or whether the site has moved"
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return f"{host} has a broken security certificate (SSL): tell the member's web person"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"{host} refused the connection: the site may be down; try again later"
    if isinstance(exc, httpx.ConnectError):
        return f"{host} could not be reached ({exc}): the site may be down; try again later"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{host} broke off the connection before the feed was complete: try again later"
    return f"{host} could not be fetched ({type(exc).__name__}: {exc})"


def _http_error(status: int, url: str, *, waited: float | None = None) -> str:
    """An HTTP error status as advice; `waited` is set when we already retried once."""
    if status == 404:
        return f"not found (HTTP 404) at {url}: the feed has moved or been removed — ask the member for its new address"
    if status == 410:
        return (f"gone for good (HTTP 410) at {url}: the member has removed this feed — "
                "remove or replace it in sources.toml")
    if status in (401, 403):
        return f"access refused (HTTP {status}) at {url}: the feed is private or blocks robots — ask the member"
    host = urlsplit(url).hostname or url
    again = f", again after waiting {_seconds(waited)} as it asked" if waited is not None else ""
    if status == 429:
        return f"rate-limited (HTTP 429) by {host}{again}; try again later"
    if status >= 500:
        return f"the member's site had an error (HTTP {status}){again}; try again later"
    return f"unexpected HTTP {status} from {url}: check the address in sources.toml"


def _retry_after(value: str | None, ceiling: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), None if too long or absent."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = parsed.timestamp() - time.time()
    return max(0.0, seconds) if seconds <= ceiling else None


async def _read_capped(chunks: AsyncIterator[bytes], inflater: Inflater,
                       max_bytes: int) -> tuple[bytes, str | None, str, bool]:
    """(the body as it came, its coding, the decoded body's sha256, cut) up to max_bytes decoded.

    Each piece is inflated only to be counted and hashed, then let go. A body cut at max_bytes
    (the rest is never read) is kept decoded, since what came would inflate to more than that.
    """
    wire, digest, size = bytearray(), hashlib.sha256(), 0
    async for raw in chunks:
        wire += raw
        for piece in inflater.pieces(raw):
            room = max_bytes - size
            if len(piece) > room:  # decode it again from the start, only as far as the cap
                body = bytearray()
                for again in Inflater(inflater.coding).pieces(bytes(wire)):
                    body += again[: max_bytes - len(body)]
                    if len(body) >= max_bytes:
                        break
                return bytes(body), None, hashlib.sha256(body).hexdigest(), True
            digest.update(piece)
            size += len(piece)
    return bytes(wire), inflater.coding, digest.hexdigest(), False


async def _get(client: httpx.AsyncClient, req: Request, limits: Limits) -> FetchResult:
    """One GET with conditional headers, a capped body and one polite retry when the site asks for it."""
    headers = {}
    if req.etag:
        headers["If-None-Match"] = req.etag
    if req.last_modified:
        headers["If-Modified-Since"] = req.last_modified
    started = time.monotonic()
    waited: float | None = None
    while True:
        async with client.stream("GET", req.url, headers=headers) as resp:
            if resp.status_code in RETRY_STATUSES and waited is None:
                wait = _retry_after(resp.headers.get("retry-after"), limits.max_retry_after)
                # Retry only when the wait still leaves the retry a fair share of the deadline.
                if wait is not None and time.monotonic() - started + wait < limits.deadline / 2:
                    waited = wait
                    await resp.aclose()
                    await asyncio.sleep(wait)
                    continue
            moved = _permanent_redirect(resp)
            final = str(resp.url)
            if resp.status_code == 304:
                return FetchResult(req.name, "not-modified", etag=req.etag, last_modified=req.last_modified,
                                   final_url=final, moved_to=moved, http_status=304)
            if resp.status_code >= 400:
                return FetchResult(req.name, "failed", http_status=resp.status_code, final_url=final,
                                   error=_http_error(resp.status_code, final, waited=waited))
            inflater = Inflater(resp.headers.get("content-encoding", ""))
            wire, coding, sha256, truncated = await _read_capped(resp.aiter_raw(), inflater, limits.max_bytes)
            return FetchResult(
                req.name, "ok", wire=wire, coding=coding, sha256=sha256, etag=resp.headers.get("etag"),
                last_modified=resp.headers.get("last-modified"), final_url=final, moved_to=moved,
                http_status=resp.status_code, truncated=truncated,
            )


def _permanent_redirect(resp: httpx.Response) -> str | None:
    """Where the feed now lives when it was reached through 301/308s, so the editor can update it.

    Only the leading run of permanent redirects counts: after a temporary one (302/307) the
    address before it is still the one to keep.
    """
    moved = None
    targets = [hop.url for hop in resp.history[1:]] + [resp.url]
    for hop, target in zip(resp.history, targets, strict=False):  # targets has one more: the final URL
        if hop.status_code not in (301, 308):
            break
        moved = str(target)
    return moved


def _read_file(req: Request, limits: Limits) -> FetchResult:
    """A local source: its bytes (capped like a download), with size+mtime as a cheap ETag."""
    assert req.path is not None
    try:
        stat = req.path.stat()
        if not S_ISREG(stat.st_mode) and not S_ISDIR(stat.st_mode):  # a FIFO or device would block the build
            return FetchResult(req.name, "failed", error=f"{req.path} is not an ordinary file (a pipe or device): "
                                                         "point sources.toml at a saved feed file")
        tag = f"file:{stat.st_size}:{stat.st_mtime_ns}"
        if req.etag == tag:
            return FetchResult(req.name, "not-modified", etag=tag, final_url=str(req.path))
        with req.path.open("rb") as handle:
            read = handle.read(limits.max_bytes + 1)
        body = read[: limits.max_bytes]
        return FetchResult(req.name, "ok", wire=body, sha256=hashlib.sha256(body).hexdigest(), etag=tag,
                           final_url=str(req.path), truncated=len(read) > limits.max_bytes)
    except FileNotFoundError:
        return FetchResult(req.name, "failed", error=f"file {req.path} not found: fix the path in sources.toml")
    except IsADirectoryError:
        return FetchResult(req.name, "failed", error=f"{req.path} is a folder, not a feed file: fix the path in sources.toml")
    except OSError as exc:
        return FetchResult(req.name, "failed",
                           error=f"file {req.path} cannot be read ({exc.strerror or exc}): check its permissions")


async def fetch_all(
    requests: Sequence[Request],
    *,
    limits: Limits = DEFAULT_LIMITS,
    client: httpx.AsyncClient | None = None,
    on_done: Callable[[FetchResult], None] | None = None,
) -> dict[str, FetchResult]:
    """Fetch every request concurrently; never raises for a source's failure.

    With a `client` (the build's one, digest/collect/network.py) its connections are reused
    and it is left open; without one, a client is made at the first URL and closed after.
    Local files need no client.
    """
    overall = asyncio.Semaphore(limits.concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    made: list[httpx.AsyncClient] = []

    def using() -> httpx.AsyncClient:
        if client is not None:
            return client
        if not made:
            made.append(make_client(limits))
        return made[0]

    async def one(req: Request) -> FetchResult:
        started = time.perf_counter()
        if req.path is not None:
            result = _read_file(req, limits)
        else:
            host = urlsplit(req.url).netloc.lower()
            per_host = hosts.setdefault(host, asyncio.Semaphore(limits.per_host))
            async with overall, per_host:
                try:
                    async with asyncio.timeout(limits.deadline):  # unlike wait_for, no extra task per request
                        result = await _get(using(), req, limits)
                except Exception as exc:  # noqa: BLE001 - one bad source must never stop the others
                    result = FetchResult(req.name, "failed", error=_describe(exc, req.url, limits))
        result = replace(result, seconds=time.perf_counter() - started)
        if on_done:
            on_done(result)
        return result

    try:
        results = await asyncio.gather(*(one(r) for r in requests))
    finally:
        for own in made:
            await own.aclose()
    return {r.name: r for r in results}


def make_client(limits: Limits = DEFAULT_LIMITS) -> httpx.AsyncClient:
    """The HTTP client digest uses, for these limits (digest/collect/transport.py)."""
    # Imported here: httpcore and h11 (~20 ms) load with the first client, which a build of local files never makes
    from digest.collect.transport import http_client

    return http_client(limits.concurrency, connect_timeout=limits.connect_timeout, read_timeout=limits.read_timeout,
                       max_redirects=limits.max_redirects)
