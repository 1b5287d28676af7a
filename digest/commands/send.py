"""`digest send`: a test send of the built newsletter to one address over SMTP."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from digest.commands.options import config_option, date_option


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
              help="The build folder to send (default: build/<date>/ beside sources.toml).")
def send(config_path: Path, edition: date | None, to: str, sender: str | None, smtp: str, starttls: bool,
         user: str | None, out: Path | None) -> None:
    """Send a test of the built newsletter to one address.

    Sends build/<date>/newsletter.html with its text twin (multipart/alternative) and the
    subject prefixed "[Test] ". The password is never read from sources.toml: set
    DIGEST_SMTP_PASSWORD in the environment.
    """
    from digest.build import today
    from digest.config import load_config
    from digest.send import Server, send_test

    config = load_config(config_path)
    edition = edition or today(config)
    server = Server.parse(smtp, starttls=starttls, user=user)
    message = send_test(config, edition, out or config.root / "build" / edition.isoformat(), to=to, sender=sender,
                        server=server)
    click.echo(f"sent {message['Subject']!r} to {to} via {server.host}:{server.port}")
