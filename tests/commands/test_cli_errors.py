"""Bad config and bad use: one line naming the file, key or path and the fix; exit 2; no traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from digest.cli import main
from digest.collect.store import SCHEMA_VERSION, Store
from tests.conftest import ConfigFactory, config_toml
from tests.hardening import posts, rss

# one member, read from feed.xml beside it
NETWORK: dict[str, Any] = {"title": "Hardening Digest", "timezone": "UTC", "source": {"name": "Member", "url": "feed.xml"}}
GOOD = config_toml(**NETWORK)


@pytest.fixture
def network(tmp_path: Path, make_config: ConfigFactory) -> Path:
    """A valid one-member network on disk; tests break one thing in it."""
    (tmp_path / "feed.xml").write_bytes(rss(posts(1)))
    return make_config.write(**NETWORK)


def build(config: Path, *extra: str) -> Result:
    return CliRunner().invoke(main, ["build", "--config", str(config), "--date", "2024-10-01",
                                     "--out", str(config.parent / "out"), *extra])


def assert_one_line_error(result: Result, line: str) -> None:
    """Exit 2, exactly this one line, and no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output == f"Error: {line}\n"


@pytest.mark.parametrize(("change", "line"), [
    (('title = "Hardening Digest"', 'title = "Hardening Digest'),
     "is not valid TOML: Illegal character '\\n' (at line 2, column 26) — check quotes, brackets and commas there"),
    (('title = "Hardening Digest"\n', ''), "newsletter (line 1): missing required key 'title'"),
    (('kind = "posts"', 'kind = "posts"\ndays_back = "31"'),
     "sections[1].days_back (line 8): must be a whole number, not '31'"),
    (('url = "feed.xml"', 'url = "feed.xml"\n\n[[sources]]\nname = "Member"\nurl = "other.xml"'),
     "sources[2].name (line 14): 'Member' is already the name of sources[1]: names must be unique"),
    (('kind = "posts"', 'kind = "posts"\nmatch = "(?i)cuppa("'),
     "sections[1].match (line 8): '(?i)cuppa(' is not a valid regular expression "
     "(missing ), unterminated subpattern at position 9): e.g. \"(?i)cuppa\""),
    (('timezone = "UTC"', 'timezone = "Europe/Londn"'),
     "newsletter.timezone (line 3): unknown timezone 'Europe/Londn': use an IANA name such as \"Europe/London\" or \"UTC\""),
    (('timezone = "UTC"', 'timezone = "UTC"\ntemplates = "nowhere"'),
     "newsletter.templates (line 4): no folder 'nowhere' beside sources.toml: "
     "fix the path, or remove the key to use the default theme"),
    (('url = "feed.xml"', 'url = "ftp://m.example/feed"'),
     "sources[1].url (line 11): 'ftp://m.example/feed': only http(s) addresses, imaps:// mail folders or file paths "
     "can be collected"),
], ids=["malformed-toml", "missing-key", "wrong-type", "duplicate-name", "bad-regex", "unknown-timezone",
        "missing-templates", "bad-url"])
def test_config_errors(network: Path, change: tuple[str, str], line: str) -> None:
    network.write_text(GOOD.replace(*change))
    assert_one_line_error(build(network), f"{network}: {line}")


def test_every_problem_is_reported_at_once(network: Path, make_config: ConfigFactory) -> None:
    make_config.write(**{**NETWORK, "timezone": "Mars/Base"}, section={"kind": "post"})
    result = build(network)
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: {network} has 2 problems:",
        f"  {network}: newsletter.timezone (line 3): unknown timezone 'Mars/Base': "
        "use an IANA name such as \"Europe/London\" or \"UTC\"",
        f"  {network}: sections[1].kind (line 7): 'post' is not a section kind: use one of posts, events, text",
    ]


def test_unknown_keys_warn_with_a_suggestion_and_do_not_stop_the_build(network: Path, make_config: ConfigFactory) -> None:
    make_config.write(**{**NETWORK, "timezone": None, "timzone": "UTC"})
    warning = "  - sources.toml: newsletter.timzone (line 3): unknown key 'timzone' is ignored: did you mean 'timezone'?"
    result = build(network)
    assert result.exit_code == 0, result.output
    assert warning in result.output.splitlines()
    assert build(network, "--strict").exit_code == 1


def test_a_missing_config(tmp_path: Path) -> None:
    missing = tmp_path / "sources.toml"
    assert_one_line_error(build(missing),
                          f"{missing}: not found: run `digest init DIR` to create one, or pass --config PATH")


def test_an_unwritable_out_folder(network: Path) -> None:
    blocked = network.parent / "out"
    blocked.write_text("a file where the output folder should be")
    assert_one_line_error(build(network),
                          f"cannot write to {blocked} (File exists): choose another --out folder or fix its permissions")


def test_a_corrupt_store(network: Path) -> None:
    store = network.parent / ".digest" / "store.sqlite"
    store.parent.mkdir()
    store.write_bytes(b"\x00garbage" * 512)
    assert_one_line_error(build(network), f"{store}: is not a digest store or is damaged (file is not a database): "
                                          "run `digest repair` to rebuild it (it keeps the record of what was sent; "
                                          "sources are fetched afresh on the next build)")


def test_a_store_from_a_newer_digest(network: Path) -> None:
    assert build(network).exit_code == 0
    store = network.parent / ".digest" / "store.sqlite"
    with sqlite3.connect(store) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    assert_one_line_error(build(network), f"{store}: made by a newer digest (store version {SCHEMA_VERSION + 1}, "
                                          f"this one reads {SCHEMA_VERSION}): upgrade digest, or delete the .digest "
                                          "folder to start a fresh store")


def test_no_traceback_reaches_a_real_terminal(network: Path) -> None:
    """The same through the console script's process: stderr has the line, not a traceback."""
    Store.beside(network).close()
    (network.parent / ".digest" / "store.sqlite").write_bytes(b"not a database" * 300)
    run = subprocess.run([sys.executable, "-m", "digest", "build", "--config", str(network)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stderr.count("\n") == 1 and "is not a digest store or is damaged" in run.stderr


def _commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(main)
    commands = []
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None, f"`digest {name}` is listed but cannot be loaded"
        commands.append((name, command))
    return commands


def _bad_uses(command: click.Command, tmp: Path) -> list[list[str]]:
    """Wrong ways to call a command, from its own parameters."""
    uses = [["--no-such-option"]]
    options = {opt for param in command.params for opt in param.opts}
    if "--config" in options:
        uses.append(["--config", str(tmp / "missing.toml")])
    if "--date" in options:
        uses.append(["--date", "2024-13-45"])
    uses.extend([[opt, "not-a-number"] for param in command.params
                 if isinstance(param.type, click.types.IntParamType) and not getattr(param, "count", False)
                 for opt in param.opts[:1]])
    return uses


def test_every_command_refuses_bad_arguments_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a command that took a bad value for a folder must not leave it in the repository
    for name, command in _commands():
        for use in _bad_uses(command, tmp_path):
            result = CliRunner().invoke(main, [name, *use])
            assert result.exit_code == 2, (name, use, result.output, result.exception)
            assert isinstance(result.exception, SystemExit), (name, use, result.exception)
            assert "Traceback" not in result.output
            assert result.output.strip(), (name, use)


def test_every_command_and_option_has_help() -> None:
    for name, command in _commands():
        assert (command.help or "").strip(), f"`digest {name}` has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert (param.help or "").strip(), f"`digest {name} {param.opts[0]}` has no help text"
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output
