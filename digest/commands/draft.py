"""`digest draft`: the edition as an editable Markdown file (editions/<date>.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from digest.commands.options import config_option, date_option, shown


@click.command("draft")
@config_option
@date_option
@click.option("--force", is_flag=True, help="Start the draft over, throwing away your edits (for a published edition: "
                                            "a deliberate correction, which digest records).")
@click.option("--offline", is_flag=True, help="Do not fetch: draft from what the store already has.")
def draft(config_path: Path, edition: date | None, force: bool, offline: bool) -> None:
    """Write editions/<date>.md: the edition as Markdown to edit before building it.

    Delete, reorder or move items, rewrite titles and blurbs, add your own items; then run
    `digest build --draft editions/<date>.md`. Run `digest draft` again later and it only adds
    the items that are new since (marked as new, at the end of their section), never touching
    your edits; --force starts over. A published edition is refused unless --force (a correction, recorded).
    """
    from digest.config.load import load_config
    from digest.edition.pipeline import draft_edition

    config = load_config(config_path)
    built, outcome = draft_edition(config, edition, force=force, refetch=not offline)
    for problem in built.report.problems():
        click.echo(f"warning: {problem}", err=True)
    path = shown(outcome.path)
    if outcome.correction:
        click.echo(f"recorded the correction: {outcome.correction}")
    if outcome.created:
        click.echo(f"wrote {path} ({outcome.items} items)")
        click.echo(f"edit it, then: digest build -c {shown(config.path)} --draft {path}")
    elif outcome.added:
        click.echo(f"added {len(outcome.added)} new item{'s' if len(outcome.added) != 1 else ''} to {path} "
                   "(marked as new, at the end of their section; your edits are untouched):")
        for section, title in outcome.added:
            click.echo(f"  + {section}: {title}")
    else:
        click.echo(f"{path} is up to date: nothing new since it was drafted (your edits are untouched)")
