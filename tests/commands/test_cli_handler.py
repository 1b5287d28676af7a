"""The one place errors meet the user: a sentence, an exit code, a traceback only with -v; and the
options and help every command shares."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from digest.cli import main

COMMANDS = main.list_commands(click.Context(main))


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("name", COMMANDS)
def test_every_help_names_its_exit_codes(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    codes = result.output.split("Exit codes:\n", 1)[1]
    assert [line.split()[0] for line in codes.splitlines() if line.strip()][:3] == ["0", "1", "2"]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_verbose_and_quiet(name: str) -> None:
    help_text = run(name, "--help").output
    assert "-v, --verbose" in help_text and "-q, --quiet" in help_text


def test_an_unexpected_error_is_one_line_and_exit_1(sample_network: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("digest.write.write_outputs", broken)
    result = run("build", "-c", str(sample_network), "--date", "2024-10-01", "--offline")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == ("Error: digest build failed unexpectedly (ZeroDivisionError: division by "
                                              "zero); run again with -v to see the details")
    assert "Traceback" not in result.output


def test_verbose_shows_the_traceback(sample_network: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("digest.write.write_outputs", broken)
    result = run("build", "-c", str(sample_network), "--date", "2024-10-01", "--offline", "-v")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().endswith("run again with -v to see the details")


def build_with_text_template(config: Path, template: str) -> tuple[click.testing.Result, Path]:
    """Build the sample network with its own theme whose text template is `template`."""
    theme = config.parent / "theme"
    theme.mkdir()
    (theme / "newsletter.txt.j2").write_text(template, encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace("[newsletter]\n", '[newsletter]\ntemplates = "theme"\n', 1)
    config.write_text(text, encoding="utf-8")
    return run("build", "-c", str(config), "--date", "2024-10-01", "--offline"), theme / "newsletter.txt.j2"


def test_a_template_error_names_the_file_and_line(sample_network: Path) -> None:
    result, template = build_with_text_template(sample_network, "{{ newsletter.title }}\n{% if %}\n")
    assert result.exit_code == 2
    line = result.output.splitlines()[-1]
    assert line.startswith(f"Error: {template}:2: ")
    assert line.endswith("fix the template (run again with -v to see the details)")


def test_a_runtime_template_error_names_the_file_and_line(sample_network: Path) -> None:
    result, template = build_with_text_template(sample_network, "first\nsecond\n{{ 1 // 0 }}\n")
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1].startswith(f"Error: {template}:3: ")


def test_quiet_silences_the_report_not_the_errors(tmp_path: Path) -> None:
    quiet = run("init", str(tmp_path / "net"), "-q")
    assert quiet.exit_code == 0 and quiet.output == ""
    again = run("init", str(tmp_path / "net"), "-q")
    assert again.exit_code == 2 and again.output.startswith("Error: ")


def test_a_closed_pipe_is_not_an_error_message(sample_network: Path) -> None:
    """`digest sources list | head -1`: once the reader has gone, digest stops without a word."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone before digest writes a line
    try:
        run = subprocess.run([sys.executable, "-m", "digest", "sources", "list", "-c", str(sample_network)],
                             stdout=write, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write)
    assert run.stderr == ""
    assert run.returncode == 1
