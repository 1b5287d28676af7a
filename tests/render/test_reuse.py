"""Reuse: an unchanged edition is not rendered again, and any change to what it reads renders it again."""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

import digest.render.email
from digest.config.keys import DEFAULT_TEMPLATES
from digest.config.load import load_config
from digest.edition.pipeline import build_edition, build_from_draft, draft_edition
from digest.render import reuse

EDITION = date(2024, 10, 1)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every real render (of an edition or of a draft)."""
    calls: list[str] = []
    real = digest.render.email.render_views  # what reuse calls on a miss

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("render")
        return real(*args, **kwargs)

    monkeypatch.setattr(digest.render.email, "render_views", counting)
    return calls


def build(config_path: Path, edition: date = EDITION) -> dict[str, str]:
    return build_edition(load_config(config_path), edition).files()


def test_unchanged_edition_is_reused_byte_for_byte(sample_network: Path, renders: list[str]) -> None:
    first = build(sample_network)
    assert renders == ["render"]
    second = build(sample_network)
    assert renders == ["render"]  # every source unchanged: nothing rendered
    assert second == first  # every output, the web version and the event cards' .ics files included
    entries = list(reuse.folder(load_config(sample_network)).iterdir())
    assert len(entries) == 1 and {p.name for p in entries[0].iterdir()} == {*reuse.FILES, *reuse.LATER}


def test_a_changed_config_renders_again(sample_network: Path, renders: list[str]) -> None:
    first = build(sample_network)
    text = sample_network.read_text()
    sample_network.write_text(text.replace("our members have been busy", "our members have been very busy"))
    second = build(sample_network)
    assert renders == ["render", "render"]
    assert "very busy" in second["newsletter.html"] and "very busy" not in first["newsletter.html"]


def test_a_changed_theme_renders_again(sample_network: Path, renders: list[str]) -> None:
    theme = sample_network.parent / "theme"
    shutil.copytree(DEFAULT_TEMPLATES, theme)
    text = sample_network.read_text()
    sample_network.write_text(text.replace("[newsletter]\n", '[newsletter]\ntemplates = "theme"\n', 1))
    build(sample_network)
    build(sample_network)
    assert renders == ["render"]
    template = theme / "newsletter.txt.j2"
    template.write_text(template.read_text() + "A line the theme added.\n")
    second = build(sample_network)
    assert renders == ["render", "render"]
    assert second["newsletter.txt"].endswith("A line the theme added.\n")


def test_a_changed_date_renders_again(sample_network: Path, renders: list[str]) -> None:
    build(sample_network)
    build(sample_network, date(2024, 10, 2))
    assert renders == ["render", "render"]
    build(sample_network)  # back to the first date: its outputs are still stored
    assert renders == ["render", "render"]


def test_a_changed_source_body_renders_again(sample_network: Path, renders: list[str]) -> None:
    first = build(sample_network)
    feed = sample_network.parent / "examples" / "feeds" / "coproduction-collective.xml"
    body = feed.read_text()
    shown = [t for t in re.findall(r"<item>\s*<title>([^<]+)</title>", body) if t in first["newsletter.txt"]]
    assert shown
    feed.write_text(body.replace(shown[0], "A title changed today", 1))
    second = build(sample_network)
    assert renders == ["render", "render"]
    assert "A title changed today" in second["newsletter.txt"]


def test_a_changed_draft_renders_again(sample_network: Path, renders: list[str]) -> None:
    config = load_config(sample_network)
    _, outcome = draft_edition(config, EDITION)
    first = build_from_draft(config, outcome.path)
    build_from_draft(config, outcome.path)
    assert renders == ["render", "render"]
    draft = outcome.path.read_text()
    outcome.path.write_text(draft.replace("our members have been busy", "the editor rewrote this", 1))
    second = build_from_draft(config, outcome.path)
    assert renders == ["render", "render", "render"]
    assert "the editor rewrote this" in second.html and "the editor rewrote this" not in first.html


def test_an_incomplete_entry_is_not_used(sample_network: Path, renders: list[str]) -> None:
    first = build(sample_network)
    (entry,) = reuse.folder(load_config(sample_network)).iterdir()
    (entry / "newsletter.mjml").unlink()  # as if a build was killed while storing
    second = build(sample_network)
    assert renders == ["render", "render"]
    assert second == first


def test_the_check_of_an_unchanged_email_is_reused(sample_network: Path) -> None:
    from digest.check.lint import check_html

    calls: list[str] = []

    def counting(html: str):  # type: ignore[no-untyped-def]
        calls.append(html)
        return check_html(html)

    first = build_edition(load_config(sample_network), EDITION)
    findings = reuse.checked(first.rendered, counting)
    again = build_edition(load_config(sample_network), EDITION)
    assert again.rendered.entry == first.rendered.entry is not None
    assert reuse.checked(again.rendered, counting) == findings and len(calls) == 1
    changed = dataclasses.replace(again.rendered, html=first.html.replace("</body>", "<p>changed</p></body>"))
    assert changed.entry == first.rendered.entry  # the same entry, but not the HTML its findings are about
    assert reuse.checked(changed, counting) is not None
    assert len(calls) == 2  # other HTML: checked afresh
