"""The desk's Submissions: what members sent, listed for the editor to approve, edit or reject.

`GET /api/submissions` lists what waits (new since the editor last looked marked, who sent it and
when, attachments named), with the sections each may go in; `POST /api/submissions` makes one
decision (JSON, with the page's token like every change); `POST /api/submissions/upload` takes a
saved email dropped on the page (.eml or .msg, its bytes) and records it as a submission of the
network's mailbox source. Nothing here writes a file but the draft in editions/ (through
digest/edition/submissions.py): the store holds submissions. Each decision rebuilds the
preview, so the newsletter beside the list follows.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lxml import html as lxml_html

from digest.collect.readers.mail import OLE, read_saved
from digest.collect.readers.spec import ReadContext
from digest.collect.store import Store
from digest.collect.submissions import Submission, SubmissionError, Submissions
from digest.edition import submissions as deciding
from digest.edition.group import event_window
from digest.edition.pipeline import today
from digest.model import Event
from digest.preview.desk import BadRequest, Refused

if TYPE_CHECKING:
    from email.message import Message
    from io import BufferedIOBase

    from digest.config.keys import Config, Source
    from digest.preview.builds import Previewer

MAX_UPLOAD = 10 * 1024 * 1024  # a saved email with its pictures; larger is not a story
MAX_FIELD = 20_000
OPS: dict[str, tuple[str, ...]] = {"approve": ("id", "section"), "reject": ("id", "reason"), "edit": ("id", "title", "text"),
                                   "seen": ()}


def paragraphs(fragment: str) -> str:
    """A blurb's sanitised HTML as the plain paragraphs the editor edits (a blank line between them)."""
    if not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment.replace("<br>", "\n"), create_parent="div")
    blocks = [p.text_content() for p in root.iter("p", "li", "blockquote", "pre")] or [root.text_content()]
    return "\n\n".join(" ".join(b.split(" ")).strip() for b in blocks if b.strip())


def _shown(found: Submission, tz: tzinfo) -> dict[str, Any]:
    """One submission as the list shows it (the sender's address for the editor's eyes only)."""
    item = found.item
    return {"id": found.id, "source": found.source, "status": found.status, "new": found.new,
            "kind": "event" if isinstance(item, Event) else "post", "title": item.title, "url": item.url or "",
            "text": paragraphs(found.text), "edited": found.edited, "section": found.section,
            "name": found.sender.name, "organisation": found.sender.organisation, "email": found.sender.email,
            "received": found.received.astimezone(tz).strftime("%d %b %Y, %H:%M"), "origin": found.sender.origin,
            "attachments": list(found.sender.attachments),
            "when": item.start.isoformat() if isinstance(item, Event) else "",
            "where": item.location if isinstance(item, Event) else ""}


class SubmissionDesk:
    """The Submissions list behind the desk, for the previewer's network."""

    def __init__(self, previewer: Previewer) -> None:
        self.previewer = previewer

    def _config(self) -> Config:
        if self.previewer.config is None:
            raise Refused("nothing has been built yet")
        return self.previewer.config

    def state(self, message: str = "") -> dict[str, Any]:
        config = self._config()
        waiting = deciding.listing(config)
        return {"submissions": [_shown(s, config.newsletter.tz) for s in waiting], "message": message,
                "held": sum(1 for s in waiting if s.status == "held"),
                "sections": {kind: [s.title for s in config.sections if s.kind == kind] for kind in ("posts", "events")},
                "mailbox": (mailbox := _mailbox(config)) and mailbox.name}

    def change(self, body: object) -> dict[str, Any]:
        """One decision the page asked for; the list as it is after it."""
        op, values = _checked(body)
        config, edition = self._config(), self.previewer.edition_date
        try:
            if op == "seen":
                deciding.listing(config, look=True)
                return self.state()
            if op == "approve":
                done = deciding.approve(config, values["id"], values["section"], edition)
                where = f" into {done.section!r}" if done.section else " where the sections' rules put it"
                message = f"Approved {done.submission.item.title!r}{where}."
            elif op == "reject":
                done = deciding.reject(config, values["id"], values["reason"], edition)
                message = f"Rejected {done.submission.item.title!r}: it will not come back."
            else:
                found = deciding.change(config, values["id"], title=values["title"] or None, text=values["text"] or None)
                done, message = deciding.Decided(found), f"Saved your version of {found.item.title!r}."
        except SubmissionError as exc:
            raise BadRequest(exc.format_message()) from None
        shows = op != "edit" or done.submission.status == "approved"  # an edit of a pending one changes no edition
        if shows and done.draft is None:  # a changed draft is rebuilt by the watcher
            self.previewer.rebuild(refetch=False)
        return self.state(message)

    def upload(self, headers: Message, stream: BufferedIOBase) -> dict[str, Any]:
        """A saved email dropped on the page, as a pending submission of the network's mailbox source."""
        config = self._config()
        name = Path(unquote(headers.get("X-Filename", "") or "dropped.eml")).name[:200]
        length = headers.get("Content-Length", "")
        if not length.isdigit():
            raise BadRequest("say the file's Content-Length")
        if int(length) > MAX_UPLOAD:
            raise BadRequest(f"{name} is larger than {MAX_UPLOAD // 2**20} MB: save the email without its attachments")
        data = stream.read(int(length))
        if not name.lower().endswith((".eml", ".msg")) and not data.startswith(OLE):
            raise BadRequest(f"{name} is not a saved email: drop an .eml (most mail programs) or .msg (Outlook) file")
        source = _mailbox(config)
        if source is None:
            raise Refused("add a source for emailed stories first (in sources.toml: [[sources]] name = \"Emailed "
                          "stories\", url = \"stories/\", a folder beside it): dropped emails join its submissions")
        edition = self.previewer.edition_date or today(config)
        context = ReadContext(source=source.name, base_url=None, summary_length=config.newsletter.summary_length,
                              tz=config.newsletter.tz, window=event_window(config, edition),
                              language=config.newsletter.language)
        read = read_saved(name, data, context)
        if not read.items:
            raise BadRequest(f"{name} could not be read: {'; '.join(read.problems) or 'it holds no message'}")
        with Store.beside(config.path) as store:
            new, _held = Submissions(store).record(source.name, read)
        title = read.items[0].title
        return self.state(f"Added {title!r} from {name} to the submissions." if new else
                          f"{name} ({title!r}) is already among the submissions.")


def _mailbox(config: Config) -> Source | None:
    """Where a dropped email belongs: the first source of saved emails or IMAP, else the first reviewed source."""
    for source in config.sources:
        if source.url.startswith("imaps://") or (not source.is_remote and config.source_path(source).is_dir()):
            return source
    return next((s for s in config.sources if s.review), None)


def _checked(body: object) -> tuple[str, dict[str, str]]:
    if not isinstance(body, dict) or body.get("op") not in OPS:
        raise BadRequest(f"op must be one of {', '.join(OPS)}")
    op = str(body["op"])
    extra = set(body) - set(OPS[op]) - {"op"}
    if extra:
        raise BadRequest(f"unexpected field {sorted(extra)[0]!r} for {op}")
    values = {name: body.get(name, "") for name in OPS[op]}
    for name, value in values.items():
        if not isinstance(value, str) or len(value) > MAX_FIELD:
            raise BadRequest(f"{name} must be text of at most {MAX_FIELD} characters")
    if "id" in values and not values["id"]:
        raise BadRequest("say which submission (its id)")
    return op, values
