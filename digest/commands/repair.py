"""`digest repair`: rebuild a damaged store, keeping the record of what was sent."""

from __future__ import annotations

from pathlib import Path

import click

from digest.commands.options import config_option
from digest.config.workspace import Workspace


@click.command("repair")
@config_option
@click.option("--force", is_flag=True, help="Rebuild the store even when SQLite finds nothing wrong with it.")
def repair(config_path: Path, force: bool) -> None:
    """Rebuild a damaged .digest store from what can still be read of it.

    Keeps the record of which items each edition sent (so posts are not sent twice) and the
    stored posts; the damaged file is kept beside it as store.sqlite.damaged-<time>. The next
    build fetches every source afresh.
    """
    from digest.collect.repair import is_healthy
    from digest.collect.repair import repair as repair_store

    path = Workspace.beside(config_path).store
    if not force and path.exists() and is_healthy(path):
        click.echo(f"{path} is not damaged: nothing to repair (--force rebuilds it anyway)")
        return
    done = repair_store(path)
    click.echo(f"repaired {path}: kept {done.sent} sent record{'s' if done.sent != 1 else ''} and "
               f"{done.items} stored item{'s' if done.items != 1 else ''}; the damaged file is {done.damaged}")
    for table in done.lost_tables:
        what = "the record of what was sent" if table == "sent" else "the stored items"
        click.echo(f"warning: part of {what} could not be read and is lost", err=True)
