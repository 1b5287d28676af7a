"""Where each service's draft of an edition is: a small JSON file beside the edition's draft.

editions/<date>.push.json holds, for each service, variant ("newsletter" or "easy-read") and
API address, the id of the draft `digest push` made, so pushing again updates that draft.
It lives beside the draft rather than in the store because it belongs to the edition, as
the draft does: it goes where the editions/ folder goes (a copy, a backup, another computer),
survives `digest repair` (which rebuilds the store from what it can read) and shows the editor
where the edition went; deleting it is the same as `--new`. It holds ids and links, never a key.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from digest.exceptions import DigestError
from digest.write import write_atomic


@dataclass(frozen=True)
class Pushed:
    """One draft made in a service."""

    service: str
    variant: str  # "newsletter" or "easy-read"
    api: str  # the API's address: a draft is only found again in the same account
    id: str
    link: str
    at: str  # when it was last pushed (UTC, ISO 8601)

    def same_place(self, other: Pushed) -> bool:
        return (self.service, self.variant, self.api) == (other.service, other.variant, other.api)


def read(path: Path) -> list[Pushed]:
    """The drafts recorded for an edition (none when there is no record)."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["drafts"]
        return [Pushed(**{k: str(row[k]) for k in Pushed.__dataclass_fields__}) for row in rows]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DigestError(f"{path} cannot be read ({type(exc).__name__}: {exc}): delete it and push with --new "
                          "(then delete the older draft in the email service)") from None


def find(path: Path, wanted: Pushed) -> Pushed | None:
    """The draft recorded for the same service, variant and API address as `wanted`."""
    return next((p for p in read(path) if p.same_place(wanted)), None)


def save(path: Path, pushed: Pushed) -> None:
    """Record a draft (replacing the one recorded for the same place)."""
    rows = [p for p in read(path) if not p.same_place(pushed)] + [pushed]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"drafts": [asdict(p) for p in rows]}, indent=2) + "\n")
