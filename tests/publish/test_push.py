"""`digest push` to Mailchimp and Brevo (loopback stand-ins that check the documented required fields),
and every way a push can fail, each said in one sentence with its exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

from digest.config.load import load_config
from digest.config.push import PUSH_SERVICES
from digest.publish.push import record
from digest.publish.push.client import Patience
from digest.publish.push.registry import SERVICES
from digest.publish.push.run import Order, push_edition
from tests.network import digest, make_network
from tests.publish.services import Fake, Running, brevo, mailchimp

EDITION = "2024-10-01"
MAILCHIMP_KEY = "0123456789abcdef0123456789abcdef-us21"
BREVO_KEY = "xkeysib-test-key"
QUICK = Patience(timeout=2.0, attempts=3, backoff=0.0)


@pytest.fixture
def network(tmp_path: Path) -> Path:
    config = make_network(tmp_path, newsletter='preheader = "Configured preview"')
    assert digest("draft", "-c", config, "--date", EDITION).exit_code == 0
    return config


@pytest.fixture
def chimp() -> Iterator[Fake]:
    with Running(mailchimp(MAILCHIMP_KEY)) as fake:
        yield fake


@pytest.fixture
def brevo_api() -> Iterator[Fake]:
    with Running(brevo(BREVO_KEY)) as fake:
        yield fake


def said(result: Result) -> str:
    """What the command said: its report, and its error (without the line naming the draft it used)."""
    return result.stdout + "".join(f"{line}\n" for line in result.stderr.splitlines()
                                   if not line.startswith("from the draft "))


def push(network: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = digest("push", "-c", network, "--date", EDITION, *args, env=env)
    return result.exit_code, said(result)


def chimp_push(network: Path, chimp: Fake, *args: str, key: str = MAILCHIMP_KEY) -> tuple[int, str]:
    return push(network, "--esp", "mailchimp", "--list", "abc123", "--api-url", chimp.url("/3.0"), *args,
                env={"MAILCHIMP_API_KEY": key})


def test_the_registry_knows_every_service_the_config_accepts() -> None:
    assert tuple(SERVICES) == PUSH_SERVICES


def test_two_pushes_to_mailchimp_make_one_draft_then_update_it(network: Path, chimp: Fake) -> None:
    code, out = chimp_push(network, chimp)
    assert code == 0, out
    assert out.splitlines()[0] == ("Made a new Mailchimp draft “Test Network News – Tuesday 1 October 2024”: "
                                   "open it at https://us21.admin.mailchimp.com/campaigns/edit?id=700")
    draft = network.parent / "editions" / f"{EDITION}.md"
    draft.write_text(draft.read_text().replace("Hello from the", "Hello again from the"))
    code, out = chimp_push(network, chimp)
    assert code == 0, out
    assert out.splitlines()[0].startswith("Updated the Mailchimp draft “Test Network News – Tuesday 1 October 2024”")
    assert [(c.method, c.path) for c in chimp.calls] == [
        ("GET", "/3.0/lists/abc123"), ("POST", "/3.0/campaigns"), ("PUT", "/3.0/campaigns/100/content"),
        ("GET", "/3.0/campaigns/100"), ("GET", "/3.0/lists/abc123"), ("PATCH", "/3.0/campaigns/100"),
        ("PUT", "/3.0/campaigns/100/content")]
    assert chimp.problems == []
    campaign = chimp.campaigns["100"]
    assert len(chimp.campaigns) == 1
    assert campaign["settings"]["subject_line"] == "Test Network News – Tuesday 1 October 2024"
    assert campaign["settings"]["preview_text"] == "Configured preview"
    assert campaign["settings"]["from_name"] == "Network (audience default)"  # kept from the audience's defaults
    assert "Hello again from the" in campaign["content"]["html"] and "*|UNSUB|*" in campaign["content"]["html"]
    assert "*|UNSUB|*" in campaign["content"]["plain_text"]
    saved = json.loads((network.parent / "editions" / f"{EDITION}.push.json").read_text())
    assert [(d["service"], d["variant"], d["id"]) for d in saved["drafts"]] == [("mailchimp", "newsletter", "100")]
    assert MAILCHIMP_KEY not in json.dumps(saved) and MAILCHIMP_KEY not in out


def test_the_drafts_own_subject_and_preview_text_go_to_the_service(network: Path, chimp: Fake) -> None:
    draft = network.parent / "editions" / f"{EDITION}.md"
    text = draft.read_text()
    end = text.index("-->") + 3
    draft.write_text(text[:end] + "\n<!-- subject: October at the network -->\n<!-- preview text: Fairs, "
                     "cuppas and a choir -->" + text[end:])
    assert chimp_push(network, chimp)[0] == 0
    settings = chimp.campaigns["100"]["settings"]
    assert (settings["subject_line"], settings["preview_text"]) == ("October at the network", "Fairs, cuppas and a choir")
    assert "Fairs, cuppas and a choir" in chimp.campaigns["100"]["content"]["html"]  # the preheader too


def test_two_pushes_to_brevo_make_one_draft_then_update_it(network: Path, brevo_api: Fake) -> None:
    with network.open("a") as config:
        config.write('\n[newsletter.push]\nesp = "brevo"\nlist = "1"\nsender = "Test Network <news@example.org>"\n')
    for expected in ("Made a new Brevo draft", "Updated the Brevo draft"):
        code, out = push(network, "--api-url", brevo_api.url("/v3"), env={"BREVO_API_KEY": BREVO_KEY})
        assert code == 0, out
        assert out.splitlines()[0].startswith(expected)
        assert "open it at https://app.brevo.com/camp/lists/email" in out
        assert out.splitlines()[1] == "note: Brevo makes its own plain-text version from the HTML"
    assert [(c.method, c.path) for c in brevo_api.calls] == [
        ("GET", "/v3/contacts/lists/1"), ("POST", "/v3/emailCampaigns"),
        ("GET", "/v3/emailCampaigns/100"), ("GET", "/v3/contacts/lists/1"), ("PUT", "/v3/emailCampaigns/100")]
    assert brevo_api.problems == []
    campaign = brevo_api.campaigns["100"]
    assert campaign["sender"] == {"name": "Test Network", "email": "news@example.org"}
    assert campaign["recipients"] == {"listIds": [1]} and campaign["previewText"] == "Configured preview"
    assert "{{ unsubscribe }}" in campaign["htmlContent"]


def test_the_easy_read_edition_is_a_draft_of_its_own(network: Path, chimp: Fake) -> None:
    assert chimp_push(network, chimp)[0] == 0
    code, out = chimp_push(network, chimp, "--easy-read")
    assert code == 0, out
    assert "Made a new Mailchimp draft “Test Network News – Tuesday 1 October 2024 (Easy Read)”" in out
    assert len(chimp.campaigns) == 2
    assert chimp.campaigns["101"]["settings"]["subject_line"].endswith("(Easy Read)")
    assert "Easy Read" in chimp.campaigns["101"]["content"]["html"]


def test_a_sent_campaign_is_left_alone_unless_new(network: Path, chimp: Fake) -> None:
    assert chimp_push(network, chimp)[0] == 0
    chimp.campaigns["100"]["status"] = "sent"
    calls = len(chimp.calls)
    code, out = chimp_push(network, chimp)
    assert code == 1
    assert out.strip() == ("Error: the Mailchimp campaign of this edition (https://us21.admin.mailchimp.com/campaigns/"
                           "edit?id=700) is no longer a draft (its status is “sent”): it was sent or scheduled, so "
                           "digest leaves it alone. Push with --new to make another draft")
    assert [c.method for c in chimp.calls[calls:]] == ["GET"]  # looked, changed nothing
    code, out = chimp_push(network, chimp, "--new")
    assert code == 0 and out.startswith("Made a new Mailchimp draft")
    assert set(chimp.campaigns) == {"100", "101"}


def test_a_deleted_draft_is_said_and_new_makes_another(network: Path, chimp: Fake) -> None:
    assert chimp_push(network, chimp)[0] == 0
    del chimp.campaigns["100"]
    code, out = chimp_push(network, chimp)
    assert (code, out.strip()) == (1, "Error: the Mailchimp draft of this edition (https://us21.admin.mailchimp.com/"
                                      "campaigns/edit?id=700) is gone: it was deleted in Mailchimp. Push with --new "
                                      "to make another")


@pytest.mark.parametrize(("args", "env", "code", "message"), [
    ((), {}, 2, "Error: set MAILCHIMP_API_KEY in the environment to push to Mailchimp (never in sources.toml): "
                "make one in Mailchimp's Profile → Extras → API keys"),
    ((), {"MAILCHIMP_API_KEY": "nodatacentre"}, 2,
     "Error: MAILCHIMP_API_KEY does not end in its data centre (like -us21): copy the whole key from Mailchimp's "
     "Profile → Extras → API keys"),
    ((), {"MAILCHIMP_API_KEY": "wrong-us21"}, 1,
     "Error: Mailchimp refused the API key (401: Your API key may be invalid.): check MAILCHIMP_API_KEY"),
    (("--list", "nope"), None, 1,
     "Error: Mailchimp has no audience nope: check --list (or list under [newsletter.push]): Mailchimp shows the "
     "audience ID in Audience → Settings → Audience name and defaults"),
])
def test_wrong_key_or_list_is_one_sentence(network: Path, chimp: Fake, args: tuple[str, ...],
                                           env: dict[str, str] | None, code: int, message: str) -> None:
    result = digest("push", "-c", network, "--date", EDITION, "--esp", "mailchimp", "--list", "abc123",
                    "--api-url", chimp.url("/3.0"), *args,
                    env={"MAILCHIMP_API_KEY": MAILCHIMP_KEY} if env is None else {"MAILCHIMP_API_KEY": "", **env})
    assert (result.exit_code, said(result).strip()) == (code, message)
    assert "Traceback" not in result.output and chimp.campaigns == {}


def test_no_service_no_list_and_a_list_buttondown_cannot_take(network: Path) -> None:
    assert push(network) == (2, "Error: which email service? Pass --esp (listmonk|buttondown|mailchimp|brevo), or set "
                                "esp under [newsletter.push] in sources.toml\n")
    env = {"LISTMONK_API_USER": "u", "LISTMONK_API_TOKEN": "t"}
    assert push(network, "--esp", "listmonk", "--api-url", "http://127.0.0.1:9/api", env=env)[1].strip() == (
        "Error: which list? Give its ID with --list (or list under [newsletter.push]): listmonk shows each list's ID "
        "in Lists")
    assert push(network, "--esp", "listmonk", env=env)[1].strip() == (
        "Error: listmonk runs on your own server: give its API address with --api-url (e.g. "
        "https://lists.example.org/api) or api_url under [newsletter.push]")
    code, out = push(network, "--esp", "buttondown", "--list", "3", "--api-url", "http://127.0.0.1:9/v1",
                     env={"BUTTONDOWN_API_KEY": "k"})
    assert (code, out.strip()) == (2, "Error: Buttondown has no lists (each API key is one newsletter): leave out "
                                      "--list and list under [newsletter.push], and choose who gets it in Buttondown")


def test_brevo_needs_a_sender(network: Path, brevo_api: Fake) -> None:
    code, out = push(network, "--esp", "brevo", "--list", "1", "--api-url", brevo_api.url("/v3"),
                     env={"BREVO_API_KEY": BREVO_KEY})
    assert (code, out.strip()) == (2, "Error: Brevo needs to know who the campaign is from: set sender = \"Our Network "
                                      "<news@example.org>\" under [newsletter.push] (an address Brevo has verified)")
    assert brevo_api.campaigns == {}


def test_an_address_that_is_not_the_api_is_said(network: Path, server: object) -> None:
    from tests.hardening import LoopbackServer, send

    assert isinstance(server, LoopbackServer)
    server["/3.0/lists/abc123"] = send(b"<html>a web page</html>", content_type="text/html")
    code, out = push(network, "--esp", "mailchimp", "--list", "abc123", "--api-url", server.url("/3.0"),
                     env={"MAILCHIMP_API_KEY": MAILCHIMP_KEY})
    assert (code, out.strip()) == (1, f"Error: {server.url('/3.0')} does not answer like the Mailchimp API (it sent "
                                      "text/html): check --api-url (or api_url under [newsletter.push])")


def test_an_address_nothing_answers_is_said(network: Path) -> None:
    from tests.hardening import closed_port

    url = f"http://127.0.0.1:{closed_port()}/3.0"
    code, out = push(network, "--esp", "mailchimp", "--list", "abc123", "--api-url", url,
                     env={"MAILCHIMP_API_KEY": MAILCHIMP_KEY})
    assert code == 1
    assert out.startswith(f"Error: cannot reach Mailchimp at {url} (")
    assert out.strip().endswith("): check --api-url (or api_url under [newsletter.push]) and the internet connection")


def order(chimp: Fake, **kw: object) -> Order:
    return Order("mailchimp", list="abc123", api_url=chimp.url("/3.0"), **kw)  # type: ignore[arg-type]


def test_rate_limits_and_server_errors_are_retried_with_backoff(network: Path, chimp: Fake) -> None:
    waits: list[float] = []
    patience = Patience(timeout=2.0, attempts=4, backoff=0.5, sleep=waits.append)
    chimp.faults += [(429, {"Retry-After": "3"}), (503, {})]
    config = load_config(network)
    outcome = push_edition(config, date(2024, 10, 1), network.parent / "editions" / f"{EDITION}.md", order(chimp),
                           environ={"MAILCHIMP_API_KEY": MAILCHIMP_KEY}, patience=patience)
    assert outcome.created and waits == [3.0, 1.0]  # Retry-After honoured, then the doubled backoff
    assert [c.path for c in chimp.calls].count("/3.0/lists/abc123") == 3


def test_a_rate_limit_that_lasts_is_said(network: Path, chimp: Fake) -> None:
    chimp.faults += [(429, {})] * 3
    with pytest.raises(Exception) as raised:
        push_edition(load_config(network), date(2024, 10, 1), None, order(chimp),
                     environ={"MAILCHIMP_API_KEY": MAILCHIMP_KEY}, patience=QUICK)
    assert str(raised.value) == ("Mailchimp is limiting requests (429: injected fault) and still was after 3 tries: "
                                 "wait a few minutes, then push again")
    assert chimp.campaigns == {}


def test_a_server_error_on_create_is_not_retried_and_said(network: Path, chimp: Fake) -> None:
    calls = []

    def fail_post(method: str, path: str, body: object, headers: dict[str, str]) -> tuple[int, object]:
        calls.append(method)
        return (500, {"detail": "boom"}) if method == "POST" else original(method, path, body, headers)

    original = chimp.answer
    chimp.answer = fail_post  # type: ignore[method-assign]
    with pytest.raises(Exception) as raised:
        push_edition(load_config(network), date(2024, 10, 1), None, order(chimp),
                     environ={"MAILCHIMP_API_KEY": MAILCHIMP_KEY}, patience=QUICK)
    assert str(raised.value) == ("Mailchimp failed (500: boom) on POST /campaigns: try again later (look in it for a "
                                 "new draft first)")
    assert calls == ["GET", "POST"]  # a POST's 500 may have made the draft: never sent twice


def test_a_timeout_is_said(network: Path, chimp: Fake) -> None:
    chimp.delay = 1.0
    with pytest.raises(Exception) as raised:
        push_edition(load_config(network), date(2024, 10, 1), None, order(chimp),
                     environ={"MAILCHIMP_API_KEY": MAILCHIMP_KEY},
                     patience=Patience(timeout=0.2, attempts=1, backoff=0.0))
    assert str(raised.value) == "Mailchimp did not answer within 0.2 s: try again later"


def test_content_refused_after_the_draft_was_made_is_said_and_the_next_push_fills_it(network: Path,
                                                                                     chimp: Fake) -> None:
    original = chimp.answer

    def refuse_content(method: str, path: str, body: object, headers: dict[str, str]) -> tuple[int, object]:
        if path.endswith("/content"):
            return 400, {"title": "Invalid Resource", "detail": "The content is too large."}
        return original(method, path, body, headers)

    chimp.answer = refuse_content  # type: ignore[method-assign]
    code, out = chimp_push(network, chimp)
    assert (code, out.strip()) == (1, "Error: Mailchimp made the draft (https://us21.admin.mailchimp.com/campaigns/"
                                      "edit?id=700) but did not take its content: Mailchimp did not take the draft "
                                      "(400: The content is too large.): check what it says, the list and the sender. "
                                      "Push again to fill it in")
    chimp.answer = original  # type: ignore[method-assign]
    code, out = chimp_push(network, chimp)
    assert code == 0 and out.startswith("Updated the Mailchimp draft")
    assert len(chimp.campaigns) == 1 and "html" in chimp.campaigns["100"]["content"]


def test_the_record_keeps_each_service_and_variant_apart(tmp_path: Path) -> None:
    path = tmp_path / "editions" / "2024-10-01.push.json"
    one = record.Pushed("mailchimp", "newsletter", "https://x/3.0", "1", "https://l/1", "t")
    record.save(path, one)
    record.save(path, record.Pushed("mailchimp", "easy-read", "https://x/3.0", "2", "https://l/2", "t"))
    record.save(path, record.Pushed("mailchimp", "newsletter", "https://x/3.0", "3", "https://l/3", "t"))
    assert [p.id for p in record.read(path)] == ["2", "3"]
    path.write_text("{not json")
    with pytest.raises(Exception, match=r"cannot be read .*: delete it and push with --new"):
        record.find(path, one)


@pytest.mark.parametrize(("toml", "problem"), [
    ('esp = "sendgrid"', "newsletter.push.esp (line 13): 'sendgrid' is not a service `digest push` knows: use one of "
                         "listmonk, buttondown, mailchimp, brevo"),
    ('sender = "not a sender"', "newsletter.push.sender (line 13): 'not a sender' is not a sender: write it as "
                                "\"Our Network <news@example.org>\""),
    ('api_url = "lists.example.org"', "newsletter.push.api_url (line 13): 'lists.example.org' is not a web address: "
                                      "give the API's address, e.g. \"https://lists.example.org/api\""),
])
def test_newsletter_push_is_checked(toml: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[newsletter]\ntitle = "T"\n\n[[sections]]\ntitle = "News"\nkind = "posts"\n\n[[sources]]\n'
                    f'name = "A"\nurl = "https://a.example.org/feed"\n\n[newsletter.push]\n{toml}\n')
    with pytest.raises(Exception) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}: {problem}"
