"""Pictures in their real shape: each chosen picture's width and height, read at collect.

An email has to state every picture's width and height (Outlook on Windows honours them and
squashes a picture whose box has the wrong shape), and the layout depends on the shape: a
landscape picture fills the column, a portrait or small one becomes a thumbnail beside the
text. So collect, the only stage that touches the network, reads the first bytes of every
picture the edition shows — never more than MAX_BYTES, within the build's picture time and
each site's share of it (fetch.Limits), only from public addresses — and Pillow reads the
size from them (EXIF rotation included: a phone's portrait photo is stored sideways). Sizes
are cached in the store's own small table (`picture_sizes`, keyed by the picture's address),
so a picture is read once, and offline builds use what was read before. A picture that cannot
be read, or is in a format email clients do not show, is left out of its item, with a note in
that member's report line, never shown as a broken box; the failure is remembered for a day.

This is a step of its own, after grouping: the caller (digest/edition/pipeline.py) hands over
grouping's sections (`sized_sections`) and gets them back with the pictures of those that show
pictures sized; the pictures are read on the build's network (digest/collect/network.py), the
loop and client the feeds came by.
"""

from __future__ import annotations

import asyncio
import io
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from digest.collect.fetch import DEFAULT_LIMITS, Limits
from digest.collect.network import Network
from digest.collect.report import SourceReport
from digest.collect.store import Store
from digest.model import Filled, Item

MAX_BYTES = 256 * 1024  # a JPEG's size sits after its EXIF block; 256 KB holds it for any camera's file
AT_ONCE = 8
HEADERS = {"User-Agent": "digest (newsletter picture sizes)", "Accept": "image/*"}
TABLE = """CREATE TABLE IF NOT EXISTS picture_sizes (
    url TEXT PRIMARY KEY, width INTEGER, height INTEGER, problem TEXT, checked_at TEXT NOT NULL)"""
SHOWN = {"JPEG", "MPO", "PNG", "GIF", "WEBP"}  # what email clients show (Pillow's names; MPO is a phone's JPEG)
REMEMBERED = timedelta(days=1)  # a picture that could not be read is not tried again for this long
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter turn


class Unreadable(Exception):
    """A picture whose size could not be read; the message says why, for the report."""


class Later(str):
    """A picture not tried in this build (its time ran out): left out now, tried again next build."""


def size_of(head: bytes) -> tuple[int, int] | None:
    """(width, height) as shown, from a picture's first bytes; None when they are not enough yet.

    Raises Unreadable for a picture in a format email clients do not show (TIFF, ICO, BMP...).
    """
    # Pillow is imported here: ~90 ms that a build showing no pictures (or none new) never needs
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(head)) as picture:
            width, height, kind = *picture.size, picture.format
            orientation = picture.getexif().get(0x0112) if picture.format in ("JPEG", "WEBP", "TIFF") else None
    except UnidentifiedImageError:
        return None
    except Exception:  # noqa: BLE001 — Pillow raises many kinds for truncated or odd files
        return None
    if kind not in SHOWN:
        raise Unreadable(f"it is a {kind} picture, which email clients do not show (only JPEG, PNG, GIF and WebP)")
    if width <= 0 or height <= 0:
        return None
    return (height, width) if orientation in _ROTATED else (width, height)


async def _read_size(client: httpx.AsyncClient, url: str, limits: Limits, seconds: float) -> tuple[int, int]:
    """Stream the picture until its size can be read (or MAX_BYTES have come); raise Unreadable.

    Only from public addresses (netio.Backend checks each connection, redirects' too), unless
    the limits are a test's that allow loopback.
    """
    # Imported here: httpcore comes with them, which a build of local files never loads (fetch.make_client's rule)
    from digest.collect.netio import Refused
    from digest.collect.transport import PUBLIC_ONLY

    head = b""
    try:
        async with asyncio.timeout(seconds):
            async with client.stream("GET", url, headers={**HEADERS, "Range": f"bytes=0-{MAX_BYTES - 1}"},
                                     timeout=seconds, extensions={PUBLIC_ONLY: not limits.private_pictures}) as response:
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
        raise Unreadable(f"it did not arrive within {seconds:g} s") from None
    except httpx.HTTPError as exc:
        if isinstance(exc.__cause__, Refused):
            raise Unreadable(str(exc.__cause__)) from None
        raise Unreadable(f"it could not be fetched ({type(exc).__name__})") from None
    if (size := size_of(head)) is not None:
        return size
    raise Unreadable("it is not a picture format email clients show (JPEG, PNG, GIF, WebP)")


