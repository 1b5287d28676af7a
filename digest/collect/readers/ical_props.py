"""Reading values out of icalendar components: one property or many, as text, in a holder calendar.

icalendar itself is imported here, when a calendar is first read (~40 ms with its helpers): a
build that reads no calendar, or none that changed, never imports it. The ical modules reach
it through these functions, or under TYPE_CHECKING for its types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from icalendar import Calendar, Component


def parse_calendar(data: bytes) -> Calendar:
    """icalendar's reading of a file with one calendar (it raises for anything it cannot read)."""
    from icalendar import Calendar

    return Calendar.from_ical(data)


def parse_components(data: bytes) -> list[Calendar]:
    """icalendar's reading of a file: every top-level component (VCALENDARs, or loose VEVENTs)."""
    from icalendar import Calendar

    return Calendar.from_ical(data, multiple=True)


def broken(prop: Any) -> bool:
    """Whether icalendar could not read a property's value (it keeps it as vBroken)."""
    from icalendar.prop import vBroken

    return isinstance(prop, vBroken)


def holder(components: Iterable[Component]) -> Calendar:
    """A bare VCALENDAR around some components (what recurring_ical_events and x_wr_timezone take)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.subcomponents.extend(components)
    return calendar


def properties(component: Component) -> Iterable[tuple[str, Any]]:
    """(NAME, property) for every property, a repeated one once per value."""
    for name, value in component.items():
        for prop in value if isinstance(value, list) else [value]:
            yield str(name).upper(), prop


def values(component: Component, name: str) -> list[Any]:
    """Every value of a property that may appear more than once (EXDATE, RRULE, CATEGORIES)."""
    value = component.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def keep_only(component: Component, name: str, wanted: Callable[[Any], bool]) -> None:
    """Drop the values of `name` that `wanted` refuses."""
    kept = [p for p in values(component, name) if wanted(p)]
    component.pop(name, None)
    if kept:
        component[name] = kept if len(kept) > 1 else kept[0]


def text(value: Any) -> str:
    """A property as text ('' when absent; the first of several)."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def unescaped(prop: Any) -> str:
    """An X- property's TEXT value: icalendar keeps unknown properties raw (`\\n`, `\\,`)."""
    from icalendar.parser import unescape_backslash
    from icalendar.prop import vText

    return str(prop) if isinstance(prop, vText) else unescape_backslash(str(prop))


def is_html(prop: Any) -> bool:
    return str(getattr(prop, "params", {}).get("FMTTYPE", "")).lower() == "text/html"
