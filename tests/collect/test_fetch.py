"""fetch_all against a loopback server that misbehaves: every fault ends in a FetchResult whose
error names the cause in an editor's words, within the limits it was given."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from digest.collect.fetch import FetchResult, Limits, Request, fetch_all
from tests.hardening import SHORT, LoopbackServer, closed_port, endless, gzip_bomb, posts, redirect, rss, send, stall

FEED = rss(posts(3))


def fetch(url: str, limits: Limits = SHORT) -> tuple[FetchResult, float]:
    """One source through fetch_all, and how long it took."""
    started = time.perf_counter()
    results = asyncio.run(fetch_all([Request("Member", url)], limits=limits))
    return results["Member"], time.perf_counter() - started


def test_connection_refused_is_named_at_once() -> None:
    result, seconds = fetch(f"http://127.0.0.1:{closed_port()}/feed")
    assert result.status == "failed"
    assert result.error == "127.0.0.1 refused the connection: the site may be down; try again later"
    assert seconds < 1


def test_unknown_host_is_a_dns_failure_without_a_lookup() -> None:
    result, seconds = fetch("http://nonexistent.invalid/feed")
    assert result.error == ("the address nonexistent.invalid cannot be found (DNS): "
                            "check the URL for typos, or whether the site has moved")
    assert seconds < 1


@pytest.mark.parametrize(("status", "expected"), [
    (404, "not found (HTTP 404) at {url}: the feed has moved or been removed — ask the member for its new address"),
    (410, "gone for good (HTTP 410) at {url}: the member has removed this feed — remove or replace it in sources.toml"),
    (403, "access refused (HTTP 403) at {url}: the feed is private or blocks robots — ask the member"),
    (500, "the member's site had an error (HTTP 500); try again later"),
])
def test_http_errors_say_what_to_do(server: LoopbackServer, status: int, expected: str) -> None:
    server["/feed"] = send(b"nope", status=status, content_type="text/html")
    result, _ = fetch(server.url("/feed"))
    assert (result.status, result.http_status) == ("failed", status)
    assert result.error == expected.format(url=server.url("/feed"))


def test_a_retry_after_beyond_our_patience_is_not_waited_for(server: LoopbackServer) -> None:
    server["/feed"] = send(b"busy", status=503, headers={"Retry-After": "3600"})
    result, seconds = fetch(server.url("/feed"))
    assert result.error == "the member's site had an error (HTTP 503); try again later"
    assert server.hits("/feed") == 1
    assert seconds < 1


@pytest.mark.slow  # ~1 s: waits for the read timeout
def test_read_timeout_before_the_headers(server: LoopbackServer) -> None:
    """Stalling inside the body is a row of test_faults.py; stalling before any header reads the same."""
    server["/feed"] = stall(after_headers=False)
    result, seconds = fetch(server.url("/feed"))
    assert result.error == "127.0.0.1 stopped sending for 1 s (read timeout): the site may be overloaded; try again later"
    assert 1 <= seconds < 2


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_is_followed_and_the_new_address_offered(server: LoopbackServer, status: int) -> None:
    server["/old"] = redirect("/new", status)
    server["/new"] = send(FEED)
    result, _ = fetch(server.url("/old"))
    assert (result.status, result.body) == ("ok", FEED)
    assert result.moved_to == result.final_url == server.url("/new")


def test_temporary_redirect_is_followed_but_the_address_kept(server: LoopbackServer) -> None:
    server["/old"] = redirect("/new", 302)
    server["/new"] = send(FEED)
    result, _ = fetch(server.url("/old"))
    assert (result.status, result.moved_to) == ("ok", None)


def test_only_the_permanent_part_of_a_chain_is_offered(server: LoopbackServer) -> None:
    """301 to /moved, which 302s on to today's copy: /moved is the address to keep."""
    server["/old"] = redirect("/moved", 301)
    server["/moved"] = redirect("/today", 302)
    server["/today"] = send(FEED)
    result, _ = fetch(server.url("/old"))
    assert result.moved_to == server.url("/moved")


def test_redirect_loop(server: LoopbackServer) -> None:
    server["/a"] = redirect("/b", 302)
    server["/b"] = redirect("/a", 302)
    result, seconds = fetch(server.url("/a"))
    assert result.error == (f"{server.url('/a')} redirects in a loop (more than 10 redirects): "
                            "ask the member for their current feed address")
    assert seconds < 1


def test_a_50_mb_body_is_cut_at_the_cap(server: LoopbackServer) -> None:
    server["/feed"] = endless(FEED[:-20], b"<!-- padding -->" * 4096, 50 * 1024 * 1024)
    result, seconds = fetch(server.url("/feed"))
    assert result.status == "ok" and result.truncated
    assert len(result.body or b"") == SHORT.max_bytes
    assert seconds < 1.5  # the other 49 MB were never read


