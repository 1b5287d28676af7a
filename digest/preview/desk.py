"""The editor's desk behind the preview page: the draft as the page sees it, and the page's changes.

The draft file stays the source of truth. The page reads it (with a version: the hash of its
bytes), and every change it asks for names the version it saw: if the file changed on disk since
(an edit in a text editor, another tab), the change is refused and the page reloads the file,
so the file's own edits always win. Each change is checked for shape here, made by draft/edit.py
and written atomically; only files in editions/ are ever written.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.edition.draft import DraftError, easy, edit
from digest.edition.draft.merge import merge_draft, write_draft
from digest.edition.draft.parse import parse_draft, read_draft_text
from digest.exceptions import DigestError
from digest.preview.final import keep_offered, notices, published_refusal
from digest.render.views import markdown
from digest.write import write_atomic

if TYPE_CHECKING:
    from digest.config.keys import Config
    from digest.preview.builds import Previewer

MAX_TITLE = 500
MAX_TEXT = 20_000
MAX_INDEX = 10_000
UNDO_DEPTH = 50
# Each change: the fields it takes, with their types; a request with any other field is refused.
OPS: dict[str, dict[str, type]] = {
    "move": {"section": int, "item": int, "to_section": int, "to_index": int},
    "drop": {"section": int, "item": int},
    "title": {"section": int, "item": int, "title": str},
    "blurb": {"section": int, "item": int, "text": str},
    "intro": {"text": str},
    "add": {"section": int, "title": str, "url": str, "date": str, "text": str},
    "easy": {"section": int, "item": int, "title": str, "text": str},  # the Easy Read tab: in, with its easy words
    "plain": {"section": int, "item": int},  # the Easy Read tab: out
    "undo": {},
    "topup": {},
    "create": {},
    "subject": {"text": str},  # the hand-off's subject line and preview text (preview/handoff.py shows them)
    "preview": {"text": str},
}


class BadRequest(DigestError):
    """A request that is not of the expected shape: 400."""


class Conflict(DigestError):
    """The draft changed on disk since the page read it: 409, and the page reloads it."""


class Refused(DigestError):
    """A change the desk will not make (no draft, or a draft outside editions/): 403."""


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def checked(body: object) -> tuple[str, str, dict[str, Any]]:
    """(op, version, fields) from a request body, or BadRequest saying what is wrong with it."""
    if not isinstance(body, dict):
        raise BadRequest("expected a JSON object")
    op, version = body.get("op"), body.get("version", "")
    if not isinstance(op, str) or op not in OPS:
        raise BadRequest(f"op must be one of {', '.join(OPS)}")
    if not isinstance(version, str) or len(version) > 64:
        raise BadRequest("version must be the draft's version as the page read it")
    fields = OPS[op]
    extra = set(body) - set(fields) - {"op", "version"}
    if extra:
        raise BadRequest(f"unexpected field {sorted(extra)[0]!r} for {op}")
    values: dict[str, Any] = {}
    for name, kind in fields.items():
        value = body.get(name)
        if kind is int and not (type(value) is int and 0 <= value < MAX_INDEX):
            raise BadRequest(f"{name} must be a whole number from 0 to {MAX_INDEX - 1}")
        limit = MAX_TITLE if name in ("title", "url", "date") else MAX_TEXT
        if kind is str and not (isinstance(value, str) and len(value) <= limit):
            raise BadRequest(f"{name} must be text of at most {limit} characters")
        values[name] = value
    return op, version, values


def writable(config: Config, path: Path) -> bool:
    """Only a Markdown file in the editions/ folder beside sources.toml (links followed) is written."""
    folder = config.workspace.editions.resolve()
    target = path.resolve()
    return target.suffix == ".md" and target.parent == folder


class Desk:
    """The page's view of the draft and the changes it makes, one at a time."""

    def __init__(self, previewer: Previewer) -> None:
        self.previewer = previewer
        self._lock = threading.Lock()
        self._undo: list[tuple[str, str]] = []  # (before, after) of each change the page made

    def _where(self) -> tuple[Config, date, Path | None]:
        config, edition = self.previewer.config, self.previewer.edition_date
        if config is None or edition is None:
            raise Refused("nothing has been built yet")
        return config, edition, self.previewer.draft

    def state(self, message: str = "") -> dict[str, Any]:
        """The draft as the page shows it: sections, items (blurbs as written), version, any error."""
        config, edition, path = self._where()
        if path is None:
            would = config.workspace.draft(edition)
            return {"draft": None, "path": _shown(config, would), "message": message,
                    "can_create": not self.previewer.from_feeds and writable(config, would)}
        text = read_draft_text(path)
        published = published_refusal(config, edition)  # a published edition is shown, never changed
        state: dict[str, Any] = {"draft": _shown(config, path), "version": version_of(text), "message": message,
                                 "writable": writable(config, path) and not published, "sections": [], "intro": "",
                                 "can_undo": bool(self._undo) and self._undo[-1][1] == text, "published": published}
        try:
            draft = parse_draft(text, path, config)
        except DraftError as exc:
            state["error"] = exc.format_message()
            return state
        lines = text.split("\n")

        def written(span: tuple[int, int]) -> str:
            return "\n".join(lines[span[0]:span[1]])

        state["intro"] = written(draft.intro_span)
        state["intro_html"] = markdown(draft.intro)  # as readers see it; the Markdown only behind "Edit"
        told = notices(config, edition, draft.ids, {i.id: written((i.span[0], i.body[0])) for s in draft.sections
                                                    for i in s.items if i.id})
        state["sections"] = [
            {"title": s.section.title, "kind": s.section.kind, "html": markdown(s.body),
             "items": [{"title": i.title, "url": i.url or "", "meta": i.meta, "text": written(i.body),
                        "html": markdown(i.text), "id": i.id or "", "new": i.new, "line": i.line,
                        "easy": bool(i.easy_line), "easy_title": i.easy_title, "easy_text": i.easy,
                        "notice": told.get(i.id or "", "")} for i in s.items]}
            for s in draft.sections]
        return state

    def change(self, body: object) -> dict[str, Any]:
        """Make one change the page asked for and write the draft; the new state."""
        op, version, values = checked(body)
        with self._lock:
            config, edition, path = self._where()
            if refusal := published_refusal(config, edition):
                raise Refused(refusal)
            if op == "create":
                return self._create(config, edition, path)
            if path is None:
                raise Refused("there is no draft yet: make one first")
            if not writable(config, path):
                raise Refused(f"{path} is not in the editions/ folder beside {config.path.name}: "
                              "the page shows it but does not change it")
            text = read_draft_text(path)
            if version != version_of(text):
                raise Conflict("the draft changed on disk since the page read it: the page now shows the file")
            new, message = self._apply(op, values, text, path, config)
            if new != text:
                if version_of(read_draft_text(path)) != version:  # an editor saved while we worked
                    raise Conflict("the draft changed on disk since the page read it: the page now shows the file")
                write_atomic(path, new)
                if op == "undo":
                    self._undo.pop()
                else:
                    self._undo = (self._undo + [(text, new)])[-UNDO_DEPTH:]
            return self.state(message)

    def _apply(self, op: str, v: dict[str, Any], text: str, path: Path, config: Config) -> tuple[str, str]:
        place = (v.get("section", 0), v.get("item", 0))
        changes: dict[str, Callable[[], str]] = {
            "move": lambda: edit.move_item(text, path, config, place, v["to_section"], v["to_index"]),
            "drop": lambda: edit.drop_item(text, path, config, place),
            "title": lambda: edit.set_title(text, path, config, place, v["title"]),
            "blurb": lambda: edit.set_blurb(text, path, config, place, v["text"]),
            "intro": lambda: edit.set_intro(text, path, config, v["text"]),
            "subject": lambda: edit.set_header(text, path, config, "subject", v["text"]),
            "preview": lambda: edit.set_header(text, path, config, "preview", v["text"]),
            "easy": lambda: easy.set_easy(text, path, config, place, v["title"], v["text"]),
            "plain": lambda: easy.clear_easy(text, path, config, place),
            "add": lambda: edit.add_item(text, path, config, v["section"], title=v["title"], url=v["url"],
                                         day=v["date"], blurb=v["text"]),
        }
        if op == "undo":
            if not self._undo or self._undo[-1][1] != text:
                raise Conflict("nothing to undo: the draft has changed since the last change made here")
            return self._undo[-1][0], "Undone."
        if op == "topup":
            from digest.edition.pipeline import build_edition

            draft = parse_draft(text, path, config)
            built = build_edition(config, draft.edition, refetch=False)  # the draft's own date (--edition FILE)
            merged, added = merge_draft(text, draft, config, built.sections, built.notes)
            keep_offered(config, draft.edition, built.sections)
            return merged, (f"Added {len(added)} new item{'s' if len(added) != 1 else ''} from the feeds, marked new."
                            if added else "Nothing new in the feeds since the draft was made.")
        return changes[op](), ""

    def _create(self, config: Config, edition: date, path: Path | None) -> dict[str, Any]:
        snap = self.previewer.snapshot
        if path is not None:
            raise Refused("the draft already exists")
        if self.previewer.from_feeds or snap.edition is None or not writable(config, config.workspace.draft(edition)):
            raise Refused("this preview cannot make a draft (it was started with --from-feeds)")
        outcome = write_draft(config, edition, snap.edition.sections, notes=snap.edition.notes)
        keep_offered(config, edition, snap.edition.sections)
        self.previewer.draft = outcome.path
        return self.state(f"Wrote {_shown(config, outcome.path)}: edit it here or in any text editor.")


def _shown(config: Config, path: Path) -> str:
    return str(path.relative_to(config.root)) if path.is_relative_to(config.root) else str(path)
