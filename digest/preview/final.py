"""What the desk says about the edition's life: published (so the page changes nothing), and each item's notice.

The rules are the edition's (digest/edition/lifecycle.py); this module only asks them for the page:
a published edition's draft is shown read-only with when it went out and how to correct it, an
event its calendar stopped listing says "cancelled since your draft", a post that arrived late
shows its note from the draft.
"""

from __future__ import annotations

from datetime import date

from digest.collect import snapshots
from digest.collect.store import Store
from digest.config.keys import Config
from digest.edition.lifecycle import PublishedError, cancelled, kept_drafted, refuse_if_published
from digest.model import Filled

LATE_NOTE = "<!-- arrived late:"  # the note `digest draft` puts under a late post's id (draft/write.py)


def published_refusal(config: Config, edition: date) -> str:
    """Why the desk changes nothing in this edition ("" while it is not published)."""
    with Store.beside(config.path) as store:
        try:
            refuse_if_published(store, config, edition, leaves="the desk changes nothing in its draft",
                                force_hint=f"change its draft in your text editor and run "
                                           f"`digest publish --date {edition} --force`")
        except PublishedError as exc:
            return exc.format_message()
    return ""


def notices(config: Config, edition: date, ids: list[str], heads: dict[str, str]) -> dict[str, str]:
    """Each item's notice by id: cancelled since the draft, else its late note (`heads`: its lines above the blurb)."""
    with Store.beside(config.path) as store:
        kept = snapshots.kept(store, edition)
        found = cancelled(store, config, [kept[i] for i in ids if i in kept])
    for item_id, head in heads.items():
        if item_id not in found and LATE_NOTE in head:
            found[item_id] = head[head.index(LATE_NOTE) + 5:].split("-->")[0].strip()
    return found


def keep_offered(config: Config, edition: date, filled: tuple[Filled, ...]) -> None:
    """The desk made or topped up the draft: keep the records of what it offers, as `digest draft` does."""
    with Store.beside(config.path) as store:
        kept_drafted(store, config, edition, filled, started_over=False)
