"""Mailchimp: a regular campaign (status "save", a draft), then its HTML and plain text as custom content.

API: https://mailchimp.com/developer/marketing/api/campaigns/ — POST /campaigns (type and
recipients.list_id), PUT /campaigns/{id}/content (html, plain_text), GET and PATCH
/campaigns/{id} (an update's settings need subject_line, from_name and reply_to: the sender
from [newsletter.push], else what the campaign already has, which Mailchimp took from the
audience's defaults). Basic auth with the API key, whose suffix (`…-us21`) is the data centre
that names the API's address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from digest.exceptions import DigestError
from digest.publish.push.service import Content, Remote, Service, data_of

DRAFT = "save"  # Mailchimp's status of a campaign that has not been scheduled or sent


def data_centre(key: str) -> str:
    """The data centre a Mailchimp API key ends in ("…-us21" → "us21")."""
    _, dash, centre = key.rpartition("-")
    if not dash or not centre.isalnum():
        raise DigestError("MAILCHIMP_API_KEY does not end in its data centre (like -us21): copy the whole key "
                          "from Mailchimp's Profile → Extras → API keys")
    return centre


class Mailchimp(Service):
    name = "mailchimp"
    label = "Mailchimp"
    variables = ("MAILCHIMP_API_KEY",)
    api_url = "https://{dc}.api.mailchimp.com/3.0"
    list_word = "audience"
    list_numeric = False
    where_lists = "Mailchimp shows the audience ID in Audience → Settings → Audience name and defaults"

    @classmethod
    def where_keys(cls) -> str:
        return "make one in Mailchimp's Profile → Extras → API keys"

    @classmethod
    def base_url(cls, given: str | None, secrets: Mapping[str, str]) -> str:
        centre = data_centre(secrets["MAILCHIMP_API_KEY"])
        return given.rstrip("/") if given else f"https://{centre}.api.mailchimp.com/3.0"

    def access(self) -> dict[str, Any]:
        return {"auth": ("digest", self.secrets["MAILCHIMP_API_KEY"])}

    def check_list(self, list_id: str | int | None) -> None:
        if self.api.call("GET", f"/lists/{list_id}").status == 404:
            raise self.missing_list(list_id)

    def _settings(self, content: Content, known: Mapping[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {"subject_line": content.subject, "preview_text": content.preview,
                                    "title": content.name}
        name, address = content.sender or (known.get("from_name"), known.get("reply_to"))
        if name:
            settings["from_name"] = name
        if address:
            settings["reply_to"] = address
        return settings

    def _remote(self, data: Any) -> Remote:
        status = str(data_of(data, "status") or "")
        centre = data_centre(self.secrets["MAILCHIMP_API_KEY"])
        link = f"https://{centre}.admin.mailchimp.com/campaigns/edit?id={data_of(data, 'web_id') or ''}"
        return Remote(str(data_of(data, "id") or ""), status, status == DRAFT, link,
                      dict(data_of(data, "settings") or {}))

    def create(self, content: Content) -> Remote:
        body = {"type": "regular", "recipients": {"list_id": self.list_id(content.list)},
                "settings": self._settings(content, {})}
        return self._remote(self.api.call("POST", "/campaigns", body).data)

    def fill(self, remote: Remote, content: Content) -> None:
        self.api.call("PUT", f"/campaigns/{remote.id}/content", {"html": content.html, "plain_text": content.text})

    def fetch(self, remote_id: str) -> Remote | None:
        answer = self.api.call("GET", f"/campaigns/{remote_id}")
        return None if answer.status == 404 else self._remote(answer.data)

    def update(self, remote: Remote, content: Content) -> None:
        settings = self._settings(content, remote.settings)
        if not (settings.get("from_name") and settings.get("reply_to")):
            raise DigestError("Mailchimp needs the sender to update a draft: set sender = \"Our Network "
                              "<news@example.org>\" under [newsletter.push]")
        body = {"recipients": {"list_id": self.list_id(content.list)}, "settings": settings}
        self.api.call("PATCH", f"/campaigns/{remote.id}", body)
        self.fill(remote, content)
