"""One push: the edition built with the service's merge tags, made into a draft there or updating the one made before.

The draft's id is recorded (record.py) as soon as the service has made it, before anything
else is sent, so a push that fails half-way (Mailchimp's content call) is said, and pushing
again fills in that draft rather than making a second one. A draft that is no longer a draft
(sent, scheduled or deleted in the service) is left alone unless `--new` asks for another.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from digest.config.keys import Config
from digest.config.push import PUSH_SERVICES, Push, sender_parts
from digest.edition.pipeline import Edition, build_edition
from digest.exceptions import DigestError
from digest.publish.push import record
from digest.publish.push.client import PATIENCE, Patience, PushError
from digest.publish.push.registry import SERVICES
from digest.publish.push.service import Content, Remote, Service
from digest.publish.send import subject as subject_line
from digest.render.email import inbox_preview
from digest.render.views import markdown

VARIANTS = {"newsletter": "", "easy-read": " (Easy Read)"}  # what each edition adds to the subject and name


@dataclass(frozen=True)
class Order:
    """What to push where: the service, which edition (the newsletter or its Easy Read twin), the list."""

    service: str
    variant: str = "newsletter"
    list: str | None = None
    api_url: str | None = None
    new: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a push did, for the command and the desk to say."""

    created: bool
    label: str
    name: str
    link: str
    notes: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        done = "Made a new" if self.created else "Updated the"
        return f"{done} {self.label} draft “{self.name}”: open it at {self.link}"


def configured_service(config: Config) -> str | None:
    """The service pushes go to by default: [newsletter.push] esp, else [newsletter] esp when it is one."""
    push = config.newsletter.push or Push()
    return push.esp or (config.newsletter.esp if config.newsletter.esp in PUSH_SERVICES else None)


def order_for(config: Config, *, esp: str | None = None, list_id: str | None = None, api_url: str | None = None,
              easy_read: bool = False, new: bool = False) -> Order:
    """The order the options and [newsletter.push] make (options win)."""
    push = config.newsletter.push or Push()
    service = esp or configured_service(config)
    if service is None:
        raise DigestError(f"which email service? Pass --esp ({'|'.join(PUSH_SERVICES)}), or set esp under "
                          "[newsletter.push] in sources.toml")
    chosen = list_id or (push.easy_read_list if easy_read else None) or push.list
    return Order(service, "easy-read" if easy_read else "newsletter", chosen, api_url or push.api_url, new)


def headers(config: Config, day: date, *, subject: str = "", preview: str = "", intro: str | None = None) -> tuple[str, str]:
    """The subject line and preview text an edition goes out with: the draft's own, else the configured ones
    (the preview text: [newsletter] preheader, else the intro's first words, as the email's preheader is)."""
    config = config.overriding(subject=subject) if subject else config
    config = config.overriding(preheader=preview) if preview else config
    return subject_line(config, day), inbox_preview(config, markdown(config.newsletter.intro if intro is None else intro))


def content_of(config: Config, built: Edition, order: Order) -> Content:
    """The draft a service gets: its subject line and preview text, the email (or its Easy Read edition), the list."""
    suffix = VARIANTS[order.variant]
    shown_subject, preview = headers(config, built.date, subject=built.subject, preview=built.preview,
                                     intro=built.rendered.intro)
    html, text = built.html, built.text
    if order.variant == "easy-read":
        from digest.render.easyread.edition import render_easy_read

        easy = render_easy_read(config.overriding(preheader=preview), built.date, built.rendered, draft=built.draft)
        html, text = easy.html, easy.text
    push = config.newsletter.push or Push()
    return Content(name=subject_line(config, built.date) + suffix, subject=shown_subject + suffix, preview=preview,
                   html=html, text=text, list=order.list, sender=sender_parts(push.sender) if push.sender else None)


def build_for(config: Config, edition: date | None, draft: Path | None, order: Order) -> tuple[Config, Edition]:
    """The edition as the service will send it: built (from the store, nothing fetched) with its merge tags."""
    config = config.overriding(esp=order.service)
    return config, build_edition(config, edition, draft=draft, refetch=False)


def push_edition(config: Config, edition: date | None, draft: Path | None, order: Order, *,
                 environ: Mapping[str, str] = os.environ, patience: Patience = PATIENCE) -> Outcome:
    """Build the edition for the service and make (or update) its draft there: `digest push`, and the desk's button."""
    kind = SERVICES[order.service]
    secrets = kind.credentials(environ)  # before the build: a missing key is said at once
    config, built = build_for(config, edition, draft, order)
    return push(config, built, order, kind, secrets, patience)


def push(config: Config, built: Edition, order: Order, kind: type[Service], secrets: Mapping[str, str],
         patience: Patience) -> Outcome:
    """Make or update the service's draft of a built edition, recording where it is."""
    base = kind.base_url(order.api_url, secrets)
    content = content_of(config, built, order)
    where = config.workspace.pushed(built.date)
    wanted = record.Pushed(order.service, order.variant, base, "", "", "")
    service = kind(secrets, base, patience)
    try:
        list_id = service.list_id(content.list)
        known = None if order.new else record.find(where, wanted)
        if known is not None:
            remote = _still_a_draft(service, known)
            if list_id is not None:
                service.check_list(list_id)
            service.update(remote, content)
            record.save(where, replace(known, link=remote.link or known.link, at=_now()))
            return Outcome(False, kind.label, content.name, remote.link or known.link, kind.notes)
        if list_id is not None:
            service.check_list(list_id)
        remote = service.create(content)
        if not remote.id:
            raise PushError(f"{kind.label} made the draft “{content.name}” but did not say its id: find it in "
                            f"{kind.label} (pushing again would make another)")
        record.save(where, replace(wanted, id=remote.id, link=remote.link, at=_now()))
        try:
            service.fill(remote, content)
        except PushError as exc:
            raise PushError(f"{kind.label} made the draft ({remote.link}) but did not take its content: "
                            f"{exc.message}. Push again to fill it in") from None
        return Outcome(True, kind.label, content.name, remote.link, kind.notes)
    finally:
        service.close()


def _still_a_draft(service: Service, known: record.Pushed) -> Remote:
    """The recorded draft as the service has it, or PushError when it is gone or no longer a draft."""
    remote = service.fetch(known.id)
    label = service.label
    if remote is None:
        raise PushError(f"the {label} draft of this edition ({known.link}) is gone: it was deleted in {label}. "
                        "Push with --new to make another")
    if not remote.draft:
        raise PushError(f"the {label} campaign of this edition ({known.link}) is no longer a draft (its status is "
                        f"“{remote.status}”): it was sent or scheduled, so digest leaves it alone. "
                        "Push with --new to make another draft")
    return remote


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
