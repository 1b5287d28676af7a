"""What every email service's module provides: make a draft, read it back, update it. Never send.

A service module subclasses Service and is listed in registry.py: that table, not a chain of
ifs, is how `digest push --esp NAME` finds it. Each one speaks only to its service's draft
endpoints (create, read, update; Mailchimp's content); none has a send, schedule, test or
status call to make, so a push can never send anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from digest.exceptions import DigestError
from digest.publish.push.client import PATIENCE, Api, Patience, PushError


@dataclass(frozen=True)
class Content:
    """One draft as a service takes it."""

    name: str  # the campaign's name in the service's own list of campaigns
    subject: str
    preview: str  # the inbox preview text
    html: str
    text: str
    list: str | None
    sender: tuple[str, str] | None  # (name, address), from [newsletter.push] sender


@dataclass(frozen=True)
class Remote:
    """A draft as the service describes it."""

    id: str
    status: str
    draft: bool
    link: str
    settings: Mapping[str, Any] = field(default_factory=dict)  # what an update must send back (Mailchimp's sender)


class Service:
    """One email service's API; subclasses fill in the class attributes and the four calls."""

    name: ClassVar[str]  # as --esp writes it
    label: ClassVar[str]  # as the service writes its own name
    variables: ClassVar[tuple[str, ...]]  # the environment variables holding its credentials, as its own tools name them
    api_url: ClassVar[str | None]  # its API's base address (None: each user's own server, listmonk)
    list_word: ClassVar[str] = "list"  # what the service calls a list (Mailchimp: audience); "" takes none
    list_numeric: ClassVar[bool] = True  # its list IDs are numbers
    where_lists: ClassVar[str] = ""  # where the editor finds a list's ID in the service
    plain_text: ClassVar[bool] = True  # it takes our plain-text twin (else it makes its own)
    notes: ClassVar[tuple[str, ...]] = ()  # what the editor should know after a push

    def __init__(self, secrets: Mapping[str, str], base: str, patience: Patience = PATIENCE) -> None:
        self.secrets, self.base = secrets, base
        self.api = Api(self.label, base, key_names=" and ".join(self.variables), patience=patience, **self.access())

    @classmethod
    def credentials(cls, environ: Mapping[str, str]) -> dict[str, str]:
        """Its credentials from the environment, or DigestError naming the variables to set."""
        missing = [name for name in cls.variables if not environ.get(name, "").strip()]
        if missing:
            names = " and ".join(missing)
            raise DigestError(f"set {names} in the environment to push to {cls.label} (never in sources.toml): "
                              f"{cls.where_keys()}")
        return {name: environ[name].strip() for name in cls.variables}

    @classmethod
    def where_keys(cls) -> str:
        """Where the editor finds the key in the service."""
        return "the key is in the service's settings"

    @classmethod
    def base_url(cls, given: str | None, secrets: Mapping[str, str]) -> str:
        """The API's base address: --api-url / api_url when given, else the service's own."""
        if given:
            return given.rstrip("/")
        if cls.api_url is None:
            raise DigestError(f"{cls.label} runs on your own server: give its API address with --api-url "
                              "(e.g. https://lists.example.org/api) or api_url under [newsletter.push]")
        return cls.api_url

    def access(self) -> dict[str, Any]:
        """The Api's headers and auth carrying the credentials."""
        raise NotImplementedError

    def list_id(self, value: str | None) -> str | int | None:
        """The list as the API takes it; DigestError when this service needs one and has none, or takes none."""
        if not self.list_word:
            if value:
                raise DigestError(f"{self.label} has no lists (each API key is one newsletter): leave out --list "
                                  "and list under [newsletter.push], and choose who gets it in " + self.label)
            return None
        if not value:
            raise DigestError(f"which {self.list_word}? Give its ID with --list (or list under [newsletter.push]): "
                              f"{self.where_lists}")
        if self.list_numeric:
            if not value.strip().isdigit():
                raise DigestError(f"--list {value!r}: a {self.label} {self.list_word} ID is a number "
                                  f"({self.where_lists})")
            return int(value)
        return value.strip()

    def check_list(self, list_id: str | int | None) -> None:
        """Make sure the list exists before anything is made (a read-only call)."""

    def create(self, content: Content) -> Remote:
        """Make the draft; its id is recorded before fill() runs."""
        raise NotImplementedError

    def fill(self, remote: Remote, content: Content) -> None:
        """What a service takes in a second call after creating the draft (Mailchimp's content)."""

    def fetch(self, remote_id: str) -> Remote | None:
        """The draft as the service has it now; None when it is gone (deleted)."""
        raise NotImplementedError

    def update(self, remote: Remote, content: Content) -> None:
        """Replace the draft's subject, preview text, content and list."""
        raise NotImplementedError

    def missing_list(self, list_id: str | int | None) -> PushError:
        return PushError(f"{self.label} has no {self.list_word} {list_id}: check --list (or list under "
                           f"[newsletter.push]): {self.where_lists}")

    def close(self) -> None:
        self.api.close()


def data_of(answer: Any, *keys: str) -> Any:
    """A field of an answer's JSON (through nested objects), or None."""
    for key in keys:
        if not isinstance(answer, Mapping):
            return None
        answer = answer.get(key)
    return answer
