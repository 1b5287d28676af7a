"""When a post was published, as far as digest can believe it, whatever the clock of one run says.

Parses keep dates as feeds give them and never look at the clock (a parse is kept for as long as
its body is unchanged, so a clock that is wrong once would be wrong in it for good). The clock is
used here, after each build's save, and what it decides is undone by the next run with the right
time:
- a clock before EARLIEST_CLOCK (a flat CMOS battery's 2000) stops collect: nothing is stored;
- a first sight dated outside [EARLIEST_CLOCK, now + FUTURE_SLACK] was written by a run whose
  clock was wrong (2099): it becomes now;
- a post dated later than now + FUTURE_SLACK (a feed's typo, a scheduled post, or a first sight
  from that 2099 run) is treated as undated: it is dated when digest first saw it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.collect.store import Store
from digest.exceptions import DigestError
from digest.model import Item, Post

EARLIEST_CLOCK = datetime(2024, 1, 1, tzinfo=UTC)  # before this digest was written: the clock is wrong
FUTURE_SLACK = timedelta(days=1)  # a feed's date further ahead than this is not believed


def now() -> datetime:
    """The run's clock, to the second (the store keeps first sights to the second)."""
    return datetime.now(UTC).replace(microsecond=0)


def check_clock(moment: datetime) -> None:
    """Refuse to collect with a clock that cannot be right: what it stored would be wrong for good."""
    if moment < EARLIEST_CLOCK:
        raise DigestError(f"this computer's clock says {moment:%d %B %Y}, which cannot be right: "
                          "set its date and time, then build again (nothing was fetched or stored)")


def in_future(items: list[Item], moment: datetime) -> list[Post]:
    """The posts a feed dates later than FUTURE_SLACK from now (they are dated when first seen)."""
    return [item for item in items if isinstance(item, Post) and item.published > moment + FUTURE_SLACK]


def heal(store: Store, moment: datetime) -> None:
    """Put right what a run with a wrong clock stored, and date future posts by their first sight."""
    latest = moment + FUTURE_SLACK
    with store.transaction():
        store.db.execute("UPDATE items SET first_seen = ? WHERE first_seen > ? OR first_seen < ?",
                         (moment.isoformat(), latest.isoformat(), EARLIEST_CLOCK.isoformat()))
        store.db.execute(
            "UPDATE items SET published = datetime(first_seen), data = json_set(data, '$.published', first_seen) "
            "WHERE kind = 'post' AND published > ? AND json_valid(data)", (latest.strftime("%Y-%m-%d %H:%M:%S"),))
