"""Pictures come from member content: none from a local or private address, none in a format email
clients do not show, and never more of a build's time than its budget (collect/pictures.py)."""

from __future__ import annotations

import io
import ipaddress
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.collect import netio
from digest.collect.fetch import Limits
from digest.collect.network import Network
from digest.collect.pictures import with_sizes
from digest.collect.report import SourceReport
from digest.collect.store import Store
from digest.model import Image, Item, Post
from tests.hardening import LoopbackServer, redirect, send, stall

WHEN = datetime(2024, 9, 20, 9, 0, tzinfo=UTC)
LOOPBACK_OK = Limits(private_pictures=True)  # the tests' servers are on 127.0.0.1


def picture(kind: str, size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", size, (107, 44, 145)).save(buffer, kind)
    return buffer.getvalue()


def post(url: str, title: str = "Fair") -> Post:
    return Post(id=title, source="A", title=title, url="https://a.example.org/fair", published=WHEN, image=Image(url))


def sized(tmp_path: Path, items: list[Item], limits: Limits = Limits()) -> tuple[list[Item], SourceReport]:
    report = SourceReport("A", "ok")
    with Store(tmp_path / "store.sqlite") as store, Network() as network:
        return with_sizes(items, store, [report], refetch=True, network=network, limits=limits), report


@pytest.mark.parametrize(("host", "shown"), [
    ("127.1", "127.1 (127.0.0.1)"), ("2130706433", "2130706433 (127.0.0.1)"), ("0x7f.1", "0x7f.1 (127.0.0.1)"),
    ("[::1]", "::1"), ("localhost", "localhost (127.0.0.1)"), ("10.0.0.7", "10.0.0.7"),
    ("169.254.169.254", "169.254.169.254"), ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
])
def test_a_picture_at_a_loopback_or_private_address_is_not_fetched(server: LoopbackServer, tmp_path: Path, host: str,
                                                                   shown: str) -> None:
    server["/p.png"] = send(picture("PNG"), content_type="image/png")
    port = server.url("").rsplit(":", 1)[1]
    url = f"http://{host}:{port}/p.png"
    (item,), report = sized(tmp_path, [post(url)])
    assert isinstance(item, Post) and item.image is None
    assert report.problems == [f"the picture of 'Fair' was left out: {shown} is a local or private address, which digest "
                               f"does not fetch pictures from ({url})"]
    assert server.hits("/p.png") == 0


def test_a_redirect_to_a_private_address_is_not_followed(server: LoopbackServer, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The first hop (standing in for a public site: only 127.0.0.1 is let through) redirects to 127.0.0.2."""
    real = netio.public
    monkeypatch.setattr(netio, "public", lambda address: address == ipaddress.ip_address("127.0.0.1") or real(address))
    port = server.url("").rsplit(":", 1)[1]
    server["/p.png"] = redirect(f"http://127.0.0.2:{port}/secret.png", status=302)
    server["/secret.png"] = send(picture("PNG"), content_type="image/png")
    (item,), report = sized(tmp_path, [post(server.url("/p.png"))])
    assert isinstance(item, Post) and item.image is None
    assert report.problems == ["the picture of 'Fair' was left out: 127.0.0.2 is a local or private address, which "
                               f"digest does not fetch pictures from ({server.url('/p.png')})"]
    assert (server.hits("/p.png"), server.hits("/secret.png")) == (1, 0)


@pytest.mark.parametrize("kind", ["TIFF", "ICO", "BMP"])
def test_tiff_ico_and_bmp_pictures_are_refused_with_a_report_line(server: LoopbackServer, tmp_path: Path,
                                                                  kind: str) -> None:
    server["/p"] = send(picture(kind), content_type=f"image/{kind.lower()}")
    (item,), report = sized(tmp_path, [post(server.url("/p"))], LOOPBACK_OK)
    assert isinstance(item, Post) and item.image is None
    assert report.problems == [f"the picture of 'Fair' was left out: it is a {kind} picture, which email clients do not "
                               f"show (only JPEG, PNG, GIF and WebP) ({server.url('/p')})"]


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "GIF", "WEBP"])
def test_jpeg_png_gif_and_webp_pictures_reach_the_email(server: LoopbackServer, tmp_path: Path, kind: str) -> None:
    server["/p"] = send(picture(kind, (64, 48)), content_type=f"image/{kind.lower()}")
    (item,), report = sized(tmp_path, [post(server.url("/p"))], LOOPBACK_OK)
    assert isinstance(item, Post) and item.image == Image(server.url("/p"), "", 64, 48)
    assert report.problems == []


def test_a_slow_site_gets_its_share_of_picture_time_and_no_more(server: LoopbackServer, tmp_path: Path) -> None:
    """Every picture of a stalling site: the first ones use up the site's share, the rest wait for the next build
    (not remembered as failures), and a picture from elsewhere is still measured."""
    server["/slow.png"] = stall(after_headers=False)
    server["/fine.png"] = send(picture("PNG"), content_type="image/png")
    slow = [post(server.url(f"/slow.png?{n}"), f"Slow {n}") for n in range(12)]
    elsewhere = post(server.url("/fine.png").replace("127.0.0.1", "localhost"), "Fine")
    limits = Limits(private_pictures=True, picture_timeout=5, picture_host_budget=0.4, picture_budget=30)
    items, report = sized(tmp_path, [*slow, elsewhere], limits)
    assert [i.title for i in items if isinstance(i, Post) and i.image is not None] == ["Fine"]
    waited = [line for line in report.problems if "did not arrive within" in line]
    later = [line for line in report.problems if "picture time ran out" in line]
    assert len(waited) + len(later) == 12 and later
    host = "127.0.0.1"
    assert later[0].endswith(f"not measured: this build's picture time ran out ({host}'s share (0.4 s)); it is tried "
                             f"next build ({server.url('/slow.png?')}{later[0].rsplit('?', 1)[1]}")
    with Store(tmp_path / "store.sqlite") as store:
        remembered = {row[0] for row in store.db.execute("SELECT url FROM picture_sizes")}
    assert len(remembered) == 1 + len(waited)  # the one measured and the ones that failed; not those put off
