"""The command line: a thin Click layer; each verb lives in digest/commands/ and calls one stage."""

from __future__ import annotations

import importlib

import click

from digest import __version__

COMMANDS = {
    "build": "digest.commands.build",
    "init": "digest.commands.init",
    "check": "digest.commands.check",
    "preview": "digest.commands.preview",
    "draft": "digest.commands.draft",
    "publish": "digest.commands.publish",
    "archive": "digest.commands.archive",
    "send": "digest.commands.send",
}


class LazyGroup(click.Group):
    """Imports a command's module only when it runs, so `digest --help` starts fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        return getattr(importlib.import_module(module), name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def main() -> None:
    """Turn a network's member feeds into an email-ready newsletter.

    Start with `digest init DIR`, list members in sources.toml, then `digest build`.
    """
