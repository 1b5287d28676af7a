"""The hand-off at the desk: everything the email service asks for, and how to give it.

The subject line and preview text (the draft's own, else the configured ones; changed through
the desk's "subject" and "preview" changes, so they are saved in the draft), the email's HTML and
plain text and the Easy Read edition's, a few steps per service for pasting them, and "Push as
draft" when a service is configured (digest/publish/push/). Served under /api/handoff,
/api/push and /handoff/…; http.py hands those paths here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from digest.edition.draft import DraftError
from digest.edition.draft.parse import parse_draft, read_draft_text
from digest.exceptions import DigestError, FailedError
from digest.preview.builds import Previewer
from digest.preview.desk import writable
from digest.publish.push import record
from digest.publish.push.registry import SERVICES
from digest.publish.push.run import VARIANTS, configured_service, headers, order_for, push_edition

# How to paste an edition into each service by hand: a few steps in the service's own words.
GUIDES: dict[str, list[str]] = {
    "mailchimp": [
        "Create a Regular email campaign and choose your audience.",
        "Paste the subject line into Subject and the preview text into Preview text.",
        "In Design, choose “Code your own”, then “Paste in code”, and paste the HTML.",
        "In the Plain-text version, paste the plain text.",
    ],
    "brevo": [
        "Create an email campaign and choose your list.",
        "Paste the subject line and the preview text into their fields.",
        "In Design, choose “Code your own” and paste the HTML.",
        "Brevo makes the plain-text version itself.",
    ],
    "listmonk": [
        "Make a new campaign: paste the subject line and choose your lists.",
        "Set the format to “Raw HTML” and paste the HTML (the preview text is already in it).",
        "Choose a template that holds only {{ template \"content\" . }}, so the email is not wrapped twice.",
        "Add the plain text as the campaign’s plain-text alternative.",
    ],
    "buttondown": [
        "Write a new email and paste the subject line.",
        "Switch the editor to HTML mode and paste the HTML.",
        "Paste the preview text into the email’s description.",
        "Buttondown adds its own footer and makes the plain-text version itself.",
    ],
}


def _own(previewer: Previewer) -> tuple[str, str, str | None, bool]:
    """The draft's own subject and preview text, its intro, and whether the page may change them."""
    path, config = previewer.draft, previewer.config
    if path is None or config is None:
        return "", "", None, False
    try:
        draft = parse_draft(read_draft_text(path), path, config)
    except (DraftError, DigestError):
        return "", "", None, False
    return draft.subject, draft.preview, draft.intro, writable(config, path)


def state(previewer: Previewer, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """What the hand-off shows: the subject line and preview text, the service and its guide, past pushes."""
    config, edition = previewer.config, previewer.snapshot.edition
    if config is None or edition is None:
        return {"ready": False}
    subject, preview, intro, editable = _own(previewer)
    shown_subject, shown_preview = headers(config, edition.date, subject=subject, preview=preview,
                                           intro=intro if intro is not None else edition.rendered.intro)
    chosen = configured_service(config)
    service: dict[str, Any] | None = None
    if chosen is not None:
        kind = SERVICES[chosen]
        unset = [name for name in kind.variables if not environ.get(name, "").strip()]
        missing = f"start the preview with {' and '.join(unset)} set ({kind.where_keys()})" if unset else ""
        try:
            pushes = record.read(config.workspace.pushed(edition.date))
        except DigestError:  # a damaged record: `digest push` says what to do about it
            pushes = []
        pushed = {p.variant: {"link": p.link, "at": p.at} for p in pushes if p.service == chosen}
        service = {"name": chosen, "label": kind.label, "missing": missing, "pushed": pushed}
    return {
        "ready": True, "editable": editable, "subject": shown_subject, "preview": shown_preview,
        "own_subject": bool(subject), "own_preview": bool(preview), "easy_suffix": VARIANTS["easy-read"],
        "service": service,
        "guides": [{"name": name, "label": SERVICES[name].label, "steps": steps} for name, steps in GUIDES.items()],
    }


def easy_read_email(previewer: Previewer) -> tuple[str, str] | None:
    """The Easy Read edition as it goes into the email service (icons at their published addresses): HTML, text."""
    from digest.render.easyread.edition import render_easy_read

    config, edition = previewer.config, previewer.snapshot.edition
    if config is None or edition is None:
        return None
    easy = render_easy_read(config, edition.date, edition.rendered, draft=edition.draft)
    return easy.html, easy.text


def push(previewer: Previewer, body: object) -> dict[str, Any]:
    """Push the newsletter (or its Easy Read edition) as a draft to the configured service: what happened."""
    if not isinstance(body, dict) or set(body) != {"variant"} or body.get("variant") not in VARIANTS:
        raise DigestError(f"variant must be one of {', '.join(VARIANTS)}")
    config, edition = previewer.config, previewer.snapshot.edition
    if config is None or edition is None:
        raise DigestError("nothing has been built yet")
    order = order_for(config, easy_read=body["variant"] == "easy-read")
    try:
        outcome = push_edition(config, edition.date, previewer.draft, order)
    except FailedError as exc:  # the service said no: the page shows the sentence, as the command prints it
        raise DigestError(exc.format_message()) from None
    return {"message": outcome.message, "link": outcome.link, "notes": list(outcome.notes)}
