"""`digest preview`: the newsletter in a browser, refreshed on every save."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from digest.commands.options import config_option, date_option, draft_options


@click.command("preview")
@config_option
@date_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to serve the preview on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default keeps the preview to this computer.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in your web browser.")
@draft_options
def preview(config_path: Path, edition: date | None, port: int, host: str, open_browser: bool, draft: Path | None,
            from_feeds: bool) -> None:
    """Preview the newsletter at desktop, mobile and dark-mode widths, with its report.

    When editions/<date>.md exists the preview is of the draft, and the page is the editor's
    desk: reorder, move, drop, rewrite and add items there and each change is saved to the draft.

    Builds once, then rebuilds from what was collected (no refetching) whenever sources.toml,
    the templates or editions/ change, and the open page refreshes itself; every build also writes
    build/<date>/ as `digest build` does. "Copy HTML" puts the email-ready HTML on the clipboard.
    Ctrl-C stops and names that folder.
    """
    from digest.preview.server import serve  # imported late: building pulls in the whole pipeline

    if draft is not None and from_feeds:
        raise click.UsageError("--draft and --from-feeds cannot go together: choose one")
    serve(config_path, edition, host=host, port=port, open_browser=open_browser, say=click.echo, draft=draft,
          from_feeds=from_feeds)
