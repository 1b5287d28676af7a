"""Pictures in their real shape: each chosen picture's width and height, read at collect.

An email has to state every picture's width and height (Outlook on Windows honours them and
squashes a picture whose box has the wrong shape), and the layout depends on the shape: a
landscape picture fills the column, a portrait or small one becomes a thumbnail beside the
text. So collect, the only stage that touches the network, reads the first bytes of every
picture that a section with `images = true` will show — never more than MAX_BYTES, never
longer than TIMEOUT — and Pillow reads the size from them (EXIF rotation included: a phone's
portrait photo is stored sideways). Sizes are cached in the store's own small table
(`picture_sizes`, keyed by the picture's address), so a picture is read once, and offline
builds use what was read before. A picture that cannot be read is left out of its item,
with a note in that member's report line, never shown as a broken box.
"""

from __future__ import annotations

import asyncio
import io
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from digest.model import Image, Item

if TYPE_CHECKING:
    from digest.collect.run import SourceReport
    from digest.collect.store import Store
    from digest.config.keys import Config

MAX_BYTES = 256 * 1024  # a JPEG's size sits after its EXIF block; 256 KB holds it for any camera's file
TIMEOUT = 5.0  # seconds per picture, connection and reading together
AT_ONCE = 8
TABLE = """CREATE TABLE IF NOT EXISTS picture_sizes (
    url TEXT PRIMARY KEY, width INTEGER, height INTEGER, problem TEXT, checked_at TEXT NOT NULL)"""
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter turn


class Unreadable(Exception):
    """A picture whose size could not be read; the message says why, for the report."""


def size_of(head: bytes) -> tuple[int, int] | None:
    """(width, height) as shown, from a picture's first bytes; None when they are not enough yet."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(head)) as picture:
            width, height = picture.size
            orientation = picture.getexif().get(0x0112) if picture.format in ("JPEG", "WEBP", "TIFF") else None
    except UnidentifiedImageError:
        return None
    except Exception:  # noqa: BLE001 — Pillow raises many kinds for truncated or odd files
        return None
    if width <= 0 or height <= 0:
        return None
    return (height, width) if orientation in _ROTATED else (width, height)


async def _read_size(client: object, url: str) -> tuple[int, int]:
    """Stream the picture until its size can be read (or MAX_BYTES have come); raise Unreadable."""
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    head = b""
    try:
        async with asyncio.timeout(TIMEOUT):
            async with client.stream("GET", url, headers={"Range": f"bytes=0-{MAX_BYTES - 1}"}) as response:
                if response.status_code >= 400:
                    raise Unreadable(f"the server answered {response.status_code}")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if kind and not kind.startswith("image/") and kind != "application/octet-stream":
                    raise Unreadable(f"it is not a picture ({kind})")
                async for chunk in response.aiter_bytes():
                    head += chunk
                    if (size := size_of(head)) is not None:
                        return size
                    if len(head) >= MAX_BYTES:
                        break
    except TimeoutError:
        raise Unreadable(f"it did not arrive within {TIMEOUT:g} s") from None
    except httpx.HTTPError as exc:
        raise Unreadable(f"it could not be fetched ({type(exc).__name__})") from None
    if (size := size_of(head)) is not None:
        return size
    raise Unreadable("it is not a picture format email clients show (JPEG, PNG, GIF, WebP)")


async def _read_all(urls: list[str]) -> dict[str, tuple[int, int] | str]:
    import httpx

    limit = asyncio.Semaphore(AT_ONCE)
    async with httpx.AsyncClient(follow_redirects=True, max_redirects=3, timeout=TIMEOUT,
                                 headers={"User-Agent": "digest (newsletter picture sizes)"}) as client:
        async def one(url: str) -> tuple[str, tuple[int, int] | str]:
            async with limit:
                try:
                    return url, await _read_size(client, url)
                except Unreadable as exc:
                    return url, str(exc)

        return dict(await asyncio.gather(*(one(u) for u in urls)))


def chosen(config: Config, items: list[Item], edition: date) -> set[str]:
    """Ids of the items that a section showing pictures will show (before earlier editions are left out)."""
    from digest.edition.group import group

    return {item.id for box in group(items, config, edition) if box.section.images for item in box.items if item.image}


def _cached(store: Store, urls: Iterable[str]) -> dict[str, tuple[int, int] | str]:
    db = store.db
    db.execute(TABLE)
    found: dict[str, tuple[int, int] | str] = {}
    for url in urls:
        row = db.execute("SELECT width, height, problem FROM picture_sizes WHERE url=?", (url,)).fetchone()
        if row:
            found[url] = row[2] if row[2] else (row[0], row[1])
    return found


def _remember(store: Store, found: dict[str, tuple[int, int] | str]) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.db:
        store.db.executemany(
            "INSERT OR REPLACE INTO picture_sizes (url, width, height, problem, checked_at) VALUES (?, ?, ?, ?, ?)",
            [(url, None, None, v, now) if isinstance(v, str) else (url, v[0], v[1], None, now) for url, v in found.items()])


def with_sizes(config: Config, store: Store, items: list[Item], edition: date, reports: list[SourceReport], *,
               refetch: bool) -> list[Item]:
    """The items, each chosen picture with its size; unreadable ones left out and noted in the report.

    A size read before is reused; a failure is tried again on the next build that fetches.
    Without fetching (offline), a picture never read keeps no size (the email then gives its
    width only).
    """
    if not any(s.images for s in config.sections):
        return items
    wanted = chosen(config, items, edition)
    urls = sorted({item.image.url for item in items if item.id in wanted and item.image})
    if not urls:
        return items
    try:
        known = _cached(store, urls)
        missing = [u for u in urls if u not in known or (refetch and isinstance(known[u], str))]
        if refetch and missing:
            read = asyncio.run(_read_all(missing))
            _remember(store, read)
            known.update(read)
    except sqlite3.Error:
        return items  # the store reports its own damage elsewhere; pictures then keep no size
    by_name = {r.name: r for r in reports}
    out: list[Item] = []
    for item in items:
        if item.id in wanted and item.image and item.image.url in known:
            size = known[item.image.url]
            if isinstance(size, str):
                if (report := by_name.get(item.source)) is not None:
                    report.problems.append(f"the picture of {item.title!r} was left out: {size} ({item.image.url})")
                item = replace(item, image=None)
            else:
                item = replace(item, image=replace(item.image, width=size[0], height=size[1]))
        out.append(item)
    return out


def sized(image: Image | None) -> bool:
    return image is not None and bool(image.width) and bool(image.height)
