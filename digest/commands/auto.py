"""`digest auto`: run from cron or a timer; on the network's day it drafts the edition and mails the editors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from digest.commands.options import at_moment, config_option, moment_option


@click.command("auto")
@config_option
@moment_option
@click.option("-q", "--quiet", is_flag=True, help="Say nothing unless something failed (for cron).")
def auto(config_path: Path, now: datetime | None, quiet: bool) -> None:
    """Draft the edition on the day [schedule] names, and mail the editors a ready note.

    On a cadence day, from [schedule] time: refresh every source, write editions/<date>.md and
    mail [schedule] notify a note with the item counts, what changed since the last edition, the
    members whose feeds are failing, `digest check`'s findings and the commands to run next, with
    the newsletter attached. Fewer than min_items items: a "needs attention" note and no draft.
    Any other time, and again on the same day: nothing (it says when it runs next). Run it as
    often as you like (hourly or daily): it acts once per cadence day.
    """
    from digest.auto.run import run_auto
    from digest.config.load import load_config

    config = load_config(config_path)
    outcome = run_auto(config, at_moment(config, now))
    if not quiet:
        click.echo(outcome.said)

