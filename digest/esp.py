"""Email-service presets: the unsubscribe and view-in-browser merge tags each service fills in.

The HTML goes through MRML, premailer and lxml, and lxml percent-encodes spaces in an href
(`{{ unsubscribe_url }}` would arrive as `{{%20unsubscribe_url%20}}`). So templates link to
harmless placeholder URLs and fill_html() swaps in the real tags after inlining. Campaign
Monitor's tags are elements rather than URLs (`<unsubscribe>…</unsubscribe>`), so there the
whole link is swapped. The plain-text twin gets the tags directly: it is never parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNSUBSCRIBE_PLACEHOLDER = "https://merge-tag.invalid/unsubscribe"
VIEW_ONLINE_PLACEHOLDER = "https://merge-tag.invalid/view-online"


@dataclass(frozen=True)
class Preset:
    """One service's merge tags, for the HTML (href) and for the plain-text twin."""

    name: str
    unsubscribe: str
    view_online: str
    text_unsubscribe: str = ""
    text_view_online: str = ""
    elements: bool = False  # the tags are elements wrapping the link text, not URLs

    @property
    def text_tags(self) -> tuple[str, str]:
        """(view online, unsubscribe) as the plain-text twin writes them."""
        return self.text_view_online or self.view_online, self.text_unsubscribe or self.unsubscribe


PRESETS: dict[str, Preset | None] = {
    # https://mailchimp.com/help/all-the-merge-tags-cheat-sheet/ — *|UNSUB|* (required), *|ARCHIVE|* (view in browser)
    "mailchimp": Preset("mailchimp", "*|UNSUB|*", "*|ARCHIVE|*"),
    # https://docs.buttondown.com/template-variables (source: github.com/buttondown/docs,
    # pages/odds-and-ends/template-variables.mdx) — {{ unsubscribe_url }}, {{ email_url }} (the permalink)
    "buttondown": Preset("buttondown", "{{ unsubscribe_url }}", "{{ email_url }}"),
    # https://help.brevo.com/ ("Add an unsubscribe link", "Add a mirror link") — {{ unsubscribe }}, {{ mirror }}
    "brevo": Preset("brevo", "{{ unsubscribe }}", "{{ mirror }}"),
    # https://listmonk.app/docs/templating/ — {{ UnsubscribeURL }}, {{ MessageURL }} (hosted version)
    "listmonk": Preset("listmonk", "{{ UnsubscribeURL }}", "{{ MessageURL }}"),
    # https://help.campaignmonitor.com/ ("Template language": <unsubscribe>…</unsubscribe> and
    # <webversion>…</webversion> wrap the link text; [unsubscribe] and [webversion] in the text version)
    "campaign-monitor": Preset("campaign-monitor", "unsubscribe", "webversion",
                               text_unsubscribe="[unsubscribe]", text_view_online="[webversion]", elements=True),
    # https://www.mailerlite.com/help ("How to add an unsubscribe link", "Variables") — {$unsubscribe}, {$url} (web version)
    "mailerlite": Preset("mailerlite", "{$unsubscribe}", "{$url}"),
    # No service: no unsubscribe or view-online line at all (a service that adds its own footer, or a test).
    "none": None,
}


def preset(name: str) -> Preset | None:
    """The preset called `name` (config/keys.py has already checked the name)."""
    return PRESETS[name]


def fill_html(html: str, chosen: Preset | None) -> str:
    """Replace the placeholder links of the footer with the service's merge tags."""
    if chosen is None:
        return html
    for placeholder, tag in ((UNSUBSCRIBE_PLACEHOLDER, chosen.unsubscribe), (VIEW_ONLINE_PLACEHOLDER, chosen.view_online)):
        if chosen.elements:
            link = re.compile(rf'<a\b([^>]*?)\s*href="{re.escape(placeholder)}"([^>]*)>(.*?)</a>', re.S)

            def element(m: re.Match[str], tag: str = tag) -> str:
                return f"<{tag}{m.group(1)}{m.group(2)}>{m.group(3)}</{tag}>"

            html = link.sub(element, html)
        else:
            html = html.replace(placeholder, tag)
    return html
