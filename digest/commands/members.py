"""`digest members [notify]`: the ledger of what each member gave and how their feeds are; notes to members."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from digest.commands.options import at_moment, config_option, moment_option, parse_date


@click.group("members", invoke_without_command=True)
@config_option
@click.option("--since", callback=parse_date, metavar="YYYY-MM-DD",
              help="Count items found and featured from this day (default: a year ago).")
@click.option("--format", "how", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="A table to read, CSV for a spreadsheet, JSON for a program.")
@moment_option
@click.pass_context
def members(ctx: click.Context, config_path: Path, since: date | None, how: str, now: datetime | None) -> None:
    """One row per member (the name readers see): their sources, items found and featured since
    --since, their last item, and each source's status now (failing since when, and why).

    `digest members notify` mails members whose feeds keep failing.
    """
    if ctx.invoked_subcommand is not None:
        return
    from digest.auto.ledger import default_since, format_rows, member_rows
    from digest.auto.records import Records
    from digest.collect.store import Store
    from digest.config.load import load_config

    config = load_config(config_path)
    since = since or default_since(at_moment(config, now))
    with Store.beside(config.path) as store:
        rows = member_rows(config, Records(store), since)
    click.echo(format_rows(rows, how, since))


@members.command("notify")
@config_option
@click.option("--days", type=click.IntRange(1, 3660), default=14, show_default=True,
              help="Tell a member once their feed has failed for this many days.")
@click.option("--items", is_flag=True, help="Also send each member with a contact, once a month, the list of their "
                                            "items featured in this month's editions.")
@moment_option
def notify(config_path: Path, days: int, items: bool, now: datetime | None) -> None:
    """Mail each source's `contact` when its feed has failed for --days days: what is wrong, in plain words,
    and how to fix it (once per failure). Sources without a contact are never mailed.

    Mail goes from [schedule] sender through [schedule.smtp], as `digest auto`'s notes do.
    """
    from digest.auto.notify import notify_members
    from digest.config.load import load_config

    config = load_config(config_path)
    said = notify_members(config, at_moment(config, now), days=days, items=items)
    for line in said or ["no member is due a note"]:
        click.echo(line)