@pytest.mark.slow  # ~1 s
def test_a_gzip_bomb_is_capped_after_decompression_in_bounded_memory(server: LoopbackServer) -> None:
    limits = replace(SHORT, max_bytes=1 << 20)
    server["/feed"] = send(gzip_bomb(256 << 20), headers={"Content-Encoding": "gzip"})  # 256 MB in ~250 KB
    server["/warm-up"] = send(FEED)
    fetch(server.url("/warm-up"))  # the first client loads its CA bundle: not the body's cost
    tracemalloc.start()
    try:
        result, seconds = fetch(server.url("/feed"), limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "ok" and result.truncated
    assert result.body == b"\0" * limits.max_bytes
    # httpx alone inflates a whole network chunk at once: 140 MB for this bomb.
    assert peak < 4 * limits.max_bytes, f"peak {peak / 2**20:.1f} MB"
    assert seconds < 2


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_inflated(server: LoopbackServer, encoding: str) -> None:
    if encoding == "gzip":
        body = gzip.compress(FEED)
    else:
        packer = zlib.compressobj(wbits=zlib.MAX_WBITS if encoding == "deflate" else -zlib.MAX_WBITS)
        body = packer.compress(FEED) + packer.flush()
    server["/feed"] = send(body, headers={"Content-Encoding": encoding.removeprefix("raw-")})
    result, _ = fetch(server.url("/feed"))
    assert (result.status, result.body, result.truncated) == ("ok", FEED, False)


def test_an_encoding_we_did_not_ask_for_is_named(server: LoopbackServer) -> None:
    server["/feed"] = send(FEED, headers={"Content-Encoding": "br"})
    result, _ = fetch(server.url("/feed"))
    assert result.error == "127.0.0.1 sent the feed compressed as 'br', which digest cannot read: tell the member's web person"


def test_a_corrupt_gzip_body_is_named(server: LoopbackServer) -> None:
    server["/feed"] = send(b"\x1f\x8b\x08\x00garbage-not-deflate" * 10, headers={"Content-Encoding": "gzip"})
    result, _ = fetch(server.url("/feed"))
    assert result.error == ("127.0.0.1 sent a compressed body that could not be decompressed: "
                            "tell the member's web person")


def test_local_files_are_capped_and_missing_ones_named(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * (SHORT.max_bytes + 10))
    limits = replace(SHORT, deadline=1)
    requests = [Request("Big", str(big), path=big), Request("Gone", "gone.xml", path=tmp_path / "gone.xml"),
                Request("Folder", "sub", path=tmp_path)]
    results = asyncio.run(fetch_all(requests, limits=limits))
    assert results["Big"].truncated and len(results["Big"].body or b"") == SHORT.max_bytes
    assert results["Gone"].error == f"file {tmp_path / 'gone.xml'} not found: fix the path in sources.toml"
    assert results["Folder"].error == f"{tmp_path} is a folder, not a feed file: fix the path in sources.toml"


@pytest.mark.slow  # ~1 s: waits for timeouts
def test_every_source_reports_even_when_all_fail_differently(server: LoopbackServer) -> None:
    """Faults side by side: each gets its own result, and on_done hears of every one."""
    server["/ok"] = send(FEED)
    server["/stall"] = stall()
    server["/gone"] = send(b"", status=410)
    requests = [Request("OK", server.url("/ok")), Request("Stall", server.url("/stall")),
                Request("Gone", server.url("/gone")), Request("Refused", f"http://127.0.0.1:{closed_port()}/"),
                Request("Bad URL", "http://exa mple.org/feed")]
    heard: list[str] = []
    results = asyncio.run(fetch_all(requests, limits=SHORT, on_done=lambda r: heard.append(r.name)))
    assert sorted(heard) == sorted(r.name for r in requests)
    assert results["OK"].status == "ok"
    assert {name: r.status for name, r in results.items() if name != "OK"} == dict.fromkeys(
        ["Stall", "Gone", "Refused", "Bad URL"], "failed")
    assert all(r.error for name, r in results.items() if name != "OK")


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[str]:
    """An https:// feed on loopback whose certificate no one signed."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}/feed"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_certificates_are_checked_but_only_loaded_for_https(server: LoopbackServer, self_signed: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def recording(context: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loaded.append(args or kwargs)
        real(context, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", recording)
    server["/feed"] = send(FEED)
    result, _ = fetch(server.url("/feed"))
    assert result.status == "ok" and loaded == []  # plain http: no CA bundle loaded (40-80 ms saved)

    result, _ = fetch(self_signed)
    assert result.status == "failed"
    assert result.error == "127.0.0.1 has a broken security certificate (SSL): tell the member's web person"
    assert loaded  # the verified context was made for it
    server["/moved"] = redirect(self_signed)  # a redirect from http to https is verified too
    result, _ = fetch(server.url("/moved"))
    assert result.error == "127.0.0.1 has a broken security certificate (SSL): tell the member's web person"
