"""The scheduled network of tests/auto: tests/network.py's two members, a third whose sheet is gone, and a [schedule]
mailing a loopback SMTP server."""

from __future__ import annotations

from pathlib import Path

from tests.network import make_network

ON_THE_DAY = "2024-10-01T09:30"  # the first Tuesday of October 2024, after [schedule] time
READY = "Ready to edit: Test Network News – Tuesday 1 October 2024"


def scheduled(folder: Path, port: int, *, min_items: int = 1, contact: str = "web@bradford.example.org") -> Path:
    """The network with a third member whose sheet is gone, and a [schedule] mailing 127.0.0.1:`port`."""
    config = make_network(folder)
    config.write_text(config.read_text(encoding="utf-8") + f"""
[[sources]]
name = "Bradford Hub"
url = "bradford.csv"
contact = "{contact}"

[schedule]
cadence = "first tuesday"
notify = ["editor@example.org", "deputy@example.org"]
min_items = {min_items}
sender = "digest@example.org"

[schedule.smtp]
server = "127.0.0.1:{port}"
""", encoding="utf-8")
    return config
