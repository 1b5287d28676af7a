"""`digest send`: a test send of the built newsletter to one or more addresses over SMTP."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import click

from digest.commands.options import build_folder, config_option, date_option, draft_options, pick_draft
from digest.urls import is_email_address


def _one_address(value: str) -> str:
    if not is_email_address(value):
        if re.search(r"[,;]", value):
            raise click.BadParameter(f"{value!r} is more than one address: give each its own --to")
        raise click.BadParameter(f"{value!r} is not an email address")
    return value


def _addresses(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str]:
    return [_one_address(v) for v in value]


def _address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else _one_address(value)


@click.command("send")
@config_option
@date_option
@click.option("--to", required=True, multiple=True, callback=_addresses,
              help="An address to send the test to (one per --to; repeat it for more).")
@click.option("--from", "sender", callback=_address, help="The sender's address (default: the first --to address).")
@click.option("--smtp", default="localhost:25", show_default=True, metavar="HOST:PORT",
              help="The SMTP server (port 465 by default with --ssl).")
@click.option("--starttls", is_flag=True, help="Switch to TLS (STARTTLS) before logging in: most servers on port 587.")
@click.option("--ssl", "use_ssl", is_flag=True, help="TLS from the start (implicit TLS, SMTPS): servers on port 465.")
@click.option("--user", help="Log in as USER; the password comes from the DIGEST_SMTP_PASSWORD environment variable. "
                             "Needs --starttls or --ssl.")
@click.option("--allow-unencrypted-login", "allow_plain", is_flag=True,
              help="Let --user log in without encryption (a test server you trust only: the password is sent in clear).")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="The build folder to send (default: the draft built afresh, else build/<date>/).")
@draft_options
def send(config_path: Path, edition: date | None, to: list[str], sender: str | None, smtp: str, starttls: bool,
         use_ssl: bool, user: str | None, allow_plain: bool, out: Path | None, draft: Path | None,
         from_feeds: bool) -> None:
    """Send a test of the built newsletter.

    Sends build/<date>/newsletter.html with its text twin (multipart/alternative) and the
    subject prefixed "[Test] ". The email service's merge tags (unsubscribe, view online) are
    swapped for harmless preview links. When editions/<date>.md exists it is built afresh and
    sent, so the test shows the draft as it is now. The password is never read from sources.toml: set
    DIGEST_SMTP_PASSWORD in the environment.
    """
    from digest.config.load import load_config
    from digest.edition.pipeline import today
    from digest.publish.send import Server, send_test

    config = load_config(config_path)
    edition = edition or today(config)
    server = Server.parse(smtp, starttls=starttls, user=user, ssl=use_ssl, allow_plain_login=allow_plain)
    if user and not server.encrypted:
        click.echo(f"warning: logging in to {server.host}:{server.port} without encryption: "
                   "the password crosses the network in clear text", err=True)
    chosen = pick_draft(config, edition, draft, from_feeds) if out is None else None
    with tempfile.TemporaryDirectory(prefix="digest-send-") as scratch:
        folder = out or build_folder(config, edition, from_feeds=from_feeds)
        if chosen is not None:
            from digest.edition.pipeline import build_edition
            from digest.write import write_outputs

            built = build_edition(config, draft=chosen, refetch=False)
            config = config.overriding(subject=built.subject) if built.subject else config  # the draft's own line
            edition, folder = built.date, Path(scratch)
            write_outputs(folder, built.files())
        message, swapped = send_test(config, edition, folder, to=to, sender=sender, server=server)
    click.echo(f"sent {message['Subject']!r} to {', '.join(to)} via {server.host}:{server.port}")
    if swapped:
        click.echo(f"note: the merge tags {' and '.join(swapped)} became preview links in this test; "
                   "your email service fills them in when it sends")
