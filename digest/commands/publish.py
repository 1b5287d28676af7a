"""`digest publish`: the edition went out — remember what it sent and add it to the archive."""

from __future__ import annotations

from pathlib import Path

import click

from digest.commands.options import config_option, esp_option


@click.command("publish")
@config_option
@click.option("--edition", "draft", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The draft that was sent (editions/<date>.md).")
@esp_option
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="Output folder (default: build/<date>/ beside sources.toml).")
def publish(config_path: Path, draft: Path, esp: str | None, out: Path | None) -> None:
    """Record the items this edition sent, so later drafts and builds leave those posts out.

    Builds the draft as `digest build --edition` does, records its items in the store, puts its
    web version in archive/<date>/ and rewrites archive/index.html and archive/feed.atom.
    Events keep appearing until they happen (set repeat = false on a section to change that).
    """
    from digest.archive import publish as publish_edition
    from digest.build import build_from_draft
    from digest.config import load_config
    from digest.write import write_outputs

    config = load_config(config_path)
    config = config.overriding(esp=esp) if esp else config
    result = build_from_draft(config, draft)
    write_outputs(out or config.root / "build" / result.date.isoformat(), result.files())
    published = publish_edition(config, result.date, result.ids, result.web, result.rendered.calendars)
    click.echo(f"published the edition of {result.date}: {published.recorded} items recorded as sent")
    click.echo(f"web version: {published.page}")
    for problem in published.archive.problems:
        click.echo(f"warning: {problem}", err=True)
    count = len(published.archive.editions)
    click.echo(f"archive: {published.archive.index} and {published.archive.feed} "
               f"({count} edition{'s' if count != 1 else ''})")
