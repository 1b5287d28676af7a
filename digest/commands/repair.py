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
    """Mend or rebuild a damaged .digest store from what can still be read of it.

    Damaged item rows are set aside (in the store's damaged_items table) and their members'
    feeds read again by the next build. A file SQLite cannot read is rebuilt: the record of
    which items each edition sent (so posts are not sent twice) and the stored posts are kept,
    the damaged file beside it as store.sqlite.damaged-<time>, and the next build fetches every
    source afresh.
    """
    from digest.collect.repair import is_healthy, mend, rows_only
    from digest.collect.repair import repair as repair_store

    path = Workspace.beside(config_path).store
    if not force and path.exists() and is_healthy(path):
        click.echo(f"{path} is not damaged: nothing to repair (--force rebuilds it anyway)")
        return
    if not force and path.exists() and rows_only(path):
        mended = mend(path)
        click.echo(f"mended {path}: set aside {mended.rows} damaged item{'s' if mended.rows != 1 else ''} "
                   f"(kept in its damaged_items table); the next build reads these members' feeds again: "
                   f"{', '.join(mended.members)}")
        return
    done = repair_store(path)
    aside = f"; set aside {done.set_aside} damaged item{'s' if done.set_aside != 1 else ''}" if done.set_aside else ""
    click.echo(f"repaired {path}: kept {done.sent} sent record{'s' if done.sent != 1 else ''} and "
               f"{done.items} stored item{'s' if done.items != 1 else ''}{aside}; the damaged file is {done.damaged}")
    for table in done.lost_tables:
        what = "the record of what was sent" if table == "sent" else "the stored items"
        click.echo(f"warning: part of {what} could not be read and is lost", err=True)
