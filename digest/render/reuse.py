"""Reuse: an edition whose inputs have not changed is not rendered again.

Rendering (Jinja2 → MJML → premailer, the text twin, the web version) costs more than a warm
build's fetching, and most builds an editor runs change nothing. The outputs are stored in
`.digest/reuse/<key>/`, where the key is a hash of everything the renderer reads: digest's
version, the whole configuration (after any command-line override), every file of the theme
and of the default theme, the edition date, what the sections' views are made from (the grouped
items, or an editor's draft's views) and a draft's intro. Change any of them and the key changes,
so a stored output is never stale; it is only ever an exact earlier result. On a hit neither the
renderer nor the views are made (a warm build imports neither Jinja2 nor Markdown nor Babel).
The result says where it is stored (Rendered.entry): `digest check`'s findings on the email are
kept in the same entry (they depend on the HTML alone), with the hash of the HTML they are about.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest import __version__
from digest.check import Finding
from digest.config.keys import DEFAULT_TEMPLATES, Config
from digest.render.outputs import Rendered
from digest.write import write_atomic

if TYPE_CHECKING:  # the views are made on a miss only (views.py imports Markdown and Babel)
    from digest.render.views import SectionView

FILES = ("newsletter.mjml", "newsletter.html", "newsletter.txt")  # what a hit needs; web.html comes when made
WEB = "web.html"
# Outputs made only when first asked for (previews never need them): file → (maker, cache slot, property)
LATER = {WEB: ("make_web", "_web", "web"), "calendars.json": ("make_calendars", "_calendars", "calendars")}
CHECK = "check.json"  # `digest check`'s findings on newsletter.html, made by the first build that checked it
KEEP = 8  # entries kept: enough to go back and forth between a few dates or drafts


def key(config: Config, edition: date, inputs: object, **extra: Any) -> str:
    """The content address of one render: changes whenever anything the renderer reads changes.

    `inputs` is what the views are made from (with the config); its repr covers every field of
    every item, because they are dataclasses of plain values.
    """
    digest = hashlib.sha256()
    for part in (__version__, repr(config), edition.isoformat(), repr(inputs), repr(sorted(extra.items()))):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    for folder in dict.fromkeys((Path(config.templates_dir), Path(str(DEFAULT_TEMPLATES)))):
        _hash_folder(digest, folder)
    return digest.hexdigest()[:32]


def _hash_folder(digest: Any, folder: Path) -> None:
    """Every file of a theme folder, by relative path and content."""
    digest.update(f"{folder}\0".encode())
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = Path(root, name)
            digest.update(f"{path.relative_to(folder)}\0".encode("utf-8", "surrogateescape"))
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"\1unreadable")
            digest.update(b"\0")


def folder(config: Config) -> Path:
    """Where reused outputs live: beside the store."""
    return config.workspace.reuse


def render(config: Config, edition: date, inputs: object, views: Callable[[], list[SectionView]], *,
           intro: str | None = None, **extra: Any) -> Rendered:
    """digest.render.email.render_views(views()), reused when nothing it reads has changed.

    `inputs` is what `views()` makes the sections' views from (the grouping, or a draft's views):
    it keys the render, and the views are made only when rendering (or the Easy Read edition) needs them.
    """
    views = cache(views)

    def make() -> Rendered:
        from digest.render.email import render_views  # imported on a miss only: Jinja2, MRML and premailer

        return render_views(config, edition, views(), intro=intro, **extra)

    entry = folder(config) / key(config, edition, inputs, intro=intro, **extra)
    hit = load(entry, make)
    if hit is not None:
        hit.make_views, hit.intro, hit.entry = views, intro, entry
        return hit
    made = make()
    if _save(entry, made):
        made.entry = entry
    return made


def checked(rendered: Rendered, check: Callable[[str], list[Finding]]) -> list[Finding]:
    """check(rendered.html), stored with the render, so an unchanged edition is not checked again."""
    stored = rendered.entry / CHECK if rendered.entry is not None else None
    html_hash = _digest_of(rendered.html)
    if stored is not None and stored.is_file():
        try:
            data = json.loads(stored.read_text("utf-8"))
            if data["html"] == html_hash:
                return [Finding(**finding) for finding in data["findings"]]
        except (OSError, ValueError, TypeError, KeyError):
            pass
    findings = check(rendered.html)
    if stored is not None and stored.parent.is_dir():
        _write(stored, json.dumps({"html": html_hash, "findings": [vars(finding) for finding in findings]}))
    return findings


def _digest_of(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()


def load(entry: Path, make: Callable[[], Rendered]) -> Rendered | None:
    """A stored render, or None if there is none (or it is incomplete or unreadable)."""
    try:
        mjml, html, text = (entry.joinpath(name).read_text("utf-8") for name in FILES)
    except (OSError, UnicodeDecodeError):
        return None
    hit = Rendered(mjml=mjml, html=html, text=text)
    for name, (maker, slot, output) in LATER.items():
        path = entry / name
        try:
            if path.is_file():
                setattr(hit, slot, _decoded(path, path.read_text("utf-8")))
        except (OSError, ValueError):
            pass
        # made only if this key's render never made it: render then, once
        setattr(hit, maker, _storing(path, _output_of(make, output)))
    return hit


def _output_of(make: Callable[[], Rendered], output: str) -> Callable[[], Any]:
    """One output of a render made afresh."""
    return lambda: getattr(make(), output)


def _save(entry: Path, made: Rendered) -> bool:
    """Store a render (whether it was stored); the web version and calendars are stored when first made.
    Failing to store is not an error: the render is simply not reused."""
    try:
        entry.mkdir(parents=True, exist_ok=True)
        for name, value in zip(FILES[::-1], (made.text, made.html, made.mjml), strict=True):  # the mjml last: it marks complete
            _write(entry / name, value)
    except OSError:
        return False
    for name, (maker, _slot, _output) in LATER.items():
        setattr(made, maker, _storing(entry / name, getattr(made, maker)))
    _prune(entry.parent)
    return True


def _storing(path: Path, produce: Callable[[], Any]) -> Callable[[], Any]:
    """`produce`, whose result is also written to `path` for the next build with the same key."""

    def made() -> Any:
        value = produce()
        _write(path, json.dumps(value) if path.suffix == ".json" else value)
        return value

    return made


def _decoded(path: Path, text: str) -> Any:
    return json.loads(text) if path.suffix == ".json" else text


def _write(path: Path, text: str) -> None:
    """write.py's atomic write (a killed build leaves no half file, and its temporaries are swept);
    failing to store is not an error: the render is simply not reused."""
    with contextlib.suppress(OSError):
        write_atomic(path, text)


def _prune(parent: Path) -> None:
    """Keep only the KEEP most recently made entries."""
    try:
        entries = sorted((p for p in parent.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in entries[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
