"""Buttondown: an email with status "draft", its HTML as the body and the preview text as its description.

API: https://docs.buttondown.com/api-emails-introduction (POST /emails, GET and PATCH
/emails/{id}), authenticated with `Authorization: Token KEY`. An API key is one newsletter, so
there is no list; Buttondown makes its own plain-text version and adds its own footer.
"""

from __future__ import annotations

from typing import Any

from digest.publish.push.service import Content, Remote, Service, data_of


class Buttondown(Service):
    name = "buttondown"
    label = "Buttondown"
    variables = ("BUTTONDOWN_API_KEY",)
    api_url = "https://api.buttondown.com/v1"
    list_word = ""
    plain_text = False
    notes = ("Buttondown makes its own plain-text version and adds its own footer with the unsubscribe link",)

    @classmethod
    def where_keys(cls) -> str:
        return "Buttondown shows the key in Settings → API"

    def access(self) -> dict[str, Any]:
        return {"headers": {"Authorization": f"Token {self.secrets['BUTTONDOWN_API_KEY']}"}}

    def _remote(self, data: Any) -> Remote:
        status = str(data_of(data, "status") or "")
        remote_id = str(data_of(data, "id") or "")
        return Remote(remote_id, status, status == "draft", f"https://buttondown.com/emails/{remote_id}")

    def create(self, content: Content) -> Remote:
        body = {"subject": content.subject, "body": content.html, "description": content.preview, "status": "draft"}
        return self._remote(self.api.call("POST", "/emails", body).data)

    def fetch(self, remote_id: str) -> Remote | None:
        answer = self.api.call("GET", f"/emails/{remote_id}")
        return None if answer.status == 404 else self._remote(answer.data)

    def update(self, remote: Remote, content: Content) -> None:
        body = {"subject": content.subject, "body": content.html, "description": content.preview}
        self.api.call("PATCH", f"/emails/{remote.id}", body)
