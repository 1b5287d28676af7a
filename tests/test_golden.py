"""The sample network's outputs match the reviewed golden files (regenerate: make golden).

The HTML is compared in its pretty-printed form (the diff a reviewer reads) and byte for byte
through the SHA-256 stored beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import CALENDARS, GOLDEN, PRETTY, build_sample, golden_files, pretty

FIX = "run `make golden` and review the diff of tests/golden/"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return build_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def expected(outputs: dict[str, str]) -> dict[str, str]:
    return golden_files(outputs)


def stored(name: str) -> str:
    return (GOLDEN / name).read_bytes().decode("utf-8")


@pytest.mark.parametrize("name", [*PRETTY, "newsletter.txt", "newsletter.mjml"])
def test_matches_golden(expected: dict[str, str], name: str) -> None:
    assert expected[name] == stored(name), f"{name} differs from tests/golden/{name}: {FIX}"


@pytest.mark.parametrize("name", PRETTY)
def test_html_matches_its_hash_byte_for_byte(expected: dict[str, str], name: str) -> None:
    assert expected[name + ".sha256"] == stored(name + ".sha256"), \
        f"{name}'s bytes changed in a way its pretty form does not show (whitespace?): {FIX}"


def test_every_event_calendar_matches(outputs: dict[str, str]) -> None:
    made = sorted(n for n in outputs if n.startswith(CALENDARS + "/"))
    kept = sorted(f"{CALENDARS}/{p.name}" for p in (GOLDEN / CALENDARS).glob("*.ics"))
    assert made == kept, FIX
    for name in made:
        assert outputs[name] == stored(name), f"{name}: {FIX}"


def test_pretty_printing_only_adds_line_breaks() -> None:
    html = ('<!doctype html>\n<html lang="en"><head><style>a{color:red}p{margin:0}</style></head>'
            '<body><div><p>Hi <b>you</b></p></div></body></html>')
    shown = pretty(html)
    assert shown.replace("\n", "") == html.replace("\n", "")
    assert shown.splitlines()[:4] == ['<!doctype html>', '<html lang="en">', '<head>', '<style>a{color:red}']


def test_same_inputs_give_identical_outputs(outputs: dict[str, str], tmp_path: Path) -> None:
    assert build_sample(tmp_path) == outputs
