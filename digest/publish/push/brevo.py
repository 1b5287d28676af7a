"""Brevo: an email campaign (a draft until it is sent or scheduled) with its HTML and preview text.

API: https://developers.brevo.com/reference/createemailcampaign — POST /emailCampaigns (name
and sender required), GET and PUT /emailCampaigns/{campaignId}, authenticated with the
`api-key` header. Brevo makes its own plain-text version.
"""

from __future__ import annotations

from typing import Any

from digest.exceptions import DigestError
from digest.publish.push.service import Content, Remote, Service, data_of

CAMPAIGNS = "https://app.brevo.com/camp/lists/email"  # Brevo's list of email campaigns, where the draft is


class Brevo(Service):
    name = "brevo"
    label = "Brevo"
    variables = ("BREVO_API_KEY",)
    api_url = "https://api.brevo.com/v3"
    where_lists = "Brevo shows each list's ID in Contacts → Lists"
    plain_text = False
    notes = ("Brevo makes its own plain-text version from the HTML",)

    @classmethod
    def where_keys(cls) -> str:
        return "make one in Brevo's SMTP & API → API keys"

    def access(self) -> dict[str, Any]:
        return {"headers": {"api-key": self.secrets["BREVO_API_KEY"]}}

    def check_list(self, list_id: str | int | None) -> None:
        if self.api.call("GET", f"/contacts/lists/{list_id}").status == 404:
            raise self.missing_list(list_id)

    def _body(self, content: Content) -> dict[str, Any]:
        if content.sender is None:
            raise DigestError("Brevo needs to know who the campaign is from: set sender = \"Our Network "
                              "<news@example.org>\" under [newsletter.push] (an address Brevo has verified)")
        name, address = content.sender
        return {"name": content.name, "subject": content.subject, "previewText": content.preview,
                "sender": {"name": name, "email": address} if name else {"email": address},
                "htmlContent": content.html, "recipients": {"listIds": [self.list_id(content.list)]}}

    def _remote(self, remote_id: str, status: str) -> Remote:
        return Remote(remote_id, status, status == "draft", CAMPAIGNS)

    def create(self, content: Content) -> Remote:
        answer = self.api.call("POST", "/emailCampaigns", self._body(content))
        return self._remote(str(data_of(answer.data, "id") or ""), "draft")

    def fetch(self, remote_id: str) -> Remote | None:
        answer = self.api.call("GET", f"/emailCampaigns/{remote_id}")
        return None if answer.status == 404 else self._remote(remote_id, str(data_of(answer.data, "status") or ""))

    def update(self, remote: Remote, content: Content) -> None:
        self.api.call("PUT", f"/emailCampaigns/{remote.id}", self._body(content))
