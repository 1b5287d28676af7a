"""What readers see of a member's submission: the sender's credit, and never their address or phone.

A member's form response or email often ends "call me on 07700 900123" or carries a signature
with their address: the newsletter goes to hundreds of people, so every address and phone
number in a submission's text is replaced by a note saying it was removed, and mailto: links
are unlinked. The editor can type one back in at the desk (their edits are not redacted).
Phone numbers are found with phonenumbers (Google's libphonenumber), as numbers of the
newsletter's country or with an international prefix; addresses by their shape.
"""

from __future__ import annotations

import html as htmllib
import re
from functools import cache

from lxml import html as lxml_html

from digest.sanitize import DROPPED_WITH_CONTENT, TITLE_LIMIT, clean_html, clean_line, text_to_html

EMAIL_REMOVED = "(email address removed)"
PHONE_REMOVED = "(phone number removed)"
_EMAIL = re.compile(r"(?<![\w.+-])(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)


@cache
def _phones() -> object:
    import phonenumbers  # ~30 ms: loaded by the first submission, not by every build

    return phonenumbers


def redact(text: str, region: str = "GB") -> str:
    """Plain text with every email address and phone number replaced by a note that it was removed."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_REMOVED, text)
    if sum(c.isdigit() for c in text) < 7:  # no phone number is shorter: the common case costs nothing
        return text
    phonenumbers = _phones()
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)  # type: ignore[attr-defined]
    out, at = [], 0
    for match in matcher:
        out += [text[at:match.start], PHONE_REMOVED]
        at = match.end
    return "".join(out) + text[at:]


def typed_html(text: str, region: str = "GB") -> str:
    """What a member typed (a form's answer, a plain-text email) as safe paragraphs, nothing private in them.

    Markup typed into a form is never meant as text: tags go (scripts and styles with their content),
    so `<img onerror=…>` or `<a href="javascript:…">` leave no trace, not even as visible text.
    """
    import nh3

    untagged = htmllib.unescape(nh3.clean(text or "", tags=set(), clean_content_tags=DROPPED_WITH_CONTENT))
    return redact_html(text_to_html(untagged), region)


def redact_html(fragment: str, region: str = "GB") -> str:
    """Sanitised HTML with addresses and phone numbers removed from its text and mailto: links unlinked."""
    if not fragment or not (_EMAIL.search(fragment) or sum(c.isdigit() for c in fragment) >= 7):
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for link in root.iter("a"):
        href = link.get("href", "")
        if href.lower().startswith(("mailto:", "tel:")) or _EMAIL.search(htmllib.unescape(href)):
            link.attrib.pop("href", None)
    for node in root.iter():
        if node.text:
            node.text = redact(node.text, region)
        if node is not root and node.tail:
            node.tail = redact(node.tail, region)
    inner = htmllib.escape(root.text or "", quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root)
    return clean_html(inner)



def person(text: str, limit: int = 120) -> str:
    """A name or organisation as typed into a form or an email's From: one line, nothing private in it."""
    return clean_line(redact(text), limit).replace(EMAIL_REMOVED, "").replace(PHONE_REMOVED, "").strip(" ,;<>()\"'")


def credit(name: str, organisation: str) -> str:
    """The "Shared by <name>, <organisation>" line that ends an approved submission ("" when neither is known)."""
    who = ", ".join(part for part in (person(name), person(organisation)) if part)
    return f"<p><em>Shared by {htmllib.escape(clean_line(who, TITLE_LIMIT))}</em></p>" if who else ""
