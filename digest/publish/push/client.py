"""Talking to an email service's API: httpx, retries for 429 and 5xx only, and every failure as one sentence.

A rate limit (429) or a server error (5xx) is worth waiting for: those are retried with
backoff (Retry-After honoured up to a minute). Anything else is the editor's to fix, so it
is said at once, naming what to fix: the key (401/403), the address (a refused connection, an
answer that is not the API's), the list, or what the service said was wrong (400/422).

A POST is retried on 429 and 503 only: a 500, 502 or 504 may come after the service made the
draft, and a second POST would make a second one. The API key is never part of a message:
messages name the environment variable that holds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from digest import __version__
from digest.exceptions import FailedError

USER_AGENT = f"digest/{__version__} (+https://pypi.org/project/network-digest/)"
MAX_RETRY_AFTER = 60.0  # seconds: a longer wait is the editor's to decide (push again later)
DETAIL_LIMIT = 200  # characters of the service's own explanation quoted in a message


class PushError(FailedError):
    """The service said no, or could not be reached: one sentence naming what to fix (exit code 1)."""


@dataclass(frozen=True)
class Patience:
    """How long to wait for an answer and how often to try again (tests make it short)."""

    timeout: float = 30.0
    attempts: int = 4
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


PATIENCE = Patience()


@dataclass(frozen=True)
class Answer:
    """A service's answer: its status and JSON body (None when there was none)."""

    status: int
    data: Any


def detail(response: httpx.Response) -> str:
    """What the service said was wrong, from the usual JSON fields, shortened."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    said = ""
    if isinstance(body, dict):
        for name in ("detail", "message", "error", "title", "code"):
            value = body.get(name)
            if isinstance(value, str) and value.strip():
                said = value
                break
            if isinstance(value, list | dict) and value:
                said = str(value)
                break
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            said = f"{said} {errors}".strip()
    said = " ".join(said.split()) or response.reason_phrase
    return said if len(said) <= DETAIL_LIMIT else said[:DETAIL_LIMIT - 1] + "…"


class Api:
    """One service's API at its base address, with its credentials in the headers (or auth)."""

    def __init__(self, label: str, base: str, *, key_names: str, headers: Mapping[str, str] | None = None,
                 auth: tuple[str, str] | None = None, patience: Patience = PATIENCE) -> None:
        self.label, self.base, self.key_names, self.patience = label, base.rstrip("/"), key_names, patience
        self._client = httpx.Client(headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
                                    auth=auth, timeout=httpx.Timeout(patience.timeout), follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, path: str, body: object | None = None) -> Answer:
        """Make one request (retrying 429/5xx); a 2xx or 404 answer, or PushError saying what to fix."""
        response = self._send(method, path, body)
        if response.status_code == 404 or response.is_success:
            data = None
            if response.content:
                try:
                    data = response.json()
                except ValueError:
                    data = None
                if data is None and response.is_success:
                    raise PushError(f"{self.base} does not answer like the {self.label} API (it sent "
                                    f"{response.headers.get('content-type', 'no content type')}): check --api-url "
                                    "(or api_url under [newsletter.push])")
            return Answer(response.status_code, data)
        raise self._refused(method, path, response)

    def _send(self, method: str, path: str, body: object | None) -> httpx.Response:
        url = self.base + path
        for attempt in range(1, self.patience.attempts + 1):
            try:
                response = self._client.request(method, url, json=body)
            except httpx.TimeoutException:
                made = " (it may have made the draft: look in " + self.label + " before pushing again)" \
                    if method == "POST" else ""
                raise PushError(f"{self.label} did not answer within {self.patience.timeout:g} s{made}: "
                                "try again later") from None
            except httpx.HTTPError as exc:
                raise PushError(f"cannot reach {self.label} at {self.base} ({_reason(exc)}): check --api-url "
                                "(or api_url under [newsletter.push]) and the internet connection") from None
            if not self._retry(method, response.status_code) or attempt == self.patience.attempts:
                return response
            self.patience.sleep(self._wait(response, attempt))
        raise AssertionError("unreachable: the last attempt returns")

    @staticmethod
    def _retry(method: str, status: int) -> bool:
        if status == 429:
            return True
        return status == 503 if method == "POST" else status >= 500

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        wait = self.patience.backoff * float(2 ** (attempt - 1))
        after = response.headers.get("Retry-After", "")
        if after.strip().isdigit():
            wait = max(wait, min(float(after), MAX_RETRY_AFTER))
        return wait

    def _refused(self, method: str, path: str, response: httpx.Response) -> PushError:
        status, said = response.status_code, detail(response)
        if status in (401, 403):
            return PushError(f"{self.label} refused the API key ({status}: {said}): check {self.key_names}")
        if status == 429:
            return PushError(f"{self.label} is limiting requests (429: {said}) and still was after "
                             f"{self.patience.attempts} tries: wait a few minutes, then push again")
        if status >= 500:
            return PushError(f"{self.label} failed ({status}: {said}) on {method} {path}: try again later"
                             + (" (look in it for a new draft first)" if method == "POST" else ""))
        return PushError(f"{self.label} did not take the draft ({status}: {said}): check what it says, "
                         "the list and the sender")


def _reason(exc: httpx.HTTPError) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(exc) or (str(cause) if cause else type(exc).__name__)
    return text.splitlines()[0] if text else type(exc).__name__
