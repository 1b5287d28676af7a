"""Collect's first step, the plan: which sources, for which window, and what the store already has.

Nothing is fetched or parsed here. The plan holds each source's stored state (its validators
for a conditional GET, the key of its last parse) and says, for a body, what its parse would
depend on (`BodyKey`): a body whose key matches the stored one is not parsed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from digest.collect.fetch import FetchResult, Request
from digest.collect.readers.registry import detect
from digest.collect.store import SourceState, Store
from digest.collect.wire import head
from digest.config.keys import Config, Source

WINDOWED = ("ical", "html")  # formats whose parse depends on the window
# What readers make of a body: bump it when that changes, and every body is parsed again once. 2: parses no
# longer depend on the clock (collect/dating.py), so none kept from a run with a wrong clock is trusted.
PARSE_VERSION = 2


class BodyKey(NamedTuple):
    """A body's hash, its format, and the key of its parse (the hash and everything else a parse depends on)."""

    body_hash: str
    format: str
    parsed: str


@dataclass
class Plan:
    """One build's collect, before anything is fetched."""

    config: Config
    window: tuple[datetime, datetime]
    states: dict[str, SourceState]
    refetch: bool
    _fetched_keys: dict[str, BodyKey] = field(default_factory=dict, repr=False)
    _by_name: dict[str, Source] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {s.name: s for s in self.config.sources}

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.config.sources

    def source(self, name: str) -> Source:
        return self._by_name[name]

    def requests(self) -> list[Request]:
        """What to fetch: every source, with the validators of the address it was last fetched from."""
        return [request_for(self.config, s, self.states.get(s.name)) for s in self.sources] if self.refetch else []

    def never_parsed(self) -> int:
        """Sources the store has no parse of: bodies known to need parsing before anything is fetched."""
        return sum(1 for s in self.sources if not (s.name in self.states and self.states[s.name].parsed_key))

    def key(self, body_hash: str, body_format: str) -> BodyKey:
        return BodyKey(body_hash, body_format, parsed_key(body_format, body_hash, self.config, self.window))

    def fetched_key(self, result: FetchResult) -> BodyKey:
        """A fetched body's key, worked out once per build (its format from its first bytes, without inflating it)."""
        if result.name not in self._fetched_keys:
            assert result.wire is not None and result.sha256 is not None
            self._fetched_keys[result.name] = self.key(result.sha256, detect(head(result.wire, result.coding)))
        return self._fetched_keys[result.name]

    def stored_key(self, state: SourceState, store: Store) -> BodyKey:
        """The stored body's key, from what the store keeps beside it (reading the body only if it must)."""
        if state.body_hash and state.format:
            return self.key(state.body_hash, state.format)
        body = store.body(state.name) or b""
        return self.key(hashlib.sha256(body).hexdigest(), detect(body))

    def unchanged(self, result: FetchResult) -> bool:
        """Whether a fetched body is the one last parsed (with the same settings): nothing to parse."""
        state = self.states.get(result.name)
        return state is not None and state.parsed_key == self.fetched_key(result).parsed


def plan(config: Config, store: Store, window: tuple[datetime, datetime], *, refetch: bool) -> Plan:
    """The plan of a build's collect: every source of `config`, what `store` holds of each, the window."""
    return Plan(config=config, window=window, states=store.states(), refetch=refetch)


def parsed_key(body_format: str, body_hash: str, config: Config, window: tuple[datetime, datetime]) -> str:
    """What a parse depends on besides the body: change any of it and the body is parsed again.

    Only calendars and pages are read for a window (recurrences are expanded over it; a page past
    readers/bounds.py's MAX_ITEMS keeps the events soonest from its start); feeds are not, so a
    feed that has not changed is not parsed again just because the edition date moved.
    """
    span = f"{window[0].isoformat()}|{window[1].isoformat()}" if body_format in WINDOWED else "any"
    basis = f"{PARSE_VERSION}|{body_hash}|{config.newsletter.summary_length}|{config.newsletter.timezone}|{span}"
    if body_format in ("form", "csv"):  # how a form's dates and columns are read
        columns = sorted((s.name, sorted(s.columns.items())) for s in config.sources if s.columns)
        basis += f"|{config.newsletter.language}|{columns}"
    return hashlib.sha256(basis.encode()).hexdigest()[:24]


def request_for(config: Config, source: Source, state: SourceState | None) -> Request:
    """A source's request: its URL or file, conditional when the store has validators for this same URL."""
    same_url = state is not None and state.url == source.url
    return Request(
        name=source.name,
        url=source.url,
        path=None if source.is_remote else config.source_path(source),
        etag=state.etag if same_url and state else None,
        last_modified=state.last_modified if same_url and state else None,
    )
