"""The test send, end to end against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.mail import Inbox, free_port, received, smtp_server
from tests.network import digest, make_network


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int, list[tuple[bytes, bytes]]]]:
    """A local SMTP server that accepts the login user / s3cret (over plain text: it is loopback)."""
    inbox, logins = Inbox(), []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            logins.append((data.login, data.password))
            return AuthResult(success=data.login == b"editor" and data.password == b"s3cret", handled=False)
        return AuthResult(success=False, handled=False)

    with smtp_server(inbox, authenticator) as port:
        yield inbox, port, logins


@pytest.fixture
def built(tmp_path: Path) -> Path:
    config = make_network(tmp_path, newsletter='esp = "mailchimp"')
    assert digest("build", "-c", config, "--date", "2024-10-01").exit_code == 0
    return config


def test_the_test_send_arrives_as_built(built: Path, smtp: tuple[Inbox, int, list]) -> None:
    inbox, port, _ = smtp
    result = digest("send", "-c", built, "--date", "2024-10-01", "--to", "editor@example.org",
                    "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("sent '[Test] Test Network News – Tuesday 1 October 2024' to editor@example.org "
                             f"via 127.0.0.1:{port}\n"
                             "note: the merge tags *|UNSUB|* and *|ARCHIVE|* became preview links in this test; "
                             "your email service fills them in when it sends\n")
    (sender, recipients, raw), = inbox.messages
    assert (sender, recipients) == ("editor@example.org", ["editor@example.org"])
    message = received(raw)
    assert message["Subject"] == "[Test] Test Network News – Tuesday 1 October 2024"
    assert (message["From"], message["To"]) == ("editor@example.org", "editor@example.org")
    assert message["Date"] and message["Message-ID"].endswith("@example.org>")
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    out = built.parent / "build" / "2024-10-01"
    built_html = (out / "newsletter.html").read_bytes()
    assert b"*|UNSUB|*" in built_html  # the email service fills that in; a test send cannot
    assert html.get_payload(decode=True) == built_html.replace(b"*|UNSUB|*", b"https://merge-tag.invalid/unsubscribe") \
        .replace(b"*|ARCHIVE|*", b"https://merge-tag.invalid/view-online")
    assert html.get_content_charset() == "utf-8"
    assert text.get_content().replace("\r\n", "\n") == (out / "newsletter.txt").read_text() \
        .replace("*|UNSUB|*", "https://merge-tag.invalid/unsubscribe").replace("*|ARCHIVE|*", "https://merge-tag.invalid/view-online")
    assert "*|" not in text.get_content() and b"*|" not in html.get_payload(decode=True)


def test_subject_from_the_config(tmp_path: Path, smtp: tuple[Inbox, int, list]) -> None:
    inbox, port, _ = smtp
    config = make_network(tmp_path, newsletter='subject = "{title}: {date} edition"')
    digest("build", "-c", config, "--date", "2024-10-01")
    result = digest("send", "-c", config, "--date", "2024-10-01", "--to", "a@example.org", "--from", "b@example.org",
                    "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 0, result.output
    message = received(inbox.messages[0][2])
    assert (message["Subject"], message["From"]) == ("[Test] Test Network News: Tuesday 1 October 2024 edition",
                                                     "b@example.org")


def test_login_with_the_password_from_the_environment(built: Path, smtp: tuple[Inbox, int, list]) -> None:
    inbox, port, logins = smtp
    args = ["send", "-c", built, "--date", "2024-10-01", "--to", "a@example.org", "--smtp", f"127.0.0.1:{port}",
            "--user", "editor", "--allow-unencrypted-login"]
    result = digest(*args, env={"DIGEST_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 0, result.output
    assert (f"warning: logging in to 127.0.0.1:{port} without encryption: the password crosses the network "
            "in clear text\n") in result.output
    assert logins == [(b"editor", b"s3cret")] and len(inbox.messages) == 1
    wrong = digest(*args, env={"DIGEST_SMTP_PASSWORD": "guess"})
    assert wrong.exit_code == 1
    assert wrong.output.splitlines()[1] + "\n" == (
        f"Error: 127.0.0.1:{port} refused the login for editor (535 5.7.8 Authentication "
        "credentials invalid): check --user and DIGEST_SMTP_PASSWORD\n")


def test_a_user_without_a_password_in_the_environment(built: Path, smtp: tuple[Inbox, int, list]) -> None:
    inbox, port, _ = smtp
    result = digest("send", "-c", built, "--date", "2024-10-01", "--to", "a@example.org",
                    "--smtp", f"127.0.0.1:{port}", "--user", "editor", "--starttls", env={"DIGEST_SMTP_PASSWORD": ""})
    assert result.exit_code == 2
    assert result.output == ("Error: --user editor needs a password: set it in the DIGEST_SMTP_PASSWORD environment "
                             "variable (never in sources.toml)\n")
    assert inbox.messages == []


def test_starttls_on_a_server_without_it(built: Path, smtp: tuple[Inbox, int, list]) -> None:
    _inbox, port, _ = smtp
    result = digest("send", "-c", built, "--date", "2024-10-01", "--to", "a@example.org",
                    "--smtp", f"127.0.0.1:{port}", "--starttls")
    assert result.exit_code == 1
    assert result.output == (f"Error: 127.0.0.1:{port} does not offer STARTTLS: use --ssl if it takes TLS from the "
                             "start (usually port 465), or its submission port 587 with --starttls\n")
    assert "leave out --starttls" not in result.output


def test_nothing_to_reach(built: Path) -> None:
    port = free_port()
    result = digest("send", "-c", built, "--date", "2024-10-01", "--to", "a@example.org", "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot reach the SMTP server 127.0.0.1:{port} (Connection refused): "
                             "check --smtp HOST:PORT\n")


def test_nothing_built(tmp_path: Path) -> None:
    config = make_network(tmp_path)
    result = digest("send", "-c", config, "--date", "2024-10-01", "--to", "a@example.org", "--smtp", "127.0.0.1:1")
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path / 'build' / '2024-10-01' / 'newsletter.html'} not found: run "
                             f"`digest build -c {config} --date 2024-10-01` first (or pass --out with the folder it "
                             "built into)\n")


@pytest.mark.parametrize(("args", "message"), [
    (["--to", "not-an-address"], "Invalid value for '--to': 'not-an-address' is not an email address"),
    (["--to", "a@example.org", "--smtp", "smtp.example.org:port"],
     "Error: 'smtp.example.org:port' is not an SMTP server: write it as HOST:PORT, e.g. smtp.example.org:587"),
])
def test_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    config = make_network(tmp_path)
    result = digest("send", "-c", config, *args)
    assert result.exit_code == 2
    assert message in result.output


# -- no password in clear text, implicit TLS, one recipient per --to ------------------


def test_a_login_without_encryption_is_refused_before_connecting(built: Path, smtp: tuple[Inbox, int, list]) -> None:
    inbox, port, logins = smtp
    result = digest("send", "-c", built, "--date", "2024-10-01", "--to", "a@example.org", "--smtp", f"127.0.0.1:{port}",
                    "--user", "editor", env={"DIGEST_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 2
    assert result.output == ("Error: --user editor would send the password unencrypted: add --starttls (port 587) or "
                             "--ssl (port 465); --allow-unencrypted-login only for a test server you trust\n")
    assert logins == [] and inbox.messages == []


def test_ssl_and_starttls_together_are_a_usage_error(built: Path) -> None:
    result = digest("send", "-c", built, "--to", "a@example.org", "--ssl", "--starttls")
    assert result.exit_code == 2
    assert result.output == "Error: --ssl and --starttls cannot be used together: --ssl for port 465, --starttls for port 587\n"


@pytest.fixture
def tls_smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Inbox, int, list]]:
    """An SMTPS server (TLS from the first byte) with a self-signed certificate the client is told to trust."""
    import shutil
    import ssl
    import subprocess

    import digest.publish.send

    if not shutil.which("openssl"):
        pytest.skip("needs openssl to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    real = ssl.create_default_context
    monkeypatch.setattr(digest.publish.send.ssl, "create_default_context", lambda *a, **k: real(cafile=str(cert)))
    inbox, logins = Inbox(), []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret", handled=False)

    with smtp_server(inbox, authenticator, ssl_context=server_side) as port:
        yield inbox, port, logins


def test_ssl_sends_over_implicit_tls_and_logs_in_there(built: Path, tls_smtp: tuple[Inbox, int, list]) -> None:
    inbox, port, logins = tls_smtp
    result = digest("send", "-c", built, "--date", "2024-10-01", "--to", "a@example.org", "--smtp", f"127.0.0.1:{port}",
                    "--ssl", "--user", "editor", env={"DIGEST_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert logins == [(b"editor", b"s3cret")] and len(inbox.messages) == 1


def test_ssl_port_defaults_to_465() -> None:
    from digest.publish.send import Server

    assert Server.parse("smtp.example.org", ssl=True).port == 465
    assert Server.parse("smtp.example.org").port == 25


@pytest.mark.parametrize("to", ["a@example.org,b@example.org", "a@example.org; b@example.org"])
def test_a_list_in_one_to_is_refused(built: Path, to: str) -> None:
    result = digest("send", "-c", built, "--to", to)
    assert result.exit_code == 2
    assert f"Invalid value for '--to': {to!r} is more than one address: give each its own --to" in result.output


@pytest.mark.parametrize("to", ["a@example.org\nBcc: c@evil.example", "Ann <a@example.org>", "a@@example.org"])
def test_an_address_with_more_than_an_address_is_refused(built: Path, to: str) -> None:
    result = digest("send", "-c", built, "--to", to)
    assert result.exit_code == 2
    assert "is not an email address" in result.output or "more than one address" in result.output


def test_each_to_is_one_recipient(built: Path, smtp: tuple[Inbox, int, list]) -> None:
    inbox, port, _ = smtp
    result = digest("send", "-c", built, "--date", "2024-10-01", "--to", "a@example.org", "--to", "b@example.org",
                    "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 0, result.output
    (_sender, recipients, _raw), = inbox.messages
    assert recipients == ["a@example.org", "b@example.org"]


def test_the_drafts_own_subject_line_is_the_tests(tmp_path: Path, smtp: tuple[Inbox, int, list]) -> None:
    """The subject line the editor set at the desk (saved in the draft) is the one the test send carries."""
    inbox, port, _ = smtp
    config = make_network(tmp_path)
    assert digest("draft", "-c", config, "--date", "2024-10-01").exit_code == 0
    draft = tmp_path / "editions" / "2024-10-01.md"
    text = draft.read_text(encoding="utf-8")
    end = text.index("-->") + 3
    draft.write_text(text[:end] + "\n<!-- subject: October at the network -->" + text[end:], encoding="utf-8")
    result = digest("send", "-c", config, "--date", "2024-10-01", "--to", "a@example.org", "--from", "b@example.org",
                    "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 0, result.output
    assert received(inbox.messages[0][2])["Subject"] == "[Test] October at the network"
