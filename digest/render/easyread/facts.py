"""An event's facts in Easy Read words, from the data: When, Where, How to join, Who to ask.

When:  "Tuesday 15 October 2024" and "2pm to 3:30pm" (English Easy Read style; the locale's
       clock elsewhere), a series "Every Tuesday — 15, 22 and 29 October" (digest/render/series.py).
Where: the place, or "Online".
How to join: "Join online" only when the link is a meeting link (Zoom, Teams, Meet, Webex,
       Whereby, Jitsi); else the newsletter's own words for the event's page ("Book a place" when
       the page or its text says booking, else "Find out more").
Who to ask: the member's `ask` in sources.toml (a name and a phone number or email); an
       organisation's name alone is no one to ask, so without a contact the line is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from digest.config.keys import Config
from digest.dates import _time_range, babel_locale, format_day, format_time
from digest.model import as_instant
from digest.render.calendar import Occurrence
from digest.render.cards import MORE
from digest.render.series import series_when
from digest.render.views import ItemView

_URL = re.compile(r"https?://\S+")
_ONLINE = re.compile(r"\b(online|zoom|teams|google meet|webinar|virtual)\b", re.I)
MEETING = re.compile(r"^https?://([\w-]+\.)*(zoom\.us|teams\.microsoft\.com|teams\.live\.com|meet\.google\.com|"
                     r"whereby\.com|webex\.com|meet\.jit\.si|gotomeet\.me|gotomeeting\.com)(/|$)", re.I)


def is_meeting_link(url: str | None) -> bool:
    return bool(url and MEETING.match(url))


def _clock(moment: datetime, language: str) -> str:
    """"2pm", "3:30pm" in English Easy Read style; the locale's short time elsewhere ("14:00")."""
    if babel_locale(language).language != "en":
        return format_time(moment, language)
    hour = moment.hour % 12 or 12
    return f"{hour}{moment.strftime(':%M') if moment.minute else ''}{'am' if moment.hour < 12 else 'pm'}"


def event_when(event: Occurrence, said: str, config: Config, _: Callable[..., str]) -> tuple[str, str]:
    """(day, hours) of one date: ("Tuesday 8 October 2024", "2pm to 3:30pm"); several days in one line.

    `said` is how the item's card says when it is (ItemView.when), which is the day line of an
    all-day event and the one line of an event over several days. Ranges in other languages use
    CLDR's interval pattern ("14:00–15:30") rather than a translated "to", which no checked catalog has yet.
    """
    tz, language = config.newsletter.tz, config.newsletter.language
    if not isinstance(event.start, datetime):
        return said, _("All day")
    start = as_instant(event.start, tz).astimezone(tz)
    end = as_instant(event.end, tz).astimezone(tz) if isinstance(event.end, datetime) else None
    if end is not None and end.date() != start.date():
        return said, ""
    if end is None or end <= start:
        return format_day(start.date(), language), _clock(start, language)
    if babel_locale(language).language != "en":
        return format_day(start.date(), language), _time_range(start.time(), end.time(), language)
    return format_day(start.date(), language), _("%(start)s to %(end)s", start=_clock(start, language),
                                                   end=_clock(end, language))


def when(view: ItemView, config: Config, _: Callable[..., str]) -> tuple[str, str]:
    """(day, hours) of an event card, a series' dates on the day line."""
    assert view.event is not None
    dates = view.event.occurrences
    day, hours = event_when(dates[0], view.when, config, _)
    if len(dates) > 1:
        day = series_when(dates, config.newsletter.tz, config.newsletter.language, _, clock=False)
    return day, hours


def is_online(view: ItemView) -> bool:
    return bool(_ONLINE.search(view.location) or _URL.fullmatch(view.location.strip()))


def where(view: ItemView, _: Callable[..., str]) -> str:
    place = _URL.sub("", view.location).strip(" ,·")
    return _("Online") if is_online(view) and (not place or _URL.search(view.location)) else place


def how_to_join(view: ItemView, _: Callable[..., str]) -> tuple[str, str | None]:
    """(the button's words, its link): a meeting link says "Join online"; any other page says what the newsletter says."""
    for url in (*_URL.findall(view.location), view.url):
        if is_meeting_link(url):
            return _("Join online"), url
    return (_(view.action or MORE), view.url) if view.url else ("", None)


def who_to_ask(view: ItemView, config: Config) -> str:
    return next((s.ask for s in config.sources if s.name == view.source and s.ask.strip()), "")
