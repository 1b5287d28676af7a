"""The theme's own words in the newsletter's language: gettext catalogs, then the network's overrides.

Every fixed word of the templates goes through `_()` (Jinja2's i18n extension, new-style
gettext, so `%(name)s` values are autoescaped like any other). English is the source text.
Catalogs live in digest/locale/<lang>/LC_MESSAGES/digest.po and are committed compiled
(digest.mo beside each .po, `make catalogs` rebuilds them), so a plain `pip install` or wheel
build needs no compile step and no Babel at build time; tests/test_i18n.py fails when a .mo
no longer matches its .po. digest/locale/digest.pot is the template for a new language.

Lookup order for one string: the network's `[newsletter.words]` in sources.toml (keyed by the
English text), then the catalog of the language ("cy_GB", then "cy"), then the English itself.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources

from babel.support import Translations

from digest.dates import babel_locale
from digest.placeholders import literal_percents

DOMAIN = "digest"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark English made in Python for extraction (`make catalogs`); it is translated where a
    template writes it, `{{ _(item.action) }}`."""
    return message


class Words(gettext.NullTranslations):
    """A network's own words ahead of the catalog: `[newsletter.words]` "English" = "theirs"."""

    def __init__(self, words: Mapping[str, str], fallback: gettext.NullTranslations) -> None:
        super().__init__()
        self.words = dict(words)
        self.add_fallback(fallback)

    def gettext(self, message: str) -> str:
        return self.words.get(message) or super().gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        own = self.words.get(singular if n == 1 else plural)
        return own or super().ngettext(singular, plural, n)


def catalog_names(language: str) -> list[str]:
    """The catalog folders to try for a language: "cy_GB" then "cy" (Babel's normalised names)."""
    locale = babel_locale(language)
    names = [str(locale), locale.language]
    return list(dict.fromkeys(names))


@lru_cache(maxsize=16)
def catalog(language: str) -> gettext.NullTranslations:
    """The shipped catalog for a language (package data); NullTranslations (English) when there is none."""
    root = resources.files("digest") / "locale"
    for name in catalog_names(language):
        mo = root / name / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo.is_file():
            with mo.open("rb") as handle:
                return Translations(handle, domain=DOMAIN)
    return gettext.NullTranslations()


def translations(language: str, words: Mapping[str, str] | None = None) -> gettext.NullTranslations:
    """What the templates' `_()` uses: the network's words, then the language's catalog, then English."""
    found = catalog(language)
    return Words(words, found) if words else found


def gettext_for(language: str, words: Mapping[str, str] | None = None) -> Callable[..., str]:
    """`_()` for Python code that builds template text, as the templates' new-style one:
    `_("%(start)s to %(end)s", start=…, end=…)`."""
    lookup = translations(language, words).gettext
    theirs = set((words or {}).values())

    def _(message: str, **values: object) -> str:
        text = lookup(message)
        if not values:
            return text
        return (literal_percents(text) if text in theirs else text) % values  # an editor's "100%" is literal

    return _
