"""Loopback stand-ins for the email services' APIs, for the push tests: each keeps its campaigns,
records every call, checks the fields the service's documentation marks required and answers as
the service does. Faults on demand: `fake.faults` answers the next requests with a status of the
test's choice (a 429 with Retry-After, a 503…), `fake.delay` makes every answer late.

Mailchimp (https://mailchimp.com/developer/marketing/api/campaigns/): POST /3.0/campaigns needs
`type` and, with recipients, `recipients.list_id`; PATCH /3.0/campaigns/{id} needs `settings`
with `subject_line`, `from_name` and `reply_to`; PUT /3.0/campaigns/{id}/content; a campaign
not yet sent has the status "save". Basic auth with the key as the password.
Brevo (https://developers.brevo.com/reference/createemailcampaign): POST /v3/emailCampaigns needs
`name` and `sender` (with `email` or `id`); PUT /v3/emailCampaigns/{id} answers 204. `api-key` header.
listmonk and Buttondown have published OpenAPI documents: their stand-ins here only keep state,
and Prism (tests/publish/test_push_prism.py) checks their requests against the documents.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, Any]
Route = Callable[["Fake", re.Match[str], Any], Reply]
# Paths that would send, schedule, test or change the status of a campaign: a push must never call one.
FORBIDDEN = re.compile(r"/actions/|/send|/schedule|/test|/status|/publish|/sendNow|/sendTest|/sendReport")


@dataclass
class Call:
    method: str
    path: str
    body: Any
    headers: dict[str, str]


@dataclass
class Fake:
    """One service's API on 127.0.0.1: routes, state, the calls made and what broke its rules."""

    name: str
    routes: list[tuple[str, re.Pattern[str], Route]]
    authorised: Callable[[dict[str, str]], bool]
    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    faults: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    delay: float = 0.0
    lists: set[str] = field(default_factory=lambda: {"1", "abc123"})
    port: int = 0

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def reset(self) -> None:
        self.campaigns.clear()
        self.calls.clear()
        self.problems.clear()
        self.faults.clear()
        self.delay = 0.0

    def new_id(self) -> str:
        return str(100 + len(self.campaigns))

    def require(self, body: Any, *paths: str) -> list[str]:
        """The dotted paths in `paths` that the body lacks (recorded as problems)."""
        missing = []
        for path in paths:
            value = body
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value in (None, ""):
                missing.append(path)
        self.problems += [f"{self.name}: a request lacks the required {m}" for m in missing]
        return missing

    def answer(self, method: str, path: str, body: Any, headers: dict[str, str]) -> Reply:
        self.calls.append(Call(method, path, body, headers))
        if FORBIDDEN.search(path):
            self.problems.append(f"{self.name}: {method} {path} would send, schedule, test or change a status")
        if self.delay:
            time.sleep(self.delay)
        if self.faults:
            status, _ = self.faults[0]
            return status, {"detail": "injected fault", "message": "injected fault"}
        if not self.authorised(headers):
            return 401, {"title": "API Key Invalid", "detail": "Your API key may be invalid.", "message": "Key not found"}
        for verb, pattern, route in self.routes:
            if verb == method and (m := pattern.fullmatch(path)):
                return route(self, m, body)
        self.problems.append(f"{self.name}: no such endpoint {method} {path}")
        return 404, {"detail": "not found"}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        fake = self.server.fake
        status, data = fake.answer(self.command, self.path, body, {k.lower(): v for k, v in self.headers.items()})
        extra = {}
        if fake.faults:
            status, extra = fake.faults.pop(0)
        out = b"" if data is None or status == 204 else json.dumps(data).encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        if out:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up (a timeout test)
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, *args: object) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: Fake) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class Running:
    """A fake service served on 127.0.0.1 until stopped."""

    def __init__(self, fake: Fake) -> None:
        self.fake = fake
        self._server = _Server(fake)
        fake.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Fake:
        self._thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- the services -------------------------------------------------------------------------------

