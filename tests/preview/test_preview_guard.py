"""The preview server against hostile clients, with real sockets: bad query values, slow-drip connections."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from digest.preview.guard import MAX_CONNECTIONS, Guard
from digest.preview.server import PreviewServer
from tests.network import make_network
from tests.preview.test_preview import EDITION

BAD_SINCE = {"superscript two": "%C2%B2", "5,000 digits": "9" * 5000, "an exponent": "1e3", "a space": "%20",
             "hex": "0x10", "two minus signs": "--1"}


def test_a_bad_since_on_events_is_a_400_not_a_traceback(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with PreviewServer(make_network(tmp_path), EDITION, port=0) as server:
        for what, since in BAD_SINCE.items():
            answer = httpx.get(f"{server.url}events?since={since}", timeout=5)  # no token: any page could send it
            assert (answer.status_code, answer.text) == (400, "since= takes the number of the last build seen"), what
        assert httpx.get(f"{server.url}events?since=999", timeout=5).status_code == 200  # still serving
    assert "Traceback" not in capfd.readouterr().err


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer


def test_a_bad_content_length_is_refused_in_words_not_a_traceback(tmp_path: Path,
                                                                  capfd: pytest.CaptureFixture[str]) -> None:
    with PreviewServer(make_network(tmp_path), EDITION, port=0) as server:
        port = int(server.url.rsplit(":", 1)[1][:-1])
        for length in ("\u00b2".encode(), b"9" * 5000, b"-1"):
            head = (f"POST /api/desk HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                    f"X-Digest-Token: {server.previewer.token}\r\n").encode() + b"Content-Length: " + length
            answer = _raw(port, head + b"\r\n\r\n{}")
            assert answer.split(b"\r\n", 1)[0] in (b"HTTP/1.0 411 Length Required", b"HTTP/1.0 400 Bad Request"), length
    assert "Traceback" not in capfd.readouterr().err


def _drip(sockets: list[socket.socket], stop: threading.Event) -> None:
    """Send each socket one more byte of a request every 0.2 s: every read is quick, the head never ends."""
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 10_000
    at = 0
    while not stop.wait(0.2):
        for s in sockets:
            try:
                s.send(request[at:at + 1])
            except OSError:
                continue
        at += 1


def _closed(s: socket.socket, within: float) -> bool:
    s.settimeout(within)
    try:
        while s.recv(1024):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True  # reset: closed too
    return True


@pytest.mark.slow  # ~2 s: real deadlines
def test_32_slow_drip_connections_cannot_lock_the_editor_out(tmp_path: Path,
                                                             capfd: pytest.CaptureFixture[str]) -> None:
    with PreviewServer(make_network(tmp_path), EDITION, port=0, timeout=1.5) as server:
        port = int(server.url.rsplit(":", 1)[1][:-1])
        drips = [socket.create_connection(("127.0.0.1", port)) for _ in range(MAX_CONNECTIONS)]
        stop = threading.Event()
        dripper = threading.Thread(target=_drip, args=(drips, stop), daemon=True)
        dripper.start()
        try:
            time.sleep(0.5)  # every drip has sent a few bytes: none has hit the per-read timeout
            for _ in range(3):  # the editor's page, its documents, again and again
                assert httpx.get(server.url, timeout=3).status_code == 200
                assert httpx.get(server.url + "newsletter.html", timeout=3).status_code == 200
            # The deadline is for the whole head, so dripping a byte every 0.2 s does not keep a connection.
            assert [_closed(s, within=10) for s in drips] == [True] * MAX_CONNECTIONS
            guard = server._httpd.guard if server._httpd is not None else None
            for _ in range(50):  # the editor's last connection leaves just after its answer is sent
                if guard is not None and guard.count == 0:
                    break
                time.sleep(0.1)
            assert guard is not None and guard.count == 0
        finally:
            stop.set()
            for s in drips:
                s.close()
    assert "Traceback" not in capfd.readouterr().err


def test_one_client_holds_at_most_its_share_and_answered_connections_are_never_cut() -> None:
    guard = Guard(max_connections=4, per_client=2, header_deadline=60)
    socks = [socket.socket() for _ in range(6)]
    try:
        assert guard.admit(socks[0], "10.0.0.1") and guard.admit(socks[1], "10.0.0.1")
        guard.answered(socks[0])
        guard.answered(socks[1])
        assert not guard.admit(socks[2], "10.0.0.1")  # both of its connections are being answered (long polls)
        assert guard.admit(socks[3], "10.0.0.2") and guard.admit(socks[4], "10.0.0.2")
        assert guard.admit(socks[5], "10.0.0.2")  # makes way: its oldest was still sending its head
        assert guard.count == 4
        guard.leave(socks[3])  # the one that made way leaves later: nothing changes
        assert guard.count == 4
    finally:
        guard.close()
        for s in socks:
            s.close()
