"""Bodies as they came over the wire: kept compressed until a reader needs the bytes.

A cold build fetches every member's feed in a couple of seconds and parses them for much
longer, so the bodies wait. Gzipped (as most feed servers send them) they are a fraction of their
size (a seventh for the bench's WordPress-style feeds): they wait, travel to the parse workers
and sit in the store compressed, and are inflated only by whoever reads them. At 1,000 members
that is ~21 MB waiting instead of 150 MB.

Inflating is done a bounded piece at a time, rather than by httpx: httpx inflates each network
chunk whole, so a 64 KB chunk of a gzip bomb becomes ~64 MB in memory before any cap can look
at it. The fetcher and every later reader inflate with the same Inflater, so they get the
same bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

INFLATE_PIECE = 64 * 1024  # most bytes one inflate step may produce


class Undecodable(Exception):
    """The body came in a Content-Encoding we did not ask for and cannot inflate."""


class Inflater:
    """Undo one Content-Encoding a bounded piece at a time, so memory stays near the size cap."""

    def __init__(self, encoding: str | None) -> None:
        codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip().lower() not in ("", "identity")]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise Undecodable(repr(encoding))
        self.coding = codings[0] if codings else None
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS) if self.coding in ("gzip", "x-gzip") else None

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of `data`, in pieces of at most INFLATE_PIECE."""
        if self.coding is None:
            yield data
            return
        if self._z is None:  # deflate: zlib-wrapped as the RFC says, or raw as some servers send it
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        while data and not self._z.eof:
            piece = self._z.decompress(data, INFLATE_PIECE)
            data = self._z.unconsumed_tail
            if piece:
                yield piece


def inflate(data: bytes, coding: str | None) -> bytes:
    """The body that `data` (as received, in Content-Encoding `coding`; None: as is) decodes to."""
    if coding is None:
        return data
    return b"".join(Inflater(coding).pieces(data))


def head(data: bytes, coding: str | None, size: int = 2048) -> bytes:
    """The first `size` decoded bytes, inflating no more than one piece (enough to tell the format)."""
    return next(Inflater(coding).pieces(data), b"")[:size]
