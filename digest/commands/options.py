"""Options several commands share, declared once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from digest.config.keys import Config

FuncT = Callable[..., Any]


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-10-01") from None
    if not 1990 <= day.year <= 2999:  # windows of years around it must still be dates
        raise click.BadParameter(f"{value!r} is too far from today: give an edition date between 1990 and 2999")
    return day


def config_option(func: FuncT) -> FuncT:
    return click.option(
        "--config", "-c", "config_path", type=click.Path(path_type=Path), default=Path("sources.toml"),
        show_default=True, help="The network's sources.toml.",
    )(func)


def dated(help: str) -> Callable[[FuncT], FuncT]:
    """--date/-d YYYY-MM-DD (checked, passed on as `edition`), with the help a command gives it."""

    def option(func: FuncT) -> FuncT:
        return click.option("--date", "-d", "edition", callback=parse_date, metavar="YYYY-MM-DD", help=help)(func)

    return option


date_option = dated("Edition date (default: today in the newsletter's timezone).")


def _parse_moment(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a moment: write it as YYYY-MM-DDTHH:MM, e.g. 2024-10-01T09:30, "
                                 "or a date alone for the end of that day") from None
    if len(value) == 10:  # a date alone: as if run at the end of that day
        moment = moment.replace(hour=23, minute=59, second=59)
    if not 1990 <= moment.year <= 2999:
        raise click.BadParameter(f"{value!r} is too far from today: give a moment between 1990 and 2999")
    return moment


def moment_option(func: FuncT) -> FuncT:
    """--now: run as if it were another moment (catching up a missed day; tests), passed on as `now`."""
    return click.option("--now", "now", callback=_parse_moment, metavar="YYYY-MM-DD[THH:MM]",
                        help="Run as if it were this moment, in the newsletter's timezone unless it names one "
                             "(a date alone: the end of that day). Default: now.")(func)


def at_moment(config: Config, now: datetime | None) -> datetime:
    """--now made aware in the newsletter's timezone, or the clock's now."""
    tz = config.newsletter.tz
    if now is None:
        return datetime.now(tz)
    return now if now.tzinfo else now.replace(tzinfo=tz)


def esp_option(func: FuncT) -> FuncT:
    from digest.esp import PRESETS

    return click.option(
        "--esp", type=click.Choice(list(PRESETS)), default=None,
        help="Email service whose unsubscribe and view-online merge tags go in the footer (default: esp in sources.toml).",
    )(func)


def draft_options(func: FuncT) -> FuncT:
    """--draft FILE (also --edition) and --from-feeds: which edition of the date a command works on."""
    func = click.option("--from-feeds", is_flag=True,
                        help="Build from the feeds even when editions/<date>.md exists "
                             "(written to build/<date>-from-feeds/, never over the draft's build).")(func)
    return click.option("--draft", "--edition", "draft", type=click.Path(dir_okay=False, path_type=Path),
                        help="The draft to use (default: editions/<date>.md when it exists).")(func)


def pick_draft(config: Config, edition: date | None, draft: Path | None, from_feeds: bool) -> Path | None:
    """The draft this command uses: the one named, else editions/<date>.md when it exists (said on stderr)."""
    from digest.edition.pipeline import find_draft

    if draft is not None and from_feeds:
        raise click.UsageError("--draft and --from-feeds cannot go together: choose one")
    found = find_draft(config, edition, draft=draft, from_feeds=from_feeds)
    if found is not None and draft is None:
        click.echo(f"from the draft {shown(found)}", err=True)
    return found


def build_folder(config: Config, edition: date, *, from_feeds: bool) -> Path:
    """Where a build goes by default: build/<date>/, or build/<date>-from-feeds/ for --from-feeds."""
    return config.workspace.build(edition, from_feeds=from_feeds)


def shown(path: Path) -> Path:
    """The path as the editor would type it: relative to where they are, when it is below it."""
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
