"""[newsletter.push]: where `digest push` puts the edition as a draft (the service, its list, its address).

Only what is safe to commit lives here: the API keys are read from the environment by
digest/publish/push/, never from sources.toml, which is shared and often committed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.config.schema import key
from digest.urls import is_web_url

# The services `digest push` knows (digest/publish/push/ registers one module for each; a test holds them equal).
PUSH_SERVICES = ("listmonk", "buttondown", "mailchimp", "brevo")
_SENDER = re.compile(r"\s*(?:(?P<name>[^<>]*?)\s*<(?P<bracketed>[^<>\s]+@[^<>\s]+)>|(?P<bare>[^<>\s]+@[^<>\s]+))\s*")


def _service(value: str) -> str | None:
    if value in PUSH_SERVICES:
        return None
    return f"{value!r} is not a service `digest push` knows: use one of {', '.join(PUSH_SERVICES)}"


def _api_url(value: str) -> str | None:
    if not is_web_url(value):
        return f"{value!r} is not a web address: give the API's address, e.g. \"https://lists.example.org/api\""
    return None


def _list(value: str) -> str | None:
    return None if value.strip() else "is empty: give the list's ID as the service shows it, e.g. \"3\""


def sender_parts(value: str) -> tuple[str, str] | None:
    """("Name", "address") of a sender written "Name <address>" or "address"; None if it is neither."""
    m = _SENDER.fullmatch(value)
    if m is None:
        return None
    return (m.group("name") or "").strip().strip('"'), m.group("bracketed") or m.group("bare")


def _sender(value: str) -> str | None:
    if sender_parts(value) is None:
        return f"{value!r} is not a sender: write it as \"Our Network <news@example.org>\""
    return None


@dataclass(frozen=True)
class Push:
    """Where `digest push` puts the edition: its service, list and address (the key comes from the environment)."""

    esp: str | None = key(None, check=_service, example="mailchimp",
                          help="listmonk, buttondown, mailchimp or brevo: where `digest push` makes the draft "
                               "(not set: [newsletter] esp, when it is one of these)")
    list: str | None = key(None, check=_list, example="3",
                           help="the list (Mailchimp: audience) the draft is addressed to, by its ID in the service")
    easy_read_list: str | None = key(None, check=_list, example="4",
                                     help="the list the Easy Read draft is addressed to (not set: list)")
    api_url: str | None = key(None, check=_api_url, example="https://lists.example.org/api",
                              help="the service's API address: your own for listmonk (not set: the service's own)")
    sender: str | None = key(None, check=_sender, example="Our Network <news@example.org>",
                             help="who the email is from (Brevo needs one it has verified; not set: the service's "
                                  "default)")
