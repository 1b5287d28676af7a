"""`digest init DIR`: a starter sources.toml with every key shown, and a copy of the theme."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from digest.exceptions import DigestError

EXTRA_SECTIONS = '''
[[sections]]
title = "Coming up"
kind = "events"

[[sections]]
title = "Share your stories and get involved"
kind = "text"
body = """
Tell us what you have been up to: [email us](mailto:hello@example.org).
"""
'''


def starter_file() -> str:
    """The starter sources.toml: every key declared in digest/config.py, with its help; optional ones commented out."""
    from digest.config import Newsletter, Section, Source
    from digest.schema import starter

    lines = ["# sources.toml: your network's newsletter. Every key is shown; optional ones are commented out.", "",
             *starter(Newsletter, "[newsletter]"), "",
             *starter(Section, "[[sections]]", "sections are rendered in this order; an item goes to the first that "
                      "accepts it"),
             EXTRA_SECTIONS,
             *starter(Source, "[[sources]]", "one per member feed or calendar")]
    return "\n".join(lines) + "\n"


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path), default=Path("."))
@click.option("--force", is_flag=True, help="Overwrite an existing sources.toml.")
def init(directory: Path, force: bool) -> None:
    """Create DIRECTORY/sources.toml (commented, every key shown) and a copy of the default templates."""
    from digest.config import DEFAULT_TEMPLATES

    target = directory / "sources.toml"
    if target.exists() and not force:
        raise DigestError(f"{target} already exists: edit it, or pass --force to replace it")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(starter_file(), encoding="utf-8")
        shutil.copytree(DEFAULT_TEMPLATES, directory / "templates", dirs_exist_ok=True)
    except OSError as exc:
        raise DigestError(f"cannot write to {directory} ({exc.strerror or exc}): choose a folder you can write to") from None
    click.echo(f"wrote {target} and {directory / 'templates'}/")
    click.echo(f"next: list your members in {target}, add templates = \"templates\" under [newsletter] to use "
               "your copy of the theme, then run: digest build --config " + str(target))
