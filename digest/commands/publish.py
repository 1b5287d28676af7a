"""`digest publish`: the edition went out — remember what it sent and add it to the archive."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from digest.commands.options import build_folder, config_option, date_option, esp_option, pick_draft


@click.command("publish")
@config_option
@date_option
@click.option("--draft", "--edition", "draft", type=click.Path(dir_okay=False, path_type=Path),
              help="The draft that was sent (default: editions/<date>.md).")
@esp_option
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="Output folder (default: build/<date>/ beside sources.toml).")
@click.option("--force", is_flag=True, help="Publish an edition that was already published again: a deliberate "
                                            "correction of its archive page and sent record (digest records what changed).")
def publish(config_path: Path, edition: date | None, draft: Path | None, esp: str | None, out: Path | None,
            force: bool) -> None:
    """Record the items this edition sent, so later drafts and builds leave those posts out.

    Builds the draft as `digest build --draft` does, records its items in the store, puts its
    web version in archive/<date>/ and rewrites archive/index.html and archive/feed.atom.
    Events keep appearing until they happen (set repeat = false on a section to change that).
    A published edition is final: publishing it again is refused unless --force.
    """
    from digest.config.load import load_config
    from digest.edition.pipeline import build_edition, today
    from digest.exceptions import DigestError
    from digest.publish.archive import publish as publish_edition
    from digest.write import write_outputs

    config = load_config(config_path)
    config = config.overriding(esp=esp) if esp else config
    chosen = pick_draft(config, edition, draft, False)
    if chosen is None:
        missing = config.workspace.draft(edition or today(config))
        raise DigestError(f"{missing}: not found: run `digest draft` to write the draft of this edition "
                          "(or `digest build --final` to publish a build from the feeds)")
    result = build_edition(config, draft=chosen, refetch=False)
    beside: dict[str, str] = {}
    if config.newsletter.easy_read:  # the newsletter links to its Easy Read edition beside the web version
        from digest.render.easyread.edition import render_easy_read

        easy = render_easy_read(config, result.date, result.rendered, draft=chosen)
        beside = {"easy-read.html": easy.html, "easy-read.txt": easy.text}
    published = publish_edition(config, result.date, list(result.ids), result.web,
                                {**result.rendered.calendars, **beside},
                                force=force)  # refused before anything is written when it was published already
    write_outputs(out or build_folder(config, result.date, from_feeds=False), result.files())
    click.echo(f"published the edition of {result.date}: {published.recorded} items recorded as sent")
    if published.change:
        click.echo(f"recorded the correction: {published.change}")
    click.echo(f"web version: {published.page}")
    for problem in published.archive.problems:
        click.echo(f"warning: {problem}", err=True)
    count = len(published.archive.editions)
    click.echo(f"archive: {published.archive.index} and {published.archive.feed} "
               f"({count} edition{'s' if count != 1 else ''})")
