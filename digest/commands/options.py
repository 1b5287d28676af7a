"""Options several commands share, declared once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import click

FuncT = Callable[..., Any]


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
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


def date_option(func: FuncT) -> FuncT:
    return click.option(
        "--date", "-d", "edition", callback=_parse_date, metavar="YYYY-MM-DD",
        help="Edition date (default: today in the newsletter's timezone).",
    )(func)


def esp_option(func: FuncT) -> FuncT:
    from digest.esp import PRESETS

    return click.option(
        "--esp", type=click.Choice(list(PRESETS)), default=None,
        help="Email service whose unsubscribe and view-online merge tags go in the footer (default: esp in sources.toml).",
    )(func)
