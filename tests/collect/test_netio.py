"""digest/collect/netio.py: httpcore's streams on asyncio, answering what httpcore asks of them."""

from __future__ import annotations

import asyncio

import httpcore
import pytest

from digest.collect.netio import Backend


async def _served(reply: bytes, *, close: bool) -> tuple[bool, bool, bytes]:
    """(readable while idle, readable once the server acted, what a read then gives)."""
    acted = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.05)
        writer.write(reply)
        await writer.drain()
        if close:
            writer.close()
        acted.set()
        await asyncio.sleep(0.2)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        stream = await Backend().connect_tcp("127.0.0.1", port, timeout=2)
        idle = stream.get_extra_info("is_readable")
        await acted.wait()
        await asyncio.sleep(0.05)
        after = stream.get_extra_info("is_readable")
        data = await stream.read(1024, timeout=1)
        await stream.aclose()
    return idle, after, data


def test_an_idle_connection_the_server_closed_is_readable() -> None:
    """What httpcore asks before reusing a pooled connection: the server's close is seen, and never reused."""
    assert asyncio.run(_served(b"", close=True)) == (False, True, b"")


def test_bytes_left_on_an_idle_connection_make_it_readable() -> None:
    """A server that answers 408 and closes an idle keep-alive connection: the stale answer is seen as
    waiting (the connection is dropped), not read as the answer to the next request."""
    assert asyncio.run(_served(b"HTTP/1.1 408 Request Timeout\r\n\r\n", close=True)) == (
        False, True, b"HTTP/1.1 408 Request Timeout\r\n\r\n")


def test_a_read_that_times_out_raises_httpcores_error() -> None:
    async def stalled() -> None:
        server = await asyncio.start_server(lambda r, w: asyncio.sleep(1), "127.0.0.1", 0)
        async with server:
            stream = await Backend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1], timeout=2)
            try:
                await stream.read(10, timeout=0.05)
            finally:
                await stream.aclose()

    with pytest.raises(httpcore.ReadTimeout):
        asyncio.run(stalled())


def test_hosts_share_a_pool_a_few_dozen_at_a_time_by_name_and_port() -> None:
    """Members behind one address on different ports are different hosts: one pool for all of them is
    what made a 1,000-member warm build cost ~2.5 ms of CPU per conditional GET instead of ~1 ms."""
    import httpx

    from digest.collect.transport import HOSTS_PER_POOL, Transport

    transport = Transport(httpx.Limits())
    pools = {id(transport.pool_for(httpx.URL(f"http://127.0.0.1:{8000 + n}/feed"))) for n in range(HOSTS_PER_POOL * 2)}
    assert len(pools) == 2
    again = transport.pool_for(httpx.URL("http://127.0.0.1:8000/other"))
    assert again is transport.pool_for(httpx.URL("http://127.0.0.1:8001/feed"))
    assert transport.pool_for(httpx.URL("https://127.0.0.1:8000/feed")) is not again  # TLS pools apart
