"""sources.toml errors: every problem at once, each naming the key, its line and the fix; exit code 2."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.commands.init import starter_file
from digest.config.glossary import Word
from digest.config.keys import Newsletter, Section, Source, Utm
from digest.config.load import load_config, parse_config
from digest.config.push import Push
from digest.config.reference import readme_with_reference, reference_table
from digest.config.schedule import Schedule, Smtp
from digest.config.schema import Problems, check_table, key, specs
from digest.exceptions import ConfigError
from tests.conftest import ConfigFactory, config_toml

GOOD = config_toml()  # [newsletter] title, one posts section, one source


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
        "sections[1].match (line 9): '(' is not a valid regular expression (missing ), unterminated subpattern at "
        "position 0): e.g. \"(?i)cuppa\"",
        "sections[1].limit (line 10): 0 must be a whole number above 0",
        "sources[2].url (line 19): 'ftp://x.example.org': only http(s) addresses, imaps:// mail folders or file paths "
        "can be collected",
        "sources[2].tags (line 20): must be a list like [\"a\", \"b\"], not 'london'",
        "sources[2].name (line 18): 'A' is already the name of sources[1]: names must be unique",
        "sections[1].sources (line 11): no source is called 'Nobody': use a name from [[sources]]",
        "newsletter.titel (line 2): unknown key 'titel' is ignored: did you mean 'title'?",
    ]


def test_unknown_key_is_a_warning_with_suggestion() -> None:
    config = parse_config(config_toml(timezon="UTC"), Path("sources.toml"))
    assert config.warnings == (
        "sources.toml: newsletter.timezon (line 3): unknown key 'timezon' is ignored: did you mean 'timezone'?",)


def test_text_section_needs_body() -> None:
    assert problems(config_toml(section={"kind": "text"})) == [
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


def test_cli_config_error_exit_2_no_traceback(make_config: ConfigFactory) -> None:
    config = make_config.write(section={"kind": "blog"})
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
    text = re.sub(r"^# (\[\w+(?:\.\w+)?\]|\w+ = )", r"\1", starter_file(), flags=re.M)
    (tmp_path / "templates").mkdir()
    config = parse_config(text, tmp_path / "sources.toml")
    assert config.warnings == ()
    assert config.newsletter.utm == Utm(source="coproduction-digest")
    assert config.sections[0].limit == 10 and config.sections[0].match == "(?i)research"
    assert config.schedule is not None and config.schedule.rule.falls_on(date(2024, 10, 1))  # "first tuesday"


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
    tables = {"newsletter": Newsletter, "newsletter.utm": Utm, "newsletter.push": Push, "sections": Section,
              "sources": Source, "schedule": Schedule, "schedule.smtp": Smtp, "glossary": Word}
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


# --- the edges of every numeric key: the last value accepted, the first refused, and where and how to fix it ---

# (table, key, lowest accepted, highest accepted, the message for one below, for one above)
NUMERIC_KEYS = [
    ("newsletter", "summary_length", 1, 10_000, "{v} must be a whole number above 0",
     "{v} is too large: use a whole number from 1 to 10,000 characters"),
    ("section", "days_back", 1, 3660, "{v} must be a whole number above 0",
     "{v} is too large: use a whole number from 1 to 3,660 days (ten years)"),
    ("section", "days_ahead", 1, 3660, "{v} must be a whole number above 0",
     "{v} is too large: use a whole number from 1 to 3,660 days (ten years)"),
    ("section", "limit", 1, 1000, "{v} must be a whole number above 0",
     "{v} is too large: use a whole number from 1 to 1,000 items"),
    ("section", "feature", 0, 100, "{v} must be a whole number from 0 to 100", "{v} must be a whole number from 0 to 100"),
]


def with_key(table: str, key: str, value: object) -> str:
    """The smallest sources.toml with one more key: in [newsletter] on line 3, in [[sections]] on line 7."""
    return config_toml(**{key: value}) if table == "newsletter" else config_toml(section={key: value})


def line_of(table: str) -> int:
    return 3 if table == "newsletter" else 7


def where(table: str, key: str) -> str:
    return f"{'newsletter' if table == 'newsletter' else 'sections[1]'}.{key} (line {line_of(table)})"


@pytest.mark.parametrize(("table", "key", "low", "high", "_below", "_above"), NUMERIC_KEYS, ids=[k[1] for k in NUMERIC_KEYS])
def test_numeric_keys_accept_both_ends_of_their_range(table: str, key: str, low: int, high: int, _below: str,
                                                       _above: str) -> None:
    for value in (low, high):
        config = parse_config(with_key(table, key, value), Path("sources.toml"))
        owner = config.newsletter if table == "newsletter" else config.sections[0]
        assert getattr(owner, key) == value


@pytest.mark.parametrize(("table", "key", "low", "high", "below", "above"), NUMERIC_KEYS, ids=[k[1] for k in NUMERIC_KEYS])
def test_numeric_keys_refuse_one_past_each_end_saying_the_range(table: str, key: str, low: int, high: int, below: str,
                                                                above: str) -> None:
    assert problems(with_key(table, key, low - 1)) == [f"{where(table, key)}: {below.format(v=low - 1)}"]
    assert problems(with_key(table, key, high + 1)) == [f"{where(table, key)}: {above.format(v=high + 1)}"]


@pytest.mark.parametrize(("value", "shown"), [(True, "True"), (2.5, "2.5"), ("10", "'10'"), (-0.0, "-0.0")])
def test_a_numeric_key_that_is_not_a_whole_number_says_what_to_write(value: object, shown: str) -> None:
    assert problems(with_key("section", "limit", value)) == [f"sections[1].limit (line 7): must be a whole number, not {shown}"]


def test_a_huge_number_is_refused_not_overflowed() -> None:
    huge = 2**63 - 1  # TOML's largest integer: a window of it would overflow a date
    assert problems(with_key("section", "days_back", huge)) == [
        f"sections[1].days_back (line 7): {huge} is too large: use a whole number from 1 to 3,660 days (ten years)"]


def test_a_bad_key_is_reported_with_its_line_in_a_larger_file(make_config: ConfigFactory) -> None:
    path = make_config.write(timezone="Europe/London", intro="Line one\nLine two",
                             sections=[{"title": "News", "kind": "posts"}, {"title": "Soon", "kind": "events", "days_ahead": 0}])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[15] == "days_ahead = 0"  # line 16, below a multi-line intro and a first section
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == ["sections[2].days_ahead (line 16): 0 must be a whole number above 0"]
    assert info.value.message == f"{path}: sections[2].days_ahead (line 16): 0 must be a whole number above 0"


def test_a_bad_key_in_an_inline_table_is_reported_on_the_line_of_its_table() -> None:
    text = config_toml(section={"button": {"text": "Go", "url": "ftp://files.example.org"}})
    assert problems(text) == ["sections[1].button.url (line 7): 'ftp://files.example.org' is not a link: "
                              "use an absolute https:// address or mailto:name@example.org"]


def test_a_bad_key_of_a_nested_table_names_the_table_and_its_line() -> None:
    text = config_toml(sources=[]).replace("[newsletter]\ntitle = \"T\"\n",
                                           "[newsletter]\ntitle = \"T\"\n\n[newsletter.utm]\ncampaign = \"{month}\"\n")
    assert problems(text)[0] == "newsletter.utm.campaign (line 5): {month} is not filled in: only {date} can be used here"


def test_the_factory_writes_a_config_that_loads(make_config: ConfigFactory) -> None:
    config = make_config(language="cy", section={"limit": 3}, source={"tags": ["london"]})
    assert (config.newsletter.language, config.sections[0].limit, config.sources[0].tags) == ("cy", 3, ("london",))
    assert config.workspace.store == config.root / ".digest" / "store.sqlite"
