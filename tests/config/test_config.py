"""sources.toml errors: every problem at once, each naming the key, its line and the fix; exit code 2."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.commands.init import starter_file
from digest.config.keys import Newsletter, Section, Source, Utm
from digest.config.load import load_config, parse_config
from digest.config.reference import readme_with_reference, reference_table
from digest.config.schema import Problems, check_table, key, specs
from digest.exceptions import ConfigError

GOOD = '''[newsletter]
title = "T"

[[sections]]
title = "News"
kind = "posts"

[[sources]]
name = "A"
url = "https://a.example.org/feed"
'''


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, Path("sources.toml"))
    return info.value.problems


def test_good_config_has_defaults() -> None:
    config = parse_config(GOOD, Path("sources.toml"))
    assert config.newsletter.timezone == "UTC"
    assert config.newsletter.language == "en"
    assert config.sections[0].days_back == 31
    assert config.sources[0].tags == ()
    assert config.warnings == ()


def test_every_problem_reported_at_once_with_lines() -> None:
    text = '''[newsletter]
titel = "x"
timezone = "Mars/Base"
accent = "purple"

[[sections]]
title = "a"
kind = "post"
match = "("
limit = 0
sources = ["Nobody"]

[[sources]]
name = "A"
url = "https://a.example.org"

[[sources]]
name = "A"
url = "ftp://x.example.org"
tags = "london"
'''
    assert problems(text) == [
        "newsletter.timezone (line 3): unknown timezone 'Mars/Base': use an IANA name such as \"Europe/London\" or \"UTC\"",
        "newsletter.accent (line 4): 'purple' is not a colour: write it as a hex colour such as \"#6b2c91\"",
        "newsletter (line 1): missing required key 'title'",
        "sections[1].kind (line 8): 'post' is not a section kind: use one of posts, events, text",
        "sections[1].match (line 9): '(' is not a valid regular expression (missing ), unterminated subpattern at position 0): e.g. \"(?i)cuppa\"",
        "sections[1].limit (line 10): 0 must be a whole number above 0",
        "sources[2].url (line 19): 'ftp://x.example.org': only http(s) addresses or file paths can be collected",
        "sources[2].tags (line 20): must be a list like [\"a\", \"b\"], not 'london'",
        "sources[2].name (line 18): 'A' is already the name of sources[1]: names must be unique",
        "sections[1].sources (line 11): no source is called 'Nobody': use a name from [[sources]]",
        "newsletter.titel (line 2): unknown key 'titel' is ignored: did you mean 'title'?",
    ]


def test_unknown_key_is_a_warning_with_suggestion() -> None:
    config = parse_config(GOOD.replace('title = "T"', 'title = "T"\ntimezon = "UTC"'), Path("sources.toml"))
    assert config.warnings == ("sources.toml: newsletter.timezon (line 3): unknown key 'timezon' is ignored: did you mean 'timezone'?",)


def test_text_section_needs_body() -> None:
    assert problems(GOOD.replace('kind = "posts"', 'kind = "text"')) == [
        "sections[1] (line 4): a text section needs body = \"…\" (Markdown)"
    ]


def test_malformed_toml_gives_line() -> None:
    (message,) = problems('[newsletter]\ntitle = "unclosed\n')
    assert message.startswith("is not valid TOML: ")
    assert "line 2" in message


def test_missing_file_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "sources.toml")
    assert info.value.message.endswith("sources.toml: not found: run `digest init DIR` to create one, or pass --config PATH")


def test_cli_config_error_exit_2_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(GOOD.replace('kind = "posts"', 'kind = "blog"'))
    result = CliRunner().invoke(main, ["build", "--config", str(config), "--date", "2024-10-01"])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {config}: sections[1].kind (line 6): 'blog' is not a section kind: use one of posts, events, text\n"
    )


def test_readme_key_reference_matches_the_declarations() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert readme_with_reference(readme, reference_table()) == readme, (
        "README.md's key reference differs from digest/config/keys.py: run `python -m digest.config.reference`"
    )


def test_reference_lists_every_declared_key() -> None:
    table = reference_table()
    for cls in (Newsletter, Utm, Section, Source):
        for name in specs(cls):
            assert f"| `{name}` |" in table


def test_starter_file_is_valid_and_shows_every_key(tmp_path: Path) -> None:
    text = starter_file()
    (tmp_path / "templates").mkdir()  # `digest init` copies the theme there, and the starter switches it on
    config = parse_config(text, tmp_path / "sources.toml")
    assert config.warnings == ()
    assert config.newsletter.templates == "templates"
    assert [s.kind for s in config.sections] == ["posts", "events", "text"]
    assert config.newsletter.timezone == "Europe/London"
    for cls, table in ((Newsletter, "[newsletter]"), (Utm, "[newsletter.utm]"), (Section, "[[sections]]"),
                       (Source, "[[sources]]")):
        assert table in text
        for name, spec in specs(cls).items():
            assert spec.table or re.search(rf"^(# )?{name} = ", text, re.M), name


def test_commented_examples_are_valid_values(tmp_path: Path) -> None:
    """Uncommenting every key of the starter file gives a config with no problems (the examples pass their checks)."""
    text = re.sub(r"^# (\[\w+\.\w+\]|\w+ = )", r"\1", starter_file(), flags=re.M)
    (tmp_path / "templates").mkdir()
    config = parse_config(text, tmp_path / "sources.toml")
    assert config.warnings == ()
    assert config.newsletter.utm == Utm(source="coproduction-digest")
    assert config.sections[0].limit == 10 and config.sections[0].match == "(?i)research"


@dataclass(frozen=True)
class Inner:
    text: str = key(help="t")


@dataclass(frozen=True)
class Outer:
    inner: Inner | None = key(None, help="i")


def test_nested_table_with_a_required_key_missing_is_reported_once() -> None:
    found = Problems({})
    assert check_table({"inner": {}}, Outer, "x", found) == {"inner": None}
    assert found.errors == ["x.inner: missing required key 'text'"]


def test_readme_examples_use_only_declared_keys() -> None:
    """The README's hand-written sources.toml examples cannot drift from the declarations either."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    tables = {"newsletter": Newsletter, "newsletter.utm": Utm, "sections": Section, "sources": Source}
    checked = 0
    for block in re.findall(r"```toml\n(.*?)```", readme, re.S):
        table = "newsletter"  # a block may continue the [newsletter] table of the one before
        for line in block.splitlines():
            if header := re.match(r"\s*\[\[?([\w.]+)\]\]?", line):
                table = header[1]
                continue
            code = re.sub(r"\s+#\s[^=]*$", "", line)  # a trailing comment without an assignment in it
            for name in re.findall(r"(?:^|[#;]\s*)(\w+) = ", code):
                assert name in specs(tables[table]), f"README example: {table}.{name} is not a declared key"
                checked += 1
    assert checked >= 10  # the blocks were found and read
