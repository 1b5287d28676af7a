"""`digest init DIR`: a starter sources.toml with every key shown, and a copy of the theme."""

from __future__ import annotations

from pathlib import Path

import click

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
    """The starter sources.toml: every key declared in digest/config/keys.py with its help, optional ones commented out.

    `templates = "templates"` is written out: `digest init` copies the theme there, and a copy that is not
    switched on would be a trap (edits to it would change nothing).
    """
    from digest.config.glossary import Word
    from digest.config.keys import Newsletter, Section, Source
    from digest.config.schedule import Schedule
    from digest.config.schema import starter

    lines = ["# sources.toml: your network's newsletter. Every key is shown; optional ones are commented out.", "",
             *starter(Newsletter, "[newsletter]"), "",
             *starter(Section, "[[sections]]", "sections are rendered in this order; an item goes to the first that "
                      "accepts it"),
             EXTRA_SECTIONS,
             *starter(Source, "[[sources]]", "one per member feed or calendar"), "",
             *starter(Schedule, "[schedule]", "optional: `digest auto` drafts each edition on this day and mails the "
                      "editors a ready note", shown=False), "",
             *starter(Word, "[[glossary]]", "hard words and what they mean: the Easy Read edition explains each one "
                      "the first time it uses it")]
    return "\n".join(lines) + "\n"


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--force", is_flag=True,
              help="Replace an existing sources.toml and theme (the old ones are kept as *.bak-<time>).")
def init(directory: Path, force: bool) -> None:
    """Create DIRECTORY/sources.toml (commented, every key shown) and a copy of the default theme.

    The copy in DIRECTORY/templates/ is switched on in the new sources.toml (templates =
    "templates"), so your edits to it take effect. DIRECTORY is created if it does not exist.
    """
    from digest.config.scaffold import scaffold

    made = scaffold(directory, starter_file(), force=force)
    for kept in made.kept:
        click.echo(f"kept your edited {kept.name.split('.bak-')[0]} as {kept}")
    click.echo(f"wrote {made.config} and {made.theme}/")
    click.echo(f"next: list your members in {made.config}, then run: digest build -c {made.config}")

