"""Emailed stories: a bundle of saved emails (.eml, Outlook's .msg) read into one post per message.

A folder of saved emails or an IMAP folder reaches a reader as one body, a bundle
(digest/collect/mailbox.py packs it): this magic line, then for each message a line
`<name>\t<size>` and its bytes. One body per source keeps collect's rules for it: unchanged
bundles are not parsed again, and a parse runs in a worker like any feed's.

Each message: subject → title, the text part (else the HTML part, sanitised) → the blurb, the
first web link in it → the link, its Date → the post's date. A signature after "-- " is left
out, and every address and phone number in the text is removed (private.py). The sender's name
(and the Organization header) make the "Shared by" line; their address and the names of any
attachments go to the editor only (model.Sender): attachments are never sent. Outlook's .msg is
read with extract-msg, which turns it into the same email message.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import replace
from datetime import UTC
from email.utils import getaddresses, parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from lxml import html as lxml_html

from digest.collect.normalize import RawEntry, Skip, normalize_post
from digest.collect.readers.private import credit, person, redact, redact_html, typed_html
from digest.collect.readers.spec import MAX_SKIP_PROBLEMS, ReadContext, Reader
from digest.model import ReadResult, Sender
from digest.sanitize import clean_html, clean_line

if TYPE_CHECKING:
    from email.message import EmailMessage

MAGIC = b"digest-mail-bundle/1\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Outlook .msg is an OLE compound file
_LINK = re.compile(r"https?://[^\s<>\"')\]]+", re.I)
_SIGNATURE = re.compile(r"\n-- ?\n.*\Z", re.S)  # the usual signature line, "-- "


def pack(messages: list[tuple[str, bytes]]) -> bytes:
    """Messages (a name for the editor, the raw bytes) as one bundle."""
    out = bytearray(MAGIC)
    for name, data in messages:
        out += f"{quote(name, safe=' ')}\t{len(data)}\n".encode() + data + b"\n"
    return bytes(out)


def unpack(body: bytes) -> list[tuple[str, bytes]]:
    """A bundle's messages; a bundle cut short (the size cap) keeps the whole messages before the cut."""
    messages, at = [], len(MAGIC)
    while at < len(body):
        end = body.find(b"\n", at)
        if end < 0:
            break
        name, _, size = body[at:end].decode("utf-8", "replace").partition("\t")
        if not size.isdigit() or end + 1 + int(size) > len(body):
            break
        messages.append((unquote(name), body[end + 1:end + 1 + int(size)]))
        at = end + 2 + int(size)
    return messages


def message_of(data: bytes) -> EmailMessage:
    """A saved email as a message: .eml with the email package, .msg through extract-msg."""
    import email.policy  # loaded with the first email read, not by every build (its header classes: ~15 ms)
    from email.message import EmailMessage
    if data.startswith(OLE):
        import extract_msg  # loaded only when there is a .msg to read

        try:
            with extract_msg.openMsg(data, strict=False) as msg:
                if not isinstance(msg, extract_msg.Message):
                    raise Skip("it is an Outlook item but not an email (a contact or a meeting?): save the email itself")
                converted = msg.asEmailMessage().as_bytes()  # parsed again: its parts are the email package's old kind
        except Skip:
            raise
        except Exception as exc:  # noqa: BLE001 - extract-msg raises its own many kinds for a damaged file
            raise Skip(f"it is not an Outlook message extract-msg can read ({type(exc).__name__})") from None
        data = converted
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _text_and_link(msg: EmailMessage) -> tuple[str, str | None]:
    """The message's words as sanitised HTML, and the first web link in them."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "", None
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset, a broken encoding
        content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")  # type: ignore[union-attr]
    content = str(content).replace("\r\n", "\n")
    if part.get_content_subtype() == "html":
        fragment = clean_html(content)
        root = lxml_html.fragment_fromstring(fragment or "<p></p>", create_parent="div")
        link = next((a.get("href") for a in root.iter("a") if (a.get("href") or "").startswith("http")), None)
        return fragment, link
    content = _SIGNATURE.sub("", content)
    found = _LINK.search(content)
    return typed_html(content), found.group(0).rstrip(".,;:") if found else None


def _attachments(msg: EmailMessage) -> tuple[str, ...]:
    names = []
    for part in msg.walk():  # attachments can sit inside a multipart/related (Outlook's)
        if part.get_content_disposition() != "attachment":
            continue
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        names.append(f"{clean_line(part.get_filename() or 'unnamed', 120)} ({max(1, round(size / 1024))} KB)")
    return tuple(names)


def read_message(name: str, data: bytes, ctx: ReadContext, result: ReadResult) -> None:
    """One message as a post, its sender beside it."""
    msg = message_of(data)
    senders = getaddresses([str(msg.get("from", ""))])
    shown, address = senders[0] if senders else ("", "")
    when = None
    with contextlib.suppress(TypeError, ValueError):
        when = parsedate_to_datetime(str(msg["date"])) if msg["date"] else None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=ctx.tz)
    story, link = _text_and_link(msg)
    story = redact_html(story)
    ident = str(msg.get("message-id", "")).strip() or hashlib.sha256(data).hexdigest()
    undated: list[str] = []
    raw = RawEntry(title=redact(str(msg.get("subject", ""))), title_is_html=True, link=link,
                   guid="mail:" + hashlib.sha256(ident.encode()).hexdigest()[:24], published=when, summary_html=story)
    post = normalize_post(raw, source=ctx.source, summary_length=ctx.summary_length, undated=undated)
    organisation = str(msg.get("organization", ""))
    post = replace(post, summary_html=post.summary_html + credit(shown, organisation))
    result.items.append(post)
    result.undated += undated
    result.senders[post.id] = Sender(
        name=person(shown), organisation=person(organisation), email=address if "@" in address else "",
        received=when.astimezone(UTC) if when else None, origin=name, attachments=_attachments(msg))


def read_mail(body: bytes, ctx: ReadContext) -> ReadResult:
    """Every message of a bundle; one that cannot be read is skipped and named."""
    result = ReadResult(format="mail")
    for name, data in unpack(body):
        try:
            read_message(name, data, ctx, result)
        except Skip as why:
            result.skipped += 1
            if len(result.problems) < MAX_SKIP_PROBLEMS:
                result.problems.append(f"{name}: {why}")
    return result


READER = Reader("mail", lambda head: head.raw.startswith(MAGIC.rstrip()), read_mail)


def read_saved(name: str, data: bytes, ctx: ReadContext) -> ReadResult:
    """One saved email on its own (dropped on the desk), read as a bundle of one would be."""
    return read_mail(pack([(name, data)]), ctx)

