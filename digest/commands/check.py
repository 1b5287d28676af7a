"""`digest check`: lint an edition's HTML (a file, or the edition of --date built in memory) before sending."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from digest.check import check_html, summarise
from digest.commands.options import config_option, date_option


def _read(path: Path) -> str:
    """The file's text; an unreadable or non-UTF-8 file is a usage error (exit 2), not a traceback."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror or exc}", param_hint="FILE") from None
    except UnicodeDecodeError:
        raise click.BadParameter(f"{path} is not UTF-8 text", param_hint="FILE") from None


def _build(config_path: Path, date: datetime.date | None) -> str:
    """Render the edition of `date` exactly as `digest build` would, without writing it anywhere."""
    from digest.build import build_edition  # imported late: building pulls in the whole pipeline
    from digest.config import load_config

    return build_edition(load_config(config_path), date).html


@click.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@config_option
@date_option
@click.pass_context
def check(ctx: click.Context, file: Path | None, config_path: Path, edition: datetime.date | None) -> None:
    """Check FILE.html (or the edition of --date, built in memory) for what breaks in inboxes.

    Prints one line per finding and a summary; exits 1 when there is an error, else 0. Warnings
    include a missing unsubscribe link or postal address (UK PECR, CAN-SPAM).
    """
    if file is not None:
        html = _read(file)
    else:
        html = _build(config_path, edition)
    findings = check_html(html)
    for finding in findings:
        click.echo(f"{finding.severity:<7} {finding.code}: {finding.message}")
    click.echo(summarise(findings))
    if any(f.severity == "error" for f in findings):
        ctx.exit(1)