def _get(kind: str) -> Route:
    def route(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        found = fake.campaigns.get(m.group(1))
        return (200, kind_view(kind, found)) if found else (404, {"detail": "not found", "message": "not found"})
    return route


def kind_view(kind: str, campaign: dict[str, Any]) -> Any:
    """A campaign as each service's GET shows it."""
    return {"data": campaign} if kind == "listmonk" else campaign


def _list_route(fake: Fake, m: re.Match[str], body: Any) -> Reply:
    return (200, {"id": m.group(1), "data": {"id": m.group(1)}}) if m.group(1) in fake.lists \
        else (404, {"detail": "The requested resource could not be found.", "message": "List not found"})


def mailchimp(key: str) -> Fake:
    def create(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        if fake.require(body, "type") or (body.get("recipients") and fake.require(body, "recipients.list_id")):
            return 400, {"title": "Invalid Resource", "detail": "The resource submitted could not be validated."}
        ident = fake.new_id()
        settings = {"from_name": "Network (audience default)", "reply_to": "audience@example.org",
                    **body.get("settings", {})}
        fake.campaigns[ident] = {"id": ident, "web_id": int(ident) * 7, "status": "save", "settings": settings,
                                 "recipients": body.get("recipients", {}), "type": body["type"]}
        return 200, fake.campaigns[ident]

    def patch(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        campaign = fake.campaigns.get(m.group(1))
        if campaign is None:
            return 404, {"detail": "not found"}
        if fake.require(body, "settings", "settings.subject_line", "settings.from_name", "settings.reply_to"):
            return 400, {"title": "Invalid Resource", "detail": "settings are missing"}
        campaign["settings"].update(body["settings"])
        campaign["recipients"] = body.get("recipients", campaign["recipients"])
        return 200, campaign

    def content(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        campaign = fake.campaigns.get(m.group(1))
        if campaign is None:
            return 404, {"detail": "not found"}
        campaign["content"] = body
        return 200, {"html": body.get("html"), "plain_text": body.get("plain_text")}

    expected = "Basic " + base64.b64encode(f"digest:{key}".encode()).decode()
    return Fake("Mailchimp", [
        ("POST", re.compile(r"/3\.0/campaigns"), create),
        ("GET", re.compile(r"/3\.0/campaigns/(\w+)"), _get("mailchimp")),
        ("PATCH", re.compile(r"/3\.0/campaigns/(\w+)"), patch),
        ("PUT", re.compile(r"/3\.0/campaigns/(\w+)/content"), content),
        ("GET", re.compile(r"/3\.0/lists/(\w+)"), _list_route),
    ], lambda headers: headers.get("authorization", "").startswith("Basic ") and headers["authorization"] == expected)


def brevo(key: str) -> Fake:
    def valid(fake: Fake, body: Any, *required: str) -> bool:
        missing = fake.require(body, *required)
        sender = body.get("sender") if isinstance(body, dict) else None
        if isinstance(sender, dict) and not (sender.get("email") or sender.get("id")):
            fake.problems.append("Brevo: sender needs its email or id")
            return False
        return not missing

    def create(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        if not valid(fake, body, "name", "sender"):
            return 400, {"code": "missing_parameter", "message": "name and sender are required"}
        ident = fake.new_id()
        fake.campaigns[ident] = {"id": int(ident), "status": "draft", **body}
        return 201, {"id": int(ident)}

    def update(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        campaign = fake.campaigns.get(m.group(1))
        if campaign is None:
            return 404, {"code": "document_not_found", "message": "Campaign ID does not exist"}
        if not valid(fake, body):
            return 400, {"code": "invalid_parameter", "message": "sender"}
        campaign.update(body)
        return 204, None

    return Fake("Brevo", [
        ("POST", re.compile(r"/v3/emailCampaigns"), create),
        ("GET", re.compile(r"/v3/emailCampaigns/(\w+)"), _get("brevo")),
        ("PUT", re.compile(r"/v3/emailCampaigns/(\w+)"), update),
        ("GET", re.compile(r"/v3/contacts/lists/(\w+)"), _list_route),
    ], lambda headers: headers.get("api-key") == key)


def listmonk(user: str, token: str) -> Fake:
    def create(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        ident = fake.new_id()
        fake.campaigns[ident] = {"id": int(ident), "status": "draft", **body}
        return 200, {"data": fake.campaigns[ident]}

    def update(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        campaign = fake.campaigns.get(m.group(1))
        if campaign is None:
            return 404, {"message": "Campaign not found."}
        campaign.update(body)
        return 200, {"data": campaign}

    return Fake("listmonk", [
        ("POST", re.compile(r"/campaigns"), create),
        ("GET", re.compile(r"/campaigns/(\d+)"), _get("listmonk")),
        ("PUT", re.compile(r"/campaigns/(\d+)"), update),
        ("GET", re.compile(r"/lists/(\d+)"), _list_route),
    ], lambda headers: headers.get("authorization") == f"token {user}:{token}")


def buttondown(key: str) -> Fake:
    def create(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        ident = f"em_{len(fake.campaigns):026d}"
        fake.campaigns[ident] = {"id": ident, **body}
        return 201, fake.campaigns[ident]

    def update(fake: Fake, m: re.Match[str], body: Any) -> Reply:
        campaign = fake.campaigns.get(m.group(1))
        if campaign is None:
            return 404, {"detail": "not found"}
        campaign.update(body)
        return 200, campaign

    return Fake("Buttondown", [
        ("POST", re.compile(r"/emails"), create),
        ("GET", re.compile(r"/emails/(\w+)"), _get("buttondown")),
        ("PATCH", re.compile(r"/emails/(\w+)"), update),
    ], lambda headers: headers.get("authorization") == f"Token {key}")
