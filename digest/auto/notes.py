"""The editors' notes `digest auto` mails: "ready to edit" (with the newsletter attached) and "needs attention".

Each says the edition's date, the items in each section (against the last edition), what changed
since then, the members whose feeds are failing and since when, and the exact commands to run next
(the desk, the push), with the network's own sources.toml in them, quoted for a shell.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from digest.auto.records import Run
from digest.config.keys import Config
from digest.dates import format_day

NOTE_LANGUAGE = "en-GB"  # digest speaks to editors in English, as its commands do


def spoken(day: date | datetime) -> str:
    """A day as the notes say it: "Tuesday 1 October 2024"."""
    return format_day(day.date() if isinstance(day, datetime) else day, NOTE_LANGUAGE)


@dataclass(frozen=True)
class Failing:
    """A member's source that is failing now: since when, and what the build said of it."""

    member: str
    source: str
    since: datetime
    reason: str
    worked: datetime | None = None  # its last good fetch

    def said(self, config: Config) -> str:
        who = self.member if self.member == self.source else f"{self.member} ({self.source})"
        tz = config.newsletter.tz
        last = f" (last worked {spoken(self.worked.astimezone(tz))})" if self.worked else " (it has never worked)"
        return f"{who}: failing since {spoken(self.since.astimezone(tz))}{last}: {self.reason}"


@dataclass(frozen=True)
class Gathered:
    """What a drafting day's run found: the notes say it, the run's record keeps it for next time."""

    day: date
    counts: tuple[tuple[str, int], ...]  # (section title, items) for each posts or events section
    sources: tuple[str, ...]
    failing: tuple[Failing, ...] = ()
    check: tuple[str, ...] = field(default=())  # `digest check`'s summary, then one line per finding

    @property
    def items(self) -> int:
        return sum(count for _, count in self.counts)

    def summary(self) -> dict[str, Any]:
        return {"sections": dict(self.counts), "sources": list(self.sources), "failing": [f.source for f in self.failing]}


def command(*words: str) -> str:
    return " ".join(shlex.quote(w) for w in words)


def _counts(found: Gathered, last: Run | None) -> list[str]:
    before = (last.summary.get("sections") or {}) if last else {}
    width = max([len(title) for title, _ in found.counts] + [4])
    lines = []
    for title, count in found.counts:
        was = f"   (last edition: {before[title]})" if title in before else ""
        lines.append(f"  {title:<{width}}  {count:>3} item{'s' if count != 1 else ''}{was}")
    return [*lines, f"  {'In all':<{width}}  {found.items:>3}"]


def _changes(found: Gathered, last: Run | None) -> list[str]:
    if last is None:
        return ["  This is the first edition digest auto has drafted: there is nothing to compare it with yet."]
    summary = last.summary
    sources, failing = set(summary.get("sources", [])), set(summary.get("failing", []))
    now_failing = {f.source for f in found.failing}
    lines = [f"  new source: {name}" for name in found.sources if name not in sources]
    lines += [f"  no longer in sources.toml: {name}" for name in sorted(sources - set(found.sources))]
    lines += [f"  started failing: {name}" for name in sorted(now_failing - failing)]
    lines += [f"  working again: {name}" for name in sorted(failing - now_failing) if name in found.sources]
    before, now = summary.get("sections", {}), dict(found.counts)
    lines += [f"  new section: {title}" for title in now if title not in before]
    return lines or ["  no sources added, removed, failing or back since then: only the items are new"]


def _failing(config: Config, found: Gathered) -> list[str]:
    if not found.failing:
        return ["  none: every member's feed was read"]
    return [f"  {f.said(config)}" for f in found.failing]


def _header(config: Config, found: Gathered, last: Run | None) -> list[str]:
    since = f" (the edition of {spoken(last.day)})" if last else ""
    return ["In this edition", *_counts(found, last), "", f"Since the last edition{since}", *_changes(found, last), "",
            "Members whose feeds are failing", *_failing(config, found)]


def ready_note(config: Config, found: Gathered, last: Run | None, *, draft: str, created: bool) -> tuple[str, str]:
    """The subject and text of the note that says an edition's draft is ready to edit."""
    where = str(config.path)
    day = found.day.isoformat()
    kept = "" if created else f"\n{draft} was already there: digest left it as it was, and this note is built from it.\n"
    lines = [f"The draft of the edition of {spoken(found.day)} is ready for you to edit: {draft}.", kept,
             *_header(config, found, last), "",
             "digest check", *[f"  {line}" for line in found.check or ("not run",)], "",
             "What to do next",
             "  Open the desk, to edit it:",
             f"    {command('digest', 'preview', '-c', where, '--date', day, '--open')}",
             "  When it is ready, put it into your email service as a draft:",
             f"    {command('digest', 'push', '-c', where, '--date', day)}",
             "  or build it and paste build/" + day + "/newsletter.html into your email service:",
             f"    {command('digest', 'build', '-c', where, '--date', day)}",
             "",
             f"The newsletter as it stands is attached ({attachment_name(found.day)}).",
             "-- ",
             f"digest auto, for {config.newsletter.title}"]
    return f"Ready to edit: {config.newsletter.title} – {spoken(found.day)}", "\n".join(lines) + "\n"


def attention_note(config: Config, found: Gathered, last: Run | None, minimum: int) -> tuple[str, str]:
    """The subject and text of the note that says a thin month was not drafted, and what to do."""
    where = str(config.path)
    day = found.day.isoformat()
    lines = [f"digest auto did not draft the edition of {spoken(found.day)}: it found {found.items} "
             f"item{'s' if found.items != 1 else ''}, and [schedule] min_items is {minimum}.", "",
             *_header(config, found, last), "",
             "What you can do",
             "  - mend the failing members' feeds above; this says what is wrong with each:",
             f"      {command('digest', 'sources', 'check', '-c', where)}",
             "  - add members' feeds:",
             f"      {command('digest', 'sources', 'add', '-c', where, 'https://member.example.org/')}",
             "  - draft it anyway, with what there is:",
             f"      {command('digest', 'draft', '-c', where, '--date', day)}",
             f"  - or lower min_items in [schedule] in {config.path.name}.",
             "-- ",
             f"digest auto, for {config.newsletter.title}"]
    return f"Needs attention: {config.newsletter.title} – {spoken(found.day)}", "\n".join(lines) + "\n"


def attachment_name(day: date) -> str:
    return f"newsletter-{day.isoformat()}.html"
