"""The glossary in the Easy Read edition: each word explained the first time the edition uses it.

Words are found whole, in any case, with a plural "s" ("co-production", "Co-Production"); the
network's own words come from [[glossary]] in sources.toml (digest/config/glossary.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from digest.config.glossary import Word
from digest.render.easyread.items import Meaning, Picture

PICTURE_WIDTH = 96


@lru_cache(maxsize=256)
def _pattern(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(word.strip()) + r"(?:s|es)?(?![\w-])", re.I)


def uses(word: str, texts: Iterable[str]) -> bool:
    """Whether any of the texts uses the word."""
    pattern = _pattern(word)
    return any(pattern.search(text) for text in texts)


class Explainer:
    """Hands out each glossary word's box once: to the first block of the edition that uses it."""

    def __init__(self, glossary: Iterable[Word], sentences: Callable[[str], list[str]]) -> None:
        self._waiting = list(glossary)
        self._sentences = sentences

    def first_used_in(self, *texts: str) -> tuple[Meaning, ...]:
        found = [w for w in self._waiting if uses(w.word, texts)]
        self._waiting = [w for w in self._waiting if w not in found]
        return tuple(Meaning(w.word, self._sentences(w.meaning), _picture(w)) for w in found)

    def suggest(self, text: str) -> list[Word]:
        """The glossary's words the text uses (the desk's suggestion), each once."""
        return [w for w in self._waiting if uses(w.word, [text])]


def _picture(word: Word) -> Picture | None:
    # a glossary picture's size is not read: only its width is stated, so it keeps its shape
    return Picture(word.picture, word.word, PICTURE_WIDTH, None) if word.picture else None
