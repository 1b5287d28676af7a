"""The theme's own words in the network's language: catalogs, fall-back to English, [newsletter.words]."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from lxml import html as lxml_html

from digest.config.load import parse_config
from digest.exceptions import ConfigError
from digest.i18n import catalog_names, translations
from digest.model import Event, Image
from digest.render.easyread.edition import render_easy_read
from digest.render.email import ItemView, Rendered, SectionView, item_view, render_views
from tests.conftest import ROOT

LOCALE = ROOT / "digest" / "locale"
EDITION = date(2024, 10, 1)
LANGUAGES = ("cy", "gd")


def config(language: str, extra: str = "", path: Path = Path("/tmp/sources.toml")):  # type: ignore[no-untyped-def]
    """A network whose footer has every link (an ESP's merge tags) in `language`."""
    return parse_config(f"""
[newsletter]
title = "Rhwydwaith"
language = "{language}"
timezone = "Europe/London"
esp = "mailchimp"
url = "https://network.example.org/"
{extra}

[[sections]]
title = "Digwyddiadau"
kind = "events"

[[sections]]
title = "Newyddion"
kind = "posts"
images = true

[[sources]]
name = "Hull Circle"
url = "hull.ics"
ask = "Sam, 01632 960 000"
""", path)


def _event(title: str, start: datetime | date, end: datetime | date | None, location: str = "", *,
           all_day: bool = False) -> Event:
    return Event(id=title, source="Hull Circle", title=title, start=start, end=end, all_day=all_day,
                 location=location, url="https://hull.example.org/e", summary_html="<p>Come along. Bring a friend.</p>")


def views(cfg) -> list[SectionView]:  # type: ignore[no-untyped-def]
    """Items that use every word of the Easy Read theme: online, in person and all-day events, a post."""
    utc = UTC
    events = [
        _event("Cuppa", datetime(2024, 10, 3, 13, tzinfo=utc), datetime(2024, 10, 3, 14, 30, tzinfo=utc),
               "Online: https://zoom.us/j/123"),
        _event("Open day", datetime(2024, 10, 15, 9, tzinfo=utc), datetime(2024, 10, 15, 11, tzinfo=utc), "Hull Library"),
        _event("Fair", date(2024, 10, 20), date(2024, 10, 21), all_day=True),
    ]
    post = ItemView(title="Our report", url="https://leeds.example.org/r", meta="", source="Leeds Voices", when="",
                    blurb_html="<p>We wrote a report. It is short.</p>", easy_read=True, easy="We wrote a report.")
    with_picture = ItemView(title="Summer", url=None, meta="", source="Leeds Voices", when="", easy_read=True,
                            blurb_html="<p>Pictures.</p>", image=Image("https://leeds.example.org/s.jpg", "", 640, 480))
    # every item chosen for the Easy Read edition, as the editor ticks them at the desk
    return [SectionView("Digwyddiadau", "events", [replace(item_view(e, cfg), easy_read=True, easy="Come along.")
                                                   for e in events]),
            SectionView("Newyddion", "posts", [post, with_picture], images=True)]


def rendered(cfg) -> tuple[Rendered, Rendered]:  # type: ignore[no-untyped-def]
    """The newsletter and its Easy Read edition."""
    plain = render_views(cfg, EDITION, views(cfg))
    return plain, render_easy_read(cfg, EDITION, plain)


def texts(html: str) -> set[str]:
    """Every text node and alt text of an HTML page, stripped of a trailing colon."""
    doc = lxml_html.document_fromstring(html)
    found = {t.strip().rstrip(":").strip() for t in doc.xpath("//body//text()") if t.strip()}
    return found | {alt for alt in doc.xpath("//img/@alt")}


def po(language: str):  # type: ignore[no-untyped-def]
    with (LOCALE / language / "LC_MESSAGES" / "digest.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_theme_word_the_catalog_has_is_in_the_language_and_the_rest_in_english(language: str) -> None:
    cfg = config(language)
    plain, easy = rendered(cfg)
    shown = texts(easy.html) | texts(plain.html)
    lines = easy.text + plain.text
    translated = {m.id: m.string for m in po(language) if m.id and m.string}
    assert len(translated) >= 7
    for english, own in translated.items():
        if "%(" in english:
            continue
        assert own in shown or own in lines, f"{own!r} ({english!r}) is not in the {language} edition"
        assert english not in shown, f"{english!r} is still in English although the {language} catalog has {own!r}"
    missing = {m.id for m in po(language) if m.id and not m.string} & {"What", "Where", "Who to ask", "Easy Read"}
    assert missing, "the test needs a word the catalog lacks"
    for english in missing:
        assert english in shown, f"{english!r} has no {language} translation, so it should be shown in English"


def test_dates_keep_following_the_language() -> None:
    _plain, easy = rendered(config("cy"))
    assert "Dydd Iau, 3 Hydref 2024" in easy.text and "14:00 – 15:30" in easy.text  # CLDR's Welsh, in London time


def test_the_network_s_words_win_over_the_catalog_and_english() -> None:
    cfg = config("cy", '[newsletter.words]\n"Unsubscribe" = "Peidio â chael hwn"\n"What" = "Beth"\n')
    plain, easy = rendered(cfg)
    for output in (easy.html, easy.text):
        assert "Peidio â chael hwn" in output and "Dad-danysgrifio" not in output
        assert "Beth" in output
    assert "Pryd" in easy.text, "words not overridden still come from the catalog"


def test_english_is_the_source_and_needs_no_catalog() -> None:
    cfg = config("en-GB")
    _plain, easy = rendered(cfg)
    assert "2pm to 3:30pm" in easy.text and "10am to 12pm" in easy.text
    assert translations("en-GB").gettext("Unsubscribe") == "Unsubscribe"
    assert catalog_names("cy-GB") == ["cy_GB", "cy"]


def test_words_must_be_text() -> None:
    with pytest.raises(ConfigError) as raised:
        config("cy", "[newsletter.words]\nUnsubscribe = 3\n")
    assert "newsletter.words" in str(raised.value) and "text in quotes" in str(raised.value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_names_its_source(language: str) -> None:
    for message in po(language):
        if message.id and message.string:
            assert any(c.startswith("Source: ") for c in message.user_comments), f"{message.id!r} cites no source"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_matches_its_po(language: str) -> None:
    """The .mo files are committed compiled (a wheel build compiles nothing): `make catalogs` keeps them in step."""
    with resources.files("digest").joinpath(f"locale/{language}/LC_MESSAGES/digest.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    source = {m.id: m.string for m in po(language) if m.id and m.string and not m.fuzzy}
    assert compiled == source, "run `make catalogs`"


def test_the_template_catalog_has_every_word_of_the_theme() -> None:
    """digest.pot is current: every _() of the templates and of digest/ (the extraction `make catalogs` runs)."""
    method_map = [("digest/**.py", "python"), ("templates/**.j2", "jinja2")]
    options = {"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
    found = {msg for _f, _l, msg, _c, _ctx in extract_from_dir(str(ROOT), method_map, options, keywords={"_": None, "N_": None})}
    with (LOCALE / "digest.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert found == template, "run `make catalogs`"
    for language in LANGUAGES:
        assert {m.id for m in po(language) if m.id} == template, f"{language}: run `make catalogs`"


def test_a_weekly_series_says_every_in_the_network_s_words() -> None:
    cfg = config("cy", '[newsletter.words]\n"Every %(weekday)s" = "Bob %(weekday)s"\n')
    weekly = [replace(_event("Paned", datetime(2024, 10, day, 13, tzinfo=UTC), datetime(2024, 10, day, 14, tzinfo=UTC)),
                      id=f"paned-{day}") for day in (2, 9, 16)]
    chosen = [replace(item_view(e, cfg), easy_read=True, easy="Dewch am baned.") for e in weekly]
    plain = render_views(cfg, EDITION, [SectionView("Digwyddiadau", "events", chosen)])
    easy = render_easy_read(cfg, EDITION, plain)
    assert "  Pryd: Bob Dydd Mercher, 14:00–15:00 — 2, 9, a(c) 16 Hydref" in plain.text.splitlines()  # Babel's "a(c)"
    assert "Pryd: Bob Dydd Mercher — 2, 9, a(c) 16 Hydref, 14:00 – 15:00" in easy.text.splitlines()


def test_a_percent_in_the_network_s_words_is_literal_where_values_fill_them() -> None:
    cfg = config("en-GB", '[newsletter.words]\n"%(start)s to %(end)s" = "%(start)s until %(end)s (100% sure)"\n')
    _plain, easy = rendered(cfg)
    assert "2pm until 3:30pm (100% sure)" in easy.text


def test_words_can_only_use_the_placeholders_of_their_english() -> None:
    with pytest.raises(ConfigError) as raised:
        config("cy", '[newsletter.words]\n"Find out more" = "Mwy %(oops)s"\n')
    assert str(raised.value) == ('/tmp/sources.toml: newsletter.words (line 8): "Find out more" = "Mwy %(oops)s": '
                                 'nothing fills in %(oops)s there: write it without')
    with pytest.raises(ConfigError) as raised:
        config("cy", '[newsletter.words]\n"%(start)s to %(end)s" = "%(start)s tan %(finish)s"\n')
    assert str(raised.value).endswith(': "%(start)s to %(end)s" = "%(start)s tan %(finish)s": nothing fills in '
                                      '%(finish)s there: use only %(start)s and %(end)s')
