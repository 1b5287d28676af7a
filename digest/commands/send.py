"""`digest send`: a test send of the built newsletter to one address over SMTP."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import click

from digest.commands.options import build_folder, config_option, date_option, draft_options, pick_draft


def _address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and ("@" not in value or value.strip() != value or " " in value):
        raise click.BadParameter(f"{value!r} is not an email address")
    return value


@click.command("send")
@config_option
@date_option
@click.option("--to", required=True, callback=_address, help="The address to send the test to.")
@click.option("--from", "sender", callback=_address, help="The sender's address (default: the --to address).")
@click.option("--smtp", default="localhost:25", show_default=True, metavar="HOST:PORT", help="The SMTP server.")
@click.option("--starttls", is_flag=True, help="Switch to TLS (STARTTLS) before logging in: most servers on port 587.")
@click.option("--user", help="Log in as USER; the password comes from the DIGEST_SMTP_PASSWORD environment variable.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="The build folder to send (default: the draft built afresh, else build/<date>/).")
@draft_options
def send(config_path: Path, edition: date | None, to: str, sender: str | None, smtp: str, starttls: bool,
         user: str | None, out: Path | None, draft: Path | None, from_feeds: bool) -> None:
    """Send a test of the built newsletter to one address.

    Sends build/<date>/newsletter.html with its text twin (multipart/alternative) and the
    subject prefixed "[Test] ". When editions/<date>.md exists it is built afresh and sent, so
    the test shows the draft as it is now. The password is never read from sources.toml: set
    DIGEST_SMTP_PASSWORD in the environment.
    """
    from digest.build import today
    from digest.config import load_config
    from digest.send import Server, send_test

    config = load_config(config_path)
    edition = edition or today(config)
    server = Server.parse(smtp, starttls=starttls, user=user)
    chosen = pick_draft(config, edition, draft, from_feeds) if out is None else None
    with tempfile.TemporaryDirectory(prefix="digest-send-") as scratch:
        folder = out or build_folder(config, edition, from_feeds=from_feeds)
        if chosen is not None:
            from digest.build import build_edition
            from digest.write import write_outputs

            built = build_edition(config, draft=chosen, refetch=False)
            edition, folder = built.date, Path(scratch)
            write_outputs(folder, built.files())
        message = send_test(config, edition, folder, to=to, sender=sender, server=server)
    click.echo(f"sent {message['Subject']!r} to {to} via {server.host}:{server.port}")
