"""Fetching emailed stories: a folder of saved emails, or an IMAP folder, as one bundle to read.

A folder source (`url = "stories/"`) takes the .eml and .msg files in it, newest first; an IMAP
source (`url = "imaps://news%40example.org@mail.example.org/Stories"`) logs in over TLS with the
password in DIGEST_IMAP_PASSWORD (never sources.toml) and reads the folder without marking
anything read. Either way at most MAX_MESSAGES messages, within the source's size cap, are packed
into one body (readers/mail.py) so the rest of collect treats the mailbox like any feed: an
unchanged one is not parsed again, a failed one falls back to the last good copy.
"""

from __future__ import annotations

import hashlib
import imaplib
import os
import socket
import ssl
from pathlib import Path
from urllib.parse import unquote, urlsplit

from digest.collect.fetch import FetchResult, Limits, Request
from digest.collect.readers.mail import pack

MAX_MESSAGES = 200  # a month of a network's emailed stories, many times over
SUFFIXES = (".eml", ".msg")
PASSWORD_VARIABLE = "DIGEST_IMAP_PASSWORD"


def is_mailbox(request: Request) -> bool:
    """Whether a source is read here: an imaps:// address, or a folder."""
    return request.url.startswith("imaps://") or (request.path is not None and request.path.is_dir())


def fetch_mailbox(request: Request, limits: Limits) -> FetchResult:
    """The source's messages as one bundle; every failure a sentence the editor can act on."""
    if request.url.startswith("imaps://"):
        return _imap(request, limits)
    assert request.path is not None
    return _folder(request.path, request, limits)


def _bundle(request: Request, messages: list[tuple[str, bytes]], tag: str, where: str, truncated: bool) -> FetchResult:
    body = pack(messages)
    return FetchResult(request.name, "ok", wire=body, sha256=hashlib.sha256(body).hexdigest(), etag=tag,
                       final_url=where, truncated=truncated)


def _folder(folder: Path, request: Request, limits: Limits) -> FetchResult:
    try:
        files = [p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()]
        files.sort(key=lambda p: (-p.stat().st_mtime_ns, p.name))
        stats = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files[:MAX_MESSAGES]]
    except OSError as exc:
        return FetchResult(request.name, "failed", error=f"the folder {folder} cannot be read ({exc.strerror or exc}): "
                                                         "check its permissions")
    tag = "folder:" + hashlib.sha256(repr(stats).encode()).hexdigest()[:24]
    if request.etag == tag:
        return FetchResult(request.name, "not-modified", etag=tag, final_url=str(folder))
    messages: list[tuple[str, bytes]] = []
    size = 0
    for path in files[:MAX_MESSAGES]:
        try:
            data = path.read_bytes()
        except OSError:
            continue  # taken away while we read: the next build sees the folder as it is then
        if size + len(data) > limits.max_bytes:
            return _bundle(request, messages, tag, str(folder), True)
        messages.append((path.name, data))
        size += len(data)
    return _bundle(request, messages, tag, str(folder), len(files) > MAX_MESSAGES)


def shown_address(url: str) -> str:
    """An imaps:// address as the report shows it (it holds no password: that is refused in sources.toml)."""
    parts = urlsplit(url)
    return f"imaps://{parts.hostname}{parts.path or '/INBOX'}"


def _imap(request: Request, limits: Limits) -> FetchResult:
    parts = urlsplit(request.url)
    where = shown_address(request.url)
    user, host = unquote(parts.username or ""), parts.hostname or ""
    folder = unquote(parts.path.lstrip("/")) or "INBOX"

    def failed(error: str) -> FetchResult:
        return FetchResult(request.name, "failed", final_url=where, error=error)

    if not user or not host:
        return failed(f"{where}: write the address as imaps://user@host/Folder (an @ in the user name as %40)")
    if parts.password is not None:
        return failed(f"{where}: take the password out of sources.toml and set {PASSWORD_VARIABLE} instead")
    password = os.environ.get(PASSWORD_VARIABLE)
    if not password:
        return failed(f"{where}: set {PASSWORD_VARIABLE} to the mailbox's password (it is never read from sources.toml)")
    try:
        with imaplib.IMAP4_SSL(host, parts.port or 993, ssl_context=ssl.create_default_context(),
                               timeout=limits.connect_timeout) as imap:
            imap.sock.settimeout(limits.read_timeout)
            imap.login(user, password)
            status, _ = imap.select(_quoted(folder), readonly=True)
            if status != "OK":
                return failed(f"{where}: the mailbox has no folder {folder!r}: check its name (and capitals)")
            return _messages(imap, request, limits, where)
    except imaplib.IMAP4.error as exc:
        text = str(exc)
        if "auth" in text.lower() or "login" in text.lower():
            return failed(f"{where}: the mail server refused the login for {user}: check {PASSWORD_VARIABLE} and the user "
                          "name (some providers want an app password)")
        return failed(f"{where}: the mail server said no ({text}): check the address")
    except ssl.SSLError as exc:
        return failed(f"{host} has a broken or untrusted security certificate ({exc.reason or exc}): ask whoever runs "
                      "the mail server")
    except (socket.gaierror, ConnectionRefusedError):
        return failed(f"{host} cannot be reached on port {parts.port or 993}: check the address, or try again later")
    except (TimeoutError, OSError) as exc:
        return failed(f"{host} did not answer ({exc.strerror or exc}): try again later")


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _messages(imap: imaplib.IMAP4_SSL, request: Request, limits: Limits, where: str) -> FetchResult:
    """The newest MAX_MESSAGES messages of the selected folder, peeked at (nothing is marked read)."""
    _, found = imap.uid("SEARCH", "ALL")
    uids = (found[0] or b"").split()[-MAX_MESSAGES:]
    validity = imap.response("UIDVALIDITY")[1]
    tag = "imap:" + hashlib.sha256(repr((validity, uids)).encode()).hexdigest()[:24]
    if request.etag == tag:
        return FetchResult(request.name, "not-modified", etag=tag, final_url=where)
    messages: list[tuple[str, bytes]] = []
    size = 0
    for uid in reversed(uids):  # newest first, as a folder is read
        _, data = imap.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
        raw = next((part[1] for part in data if isinstance(part, tuple)), b"")
        if size + len(raw) > limits.max_bytes:
            return _bundle(request, messages, tag, where, True)
        messages.append((f"message {uid.decode()}", raw))
        size += len(raw)
    return _bundle(request, messages, tag, where, False)