async def _read_all(client: httpx.AsyncClient, urls: list[str], limits: Limits) -> dict[str, tuple[int, int] | str]:
    """Every picture's size or problem, within the build's picture time and each site's share of it."""
    limit = asyncio.Semaphore(AT_ONCE)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limits.picture_budget
    spent: dict[str, float] = {}

    async def one(url: str) -> tuple[str, tuple[int, int] | str]:
        async with limit:
            host = urlsplit(url).hostname or url
            left = min(deadline - loop.time(), limits.picture_host_budget - spent.get(host, 0.0))
            if left <= 0:
                budget = (f"{host}'s share ({limits.picture_host_budget:g} s)" if deadline > loop.time()
                          else f"all pictures' ({limits.picture_budget:g} s)")
                return url, Later(f"not measured: this build's picture time ran out ({budget}); it is tried next build")
            started = loop.time()
            try:
                return url, await _read_size(client, url, limits, min(limits.picture_timeout, left))
            except Unreadable as exc:
                return url, str(exc)
            finally:
                spent[host] = spent.get(host, 0.0) + loop.time() - started

    return dict(await asyncio.gather(*(one(u) for u in urls)))


def _cached(store: Store, urls: Iterable[str], *, refetch: bool) -> dict[str, tuple[int, int] | str]:
    """Sizes read before, and failures of the last day (REMEMBERED; any failure when not fetching)."""
    db = store.db
    db.execute(TABLE)
    now = datetime.now(UTC)
    recent = (now - REMEMBERED).isoformat(timespec="seconds"), (now + REMEMBERED).isoformat(timespec="seconds")
    found: dict[str, tuple[int, int] | str] = {}
    for url in urls:
        row = db.execute("SELECT width, height, problem, checked_at FROM picture_sizes WHERE url=?", (url,)).fetchone()
        if row and not row[2]:
            found[url] = (row[0], row[1])
        elif row and (not refetch or recent[0] <= row[3] <= recent[1]):  # a wrong clock's date is not a recent one
            found[url] = row[2]
    return found


def _remember(store: Store, found: dict[str, tuple[int, int] | str]) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.db:
        store.db.executemany(
            "INSERT OR REPLACE INTO picture_sizes (url, width, height, problem, checked_at) VALUES (?, ?, ?, ?, ?)",
            [(url, None, None, v, now) if isinstance(v, str) else (url, v[0], v[1], None, now)
             for url, v in found.items() if not isinstance(v, Later)])


def sized_sections(sections: Sequence[Filled], store: Store, reports: list[SourceReport], *, refetch: bool,
                   network: Network, limits: Limits = DEFAULT_LIMITS) -> tuple[Filled, ...]:
    """Grouping's sections, the pictures of those with `images = true` sized (see with_sizes); the others as they are."""
    pictured = [box for box in sections if box.section.images]
    measured = iter(with_sizes([item for box in pictured for item in box.items], store, reports, refetch=refetch,
                               network=network, limits=limits))
    return tuple(replace(box, items=[next(measured) for _ in box.items]) if box.section.images else box
                 for box in sections)


def with_sizes(items: list[Item], store: Store, reports: list[SourceReport], *, refetch: bool,
               network: Network, limits: Limits = DEFAULT_LIMITS) -> list[Item]:
    """The items, in order, each picture with its size; unreadable ones left out and noted in the report.

    `items` are those the edition shows in sections with pictures (grouping chose them). A size
    read before is reused; a failure is remembered for a day (REMEMBERED), then tried again by a
    build that fetches. Without fetching (offline), a picture never read keeps no size (the email
    then gives its width only). Reading takes at most `limits`' picture time, per build and per site.
    """
    urls = sorted({item.image.url for item in items if item.image})
    if not urls:
        return items
    try:
        known = _cached(store, urls, refetch=refetch)
        missing = [u for u in urls if u not in known]
        if refetch and missing:
            read = network.run(_read_all(network.client(), missing, limits))
            _remember(store, read)
            known.update(read)
    except sqlite3.Error:
        return items  # the store reports its own damage elsewhere; pictures then keep no size
    by_name = {r.name: r for r in reports}
    return [_sized(item, known, by_name) for item in items]


def _sized(item: Item, known: dict[str, tuple[int, int] | str], reports: dict[str, SourceReport]) -> Item:
    if item.image is None or item.image.url not in known:
        return item
    size = known[item.image.url]
    if isinstance(size, str):
        if (report := reports.get(item.source)) is not None:
            report.problems.append(f"the picture of {item.title!r} was left out: {size} ({item.image.url})")
        return replace(item, image=None)
    return replace(item, image=replace(item.image, width=size[0], height=size[1]))
