"""`digest check`: lint an edition's HTML (a file, or the edition of --date built in memory) before sending."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from digest.check import Finding, summarise
from digest.check.lint import check_html
from digest.commands.options import config_option, date_option, draft_options, pick_draft


def _read(path: Path) -> str:
    """The file's text; an unreadable or non-UTF-8 file is a usage error (exit 2), not a traceback."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror or exc}", param_hint="FILE") from None
    except UnicodeDecodeError:
        raise click.BadParameter(f"{path} is not UTF-8 text", param_hint="FILE") from None


def _build(config_path: Path, edition_date: datetime.date | None, draft: Path | None, from_feeds: bool,
           easy_read: bool = False) -> tuple[str, list[Finding]]:
    """Render the edition exactly as `digest build` would (its draft when there is one), writing nothing;
    with `easy_read`, also the readability warnings of its Easy Read edition (digest/render/easyread/readability.py)."""
    from digest.config.load import load_config
    from digest.edition.pipeline import build_edition  # imported late: building pulls in the whole pipeline
    from digest.render.easyread.edition import edition_findings

    config = load_config(config_path)
    chosen = pick_draft(config, edition_date, draft, from_feeds)
    built = build_edition(config, edition_date, draft=chosen, refetch=chosen is None)
    return built.html, edition_findings(config, built.rendered, chosen) if easy_read else []


@click.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@config_option
@date_option
@draft_options
@click.option("--easy-read", is_flag=True, help="Also flag the Easy Read edition's long sentences and hard words "
                                                "(warnings), with the draft line to fix.")
@click.pass_context
def check(ctx: click.Context, file: Path | None, config_path: Path, edition: datetime.date | None,
          draft: Path | None, from_feeds: bool, easy_read: bool) -> None:
    """Check FILE.html (or this edition, built in memory) for what breaks in inboxes.

    Without FILE the edition is built as `digest build` would: from editions/<date>.md when it exists.

    Prints one line per finding and a summary; exits 1 when there is an error, else 0. Warnings
    include a missing unsubscribe link or postal address (UK PECR, CAN-SPAM).
    """
    built, easy = _build(config_path, edition, draft, from_feeds, easy_read) if file is None or easy_read else ("", [])
    findings = check_html(_read(file) if file is not None else built) + easy
    for finding in findings:
        click.echo(f"{finding.severity:<7} {finding.code}: {finding.message}")
    click.echo(summarise(findings))
    if any(f.severity == "error" for f in findings):
        ctx.exit(1)
