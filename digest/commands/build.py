"""`digest build`: the edition for a date — its draft when there is one, else the feeds — written to build/."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from digest.commands.options import build_folder, config_option, date_option, draft_options, esp_option, pick_draft


@click.command("build")
@config_option
@date_option
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="Output folder (default: build/<date>/ beside sources.toml).")
@click.option("--offline", is_flag=True, help="Do not fetch: rebuild from what the store already has.")
@draft_options
@esp_option
@click.option("--final", is_flag=True,
              help="This is the edition being sent: record its items (later editions leave those posts out) "
                   "and add it to the archive, as `digest publish` does.")
@click.option("--force", is_flag=True, help="With --final: publish an edition that was already published again "
                                            "(a deliberate correction; digest records what changed).")
@click.option("--easy-read", is_flag=True,
              help="Also write the Easy Read edition (easy-read.html, easy-read.txt and the icons/ it shows) "
                   "and check its sentences and words.")
@click.option("--print", "print_", is_flag=True,
              help="Also write the print edition, newsletter.pdf (A4, 14 pt; and easy-read.pdf with --easy-read), "
                   "to post to members who ask.")
@click.option("--large-print", is_flag=True, help="Print in large type (18 pt); implies --print.")
@click.option("--strict", is_flag=True, help="Exit 1 when the build had any warning.")
@click.option("-v", "--verbose", count=True, help="Say more.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the output path and problems.")
def build(config_path: Path, edition: date | None, out: Path | None, offline: bool, draft: Path | None,
          from_feeds: bool, esp: str | None, final: bool, force: bool, easy_read: bool, print_: bool, large_print: bool,
          strict: bool, verbose: int, quiet: bool) -> None:
    """Build the newsletter: newsletter.html (email-ready), newsletter.txt, newsletter.mjml and web.html.

    When editions/<date>.md exists (from `digest draft`), it is built exactly as edited and
    nothing is fetched; --from-feeds builds from the feeds instead, into build/<date>-from-feeds/.
    """
    from digest.config.load import load_config
    from digest.edition.pipeline import build_edition
    from digest.edition.report import format_report
    from digest.write import write_outputs

    config = load_config(config_path)
    config = config.overriding(esp=esp) if esp else config
    easy_read = easy_read or config.newsletter.easy_read
    config = config.overriding(easy_read=True) if easy_read else config  # the newsletter links to it
    chosen = pick_draft(config, edition, draft, from_feeds)
    if chosen is not None:
        result = build_edition(config, draft=chosen, refetch=False, check=True)
        if draft is not None and edition is not None and edition != result.date:
            raise click.BadParameter(f"the draft {draft} is the edition of {result.date}, not {edition}: "
                                     "leave out --date", param_hint="--date")
    else:
        show_bar = not quiet and sys.stderr.isatty()
        with click.progressbar(length=len(config.sources), label="Collecting", file=sys.stderr) if show_bar else _NoBar() as bar:
            result = build_edition(config, edition, refetch=not offline, on_done=lambda _r: bar.update(1), check=True)
    files: dict[str, str | bytes] = dict(result.files())
    if easy_read:
        from digest.render.easyread.edition import easy_read_outputs

        easy, warnings = easy_read_outputs(config, result.date, result.rendered, chosen)
        files |= easy
        result = replace(result, report=replace(result.report, warnings=(*result.report.warnings, *warnings)))
    if print_ or large_print:
        from digest.render.pdf import print_outputs

        easy_html = str(files["easy-read.html"]) if "easy-read.html" in files else None
        files |= print_outputs(config, result.date, result.rendered, large=large_print, easy_read_html=easy_html)
    if final:  # first: a published edition is refused before anything is written
        from digest.publish.archive import publish

        beside: dict[str, str] = {name: str(files[name]) for name in ("easy-read.html", "easy-read.txt") if name in files}
        published = publish(config, result.date, list(result.ids), result.web, {**result.rendered.calendars, **beside},
                            items=[item for box in result.sections for item in box.items], force=force)
    written = write_outputs(out or build_folder(config, result.date, from_feeds=from_feeds), files)
    if quiet:
        click.echo(written["newsletter.html"])
        for index, problem in enumerate(result.report.problems()):  # `digest check`'s errors come first
            click.echo(f"{'error' if index < result.report.check_errors else 'warning'}: {problem}", err=True)
    else:
        click.echo(format_report(result.report, written, verbose=verbose > 0))
    if final:
        click.echo(f"published: {published.recorded} items recorded as sent in the edition of {result.date}; "
                   f"web version in {published.page}")
        for problem in published.archive.problems:
            click.echo(f"warning: {problem}", err=True)
    if strict and result.report.problems():
        sys.exit(1)


class _NoBar:
    """Stands in for the progress bar when output is not a terminal."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None
