"""`digest push`: the edition into the email service as a draft (never sent), or that draft updated."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from digest.commands.options import config_option, date_option, pick_draft
from digest.config.push import PUSH_SERVICES
from digest.urls import is_web_url


def _web_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not is_web_url(value):
        raise click.BadParameter(f"{value!r} is not a web address: give the API's, e.g. https://lists.example.org/api")
    return value


@click.command("push")
@config_option
@date_option
@click.option("--draft", "--edition", "draft", type=click.Path(dir_okay=False, path_type=Path),
              help="The draft to push (default: editions/<date>.md when it exists, else the edition from the feeds).")
@click.option("--esp", type=click.Choice(PUSH_SERVICES), default=None,
              help="The email service (default: esp under [newsletter.push], else [newsletter] esp).")
@click.option("--list", "list_id", metavar="ID", help="The list (Mailchimp: audience) the draft goes to, by its ID "
                                                      "in the service (default: list under [newsletter.push]).")
@click.option("--api-url", metavar="URL", callback=_web_address, help="The service's API address (your own listmonk's, e.g. "
                                               "https://lists.example.org/api; default: api_url under "
                                               "[newsletter.push], else the service's own).")
@click.option("--easy-read", is_flag=True, help="Push the Easy Read edition, as a draft of its own.")
@click.option("--new", is_flag=True, help="Make a new draft even if this edition was pushed before.")
def push(config_path: Path, edition: date | None, draft: Path | None, esp: str | None, list_id: str | None,
         api_url: str | None, easy_read: bool, new: bool) -> None:
    """Put the edition into your email service as a draft, ready for you to check and send there.

    Makes a draft campaign with the subject line, preview text, HTML, plain text and list, and
    prints the link to open it. It never sends, schedules or sends a test: you do that in the
    service. Pushing again updates the same draft; if it was sent or deleted meanwhile, it says so
    and stops (--new makes another). The API key is read only from the environment:
    LISTMONK_API_USER and LISTMONK_API_TOKEN, BUTTONDOWN_API_KEY, MAILCHIMP_API_KEY or BREVO_API_KEY.
    """
    from digest.config.load import load_config
    from digest.publish.push.run import order_for, push_edition

    config = load_config(config_path)
    order = order_for(config, esp=esp, list_id=list_id, api_url=api_url, easy_read=easy_read, new=new)
    chosen = pick_draft(config, edition, draft, False)
    outcome = push_edition(config, edition, chosen, order)
    click.echo(outcome.message)
    for note in outcome.notes:
        click.echo(f"note: {note}")
