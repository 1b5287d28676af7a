"""Emailed stories from an IMAP folder, against a real Dovecot started here on loopback.

The server: Debian's Dovecot (`apt-get install dovecot-imapd`; .ci/run installs it), run in the
foreground with a configuration of our own in a folder of its own — IMAP over TLS on a free
port of 127.0.0.1 with a certificate openssl makes for 127.0.0.1 (trusted through SSL_CERT_FILE,
as a network's own mail server's would be through the system's store), one user in a static
passwd-file, mail in a Maildir. Messages arrive by IMAP APPEND. Skipped where Dovecot or openssl
is missing; under CI that is a failure.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.collect.test_submissions import ids
from tests.conftest import FIXTURES, need
from tests.network import digest
from tests.preview.test_preview import free_port

pytestmark = pytest.mark.slow  # ~2 s: a mail server starts and stops

DOVECOT = Path("/usr/sbin/dovecot")
OPENSSL = Path("/usr/bin/openssl")
USER, PASSWORD = "news@network.example", "s3cret-Passw0rd"


@dataclass(frozen=True)
class MailServer:
    port: int
    cert: Path

    def url(self, folder: str = "Stories") -> str:
        return f"imaps://news%40network.example@127.0.0.1:{self.port}/{folder}"

    def connect(self) -> imaplib.IMAP4_SSL:
        imap = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=ssl.create_default_context(cafile=self.cert))
        imap.login(USER, PASSWORD)
        return imap


CONFIG = """base_dir = {home}/run
state_dir = {home}/state
log_path = {home}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{home}/cert.pem
ssl_key = <{home}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/home/%n
}}
mail_location = maildir:{home}/mail/%n
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture(scope="module")
def mail_server() -> Iterator[MailServer]:
    need(DOVECOT, "Dovecot (apt-get install dovecot-imapd)")
    need(OPENSSL, "openssl")
    # Dovecot's login processes may not run as root: as root they run as nobody, who must reach the
    # sockets and the mail; pytest's tmp_path is private to root, so the server gets a folder of its own.
    home = Path(tempfile.mkdtemp(prefix="digest-dovecot-"))
    home.chmod(0o755)
    me = pwd.getpwuid(os.getuid())
    owner = pwd.getpwnam("nobody") if os.getuid() == 0 else me
    (home / "mail").mkdir()
    os.chown(home / "mail", owner.pw_uid, owner.pw_gid)
    subprocess.run([str(OPENSSL), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(home / "key.pem"), "-out", str(home / "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    (home / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    (home / "dovecot.conf").write_text(CONFIG.format(
        home=home, port=port, internal=me.pw_name, group=grp.getgrgid(os.getgid()).gr_name,
        login=owner.pw_name, uid=owner.pw_uid, gid=owner.pw_gid))
    proc = subprocess.Popen([str(DOVECOT), "-F", "-c", str(home / "dovecot.conf")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                log = home / "dovecot.log"
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Dovecot did not start:\n{log.read_text() if log.exists() else ''}")
                time.sleep(0.05)
        server = MailServer(port, home / "cert.pem")
        with server.connect() as imap:
            imap.create("Stories")
            for name in ("walk-and-talk.eml", "hostile.eml"):
                message = (FIXTURES / "submissions" / "emails" / name).read_bytes().replace(b"\n", b"\r\n")
                assert imap.append("Stories", None, None, message)[0] == "OK"
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


def network(folder: Path, url: str) -> Path:
    config = folder / "sources.toml"
    config.write_text('[newsletter]\ntitle = "T"\ntimezone = "Europe/London"\nlanguage = "en-GB"\n\n'
                      '[[sections]]\ntitle = "News"\nkind = "posts"\n\n'
                      f'[[sources]]\nname = "Mailbox"\nurl = "{url}"\n', encoding="utf-8")
    return config


@pytest.fixture
def trusted(mail_server: MailServer, monkeypatch: pytest.MonkeyPatch) -> MailServer:
    monkeypatch.setenv("SSL_CERT_FILE", str(mail_server.cert))
    monkeypatch.setenv("DIGEST_IMAP_PASSWORD", PASSWORD)
    return mail_server


def test_an_imap_folder_gives_pending_submissions_and_marks_nothing_read(trusted: MailServer, tmp_path: Path) -> None:
    config = network(tmp_path, trusted.url())
    result = digest("build", "-c", config, "--date", "2024-10-01")
    assert result.exit_code == 0, result.output
    assert "Mailbox: note: 2 new submissions wait for you to approve" in result.output
    found = ids(config)
    assert set(found) == {"Riverside walk and talk group is back", "Free training day"}
    listed = digest("submissions", "list", "-c", config).output
    assert (f"*{found['Free training day'][:8]}  pending   2024-09-24 10:00  Mailbox: 'Free training day' from Mallory "
            "<mallory@example.com>") in listed
    assert "           attached (not sent): walk.jpg (1 KB)" in listed
    with trusted.connect() as imap:
        imap.select("Stories", readonly=True)
        _, flags = imap.uid("FETCH", "1:*", "(FLAGS)")
    assert all(b"\\Seen" not in line for line in flags if isinstance(line, bytes))
    assert digest("submissions", "approve", found["Riverside walk and talk group is back"], "-c", config).exit_code == 0
    html = (tmp_path / "build" / "2024-10-01" / "newsletter.html").read_text()
    assert "Riverside" not in html
    assert digest("build", "-c", config, "--date", "2024-10-01", "-q").exit_code == 0
    html = (tmp_path / "build" / "2024-10-01" / "newsletter.html").read_text()
    assert "Shared by Priya Shah, Riverside Mental Health Forum" in html and "priya.shah@" not in html


@pytest.mark.parametrize(("folder", "password", "trust", "reason"), [
    ("Stories", "wrong", True, "imaps://127.0.0.1/Stories: the mail server refused the login for news@network.example: "
                               "check DIGEST_IMAP_PASSWORD and the user name (some providers want an app password)"),
    ("Gone", PASSWORD, True, "imaps://127.0.0.1/Gone: the mailbox has no folder 'Gone': check its name (and capitals)"),
    ("Stories", "", True, "imaps://127.0.0.1/Stories: set DIGEST_IMAP_PASSWORD to the mailbox's password (it is never "
                          "read from sources.toml)"),
    ("Stories", PASSWORD, False, "127.0.0.1 has a broken or untrusted security certificate (CERTIFICATE_VERIFY_FAILED): "
                                 "ask whoever runs the mail server"),
])
def test_each_way_a_mailbox_fails_is_a_sentence(mail_server: MailServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                folder: str, password: str, trust: bool, reason: str) -> None:
    if trust:
        monkeypatch.setenv("SSL_CERT_FILE", str(mail_server.cert))
    else:
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))
    monkeypatch.setenv("DIGEST_IMAP_PASSWORD", password)
    config = network(tmp_path, mail_server.url(folder))
    result = digest("build", "-c", config, "--date", "2024-10-01")
    assert result.exit_code == 0, result.output
    assert f"failed: {reason}" in " ".join(result.output.split())
