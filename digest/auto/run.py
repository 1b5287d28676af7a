"""`digest auto`: on the network's day, refresh, draft the edition and mail the editors; any other time, nothing.

Meant to be run often (cron, a systemd timer, a scheduled CI job): it does its work once, on the
first run at or after [schedule] time on a cadence day, and every other run says when the next is.
Once a day's run is recorded (records.py) later runs that day do nothing, so a draft the editor
has started is never written over and no note is mailed twice; a draft already there (made by hand)
is left as it is and the note is built from it. A month with fewer than min_items items gets a
"needs attention" note and no draft. A lock beside the store keeps two runs from overlapping.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

from digest.auto.lock import one_at_a_time
from digest.auto.mail import letter, post, schedule_of
from digest.auto.notes import Failing, Gathered, attachment_name, attention_note, ready_note, spoken
from digest.auto.records import Records, Run
from digest.collect.store import Store
from digest.config.keys import Config
from digest.config.schedule import Schedule
from digest.edition.draft.merge import write_draft
from digest.edition.pipeline import Edition, build_edition
from digest.edition.report import SectionCount


@dataclass(frozen=True)
class Outcome:
    """What a run did, in a sentence (the notes it mailed say the rest)."""

    said: str


def run_auto(config: Config, now: datetime) -> Outcome:
    """Do what today asks, as of `now` (aware): draft and mail on a cadence day from [schedule] time, else nothing."""
    schedule = schedule_of(config)
    local = now.astimezone(config.newsletter.tz)
    day, rule = local.date(), schedule.rule
    after = f"the next run is on {spoken(rule.next_after(day))} from {schedule.time}"
    if not rule.falls_on(day):
        return Outcome(f"not a drafting day ({schedule.cadence}): nothing to do; {after}")
    if local.time() < schedule.clock:
        return Outcome(f"today is a drafting day ({schedule.cadence}): it runs from {schedule.time}; nothing to do yet")
    with one_at_a_time(config) as free:
        if not free:
            return Outcome("another `digest auto` is running for this network: leaving it to finish")
        with Store.beside(config.path) as store:
            done = Records(store).run_on(day)
        if done is not None:
            return Outcome(f"already ran today ({done.outcome} at {_clock(config, done.at)}): nothing to do; {after}")
        return _drafting_day(config, schedule, day, now)


def _clock(config: Config, moment: datetime) -> str:
    return moment.astimezone(config.newsletter.tz).strftime("%H:%M")


def _counts(sections: tuple[SectionCount, ...]) -> tuple[tuple[str, int], ...]:
    return tuple((s.title, s.count) for s in sections if s.kind != "text")


def _drafting_day(config: Config, schedule: Schedule, day: date, now: datetime) -> Outcome:
    """Refresh, then draft and mail "ready", or mail "needs attention" for a thin month."""
    fresh = build_edition(config, day, refetch=True)
    with Store.beside(config.path) as store:
        records = Records(store)
        health = records.health(config)
        last = records.last_run_before(day)
    members = {s.name: s.shown_as for s in config.sources}
    failing = tuple(Failing(members[h.source], h.source, h.failing_since, h.reason, h.ok_at) for h in health.values()
                    if h.status == "failing" and h.failing_since is not None)
    found = Gathered(day, _counts(fresh.report.sections), tuple(members), failing)
    to = list(schedule.notify)
    if found.items < schedule.min_items:
        subject, text = attention_note(config, found, last, schedule.min_items)
        _claim_and_mail(config, schedule, Run(day, "thin", now, found.summary()), letter(schedule, to, subject, text))
        return Outcome(f"only {found.items} item{'s' if found.items != 1 else ''} (min_items is {schedule.min_items}): "
                       f"no draft; mailed \"needs attention\" to {', '.join(to)}")
    path = config.workspace.draft(day)
    created = not path.is_file()
    if created:
        write_draft(config, day, fresh.sections, notes=fresh.notes)  # late posts keep their note
    edition = build_edition(config, draft=path, refetch=False, check=True)
    found = replace(found, counts=_counts(edition.report.sections), check=_check_lines(edition))
    shown = _relative(config, path)
    subject, text = ready_note(config, found, last, draft=shown, created=created)
    message = letter(schedule, to, subject, text, {attachment_name(day): edition.html.encode("utf-8")})
    _claim_and_mail(config, schedule, Run(day, "drafted", now, found.summary()), message)
    what = f"wrote {shown} ({found.items} items)" if created else f"{shown} was already there: left as it was"
    return Outcome(f"{what}; mailed the ready note to {', '.join(to)}")


def _check_lines(edition: Edition) -> tuple[str, ...]:
    report = edition.report
    return (report.check_summary, *report.check_lines) if report.check_summary else ()


def _relative(config: Config, path: Path) -> str:
    """editions/<date>.md, as the editor sees it beside sources.toml."""
    return str(path.relative_to(config.root)) if path.is_relative_to(config.root) else str(path)


def _claim_and_mail(config: Config, schedule: Schedule, run: Run, message: EmailMessage) -> None:
    """Record the day's run, then mail; a mail that fails takes the record back, so the next run tries again."""
    with Store.beside(config.path) as store:
        claimed = Records(store).record_run(run)
    if not claimed:  # the lock makes this unreachable, but a note must never go twice
        return
    try:
        post(schedule, message, "mailing the editors' note")
    except BaseException:
        with Store.beside(config.path) as store:
            Records(store).forget_run(run.day)
        raise
