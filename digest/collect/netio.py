"""httpcore's network I/O on plain asyncio streams, for httpx without anyio underneath.

httpx (through httpcore) does its socket work through anyio, which wraps every read, write
and connect in a cancel scope and task-group machinery: for a 304, a few hundred µs of CPU
per request, the largest share of what 100 or 1,000 conditional GETs cost. These streams do
the same work with asyncio's own, and raise httpcore's exceptions exactly as its anyio
backend does (so httpx's errors, and what fetch.py tells an editor, are unchanged).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
from httpcore._backends.base import SOCKET_OPTION  # the type of httpcore's own signature

READ_CHUNK = 64 * 1024


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

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        try:
            if self._deadline is not None:
                await self._deadline.__aexit__(kind, exc, tb)  # a cancel by the deadline becomes TimeoutError
        except TimeoutError as late:
            raise self._on_timeout(f"timed out after {self._timeout:g} s") from late
        if isinstance(exc, TimeoutError):
            raise self._on_timeout(str(exc)) from exc
        if isinstance(exc, (OSError, EOFError)):  # ssl.SSLError is an OSError
            raise self._on_error(str(exc) or type(exc).__name__) from exc
        return False


class Stream(httpcore.AsyncNetworkStream):
    """One connection: asyncio's reader and writer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        async with _Step(timeout, httpcore.ReadTimeout, httpcore.ReadError):
            return await self._reader.read(max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        async with _Step(timeout, httpcore.WriteTimeout, httpcore.WriteError):
            self._writer.write(buffer)
            await self._writer.drain()

    async def aclose(self) -> None:
        self._writer.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            async with _Step(timeout, httpcore.ConnectTimeout, httpcore.ConnectError):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except Exception:
            await self.aclose()
            raise
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        if info == "is_readable":
            return self._reader.at_eof() or bool(self._reader._buffer)  # noqa: SLF001 - data or EOF waiting
        return None


class Backend(httpcore.AsyncNetworkBackend):
    """Connections for httpcore's pool, opened with asyncio.open_connection."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[SOCKET_OPTION] | None = None) -> httpcore.AsyncNetworkStream:
        async with _Step(timeout, httpcore.ConnectTimeout, httpcore.ConnectError):
            reader, writer = await asyncio.open_connection(
                host, port, local_addr=(local_address, 0) if local_address else None, limit=READ_CHUNK)
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return Stream(reader, writer)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[SOCKET_OPTION] | None = None) -> httpcore.AsyncNetworkStream:
        async with _Step(timeout, httpcore.ConnectTimeout, httpcore.ConnectError):
            reader, writer = await asyncio.open_unix_connection(path, limit=READ_CHUNK)
        return Stream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
