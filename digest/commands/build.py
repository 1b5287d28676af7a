"""`digest build`: collect, group, render and write one edition (or render an editor's draft)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.commands.options import config_option, date_option, esp_option

if TYPE_CHECKING:
    from digest.report import Report


@click.command("build")
@config_option
@date_option
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="Output folder (default: build/<date>/ beside sources.toml).")
@click.option("--offline", is_flag=True, help="Do not fetch: rebuild from what the store already has.")
@click.option("--edition", "draft", type=click.Path(dir_okay=False, path_type=Path),
              help="Render this draft (editions/<date>.md, from `digest draft`) exactly as edited; nothing is fetched.")
@esp_option
@click.option("--final", is_flag=True,
              help="This is the edition being sent: record its items (later editions leave those posts out) "
                   "and add it to the archive, as `digest publish` does.")
@click.option("--strict", is_flag=True, help="Exit 1 when the build had any warning.")
@click.option("-v", "--verbose", count=True, help="Say more.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the output path and problems.")
def build(config_path: Path, edition: date | None, out: Path | None, offline: bool, draft: Path | None, esp: str | None,
          final: bool, strict: bool, verbose: int, quiet: bool) -> None:
    """Build the newsletter: newsletter.html (email-ready), newsletter.txt, newsletter.mjml and web.html."""
    from digest.build import build_edition, build_from_draft, today
    from digest.config import load_config
    from digest.report import format_report
    from digest.write import write_outputs

    config = load_config(config_path)
    config = config.overriding(esp=esp) if esp else config
    if draft is not None:
        result = build_from_draft(config, draft)
        if edition is not None and edition != result.date:
            raise click.BadParameter(f"the draft {draft} is the edition of {result.date}, not {edition}: "
                                     "leave out --date", param_hint="--date")
    else:
        edition = edition or today(config)
        show_bar = not quiet and sys.stderr.isatty()
        with click.progressbar(length=len(config.sources), label="Collecting", file=sys.stderr) if show_bar else _NoBar() as bar:
            result = build_edition(config, edition, refetch=not offline, on_done=lambda _r: bar.update(1))
    _check(result.report, result.html, verbose=verbose > 0)
    out_dir = out or config.root / "build" / result.date.isoformat()
    written = write_outputs(out_dir, result.files())
    result.report.outputs = written
    if final:
        from digest.archive import publish

        published = publish(config, result.date, result.ids, result.web)
    if quiet:
        click.echo(written["newsletter.html"])
        for problem in result.report.problems():
            click.echo(f"warning: {problem}", err=True)
    else:
        click.echo(format_report(result.report))
    if final:
        click.echo(f"published: {published.recorded} items recorded as sent in the edition of {result.date}; "
                   f"web version in {published.page}")
    if strict and result.report.problems():
        sys.exit(1)


def _check(report: Report, html: str, *, verbose: bool) -> None:
    """Run `digest check` on the email: errors become warnings of the build, the rest a summary line."""
    from digest.check import check_html, summarise
    from digest.reuse import checked

    findings = checked(html, check_html)  # stored with the outputs: an unchanged edition is not checked again
    report.check_summary = summarise(findings)
    report.check_errors = [f.message for f in findings if f.severity == "error"]
    if verbose:
        report.check_lines = [f"{f.severity:<7} {f.code}: {f.message}" for f in findings]


class _NoBar:
    """Stands in for the progress bar when output is not a terminal."""

    def __enter__(self) -> "_NoBar":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None
