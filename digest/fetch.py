"""Fetch every source concurrently, politely and within limits.

Members are different small sites, so all sources are fetched at once (bounded overall and
per host), each with connect/read timeouts, an overall deadline, a size cap applied after
decompression, and a conditional GET from the store's ETag/Last-Modified. Nothing here
raises for a bad source: every outcome is a FetchResult the report can name.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlsplit

import httpx

from digest import __version__

USER_AGENT = f"digest/{__version__} (newsletter builder; +https://pypi.org/project/digest/)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "text/calendar, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class Limits:
    """How long and how much one source may take."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 45.0
    max_bytes: int = 10 * 1024 * 1024
    concurrency: int = 32
    per_host: int = 2
    max_retry_after: float = 10.0


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
    """

    name: str
    status: str
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    moved_to: str | None = None
    http_status: int | None = None
    error: str | None = None
    truncated: bool = False
    seconds: float = 0.0

    @property
    def body_hash(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None


def _describe(exc: BaseException, url: str) -> str:
    """Say what went wrong in words an editor can act on."""
    host = urlsplit(url).hostname or url
    if isinstance(exc, httpx.ConnectTimeout):
        return f"{host} did not answer within the connect timeout; the site may be down"
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)):
        return f"{host} stopped sending data (read timeout); the site may be overloaded"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "resolve" in text or "temporary failure" in text:
            return f"the address {host} cannot be found (DNS): check the URL for typos or whether the site moved"
        if "ssl" in text or "certificate" in text:
            return f"{host} has a broken security certificate (SSL): tell the member's web person"
        return f"{host} refused the connection; the site may be down"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"{url} redirects in a loop: ask the member for their current feed address"
    if isinstance(exc, httpx.DecodingError):
        return f"{host} sent a compressed body that could not be decompressed"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"{url!r} is not a usable address: fix sources.toml"
    if isinstance(exc, asyncio.TimeoutError):
        return f"{host} took longer than the per-source deadline; the site is very slow"
    return f"{host}: {type(exc).__name__}: {exc}"


def _http_error(status: int, url: str) -> str:
    if status == 404:
        return f"not found (HTTP 404) at {url}: the feed has moved or been removed — ask the member for its new address"
    if status == 410:
        return f"gone for good (HTTP 410) at {url}: the member has removed this feed; remove or replace it in sources.toml"
    if status in (401, 403):
        return f"access refused (HTTP {status}) at {url}: the feed is private or blocks robots"
    if status == 429:
        return f"rate-limited (HTTP 429) by {urlsplit(url).hostname}: try again later"
    if status >= 500:
        return f"the member's site had an error (HTTP {status}); try again later"
    return f"unexpected HTTP {status} from {url}"


def _retry_after(value: str | None, ceiling: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), None if too long or absent."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        seconds = parsed.timestamp() - time.time()
    return max(0.0, seconds) if seconds <= ceiling else None


async def _get(client: httpx.AsyncClient, req: Request, limits: Limits) -> FetchResult:
    """One GET with conditional headers, a streamed size cap and one polite retry on 503/500."""
    headers = {}
    if req.etag:
        headers["If-None-Match"] = req.etag
    if req.last_modified:
        headers["If-Modified-Since"] = req.last_modified
    for attempt in (1, 2):
        async with client.stream("GET", req.url, headers=headers) as resp:
            if resp.status_code in (500, 502, 503, 504, 429) and attempt == 1:
                wait = _retry_after(resp.headers.get("retry-after"), limits.max_retry_after)
                if wait is not None:
                    await asyncio.sleep(wait)
                    continue
            moved = _permanent_redirect(resp)
            if resp.status_code == 304:
                return FetchResult(req.name, "not-modified", etag=req.etag, last_modified=req.last_modified,
                                   final_url=str(resp.url), moved_to=moved, http_status=304)
            if resp.status_code >= 400:
                return FetchResult(req.name, "failed", http_status=resp.status_code, final_url=str(resp.url),
                                   error=_http_error(resp.status_code, str(resp.url)))
            chunks: list[bytes] = []
            size = 0
            truncated = False
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > limits.max_bytes:
                    chunks.append(chunk[: len(chunk) - (size - limits.max_bytes)])
                    truncated = True
                    break
                chunks.append(chunk)
            return FetchResult(
                req.name, "ok", body=b"".join(chunks), etag=resp.headers.get("etag"),
                last_modified=resp.headers.get("last-modified"), final_url=str(resp.url), moved_to=moved,
                http_status=resp.status_code, truncated=truncated,
            )
    raise AssertionError("unreachable")


def _permanent_redirect(resp: httpx.Response) -> str | None:
    """The new address when the feed was reached through a 301/308, so the editor can update it."""
    if any(r.status_code in (301, 308) for r in resp.history):
        return str(resp.url)
    return None


def _read_file(req: Request) -> FetchResult:
    """A local source: its bytes, with the file's size+mtime as a cheap ETag."""
    assert req.path is not None
    try:
        stat = req.path.stat()
        tag = f"file:{stat.st_size}:{stat.st_mtime_ns}"
        if req.etag == tag:
            return FetchResult(req.name, "not-modified", etag=tag, final_url=str(req.path))
        return FetchResult(req.name, "ok", body=req.path.read_bytes(), etag=tag, final_url=str(req.path))
    except FileNotFoundError:
        return FetchResult(req.name, "failed", error=f"file {req.path} not found: fix the path in sources.toml")
    except OSError as exc:
        return FetchResult(req.name, "failed", error=f"file {req.path} cannot be read: {exc.strerror}")


async def fetch_all(
    requests: Sequence[Request],
    *,
    limits: Limits = Limits(),
    client: httpx.AsyncClient | None = None,
    on_done: Callable[[FetchResult], None] | None = None,
) -> dict[str, FetchResult]:
    """Fetch every request concurrently; never raises for a source's failure."""
    overall = asyncio.Semaphore(limits.concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    own_client = client is None
    if client is None:
        client = make_client(limits)

    async def one(req: Request) -> FetchResult:
        started = time.perf_counter()
        if req.path is not None:
            result = _read_file(req)
        else:
            host = urlsplit(req.url).netloc.lower()
            per_host = hosts.setdefault(host, asyncio.Semaphore(limits.per_host))
            async with overall, per_host:
                try:
                    result = await asyncio.wait_for(_get(client, req, limits), limits.deadline)
                except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, asyncio.TimeoutError, OSError, ValueError) as exc:
                    result = FetchResult(req.name, "failed", error=_describe(exc, req.url))
        result = FetchResult(**{**result.__dict__, "seconds": time.perf_counter() - started})
        if on_done:
            on_done(result)
        return result

    try:
        results = await asyncio.gather(*(one(r) for r in requests))
    finally:
        if own_client:
            await client.aclose()
    return {r.name: r for r in results}


def make_client(limits: Limits = Limits()) -> httpx.AsyncClient:
    """The HTTP client digest uses: timeouts, redirects followed (max 10), gzip/deflate, our UA."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout),
        follow_redirects=True,
        max_redirects=10,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=limits.concurrency * 2, max_keepalive_connections=limits.concurrency),
        trust_env=False,
    )
