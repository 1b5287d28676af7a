"""The built wheel carries every module, template and data file the code loads.

An editable install reads them from the checkout and hides a missing file; a user installs the
wheel (`pipx install`), so the wheel itself is built and listed here.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # ~7 s: builds the wheel

LOADED = re.compile(r"""(?:get_template|joinpath|read_text)\(\s*["']([\w./-]+\.(?:j2|json|js|css|html|png|svg|mo|po|pot))["']""")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (built,) = out.glob("network_digest-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _shipped(folder: Path, prefix: str) -> set[str]:
    return {prefix + p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def test_every_module_and_data_file_is_in_the_wheel(wheel_files: set[str]) -> None:
    assert _shipped(ROOT / "digest", "digest/") - wheel_files == set()


def test_the_theme_is_in_the_wheel_as_digest_theme(wheel_files: set[str]) -> None:
    theme = _shipped(ROOT / "templates", "digest/theme/")
    assert {"digest/theme/newsletter.mjml.j2", "digest/theme/newsletter.txt.j2"} <= theme
    assert theme - wheel_files == set()


def test_every_file_the_code_names_is_in_the_wheel(wheel_files: set[str]) -> None:
    named = {m for path in (ROOT / "digest").rglob("*.py") for m in LOADED.findall(path.read_text(encoding="utf-8"))}
    assert named, "the pattern finds no file names: it is out of date with the code"
    basenames = {name.rsplit("/", 1)[-1] for name in wheel_files}
    assert {n for n in named if n.rsplit("/", 1)[-1] not in basenames} == set()


def test_the_console_command_is_digest(wheel: Path, wheel_files: set[str]) -> None:
    (entry_points,) = [n for n in wheel_files if n.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(entry_points).decode() == "[console_scripts]\ndigest = digest.cli:main\n"
