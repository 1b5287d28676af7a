"""The command line: a thin Click layer; each verb lives in digest/commands/ and calls one stage.

The group is also the one place where errors meet the user (mkdocs' style): a DigestError is one
sentence saying what to do; any other exception is one line naming what failed and how to see
more (`-v`), never a traceback unless asked for. Every command takes -v/--verbose and -q/--quiet,
and its --help ends with its exit codes.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import os
import sys
import traceback
from typing import Any

import click

from digest import __version__
from digest.exceptions import DigestError, UnexpectedError

COMMANDS = {
    "build": "digest.commands.build",
    "init": "digest.commands.init",
    "check": "digest.commands.check",
    "preview": "digest.commands.preview",
    "draft": "digest.commands.draft",
    "publish": "digest.commands.publish",
    "archive": "digest.commands.archive",
    "send": "digest.commands.send",
    "push": "digest.commands.push",
    "repair": "digest.commands.repair",
    "sources": "digest.commands.sources",
    "submissions": "digest.commands.submissions",
    "auto": "digest.commands.auto",
    "members": "digest.commands.members",
}

OK = "0  done"
USAGE = "2  a usage or configuration error (the message says what to fix)"
UNEXPECTED = "1  something failed (the message says what; -v shows the details)"
EXIT_CODES = {
    "build": [OK + " (members that failed are warnings in the report)", "1  with --strict: the build had a warning",
              USAGE],
    "check": [OK + ": no errors (warnings may be listed)", "1  the email has at least one error", USAGE],
    "sources check": [OK + ": every source gave items", "1  some source is moved, gone, empty or failed", USAGE],
    "push": [OK + ": the draft is in the email service (made, or updated)",
             "1  the service could not be reached, refused the key or the draft, or its draft was sent or deleted",
             USAGE],
    "send": [OK + ": the test was accepted by the SMTP server",
             "1  the SMTP server could not be reached, or refused the login or the message", USAGE],
    "auto": [OK + ": it drafted and mailed, or had nothing to do today (it says when it runs next)",
             "1  the note could not be mailed (the next run tries again) or something else failed", USAGE],
    "members notify": [OK + ": every note due was mailed (or none was due)",
                       "1  the SMTP server could not be reached, or refused a note", USAGE],
    "draft": [OK, UNEXPECTED, USAGE + ", or the edition was published: it is final (--force corrects it)"],
    "publish": [OK, UNEXPECTED, USAGE + ", or the edition was published: it is final (--force corrects it)"],
}
DEFAULT_EXIT_CODES = [OK, UNEXPECTED, USAGE]
VERBOSE, QUIET = "digest.verbose", "digest.quiet"
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")


def _remember(key: str) -> Any:
    """An option callback that keeps the value where the group's error handler can read it."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value:
            ctx.meta[key] = value
        return value

    return callback


def _silence(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """-q on a command without a quiet mode of its own: its report (stdout) is not printed; stderr is."""
    if value:
        ctx.meta[QUIET] = True
        ctx.with_resource(contextlib.redirect_stdout(io.StringIO()))
    return value


def _with_shared_options(name: str, command: click.Command) -> click.Command:
    """Give a command -v/--verbose, -q/--quiet (unless it has its own) and an exit-code epilog. Idempotent."""
    names = {p.name: p for p in command.params}
    verbose = names.get("verbose")
    if verbose is None:
        command.params.append(click.Option(["-v", "--verbose"], count=True, expose_value=False,
                                           callback=_remember(VERBOSE),
                                           help="Say more; on an unexpected error, show its traceback."))
    elif verbose.callback is None:  # the command reads it itself; the error handler must see it too
        verbose.callback = _remember(VERBOSE)
    if "quiet" not in names:
        command.params.append(click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_silence,
                                           help="Print only warnings and errors."))
    if not command.epilog:
        lines = EXIT_CODES.get(name, DEFAULT_EXIT_CODES)
        command.epilog = "\b\nExit codes:\n" + "\n".join(f"  {line}" for line in lines)
    if isinstance(command, click.Group):  # `digest sources add` and the like: the same options and epilog
        for sub_name, sub in command.commands.items():
            _with_shared_options(f"{name} {sub_name}", sub)
    return command


class LazyGroup(click.Group):
    """Imports a command's module only when it runs, so `digest --help` starts fast."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The console script: run the command, then let Python exit normally, minus the collector's sweeps.

        Interpreter teardown after a build took ~0.14 s once (a tenth of a warm build), then ~40 ms
        on the sample: most of it the cyclic collector scanning every object the build left alive
        (imports, caches) while modules are cleared. gc.freeze() moves them all out of its reach,
        so teardown is ~9 ms (~3 ms on `--version`, from ~13) and the exit stays an ordinary one:
        non-daemon threads are joined, atexit handlers run (process pools shut down), streams
        are flushed and sys.exit's meaning of the status is Python's own.
        CliRunner (tests) calls main() rather than this, so the tests' collector is untouched.
        """
        try:
            return super().__call__(*args, **kwargs)
        finally:
            gc.freeze()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        return _with_shared_options(name, getattr(importlib.import_module(module), name))

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; what escapes it becomes a sentence (and exit code), not a traceback."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # `digest sources list | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - the one top-level handler: anything unexpected is one sentence, never a traceback
            if ctx.meta.get(VERBOSE):
                traceback.print_exc()
            raise _explained(exc, ctx.invoked_subcommand or "digest") from None


def _explained(exc: Exception, command: str) -> DigestError | UnexpectedError:
    """A template error (or any exception raised inside a template) names the template file and line."""
    import jinja2

    if isinstance(exc, jinja2.TemplateNotFound):
        return DigestError(f"the theme has no template {exc.name}: copy it from the default theme "
                           "(`digest init` writes one), or remove `templates` under [newsletter]")
    where = _template_line(exc)
    if where is not None:
        message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else f"{type(exc).__name__}: {exc}"
        return DigestError(f"{where}: {message}: fix the template (run again with -v to see the details)")
    return UnexpectedError(f"digest {command} failed unexpectedly ({type(exc).__name__}: {exc}); "
                           "run again with -v to see the details")


def _template_line(exc: BaseException) -> str | None:
    """`file:line` of the template that failed: from a syntax error itself, or the template frames of the traceback."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not (filename and str(filename).endswith(TEMPLATE_SUFFIXES)):
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(TEMPLATE_SUFFIXES)]
        if not frames:
            return None
        filename, line = frames[-1].filename, frames[-1].lineno
    return f"{filename}{f':{line}' if line else ''}"


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def main() -> None:
    """Turn a network's member feeds into an email-ready newsletter.

    Start with `digest init DIR`, list members in sources.toml, then `digest build`.
    """

