"""`digest archive`: the archive's index page and Atom feed, from the published editions."""

from __future__ import annotations

from pathlib import Path

import click

from digest.commands.options import config_option


@click.command("archive")
@config_option
def archive(config_path: Path) -> None:
    """Write archive/index.html and archive/feed.atom listing every published edition.

    The editions are the folders archive/<date>/ that `digest publish` (or `build --final`)
    fills; delete a folder to take an edition out. Set url under [newsletter] to where you
    upload archive/, so the feed's links are absolute.
    """
    from digest.config.load import load_config
    from digest.publish.archive import write_archive

    result = write_archive(load_config(config_path))
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(f"wrote {result.index} and {result.feed} ({len(result.editions)} "
               f"edition{'s' if len(result.editions) != 1 else ''})")
