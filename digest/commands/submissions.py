"""`digest submissions list | approve | reject`: members' form responses and emails, decided from the terminal."""

from __future__ import annotations

from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.commands.options import config_option, date_option

if TYPE_CHECKING:
    from digest.collect.submissions import Submission


@click.group("submissions")
def submissions() -> None:
    """What members sent (sources with review = true, forms and emails): approve it into the edition, or reject it."""


def _line(found: Submission, tz: tzinfo) -> str:
    """One submission as the list shows it: id, status, when, from whom, title; what the editor must know below."""
    sender = found.sender
    who = ", ".join(p for p in (sender.name, sender.organisation) if p) or "someone"
    contact = f" <{sender.email}>" if sender.email else ""
    mark = "*" if found.new and found.status in ("pending", "held") else " "
    lines = [f"{mark}{found.id[:8]}  {found.status:<8}  {found.received.astimezone(tz):%Y-%m-%d %H:%M}  {found.source}: "
             f"{found.item.title!r} from {who}{contact}"]
    if found.section:
        lines.append(f"           into {found.section!r}")
    if found.reason:
        lines.append(f"           rejected: {found.reason}")
    if sender.attachments:
        lines.append(f"           attached (not sent): {', '.join(sender.attachments)}")
    return "\n".join(lines)


@submissions.command("list")
@click.option("--all", "everything", is_flag=True, help="Also the approved and rejected ones.")
@click.option("--held", is_flag=True, help="Only the ones held as a flood (100 or more from one source in a day).")
@config_option
def list_(everything: bool, held: bool, config_path: Path) -> None:
    """The submissions waiting for you, newest first (* new since you last looked; ids as approve and reject take them)."""
    from digest.config.load import load_config
    from digest.edition.submissions import listing

    config = load_config(config_path)
    found = listing(config, everything=everything, held=held, look=True)
    for submission in found:
        click.echo(_line(submission, config.newsletter.tz))
    if not found:
        click.echo("no submissions waiting" if not everything else "no submissions yet")


@submissions.command("approve")
@click.argument("ids", nargs=-1, required=True)
@click.option("--section", "-s", default="", help="The section it goes in (default: where the sections' rules put it).")
@date_option
@config_option
def approve(ids: tuple[str, ...], section: str, edition: date | None, config_path: Path) -> None:
    """Approve submissions by id (its first characters are enough): they join the edition, credited to the sender."""
    from digest.config.load import load_config
    from digest.edition.submissions import approve as approving

    config = load_config(config_path)
    for key in ids:
        done = approving(config, key, section, edition)
        where = f" into {done.section!r}" if done.section else ""
        draft = f" (added to {done.draft.name})" if done.draft else ""
        click.echo(f"approved {done.submission.id[:8]} {done.submission.item.title!r}{where}{draft}")


@submissions.command("reject")
@click.argument("ids", nargs=-1, required=True)
@click.option("--reason", "-r", default="", help="Why, for your own record (never sent to anyone).")
@date_option
@config_option
def reject(ids: tuple[str, ...], reason: str, edition: date | None, config_path: Path) -> None:
    """Reject submissions by id: they never appear, however often the form or mailbox is read again."""
    from digest.config.load import load_config
    from digest.edition.submissions import reject as rejecting

    config = load_config(config_path)
    for key in ids:
        done = rejecting(config, key, reason, edition)
        draft = f" (taken out of {done.draft.name})" if done.draft else ""
        click.echo(f"rejected {done.submission.id[:8]} {done.submission.item.title!r}{draft}")
