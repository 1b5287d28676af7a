"""The HTTP client digest uses, on httpcore connection pools that do their I/O with asyncio.

httpx's own AsyncHTTPTransport offers no way to choose httpcore's network backend, so the
client's transport is this small one, built from public parts only: httpcore's
AsyncConnectionPool(network_backend=...) with digest/collect/netio.py's Backend, behind httpx's
AsyncBaseTransport (the request and response mapped as httpx's documentation describes, and
httpcore's exceptions turned into httpx's, so callers see httpx's errors as before).

Hosts (name and port) share a connection pool HOSTS_PER_POOL at a time: httpcore's pool does work in
proportion to its connections on every request's every step, so one pool for 1,000 members
made 1,000 conditional GETs cost ~2.5 ms of CPU each instead of ~1 ms. The TLS context, whose
CA bundle costs 40-80 ms of CPU to load, is made once, when the first https:// pool is.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from digest import __version__
from digest.collect.netio import Backend

USER_AGENT = f"digest/{__version__} (newsletter builder; +https://pypi.org/project/digest/)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "text/calendar, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
HOSTS_PER_POOL = 32
PUBLIC_ONLY = "digest.public_only"  # a request extension: connect only to public addresses (redirects keep it)
# httpcore's exceptions as httpx's, the most specific first (httpx's own transport maps them the same way)
ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout), (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout), (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException), (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError), (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError), (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError), (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        mapped = next((theirs for ours, theirs in ERRORS if isinstance(exc, ours)), None)
        if mapped is None:
            raise
        raise mapped(str(exc)) from exc


class _Body(httpx.AsyncByteStream):
    """A response body as httpcore streams it, its errors as httpx's."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream  # httpcore's, which gives its bytes and closes as httpx.AsyncByteStream does

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        await self._stream.aclose()


class Transport(httpx.AsyncBaseTransport):
    """Requests on httpcore pools over asyncio (netio.Backend), HOSTS_PER_POOL hosts to a pool."""

    def __init__(self, limits: httpx.Limits) -> None:
        self._limits = limits
        self._hosts: dict[str, int] = {}
        self._shards: dict[tuple[bool, int, bool], httpcore.AsyncConnectionPool] = {}
        self._tls: ssl.SSLContext | None = None

    def pool_for(self, url: httpx.URL, *, public_only: bool = False) -> httpcore.AsyncConnectionPool:
        """The pool for a URL's host: made with the first request to one of its HOSTS_PER_POOL hosts.

        Requests made with the PUBLIC_ONLY extension (pictures: addresses from member content) have
        pools of their own, whose connections go only to public addresses (netio.Backend).
        """
        secure = url.scheme == "https"
        origin = f"{url.host}:{url.port}"  # a host is its name and port (members may share an address)
        key = (secure, self._hosts.setdefault(origin, len(self._hosts)) // HOSTS_PER_POOL, public_only)
        if key not in self._shards:
            if secure and self._tls is None:
                self._tls = httpx.create_ssl_context(trust_env=False)  # verify=True: certificates are checked
            self._shards[key] = httpcore.AsyncConnectionPool(
                ssl_context=self._tls if secure else None, max_connections=self._limits.max_connections,
                max_keepalive_connections=self._limits.max_keepalive_connections,
                keepalive_expiry=self._limits.keepalive_expiry, network_backend=Backend(public_only=public_only))
        return self._shards[key]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw, content=request.stream,
            extensions={k: v for k, v in request.extensions.items() if k != PUBLIC_ONLY})
        with _as_httpx_errors():
            response = await self.pool_for(url, public_only=bool(request.extensions.get(PUBLIC_ONLY))).handle_async_request(core)
        return httpx.Response(status_code=response.status, headers=response.headers, stream=_Body(response.stream),
                              extensions=response.extensions)

    async def aclose(self) -> None:
        for pool in self._shards.values():
            await pool.aclose()


def http_client(connections: int, *, connect_timeout: float, read_timeout: float, max_redirects: int) -> httpx.AsyncClient:
    """The HTTP client: timeouts, redirects followed, gzip/deflate asked for, our User-Agent, `connections` per pool."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        follow_redirects=True,
        max_redirects=max_redirects,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
        transport=Transport(httpx.Limits(max_connections=connections * 2, max_keepalive_connections=connections)),
        trust_env=False,
    )
