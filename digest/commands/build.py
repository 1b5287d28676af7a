"""`digest build`: collect, group, render and write one edition."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from digest.commands.options import config_option, date_option


@click.command("build")
@config_option
@date_option
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="Output folder (default: build/<date>/ beside sources.toml).")
@click.option("--offline", is_flag=True, help="Do not fetch: rebuild from what the store already has.")
@click.option("--strict", is_flag=True, help="Exit 1 when the build had any warning.")
@click.option("-v", "--verbose", count=True, help="Say more.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the output path and problems.")
def build(config_path: Path, edition: date | None, out: Path | None, offline: bool, strict: bool, verbose: int, quiet: bool) -> None:
    """Build the newsletter: newsletter.html (email-ready), newsletter.txt and newsletter.mjml."""
    from digest.build import build_edition, today
    from digest.config import load_config
    from digest.report import format_report
    from digest.write import write_outputs

    config = load_config(config_path)
    edition = edition or today(config)
    out_dir = out or config.root / "build" / edition.isoformat()
    show_bar = not quiet and sys.stderr.isatty()
    with click.progressbar(length=len(config.sources), label="Collecting", file=sys.stderr) if show_bar else _NoBar() as bar:
        result = build_edition(config, edition, refetch=not offline, on_done=lambda _r: bar.update(1))
    written = write_outputs(out_dir, {
        "newsletter.html": result.html,
        "newsletter.txt": result.text,
        "newsletter.mjml": result.mjml,
    })
    result.report.outputs = written
    if quiet:
        click.echo(written["newsletter.html"])
        for problem in result.report.problems():
            click.echo(f"warning: {problem}", err=True)
    else:
        click.echo(format_report(result.report))
    if strict and result.report.problems():
        sys.exit(1)


class _NoBar:
    """Stands in for the progress bar when output is not a terminal."""

    def __enter__(self) -> "_NoBar":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None
