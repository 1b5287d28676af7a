"""Readability of the Easy Read edition: long sentences and hard words, each with the draft line to fix.

Warnings only, never errors: the editor decides. Easy Read guides ask for short sentences and
everyday words without fixing numbers; these thresholds are digest's own, named here so an
editor knows what is measured:

  warning easy-read-long   a sentence of more than MAX_WORDS (15) words
  warning easy-read-hard   words of HARD_SYLLABLES (3) or more syllables that are not in
                           textstat's list of common words (the Dale–Chall list), e.g.
                           "accessibility", "requirements"; names (capitalised words after the
                           first of a sentence) are left alone

Words are counted and syllables estimated with textstat (pinned below 0.7.9: later versions
download NLTK's CMU dictionary at run time, and a build makes no request but the feeds). Its
word list and syllable rules are English, so in other languages only sentence length is checked.
Each finding names the item and where to fix it: the line of its `easy:` block in the draft;
without a draft, the item's title and section. Only what the Easy Read edition says is checked:
the editor's sentences, the text sections and the glossary's meanings, never a member's blurb.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from digest.check import Finding
from digest.config.keys import Config
from digest.dates import babel_locale
from digest.render.easyread.items import EasyItem, EasySection, Meaning

MAX_WORDS = 15
HARD_SYLLABLES = 3
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]*")
_ADDRESS = re.compile(r"\S+@\S+|\b[\w-]+(?:\.[\w-]+)+(?:/\S*)?")


def hard_words(sentence: str) -> list[str]:
    """The sentence's hard words, in order, each once (see the module's note)."""
    import textstat  # imported here: a build without Easy Read never needs it

    found: list[str] = []
    sentence = _ADDRESS.sub(" ", sentence)  # hello@example.org, example.org/events: names, not words
    for position, word in enumerate(_WORD.findall(sentence)):
        bare = word.strip("'’-")
        if position and bare[:1].isupper():
            continue  # a name: "Huddersfield", "Kirklees"
        if "-" in bare or bare.lower() in (f.lower() for f in found):
            continue  # "co-production" is the network's own word, said in parts
        if textstat.syllable_count(bare) >= HARD_SYLLABLES and not textstat.is_easy_word(bare.lower()):
            found.append(bare)
    return found


def word_count(sentence: str) -> int:
    return len(_WORD.findall(sentence))


def check_easy_read(sections: Iterable[EasySection], language: str, draft: str | None = None,
                    meanings: Iterable[Meaning] = ()) -> list[Finding]:
    """Warnings for every sentence of the Easy Read edition that is long or has hard words: the items',
    the text sections' and the glossary's (`meanings` besides those the sections carry)."""
    english = babel_locale(language).language == "en"
    said: list[tuple[str, list[str]]] = []
    glossary = list(meanings)
    for section in sections:
        glossary += section.meanings
        if section.lines:
            said.append((f"the text section {section.title!r}", section.lines))
        for item in section.items:
            glossary += item.meanings
            said.append((_where(item, section, draft), item.lines))
    said += [(f"the glossary's meaning of {m.word!r} in sources.toml", m.lines) for m in glossary]
    findings = []
    for where, lines in said:
        for sentence in lines:
            if (count := word_count(sentence)) > MAX_WORDS:
                findings.append(Finding("warning", "easy-read-long",
                                        f"{where}: the sentence \"{_short(sentence)}\" has {count} words: "
                                        f"Easy Read sentences have {MAX_WORDS} or fewer (split it)"))
            if english and (hard := hard_words(sentence)):
                findings.append(Finding("warning", "easy-read-hard",
                                        f"{where}: hard word{'s' * (len(hard) > 1)} "
                                        + ", ".join(f"\"{w}\"" for w in hard)
                                        + ": use shorter, everyday words"))
    return list(dict.fromkeys(findings))


def shown_path(config: Config, path: Path | None) -> str | None:
    """A draft as the editor knows it: editions/2024-10-01.md, relative to sources.toml where it can be."""
    if path is None:
        return None
    path = path.resolve()
    return str(path.relative_to(config.root)) if path.is_relative_to(config.root) else str(path)


def _where(item: EasyItem, section: EasySection, draft: str | None) -> str:
    if draft and item.line:
        return f"{draft} line {item.line}, {item.title!r}"
    return f"{item.title!r} in {section.title!r}"


def _short(sentence: str, limit: int = 60) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "…"
