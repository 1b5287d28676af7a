"""httpcore's network I/O on plain asyncio, for httpx without anyio underneath.

httpx (through httpcore) does its socket work through anyio, which wraps every read, write
and connect in a cancel scope and task-group machinery: for a 304, a few hundred µs of CPU
per request, the largest share of what 100 or 1,000 conditional GETs cost. These connections
do the same work with an asyncio Protocol of their own (public asyncio: loop.create_connection,
loop.start_tls), and raise httpcore's exceptions exactly as its anyio backend does (so httpx's
errors, and what fetch.py tells an editor, are unchanged). httpcore is handed this backend
through its public AsyncConnectionPool(network_backend=...) (digest/collect/transport.py).

The Protocol keeps the bytes that arrived until httpcore reads them, so it can answer the one
question httpcore asks of an idle pooled connection, "is anything waiting?" (data, or the
server having closed it), without reaching into asyncio's StreamReader.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

READ_CHUNK = 64 * 1024
HIGH_WATER = 4 * READ_CHUNK  # bytes waiting to be read before the socket stops being read
# httpcore's socket options: (level, option, value) or (level, option, None, length)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


class _Step:
    """One step's deadline (asyncio.timeout), and its errors as httpcore's, the original kept as the cause."""

    __slots__ = ("_timeout", "_on_timeout", "_on_error", "_deadline")

    def __init__(self, timeout: float | None, on_timeout: type[Exception], on_error: type[Exception]) -> None:
        self._timeout = timeout
        self._on_timeout = on_timeout
        self._on_error = on_error
        self._deadline: asyncio.Timeout | None = None

    async def __aenter__(self) -> None:
        if self._timeout is not None:
            self._deadline = asyncio.timeout(self._timeout)
            await self._deadline.__aenter__()

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        try:
            if self._deadline is not None:
                await self._deadline.__aexit__(kind, exc, tb)  # a cancel by the deadline becomes TimeoutError
        except TimeoutError as late:
            raise self._on_timeout(f"timed out after {self._timeout:g} s") from late
        if isinstance(exc, TimeoutError):
            raise self._on_timeout(str(exc)) from exc
        if isinstance(exc, (OSError, EOFError)):  # ssl.SSLError is an OSError
            raise self._on_error(str(exc) or type(exc).__name__) from exc


class _Connection(asyncio.Protocol):
    """One socket: the bytes that came and are not read yet, whether the peer is done, and write flow control."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._pending = bytearray()
        self._ended = False  # the peer closed its side, or the connection is lost
        self._error: Exception | None = None
        self._arrived: asyncio.Future[None] | None = None  # a read waiting for bytes
        self._writable: asyncio.Future[None] | None = None  # a write waiting for the send buffer to drain

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._pending += data
        if len(self._pending) > HIGH_WATER and self.transport is not None:
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._ended = True
        self._wake()
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended = True
        self._error = exc
        self._wake()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    def _wake(self) -> None:
        if self._arrived is not None and not self._arrived.done():
            self._arrived.set_result(None)

    @property
    def readable(self) -> bool:
        """Whether a read would return at once: bytes are waiting, or the peer is done."""
        return bool(self._pending) or self._ended

    async def read(self, max_bytes: int) -> bytes:
        while not self._pending:
            if self._ended:
                if self._error is not None:
                    raise self._error
                return b""
            self._arrived = asyncio.get_running_loop().create_future()
            try:
                await self._arrived
            finally:
                self._arrived = None
        chunk = bytes(self._pending[:max_bytes])
        del self._pending[:max_bytes]
        if len(self._pending) <= HIGH_WATER and self.transport is not None and not self.transport.is_reading():
            self.transport.resume_reading()
        return chunk

    async def write(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise self._error or ConnectionResetError("the connection is closed")
        self.transport.write(data)
        if self._writable is not None:
            await asyncio.shield(self._writable)  # a cancelled write must not cancel the next one's wait
            if self.transport.is_closing():
                raise self._error or ConnectionResetError("the connection was lost while writing")


class Stream(httpcore.AsyncNetworkStream):
    """One connection as httpcore uses it."""

    def __init__(self, connection: _Connection) -> None:
        self._connection = connection

    @property
    def _transport(self) -> asyncio.Transport:
        assert self._connection.transport is not None
        return self._connection.transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        async with _Step(timeout, httpcore.ReadTimeout, httpcore.ReadError):
            return await self._connection.read(max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        async with _Step(timeout, httpcore.WriteTimeout, httpcore.WriteError):
            await self._connection.write(buffer)

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            async with _Step(timeout, httpcore.ConnectTimeout, httpcore.ConnectError):
                upgraded = await asyncio.get_running_loop().start_tls(
                    self._transport, self._connection, ssl_context, server_hostname=server_hostname)
                if upgraded is None:
                    raise ConnectionResetError("the connection closed during the TLS handshake")
                self._connection.transport = upgraded
        except Exception:
            await self.aclose()
            raise
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self._connection.readable
        names = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername", "socket": "socket"}
        return self._transport.get_extra_info(names[info]) if info in names else None


class Refused(httpcore.ConnectError):
    """A connection a public-only backend will not make: the address is loopback, private, link-local..."""


def _literal(host: str) -> IPAddress | None:
    """The address a host name stands for by itself: an IP in any form, 127.1 and 2130706433 too (inet_aton's)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _standard(host: str) -> bool:
    """Whether a host is an address written the standard way (then it names itself in a message)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def public(address: IPAddress) -> bool:
    """Whether an address is on the public internet (not loopback, private, link-local, reserved, multicast)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def public_address(host: str, port: int) -> str:
    """The first public address `host` resolves to, to connect to instead of the name (so what was
    checked is what is reached); Refused when it has none."""
    found = _literal(host)
    if found is not None:
        addresses = [found]
    else:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    allowed = [address for address in addresses if public(address)]
    if not allowed:
        shown = host if _standard(host) or not addresses else f"{host} ({addresses[0]})"
        raise Refused(f"{shown} is a local or private address, which digest does not fetch pictures from")
    return str(allowed[0])


class Backend(httpcore.AsyncNetworkBackend):
    """Connections for httpcore's pool, opened with loop.create_connection.

    With `public_only` (what member content asks for: pictures), a host is resolved first and
    connected to by the address checked, never one that is loopback, private or link-local.
    """

    def __init__(self, *, public_only: bool = False) -> None:
        self.public_only = public_only

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[SocketOption] | None = None) -> httpcore.AsyncNetworkStream:
        async with _Step(timeout, httpcore.ConnectTimeout, httpcore.ConnectError):
            if self.public_only:
                host = await public_address(host, port)
            _, connection = await asyncio.get_running_loop().create_connection(
                _Connection, host, port, local_addr=(local_address, 0) if local_address else None)
        sock = connection.transport.get_extra_info("socket") if connection.transport is not None else None
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return Stream(connection)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[SocketOption] | None = None) -> httpcore.AsyncNetworkStream:
        async with _Step(timeout, httpcore.ConnectTimeout, httpcore.ConnectError):
            _, connection = await asyncio.get_running_loop().create_unix_connection(_Connection, path)
        return Stream(connection)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
