"""Errors a user can act on. They subclass ClickException so no traceback ever reaches the user."""

from __future__ import annotations

import click


class DigestError(click.ClickException):
    """A problem with the user's input or environment: one message, exit code 2."""

    exit_code = 2


class ConfigError(DigestError):
    """Every problem found in sources.toml, reported together so the user fixes them in one go."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        if len(problems) == 1:
            message = f"{path}: {problems[0]}"
        else:
            lines = "\n".join(f"  {path}: {p}" for p in problems)
            message = f"{path} has {len(problems)} problems:\n{lines}"
        super().__init__(message)


class StoreError(DigestError):
    """The .digest store cannot be used (corrupt, from a newer digest, or locked)."""


class FailedError(click.ClickException):
    """The command was right but the world said no (an SMTP server unreachable or refusing): exit code 1."""

    exit_code = 1


class UnexpectedError(click.ClickException):
    """An exception nobody foresaw, told in one line (the traceback only with -v): exit code 1."""

    exit_code = 1
