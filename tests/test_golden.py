"""The sample network's outputs match the reviewed golden files byte for byte (regenerate: make golden)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import FILES, GOLDEN, build_sample


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return build_sample(tmp_path_factory.mktemp("sample"))


@pytest.mark.parametrize("name", FILES)
def test_matches_golden(outputs: dict[str, str], name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert outputs[name] == expected, f"{name} differs from tests/golden/{name}: run `make golden` and review the diff"


def test_same_inputs_give_identical_outputs(outputs: dict[str, str], tmp_path: Path) -> None:
    assert build_sample(tmp_path) == outputs
