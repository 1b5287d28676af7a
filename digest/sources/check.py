"""`digest sources check`: fetch every source now and say, per source, what state it is in and what to do.

ok (it gives items), moved (a permanent redirect: the new address to write), gone (404/410),
empty (it answers but gives nothing: a web page, an empty feed), failed (anything else the
fetcher reports). Fetching and reading are the build's own (fetch.fetch_all, readers.read),
without conditional GET, so what `check` says is what a build would get today.
"""

from __future__ import annotations

import asyncio
from datetime import date

from digest.collect.fetch import Limits, Request, fetch_all
from digest.collect.mailbox import fetch_mailbox, is_mailbox
from digest.config.keys import Config
from digest.sources.discover import Candidate, fill, window_from


def check_sources(config: Config, day: date, limits: Limits = Limits()) -> tuple[list[str], int]:
    """One line per source, in sources.toml order, and how many are ok."""
    requests = [Request(s.name, s.url, path=None if s.is_remote else config.source_path(s)) for s in config.sources]
    mail = {r.name: fetch_mailbox(r, limits) for r in requests if is_mailbox(r)}  # saved emails, IMAP folders
    results = {**asyncio.run(fetch_all([r for r in requests if r.name not in mail], limits=limits)), **mail}
    tz = config.newsletter.tz
    lines, ok = [], 0
    for source in config.sources:
        result = results[source.name]
        if result.status != "ok" or result.body is None:
            state = "gone" if result.http_status in (404, 410) else "failed"
            hint = ("; or run `digest sources add` on the member's home page to find where it went"
                    if state == "gone" and source.is_remote else "")
            lines.append(f"{source.name}: {state}: {result.error}{hint}")
            continue
        candidate = Candidate(source.url, "")
        fill(candidate, result.body, result.final_url or source.url, tz, window_from(day, tz),
             config.newsletter.summary_length)
        if result.moved_to:
            lines.append(f"{source.name}: moved: {source.url} now redirects for good to {result.moved_to} — "
                         f"change its url in {config.path.name} to that ({candidate.describe()})")
        elif not candidate.usable:
            why = candidate.problems[0] if candidate.problems else "it answers but lists nothing"
            lines.append(f"{source.name}: empty: {why}")
        else:
            ok += 1
            lines.append(f"{source.name}: ok: {candidate.describe()}")
    return lines, ok
