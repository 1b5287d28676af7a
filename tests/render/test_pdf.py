"""The print edition: `digest build --print` writes an A4 PDF a member can be posted, read back with
poppler (pdftotext, pdffonts, pdfinfo) and pdfminer.six (character sizes); pages shown with pdftoppm."""

from __future__ import annotations

import shutil
import statistics
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from digest.config.load import load_config
from digest.model import Event
from digest.render.email import ItemView, SectionView, item_view, render_views
from digest.render.pdf import LARGE_PT, PRINT_PT, address, print_html, printed_links
from tests.conftest import need
from tests.network import digest, make_network
from tests.test_i18n import config

SHOTS = Path("/tmp/digest-shots")


def test_links_are_written_out_as_addresses_a_reader_can_type() -> None:
    assert address("https://www.example.org/events/cuppa/?utm_source=x#top") == "example.org/events/cuppa"
    assert address("mailto:hello@example.org") == "hello@example.org"
    assert printed_links('<p>See <a href="https://example.org/a/b?x=1">our page</a>.</p>') == \
        '<p>See <span>our page</span> <span class="url">(example.org/a/b)</span>.</p>'
    assert printed_links('<p><a href="https://example.org/a">example.org/a</a></p>') == "<p><span>example.org/a</span></p>", \
        "an address already written is not written twice"


def test_member_text_comes_sanitised_and_events_say_what_when_where() -> None:
    cfg = config("en-GB")
    hostile = ItemView(title="<b>Hi</b>", url="https://leeds.example.org/r", meta="", source="Leeds Voices", when="",
                       blurb_html='<p>Fine<script>alert(1)</script><img src=x onerror="alert(2)"></p>')
    event = Event(id="e", source="Hull Circle", title="Open day", start=datetime(2024, 10, 15, 9, tzinfo=UTC),
                  end=datetime(2024, 10, 15, 11, tzinfo=UTC), location="Hull Library", url="https://hull.example.org/e")
    rendered = render_views(cfg, date(2024, 10, 1), [SectionView("News", "posts", [hostile]),
                                                     SectionView("Events", "events", [item_view(event, cfg)])])
    page = print_html(cfg, date(2024, 10, 1), rendered)
    assert "<script" not in page and "onerror" not in page and "&lt;b&gt;Hi&lt;/b&gt;" in page
    assert "<dt>What:</dt><dd>Open day</dd>" in page and "<dt>When:</dt><dd>Tuesday 15 October 2024, 10:00–12:00</dd>" in page
    assert "<dt>Where:</dt><dd>Hull Library</dd>" in page
    assert f"font-size: {PRINT_PT}pt" in page and f"font-size: {LARGE_PT}pt" in print_html(
        cfg, date(2024, 10, 1), rendered, large=True)


def _tool(name: str) -> str:
    return str(need(Path(shutil.which(name) or f"/usr/bin/{name}"), f"{name} (apt-get install poppler-utils)"))


def char_sizes(pdf: Path) -> list[float]:
    """The size of every character on every page, in points."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTContainer

    sizes: list[float] = []

    def walk(node: object) -> None:
        if isinstance(node, LTChar):
            sizes.append(node.size)
        elif isinstance(node, LTContainer):
            for child in node:
                walk(child)

    for page in extract_pages(str(pdf)):
        walk(page)
    return sizes


@pytest.mark.slow  # ~20 s: WeasyPrint lays out the sample's 16 pages and its Easy Read edition
def test_the_sample_in_print(tmp_path: Path) -> None:
    from tests.preview.test_preview import copy_sample

    network = copy_sample(tmp_path)
    out = tmp_path / "out"
    result = digest("build", "-c", network, "--date", "2024-10-01", "--print", "--easy-read", "--out", out)
    assert result.exit_code == 0, result.output
    pdf = out / "newsletter.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and (out / "easy-read.pdf").read_bytes()[:5] == b"%PDF-"
    text = subprocess.run([_tool("pdftotext"), "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for section in load_config(network).sections:
        assert section.title in flat, f"{section.title!r} is not in the PDF"
    assert "Co-Production Network, 1 Example Street, London N1 0AA" in flat
    assert "Page 1 / " in flat and "What: Co-production Board drop-in" in flat
    assert "collective.example.org/blog/community-of-practice-year-one" in flat.replace("- ", "-"), "links as addresses"
    assert "utm_" not in flat
    fonts = subprocess.run([_tool("pdffonts"), pdf], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), "every font embedded"
    info = subprocess.run([_tool("pdfinfo"), pdf], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info and "A4" in info
    sizes = char_sizes(pdf)
    assert round(statistics.median(sizes), 2) >= 14, statistics.median(sizes)  # 13.9995: the text matrix's rounding
    assert round(statistics.median(char_sizes(out / "easy-read.pdf")), 2) >= 14
    SHOTS.mkdir(exist_ok=True)
    subprocess.run([_tool("pdftoppm"), "-r", "60", "-png", "-f", "1", "-l", "2", pdf, SHOTS / "newsletter-pdf"], check=True)
    subprocess.run([_tool("pdftoppm"), "-r", "60", "-png", "-f", "2", "-l", "2", out / "easy-read.pdf",
                    SHOTS / "easy-read-pdf"], check=True)


@pytest.mark.slow  # ~3 s: WeasyPrint
def test_large_print_is_18_point(tmp_path: Path) -> None:
    network = make_network(tmp_path)
    out = tmp_path / "out"
    result = digest("build", "-c", network, "--date", "2024-10-01", "--large-print", "--out", out)
    assert result.exit_code == 0, result.output
    assert round(statistics.median(char_sizes(out / "newsletter.pdf")), 2) >= 18
    assert not (out / "easy-read.pdf").exists(), "only with --easy-read"
