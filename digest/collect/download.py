"""Collect's second step: fetch every source of the plan, on the build's network.

As each body arrives, a changed one starts parsing at once when there is a process pool, so a
cold build parses while it still downloads. Offline (no refetch) every source is taken as
unchanged: the store's copy is used.
"""

from __future__ import annotations

from collections.abc import Callable

from digest.collect.fetch import FetchResult, Limits, fetch_all
from digest.collect.mailbox import fetch_mailbox, is_mailbox
from digest.collect.network import Network
from digest.collect.parse import ParseJob, Parsing
from digest.collect.plan import Plan


def download(plan: Plan, network: Network, limits: Limits, parsing: Parsing,
             on_done: Callable[[FetchResult], None] | None = None) -> dict[str, FetchResult]:
    """Every source's FetchResult by name; `on_done` is told of each as it finishes."""
    if not plan.refetch:
        return {s.name: FetchResult(s.name, "not-modified") for s in plan.sources}

    def arrived(result: FetchResult) -> None:
        if parsing.executor is not None and result.status == "ok" and result.wire is not None and not plan.unchanged(result):
            parsing.start(result.name, ParseJob.of(plan.config, plan.source(result.name), result.final_url, result.wire,
                                                   result.coding, plan.window))
        if on_done:
            on_done(result)

    requests = plan.requests()
    mail = [r for r in requests if is_mailbox(r)]  # folders of saved emails, IMAP folders (mailbox.py)
    requests = [r for r in requests if r not in mail]
    client = network.client(limits) if any(r.path is None for r in requests) else None  # files need no client
    fetched = network.run(fetch_all(requests, limits=limits, client=client, on_done=arrived))
    for request in mail:
        arrived(fetched.setdefault(request.name, fetch_mailbox(request, limits)))
    return {s.name: fetched[s.name] for s in plan.sources}
