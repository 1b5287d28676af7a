"""The command line: help everywhere, version, init, build's outputs and exit codes."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from digest import __version__
from digest.cli import main
from digest.config.load import load_config

COMMANDS = main.list_commands(click.Context(main))


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.output == f"digest, version {__version__}\n"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None, f"{name} failed to import"
    assert command.help and len(command.help.strip()) > 20
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: main {name}") or result.output.startswith(f"Usage: digest {name}")


def test_init_writes_a_config_that_builds(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "net")])
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "net" / "sources.toml")
    assert [s.kind for s in config.sections] == ["posts", "events", "text"]
    assert (tmp_path / "net" / "templates" / "newsletter.mjml.j2").exists()
    again = CliRunner().invoke(main, ["init", str(tmp_path / "net")])
    assert again.exit_code == 2
    assert again.output == (f"Error: {tmp_path / 'net' / 'sources.toml'} already exists: edit it, or pass --force "
                            "to replace it (your old one is kept as a .bak file)\n")


def test_build_writes_three_outputs(sample_network: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "-c", str(sample_network), "--date", "2024-10-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["events", "newsletter.html", "newsletter.mjml", "newsletter.txt", "web.html"]
    assert (out / "events" / "co-production-board-drop-in-2024-10-15.ics").read_bytes().count(b"BEGIN:VEVENT") == 4
    assert "What else have we been up to?" in result.output
    assert f"wrote {out / 'newsletter.html'}" in result.output
    assert "digest check: 0 errors, " in result.output


def test_strict_exits_1_on_warnings(sample_network: Path, tmp_path: Path) -> None:
    text = sample_network.read_text() + '\n[[sources]]\nname = "Gone"\nurl = "examples/feeds/missing.xml"\n'
    sample_network.write_text(text)
    args = ["build", "-c", str(sample_network), "--date", "2024-10-01", "--out", str(tmp_path / "o")]
    relaxed = CliRunner().invoke(main, args)
    assert relaxed.exit_code == 0
    assert "Gone: failed: file " in relaxed.output
    strict = CliRunner().invoke(main, [*args, "--strict"])
    assert strict.exit_code == 1


def test_bad_date_is_usage_error(sample_network: Path) -> None:
    result = CliRunner().invoke(main, ["build", "-c", str(sample_network), "--date", "1/10/2024"])
    assert result.exit_code == 2
    assert "'1/10/2024' is not a date: write it as YYYY-MM-DD, e.g. 2024-10-01" in result.output


def test_outputs_are_ordinary_readable_files(sample_network: Path, tmp_path: Path) -> None:
    import os
    import stat

    out = tmp_path / "out"
    CliRunner().invoke(main, ["build", "-c", str(sample_network), "--date", "2024-10-01", "--out", str(out)])
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE((out / "newsletter.html").stat().st_mode) == 0o666 & ~mask
