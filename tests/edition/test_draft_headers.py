"""The draft's own subject line and preview text: `<!-- subject: … -->` lines the desk writes and the build reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config.load import load_config
from digest.edition.draft.edit import EditError, set_header
from digest.edition.draft.parse import parse_draft
from digest.edition.pipeline import build_from_draft
from tests.network import digest, make_network

DRAFT = Path("editions") / "2024-10-01.md"


@pytest.fixture
def network(tmp_path: Path) -> Path:
    config = make_network(tmp_path)
    assert digest("draft", "-c", config, "--date", "2024-10-01").exit_code == 0
    return config


def test_set_replace_and_remove(network: Path) -> None:
    config, path = load_config(network), network.parent / DRAFT
    text = path.read_text()
    first = set_header(text, path, config, "subject", "October  news\n--> and more")
    assert first.count("<!-- subject: October news -> and more -->") == 1
    header_end = text.index("-->\n") + 4
    assert first[header_end:].startswith("<!-- subject: October news -> and more -->\n")  # under the first comment
    both = set_header(first, path, config, "preview", "Fairs and cuppas")
    assert "<!-- subject: October news -> and more -->\n<!-- preview text: Fairs and cuppas -->\n" in both
    again = set_header(both, path, config, "subject", "November")
    assert "<!-- subject: November -->" in again and "October" not in again.split("-->", 1)[1].split("##")[0]
    draft = parse_draft(again, path, config)
    assert (draft.subject, draft.preview) == ("November", "Fairs and cuppas")
    assert draft.intro == parse_draft(text, path, config).intro  # the intro is untouched
    removed = set_header(again, path, config, "subject", "  ")
    assert "subject:" not in removed and parse_draft(removed, path, config).subject == ""
    with pytest.raises(EditError, match="keep it under 300"):
        set_header(text, path, config, "preview", "x" * 301)


def test_the_preview_text_is_the_emails_preheader(network: Path) -> None:
    config, path = load_config(network), network.parent / DRAFT
    path.write_text(set_header(path.read_text(), path, config, "preview", "Stalls, mince pies and a choir"))
    built = build_from_draft(config, path)
    assert built.preview == "Stalls, mince pies and a choir" and built.subject == ""
    assert "Stalls, mince pies and a choir" in built.html.split("<body", 1)[1][:3000]  # the hidden preheader
