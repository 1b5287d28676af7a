"""`digest init`: a folder that does not exist yet is created, nothing is half-written, the copied
theme is switched on, and --force keeps an edited theme."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli import main
from digest.config.load import load_config
from tests.conftest import ROOT


def init(*args: str) -> Result:
    return CliRunner().invoke(main, ["init", *args])


def test_a_nested_folder_that_does_not_exist_yet_is_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "net"
    result = init(str(target))
    assert result.exit_code == 0, result.output
    assert result.output == (f"wrote {target / 'sources.toml'} and {target / 'templates'}/\n"
                             f"next: list your members in {target / 'sources.toml'}, then run: "
                             f"digest build -c {target / 'sources.toml'}\n")
    assert sorted(p.name for p in target.iterdir()) == ["sources.toml", "templates"]
    assert not (target / "templates" / "__init__.py").exists()


def test_the_copied_theme_is_switched_on_and_its_edits_take_effect(tmp_path: Path) -> None:
    target = tmp_path / "net"
    assert init(str(target)).exit_code == 0
    config = load_config(target / "sources.toml")
    assert config.templates_dir == (target / "templates").resolve()
    text = target / "templates" / "newsletter.txt.j2"
    text.write_text("OUR OWN THEME\n" + text.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "feeds" / "scie.atom", target / "feed.atom")
    toml = (target / "sources.toml").read_text(encoding="utf-8").replace("https://example.org/feed/", "feed.atom")
    (target / "sources.toml").write_text(toml, encoding="utf-8")
    built = CliRunner().invoke(main, ["build", "-c", str(target / "sources.toml"), "--date", "2024-10-01",
                                      "--out", str(tmp_path / "out"), "-q"])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out" / "newsletter.txt").read_text(encoding="utf-8").startswith("OUR OWN THEME")


def test_a_failure_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / "net" / "templates"))

    monkeypatch.setattr("digest.config.scaffold.shutil.copytree", full_disk)
    result = init(str(tmp_path / "net"))
    assert result.exit_code == 2
    assert result.output == (f"Error: cannot write {tmp_path / 'net' / 'templates'} (No space left on device): "
                             "choose a folder you can write to; nothing was left behind\n")
    assert list((tmp_path / "net").iterdir()) == []
    monkeypatch.undo()
    assert init(str(tmp_path / "net")).exit_code == 0  # a second try is not told "already exists"


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "net").write_text("", encoding="utf-8")
    result = init(str(tmp_path / "net"))
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: Invalid value for '[DIRECTORY]': Directory '{tmp_path / 'net'}' is a file.\n")


def test_force_keeps_an_edited_theme_and_config(tmp_path: Path) -> None:
    target = tmp_path / "net"
    assert init(str(target)).exit_code == 0
    assert init("--force", str(target)).exit_code == 0  # unchanged: nothing to keep
    assert sorted(p.name for p in target.iterdir()) == ["sources.toml", "templates"]
    (target / "templates" / "newsletter.mjml.j2").write_text("my design", encoding="utf-8")
    result = init("--force", str(target))
    assert result.exit_code == 0, result.output
    backups = [p for p in target.iterdir() if p.name.startswith("templates.bak-")]
    assert len(backups) == 1 and (backups[0] / "newsletter.mjml.j2").read_text(encoding="utf-8") == "my design"
    assert f"kept your edited templates as {backups[0]}" in result.output
    assert (target / "templates" / "newsletter.mjml.j2").read_text(encoding="utf-8") != "my design"
    assert not [p for p in target.iterdir() if p.name.startswith("sources.toml.bak-")]
