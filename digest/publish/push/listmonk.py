"""listmonk (self-hosted): a campaign in its Raw HTML format, with the plain-text twin as its alternative body.

API: https://listmonk.app/docs/apis/campaigns/ (POST /campaigns, GET and PUT /campaigns/{id}),
authenticated with an API user and its token (`Authorization: token user:token`). listmonk
has no preview-text field: the HTML's own preheader is what inboxes show.
"""

from __future__ import annotations

from typing import Any

from digest.publish.push.service import Content, Remote, Service, data_of


class Listmonk(Service):
    name = "listmonk"
    label = "listmonk"
    variables = ("LISTMONK_API_USER", "LISTMONK_API_TOKEN")
    api_url = None
    where_lists = "listmonk shows each list's ID in Lists"
    notes = ("listmonk puts the HTML inside the campaign's template: choose one that holds only "
             "{{ template \"content\" . }}, so the newsletter is not wrapped twice",)

    @classmethod
    def where_keys(cls) -> str:
        return "make an API user and its token in listmonk's Admin → Users"

    def access(self) -> dict[str, Any]:
        user, token = (self.secrets[name] for name in self.variables)
        return {"headers": {"Authorization": f"token {user}:{token}"}}

    def check_list(self, list_id: str | int | None) -> None:
        if self.api.call("GET", f"/lists/{list_id}").status == 404:
            raise self.missing_list(list_id)

    def _body(self, content: Content) -> dict[str, Any]:
        body: dict[str, Any] = {"name": content.name, "subject": content.subject, "lists": [self.list_id(content.list)],
                                "type": "regular", "content_type": "html", "body": content.html,
                                "altbody": content.text, "messenger": "email"}
        if content.sender:
            name, address = content.sender
            body["from_email"] = f"{name} <{address}>" if name else address
        return body

    def _remote(self, data: Any) -> Remote:
        campaign = data_of(data, "data")
        status = str(data_of(campaign, "status") or "")
        remote_id = str(data_of(campaign, "id") or "")
        admin = self.base.removesuffix("/api")
        return Remote(remote_id, status, status == "draft", f"{admin}/admin/campaigns/{remote_id}")

    def create(self, content: Content) -> Remote:
        return self._remote(self.api.call("POST", "/campaigns", self._body(content)).data)

    def fetch(self, remote_id: str) -> Remote | None:
        answer = self.api.call("GET", f"/campaigns/{remote_id}")
        return None if answer.status == 404 else self._remote(answer.data)

    def update(self, remote: Remote, content: Content) -> None:
        self.api.call("PUT", f"/campaigns/{remote.id}", self._body(content))
