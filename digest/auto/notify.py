"""`digest members notify`: tell a member their feed has been failing, and (on request) what of theirs went out.

Opt-in per source (`contact = "…"` in sources.toml): nobody without a contact is ever mailed. A
feed failing for `days` days or more is told to its contact once per failure (records.py dates
failures and remembers who was told); with `items`, each member with a contact also gets, once a
month, the list of their items featured in that month's editions. A member's notes to one address
go as one email. Nothing here ever becomes an item of the newsletter: the notes go to the member only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from digest.auto.lock import one_at_a_time
from digest.auto.mail import letter, post, schedule_of
from digest.auto.notes import spoken
from digest.auto.records import Health, Records
from digest.auto.troubles import detail, trouble_of
from digest.collect.store import Store
from digest.config.keys import Config, Source

ITEMS = "items"


@dataclass
class Letter:
    """What one contact of one member is to be told."""

    member: str
    contact: str
    failing: list[tuple[Source, Health]] = field(default_factory=list)
    featured: list[tuple[str, str, str]] = field(default_factory=list)  # (title, url, edition date)


def notify_members(config: Config, now: datetime, *, days: int = 14, items: bool = False) -> list[str]:
    """Mail every note that is due as of `now`; one line per email sent (nothing due: no lines)."""
    schedule = schedule_of(config)
    with one_at_a_time(config) as free:
        if not free:
            return ["another `digest auto` or `digest members notify` is running for this network: leaving it to finish"]
        with Store.beside(config.path) as store:
            records = Records(store)
            letters = _due(config, records, now, days, items)
            said = []
            for note in letters.values():
                subject, text = _text(config, note, now)
                post(schedule, letter(schedule, [note.contact], subject, text), f"mailing {note.contact}")
                records.mark_told([source.name for source, _ in note.failing], now)
                if note.featured:
                    records.note(note.member, ITEMS, f"{now:%Y-%m}", now)
                said.append(f"mailed {note.contact} ({note.member}): " + ", ".join(_about(note, now)))
    return said


def _due(config: Config, records: Records, now: datetime, days: int, items: bool) -> dict[tuple[str, str], Letter]:
    health = records.health(config)
    letters: dict[tuple[str, str], Letter] = {}
    for source in config.sources:
        h = health[source.name]
        if source.contact and h.status == "failing" and h.notified_at is None and h.days_failing(now) >= days:
            letters.setdefault((source.shown_as, source.contact), Letter(source.shown_as, source.contact)).failing.append(
                (source, h))
    if items:
        month = f"{now:%Y-%m}"
        featured = _featured(records, month)
        for source in config.sources:
            mine = featured.get(source.name)
            if source.contact and mine and not records.noted(source.shown_as, ITEMS, month):
                note = letters.setdefault((source.shown_as, source.contact), Letter(source.shown_as, source.contact))
                note.featured.extend(entry for entry in mine if entry not in note.featured)
    return letters


def _featured(records: Records, month: str) -> dict[str, list[tuple[str, str, str]]]:
    """Each source's items sent in an edition of `month` (YYYY-MM): title, link and edition date."""
    with records.store.transaction():
        rows = records.store.db.execute(
            "SELECT i.source, json_extract(i.data, '$.title'), coalesce(json_extract(i.data, '$.url'), ''), s.edition "
            "FROM sent s JOIN items i ON i.id=s.item_id WHERE substr(s.edition, 1, 7)=? ORDER BY s.edition, 2",
            (month,)).fetchall()
    found: dict[str, list[tuple[str, str, str]]] = {}
    for source, title, url, edition in rows:
        found.setdefault(source, []).append((str(title), str(url), str(edition)))
    return found


def _about(note: Letter, now: datetime) -> list[str]:
    said = [f"{source.name} failing for {h.days_failing(now)} days" for source, h in note.failing]
    return said + ([f"{len(note.featured)} items this month"] if note.featured else [])


def _text(config: Config, note: Letter, now: datetime) -> tuple[str, str]:
    title = config.newsletter.title
    lines = [f"Hello {note.member},", ""]
    if note.failing:
        lines += [f"{title} shares its members' news and events in its newsletter. For {note.failing[0][1].days_failing(now)} "
                  "days now we have not been able to read "
                  + ("your feed." if len(note.failing) == 1 else "these feeds of yours."), ""]
        for source, h in note.failing:
            trouble = trouble_of(h.reason)
            lines += [f"  {source.url}", "",
                      f"  What is wrong: {trouble.what}.",
                      f"  How to fix it: {trouble.fix}.",
                      f"  For whoever looks after your website: {detail(h.reason)}"
                      + (f" (it last worked on {spoken(h.ok_at)})." if h.ok_at else "."), ""]
        lines += ["Once it works again your news goes back into the newsletter, with nothing more to do. If we have the "
                  "wrong address, reply and tell us the right one.", ""]
    if note.featured:
        lines += [f"These items of yours were in {title} this month:" if not note.failing else
                  "And these items of yours were in the newsletter this month:", ""]
        lines += [f"  - {name} ({spoken(date.fromisoformat(edition))})" + (f"\n    {url}" if url else "")
                  for name, url, edition in note.featured]
        lines += ["", "Thank you for sharing them.", ""]
    lines += ["-- ", title,
              "You get this note because you are the contact for your feed in our newsletter's list of members; "
              "we write about a broken feed once each time it stops working."]
    if note.failing and note.featured:
        subject = f"{title}: we cannot read your feed, and your items this month"
    else:
        subject = f"{title}: we cannot read your feed" if note.failing else f"{title}: your items this month"
    return subject, "\n".join(lines) + "\n"
