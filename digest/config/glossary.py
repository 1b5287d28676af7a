"""The network's glossary ([[glossary]] in sources.toml): hard words and what they mean, in easy words.

The Easy Read edition explains each word the first time the edition uses it, in a box headed
"What this word means" (digest/render/easyread/glossary.py); the desk suggests the meaning while
the editor writes. `digest init` starts the glossary with "co-production".
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.config.schema import key
from digest.urls import is_web_url


def _word(value: str) -> str | None:
    return None if value.strip() else "is empty: write the word as the newsletter uses it, e.g. \"co-production\""


def _meaning(value: str) -> str | None:
    return None if value.strip() else "is empty: say what the word means in one or two short sentences"


def _picture(value: str) -> str | None:
    return None if is_web_url(value) else f"{value!r} is not a web address: use an absolute https:// URL"


@dataclass(frozen=True)
class Word:
    """One glossary entry."""

    word: str = key(check=_word, show=True, example="co-production", help="the word, as the newsletter uses it")
    meaning: str = key(check=_meaning, show=True,
                       example="Co-production means people working together as equals. "
                               "People who get support help to plan it.",
                       help="what it means, in short easy sentences")
    picture: str | None = key(None, check=_picture, example="https://example.org/pictures/together.png",
                              help="an absolute image URL shown beside the meaning")
