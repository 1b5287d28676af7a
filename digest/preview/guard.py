"""Who may hold a connection to the preview, and for how long: so slow clients cannot lock the editor out.

A connection must send its whole request head (request line and headers) within HEADER_DEADLINE
of connecting: a deadline per connection, not per read, so a client dripping a byte a second
is cut off as surely as a silent one. At most MAX_CONNECTIONS are served at once and at most
MAX_PER_CLIENT from one address. When either is full, a new connection takes the place of the
oldest one still sending its head (a page loaded by the editor sends its head at once, so the
connections still sending one are the slow or hostile ones); only when every connection is past
its head (being answered, or a long poll) is the new one refused. http.py's server asks `admit`
for each connection, says `answered` once a head is read, and `leave` when the connection ends.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass

MAX_CONNECTIONS = 32  # served at once; beyond this a slow connection makes way, or the new one is closed
MAX_PER_CLIENT = 24  # from one address (each of the editor's tabs holds a long poll and loads a few documents)
HEADER_DEADLINE = 5.0  # seconds from connecting to the end of the request's headers, however they trickle in


@dataclass
class _Connection:
    sock: socket.socket
    client: str
    deadline: float  # monotonic time by which its head must be in; inf once it is
    since: float


class Guard:
    """The connections being served, their heads' deadlines, and the caps (see the module docstring)."""

    def __init__(self, *, max_connections: int = MAX_CONNECTIONS, per_client: int = MAX_PER_CLIENT,
                 header_deadline: float = HEADER_DEADLINE) -> None:
        self.max_connections, self.header_deadline = max_connections, header_deadline
        self.per_client = min(per_client, max_connections)
        self._open: dict[int, _Connection] = {}  # by id() of the socket
        self._lock = threading.Condition()
        self._closed = False
        self._watch = threading.Thread(target=self._cut_late_heads, name="preview-guard", daemon=True)
        self._watch.start()

    def admit(self, sock: socket.socket, client: str) -> bool:
        """Whether to serve a new connection (making way for it if a slow one can go)."""
        now = time.monotonic()
        with self._lock:
            for mine, cap in ((True, self.per_client), (False, self.max_connections)):
                crowd = [c for c in self._open.values() if c.client == client or not mine]
                if len(crowd) >= cap and not self._evict(crowd):
                    return False
            self._open[id(sock)] = _Connection(sock, client, now + self.header_deadline, now)
            self._lock.notify()
        return True

    def answered(self, sock: socket.socket) -> None:
        """The connection's head is in: from now on it is answered, however long that takes (a long poll)."""
        with self._lock:
            if (conn := self._open.get(id(sock))) is not None:
                conn.deadline = float("inf")

    def leave(self, sock: socket.socket) -> None:
        """The connection is over (a connection made way for another may leave twice)."""
        with self._lock:
            conn = self._open.get(id(sock))
            if conn is not None and conn.sock is sock:
                del self._open[id(sock)]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._open)

    def _evict(self, crowd: list[_Connection]) -> bool:
        """Cut the oldest of `crowd` still sending its head; False when none is (caller holds the lock)."""
        slow = [c for c in crowd if c.deadline != float("inf")]
        if not slow:
            return False
        self._cut(min(slow, key=lambda c: c.since))
        return True

    def _cut(self, conn: _Connection) -> None:
        """Stop serving a connection: its handler's read ends, and its place is free at once."""
        del self._open[id(conn.sock)]
        with contextlib.suppress(OSError):  # already closed by its handler
            conn.sock.shutdown(socket.SHUT_RDWR)

    def _cut_late_heads(self) -> None:
        with self._lock:
            while not self._closed:
                now = time.monotonic()
                for conn in [c for c in self._open.values() if c.deadline <= now]:
                    self._cut(conn)
                soonest = min((c.deadline for c in self._open.values()), default=float("inf"))
                self._lock.wait(None if soonest == float("inf") else max(0.01, soonest - now))
