"""The desk's Easy Read tab, its server side: live feedback on the words the editor is writing.

For each sentence: how many words (Easy Read: MAX_WORDS or fewer) and its hard words (the same
test `digest check --easy-read` makes, digest/render/easyread/readability.py); for the whole
text, the network's glossary words it uses, with the meaning the edition will give them. The
changes themselves (tick, untick, write) are desk changes like any other (desk.py's "easy" and
"plain"), written into the draft's `easy:` blocks.
"""

from __future__ import annotations

from typing import Any

from digest.config.keys import Config
from digest.dates import babel_locale
from digest.render.easyread.edition import sentences
from digest.render.easyread.glossary import Explainer
from digest.render.easyread.readability import MAX_WORDS, hard_words, word_count

MAX_FEEDBACK_TEXT = 2_000  # characters: a title and three short sentences are far less


def feedback(config: Config | None, title: str, text: str) -> dict[str, Any]:
    """What the tab shows beside an item's easy words as they are typed."""
    title, text = title[:MAX_FEEDBACK_TEXT], text[:MAX_FEEDBACK_TEXT]
    english = config is None or babel_locale(config.newsletter.language).language == "en"
    said = []
    for sentence in sentences(text):
        count = word_count(sentence)
        said.append({"sentence": sentence, "words": count, "long": count > MAX_WORDS,
                     "hard": hard_words(sentence) if english else []})
    glossary = Explainer(config.glossary if config else (), sentences).suggest(f"{title}\n{text}")
    return {"max_words": MAX_WORDS, "sentences": said,
            "title_hard": hard_words(title) if english else [],
            "glossary": [{"word": w.word, "meaning": w.meaning} for w in glossary]}
