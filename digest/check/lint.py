"""`digest check`: every rule over one email, errors first (the rules and their codes: digest/check/__init__.py)."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from digest.check import rules
from digest.check.budget import check_size
from digest.check.caniemail import CLIENT_NAMES, DEFAULT_CLIENTS, check_features, outlook_fallbacks
from digest.check.document import parse
from digest.check.finding import Finding

DOCUMENT_RULES = (rules.check_head, rules.check_preheader, rules.check_resources, rules.check_links,
                  rules.check_link_text, rules.check_images, rules.check_headings, rules.check_font_size,
                  rules.check_contrast, rules.check_compliance)


def check_html(html: str, *, clients: Sequence[str] | None = None) -> list[Finding]:
    """All findings for one email, errors first; `clients` are CLIENT_NAMES keys (default DEFAULT_CLIENTS)."""
    clients = tuple(clients) if clients is not None else DEFAULT_CLIENTS
    if unknown := [c for c in clients if c not in CLIENT_NAMES]:
        raise ValueError(f"unknown email client(s) {', '.join(unknown)}; known: {', '.join(CLIENT_NAMES)}")
    findings = list(check_size(html))
    try:
        doc = parse(html)
    except (etree.ParserError, ValueError):
        return findings + [Finding("error", "parse", "the HTML is empty or cannot be parsed")]
    for rule in DOCUMENT_RULES:
        findings.extend(rule(doc))
    findings.extend(check_features(doc, clients, outlook_fallbacks(html)))
    unique = list(dict.fromkeys(findings))
    return [f for f in unique if f.severity == "error"] + [f for f in unique if f.severity == "warning"]

