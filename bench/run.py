"""The benchmark: every measurement in one sitting, a table of medians, every target met or missed.

What is measured, against a loopback network of N synthetic members:
1. baseline — a sequential `feedparser.parse(url)` loop (the peers' way), as its own process;
2. `digest build` cold (empty store) — the real CLI as a subprocess, process start included;
3. `digest build` warm (every source answers 304) — checked: zero feeds re-parsed (from the
   report, from SourceReport.parsed in-process, and from the server's count of full bodies);
   plus one warm build for the next day's --date (only calendars, read for a window, re-parse);
4. parse+sanitise CPU per entry, digest's reader vs feedparser's defaults, on the same bodies;
5. render (Jinja → MJML → premailer → text) of 20/40/60-item editions, steady state and first
   call in a fresh process, and HTML bytes per item;
6. `digest preview` save→refresh: save sources.toml, wait for the page's long poll to announce
   the rebuild, fetch what the page reloads; the rebuild from the store alone is shown too
   (and stands in, marked as a proxy, when `digest preview` is missing or fails);
7. peak memory of a cold build: the summed PSS of its process tree, sampled on one extra
   untimed build (sampling slows a build), and ru_maxrss of the largest process;
8. saving every item of a cold build into a fresh store (one transaction), in-process;
9. the fast parse path's agreement with feedparser on these bodies (the corpus is in the tests);
10. reader's update_feeds() and rss2email's run on the same members, cold then warm (bench.peers);
11. scale rows: networks of 10 and 1,000 members of their own, cold and warm, with peak memory;
12. warm builds over a store holding a year of posts (the N-member store, copied back 11 months).

The floor a cold build is compared with: one latency + (total parse and sanitise CPU ÷ cores)
+ process start-up (`digest --version`): what an ideal build could not beat on this machine.
Every build runs as a subprocess of the real CLI; the share of the CPU other processes took
meanwhile is printed, since figures from a busy machine are not comparable.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.feeds import Feed, make_feeds
from bench.measure import ChildRun, run_child

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DIGEST = str(BIN / "digest")
EDITION = date(2024, 10, 1)
GMAIL_CLIP = 102 * 1024  # as digest/edition/report.py
KIB = 1024
MIB = 1024 * 1024

# Section limits of the 40-item edition the cold/warm builds render; 20/60 scale them.
SECTIONS_40 = {"Co-Pro Cuppas": 4, "Coming up": 8, "News from across the network": 28}

CONFIG = """\
[newsletter]
title = "Benchmark Network Digest"
timezone = "Europe/London"
language = "en-GB"
accent = "#6b2c91"
preheader = "What {n} members shared this month, the Co-Pro Cuppas and what is coming up."
intro = \"\"\"
Our members have been busy. Here is what the network shared in September, the **Co-Pro Cuppas**
you can drop into, and what is coming up this autumn.
\"\"\"
footer = \"\"\"
You get this email because you joined the network. Network, 1 Example Street, London N1 0AA.
\"\"\"

[[sections]]
title = "Co-Pro Cuppas"
kind = "events"
days_ahead = 62
match = "(?i)cuppa"
limit = {cuppas}

[[sections]]
title = "Coming up"
kind = "events"
days_ahead = 62
limit = {coming}

[[sections]]
title = "News from across the network"
kind = "posts"
days_back = 31
limit = {news}

[[sections]]
title = "Share your stories and get involved"
kind = "text"
body = \"\"\"
Have you taken part in a co-produced project? [Send us your story](mailto:hello@example.org).
\"\"\"
"""


@dataclass
class Options:
    """The command line's choices (see main)."""

    sources: int
    latency: float
    runs: int
    baseline_runs: int
    repeats: int
    keep: bool
    json_out: Path | None
    scale: tuple[int, ...] = (10, 1000)
    peers: bool = True
    only: tuple[str, ...] = ()  # "warm", "scale": just those rows (see run_only)


@dataclass
class Results:
    """Every figure the table prints, kept for --json."""

    options: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)
    corpus: dict[str, Any] = field(default_factory=dict)
    startup: list[float] = field(default_factory=list)
    baseline: list[dict[str, Any]] = field(default_factory=list)
    cold: list[dict[str, Any]] = field(default_factory=list)
    warm: list[dict[str, Any]] = field(default_factory=list)
    warm_in_process: dict[str, Any] = field(default_factory=dict)
    parse: dict[str, Any] = field(default_factory=dict)
    render: dict[str, Any] = field(default_factory=dict)
    preview: dict[str, Any] = field(default_factory=dict)
    next_day: dict[str, Any] = field(default_factory=dict)
    memory: dict[str, Any] = field(default_factory=dict)
    peers: dict[str, Any] = field(default_factory=dict)
    scale: dict[str, Any] = field(default_factory=dict)
    year: dict[str, Any] = field(default_factory=dict)
    store: dict[str, Any] = field(default_factory=dict)
    agreement: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def median(values: list[float]) -> float:
    """Medians, not means: one run disturbed by another process must not move the figure."""
    return statistics.median(values) if values else float("nan")


def spread(values: list[float], fmt: Callable[[float], str]) -> str:
    """min–max of the runs, so a reader can see how stable a median is."""
    if len(values) < 2:
        return f"({len(values)} run)"
    return f"({fmt(min(values))}–{fmt(max(values))}, {len(values)} runs)"


def child_env() -> dict[str, str]:
    """The children's environment: loopback only (no proxies), bytecode cached as when installed.

    PYTHONDONTWRITEBYTECODE is dropped: an installed digest has its .pyc files, and compiling
    every module from source on each start would bill start-up for something users never pay.
    """
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


class Network:
    """The synthetic members on disk, served by bench.server in its own process."""

    def __init__(self, work: Path, count: int, latency: float) -> None:
        self.work = work
        self.feeds: list[Feed] = make_feeds(count, EDITION)
        feed_dir = work / "feeds"
        feed_dir.mkdir(parents=True, exist_ok=True)
        manifest = []
        for f in self.feeds:
            path = feed_dir / f"member{f.index:03d}{'.ics' if f.kind == 'ical' else '.xml'}"
            path.write_bytes(f.body)
            manifest.append({"path": f.path, "content_type": f.content_type, "file": str(path),
                             "last_modified": f.last_modified.isoformat()})
        (work / "manifest.json").write_text(json.dumps(manifest))
        self.server = subprocess.Popen([sys.executable, "-m", "bench.server", str(work / "manifest.json"),
                                        "--latency", str(latency)], cwd=ROOT, stdout=subprocess.PIPE, env=child_env())
        assert self.server.stdout is not None
        info = json.loads(self.server.stdout.readline())
        self.ports: list[int] = info["ports"]
        self.control: int = info["control"]
        self.urls = [f"http://127.0.0.1:{port}{f.path}" for port, f in zip(self.ports, self.feeds, strict=True)]
        (work / "urls.txt").write_text("\n".join(self.urls) + "\n")

    def stats(self, reset: bool = False) -> dict[str, Any]:
        """The server's counters (full bodies, 304s, bytes) since the last reset; reset=True zeroes them."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.control}/{'reset' if reset else 'stats'}", timeout=10) as r:
            return json.loads(r.read())

    def close(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=10)


def write_config(path: Path, network: Network, limits: dict[str, int]) -> Path:
    """A sources.toml for the synthetic network, sectioned like the sample (posts, events, text)."""
    text = CONFIG.format(n=len(network.feeds), cuppas=limits["Co-Pro Cuppas"], coming=limits["Coming up"],
                         news=limits["News from across the network"])
    for f, url in zip(network.feeds, network.urls, strict=True):
        text += f'\n[[sources]]\nname = "{f.name}"\nurl = "{url}"\ntags = ["{f.kind}"]\n'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def scaled_limits(items: int) -> dict[str, int]:
    """Section limits for an edition of `items` items, in the 40-item edition's proportions."""
    return {name: round(limit * items / 40) for name, limit in SECTIONS_40.items()}


_SOURCE_LINE = re.compile(r"^(Member \d{3})\s+(\d+)\s+(\d+)\s+(.+)$")
_DONE = re.compile(r"^done in ([\d.]+) s$", re.M)


def parse_report(stdout: str) -> dict[str, Any]:
    """Per-source statuses and the build's own 'done in' time from `digest build`'s report."""
    statuses: dict[str, int] = {}
    used = 0
    for line in stdout.splitlines():
        if m := _SOURCE_LINE.match(line):
            status = m.group(4).split(":")[0].strip()
            statuses[status] = statuses.get(status, 0) + 1
            used += int(m.group(3))
    done = _DONE.search(stdout)
    return {"statuses": statuses, "used": used, "internal": float(done.group(1)) if done else None}


def build_once(network: Network, config: Path, out: Path, logs: Path, *, cold: bool, day: date = EDITION,
               memory: bool = False) -> dict[str, Any]:
    """One `digest build` as a subprocess; cold removes the store first.

    memory: sample the process tree's PSS while it runs. Only on a run that is not timed:
    reading /proc/<pid>/smaps_rollup walks the page tables of every process every 20 ms and
    slowed a cold build by about a third on this 2-core machine.
    """
    if cold:
        shutil.rmtree(config.parent / ".digest", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    network.stats(reset=True)
    run = run_child([DIGEST, "build", "--config", str(config), "--date", day.isoformat(), "--out", str(out)],
                    cwd=config.parent, env=child_env(), sample_memory=memory, logs=logs, helpers=(network.server.pid,))
    stats = network.stats()
    if run.returncode != 0:
        raise SystemExit(f"digest build failed (exit {run.returncode}); see {logs.with_suffix('.err')}:\n{run.stderr[-3000:]}")
    html = out / "newsletter.html"
    report = parse_report(run.stdout)
    return {"wall": run.wall, "internal": report["internal"], "statuses": report["statuses"], "used": report["used"],
            "maxrss_kb": run.maxrss_kb, "tree_pss_peak_kb": run.tree_pss_peak_kb, "tree_procs": run.tree_procs_peak,
            "cpu": run.user + run.system, "server": stats, "html_bytes": html.stat().st_size if html.exists() else 0,
            "other_load": run.other_load}


def measure_startup(repeats: int) -> list[float]:
    """Process start-up: `digest --version` (interpreter + console script + the CLI module)."""
    run_child([DIGEST, "--version"], env=child_env())  # page cache, .pyc
    return [run_child([DIGEST, "--version"], env=child_env()).wall for _ in range(repeats)]


def measure_baseline(network: Network, runs: int, logs: Path) -> list[dict[str, Any]]:
    """The peers' way (bench.baseline) as its own process, so start-up counts as for digest."""
    results = []
    for i in range(runs):
        network.stats(reset=True)
        run: ChildRun = run_child([sys.executable, "-m", "bench.baseline", str(network.work / "urls.txt")], cwd=ROOT,
                                  env=child_env(), logs=logs / f"baseline-{i + 1}", helpers=(network.server.pid,))
        if run.returncode != 0:
            raise SystemExit(f"baseline failed: {run.stderr[-2000:]}")
        inner = json.loads(run.stdout.strip().splitlines()[-1])
        results.append({"wall": run.wall, **inner, "server": network.stats(), "other_load": run.other_load})
    return results


def parse_jobs(network: Network, config_path: Path) -> list[Any]:
    """Every member's body as the build hands it to a reader (digest.collect.parse.ParseJob)."""
    from digest.collect.parse import ParseJob
    from digest.config.load import load_config
    from digest.edition.group import event_window

    config = load_config(config_path)
    window = event_window(config, EDITION)
    return [ParseJob(f.body, f.name, url, config.newsletter.summary_length, config.newsletter.timezone, window)
            for f, url in zip(network.feeds, network.urls, strict=True)]


def parse_total_cpu(jobs: list[Any]) -> tuple[float, list[Any]]:
    """CPU seconds to parse every body once, on one core: the floor's middle term.

    Measured just before and just after each cold build and averaged: this VM's speed drifted
    by up to ±13% within one benchmark (parse CPU 4.61, 4.12, 3.56 s in three runs), and a
    floor taken at another moment would skew that build's ratio.
    """
    from digest.collect.parse import parse_job
    from digest.collect.readers.registry import detect

    firsts: dict[str, Any] = {}
    for job in jobs:  # imports and first-call caches out of the timing
        firsts.setdefault(detect(job.body), job)
    for job in firsts.values():
        parse_job(job)
    started = time.process_time()
    parsed = [parse_job(job) for job in jobs]
    return time.process_time() - started, parsed


def measure_parse(network: Network, jobs: list[Any], totals: list[float], parsed: list[Any], runs: int) -> dict[str, Any]:
    """CPU per entry: digest's reader (parse + nh3 + normalise) vs feedparser defaults, same bodies.

    The three ways are interleaved on the same ten RSS bodies, so drift hits them alike.
    """
    import feedparser

    from digest.collect.parse import ParseJob, parse_job

    problems = sorted({p for r in parsed for p in r.problems})
    sample = [job for job, f in zip(jobs, network.feeds, strict=True) if f.kind == "rss"][:10]
    entries = sum(len(feedparser.parse(job.body, sanitize_html=False, resolve_relative_uris=False).entries) for job in sample)

    def cpu(fn: Callable[[ParseJob], object]) -> float:
        started = time.process_time()
        for job in sample:
            fn(job)
        return time.process_time() - started

    digest_t, default_t, bare_t = [], [], []
    for _ in range(max(runs, 3)):
        digest_t.append(cpu(parse_job))
        default_t.append(cpu(lambda job: feedparser.parse(job.body)))
        bare_t.append(cpu(lambda job: feedparser.parse(job.body, sanitize_html=False, resolve_relative_uris=False,
                                                       response_headers={"content-location": job.base_url})))
    return {
        "total_cpu": median(totals), "total_cpu_runs": totals, "bodies": len(jobs),
        "items": sum(len(r.items) for r in parsed),
        "problems": problems, "sample_feeds": len(sample), "sample_entries": entries,
        "digest_per_entry": median(digest_t) / entries, "feedparser_default_per_entry": median(default_t) / entries,
        "feedparser_unsanitised_per_entry": median(bare_t) / entries,
        "digest_per_feed": median(digest_t) / len(sample), "feedparser_default_per_feed": median(default_t) / len(sample),
    }


def measure_render(config_path: Path, repeats: int) -> dict[str, Any]:
    """Render 20/40/60-item editions from the store a cold build filled; stages timed separately."""
    from mjml import mjml2html

    from digest.collect.store import Store
    from digest.config.load import load_config
    from digest.edition.group import group
    from digest.render.email import context, environment, mjml_to_html, render_views, section_views

    config = load_config(config_path)
    with Store.beside(config.path) as store:
        items = [item for found in store.all_items().values() for item in found]
    out: dict[str, Any] = {}
    for size in (20, 40, 60):
        limits = scaled_limits(size)
        variant = dataclasses.replace(config, sections=tuple(
            dataclasses.replace(s, limit=limits[s.title]) if s.title in limits else s for s in config.sections))
        filled = group(items, variant, EDITION)
        count = sum(len(box.items) for box in filled)
        render_views(variant, EDITION, section_views(filled, variant))  # warm-up: imports, template compilation
        total = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            rendered = render_views(variant, EDITION, section_views(filled, variant))
            total.append(time.perf_counter() - t0)
        stages: dict[str, list[float]] = {}
        try:  # where the time goes; render's internals may change, render() itself is what is timed
            for _ in range(repeats):
                t0 = time.perf_counter()
                env = environment(variant.templates_dir)
                ctx = context(variant, EDITION, section_views(filled, variant))
                t1 = time.perf_counter()
                source = env.get_template("newsletter.mjml.j2").render(ctx)
                t2 = time.perf_counter()
                mjml2html(source, fonts={}, disable_comments=True)
                t3 = time.perf_counter()
                mjml_to_html(source)
                t4 = time.perf_counter()
                env.get_template("newsletter.txt.j2").render(ctx)
                t5 = time.perf_counter()
                for name, spent in (("views+context", t1 - t0), ("jinja→mjml", t2 - t1), ("mrml", t3 - t2),
                                    ("premailer", (t4 - t3) - (t3 - t2)), ("text twin", t5 - t4)):
                    stages.setdefault(name, []).append(spent)
        except Exception as exc:  # noqa: BLE001 - the breakdown is a hint, never a reason to stop
            stages = {}
            print(f"(render stage breakdown skipped: {type(exc).__name__}: {exc})", file=sys.stderr)
        out[str(size)] = {
            "items": count, "seconds": median(total), "html_bytes": len(rendered.html.encode("utf-8")),
            "text_bytes": len(rendered.text.encode("utf-8")),
            "stages": {name: median(values) for name, values in stages.items()},
        }
        (config_path.parent / f"render-{size}.html").write_text(rendered.html)
    for size in (20, 40, 60):
        firsts = []
        for _ in range(3):
            run = run_child([sys.executable, "-m", "bench.firstrender", str(config_path), EDITION.isoformat(), str(size)],
                            cwd=ROOT, env=child_env(), logs=config_path.parent / f"firstrender-{size}")
            if run.returncode != 0:
                raise SystemExit(f"bench.firstrender failed: {run.stderr[-2000:]}")
            firsts.append(json.loads(run.stdout.strip().splitlines()[-1]))
        out[str(size)]["first_in_fresh_process"] = median([f["first"] for f in firsts])
        out[str(size)]["render_imports"] = median([f["imports"] for f in firsts])
    b20, b60 = out["20"]["html_bytes"], out["60"]["html_bytes"]
    out["marginal_per_item"] = (b60 - b20) / (out["60"]["items"] - out["20"]["items"])
    return out


def measure_preview(config_path: Path, out: Path, repeats: int) -> dict[str, Any]:
    """save→refresh: what preview does after a save — reload config, rebuild from the store, write.

    While digest/preview/ does not exist this is the proxy the issue allows; the browser's
    reload itself (milliseconds on loopback) is not included.
    """
    from digest.config.load import load_config
    from digest.edition.pipeline import build_edition
    from digest.write import write_outputs

    exists = importlib.util.find_spec("digest.preview.server") is not None

    def once() -> float:
        started = time.perf_counter()
        config = load_config(config_path)
        edition = build_edition(config, EDITION, refetch=False)
        write_outputs(out, {"newsletter.html": edition.html, "newsletter.txt": edition.text,
                            "newsletter.mjml": edition.mjml})
        return time.perf_counter() - started

    first = once()
    times = [once() for _ in range(repeats)]
    return {"seconds": median(times), "first": first, "runs": times, "preview_module": exists,
            "method": "proxy: load_config + build_edition(refetch=False) + write_outputs in a warm process"}


def measure_preview_live(config_path: Path, repeats: int, logs: Path) -> dict[str, Any] | None:
    """save→refresh with the real `digest preview`: save sources.toml, wait for the page's long poll
    to report the new build, then fetch what the reloading page fetches (/ and /newsletter.html).

    The save is atomic (write beside, rename over), as editors do, so the watcher never sees a
    half-written file. The first edit is a warm-up and not counted. None when preview is missing.
    """
    if importlib.util.find_spec("digest.preview.server") is None:  # moved from digest/preview.py in issue 20
        return None
    import threading

    original = config_path.read_text()
    anchor = "Our members have been busy."
    with open(logs.with_suffix(".err"), "wb") as err:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([DIGEST, "preview", "--config", str(config_path), "--date", EDITION.isoformat(),
                                 "--port", "0"], cwd=config_path.parent, env=child_env(), stdout=subprocess.PIPE,
                                stderr=err, stdin=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 120
        found = None
        while found is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit(f"digest preview exited early; see {logs.with_suffix('.err')}")
            found = re.search(r"(http://\S+?/)\s", line)
        if found is None:
            raise SystemExit("digest preview did not say where it listens within 120 s")
        url: str = found.group(1)
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # type: ignore[union-attr]

        def get(path: str, timeout: float = 60) -> bytes:
            with urllib.request.urlopen(url + path, timeout=timeout) as response:
                return response.read()

        build = json.loads(get("events?since=-1"))["build"]
        times: list[float] = []
        for i in range(repeats + 1):
            marker = f"edit number {i}"
            answer: dict[str, Any] = {}
            poll = threading.Thread(target=lambda into=answer, since=build: into.update(json.loads(get(f"events?since={since}"))))
            poll.start()
            time.sleep(0.1)  # the long poll is waiting, as the open page's is
            t0 = time.perf_counter()
            tmp = config_path.with_name(".sources.toml.save")
            tmp.write_text(original.replace(anchor, f"Our members have been busy ({marker})."))
            os.replace(tmp, config_path)
            poll.join(60)
            get("")
            html = get("newsletter.html").decode()
            elapsed = time.perf_counter() - t0
            if marker not in html or answer.get("error"):
                raise SystemExit(f"preview did not show the edit (build {answer}); see {logs.with_suffix('.err')}")
            build = answer["build"]
            if i:
                times.append(elapsed)
        return {"seconds": median(times), "runs": times}
    finally:
        config_path.write_text(original)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def check_warm_in_process(config_path: Path) -> dict[str, Any]:
    """Re-check 'zero feeds re-parsed' from the inside: every SourceReport.parsed is False."""
    from digest.config.load import load_config
    from digest.edition.pipeline import build_edition

    edition = build_edition(load_config(config_path), EDITION)
    parsed = [s.name for s in edition.report.sources if s.parsed]
    statuses: dict[str, int] = {}
    for s in edition.report.sources:
        statuses[s.status] = statuses.get(s.status, 0) + 1
    return {"parsed": len(parsed), "statuses": statuses}


def measure_peers(network: Network, work: Path, logs: Path) -> dict[str, Any]:
    """reader's update_feeds() and rss2email's run, cold then warm, on the same members (bench.peers)."""
    from bench.peers import available

    urls = network.work / "urls.txt"
    out: dict[str, Any] = {}
    if available("reader"):
        db = work / "peers" / "reader.sqlite"
        db.parent.mkdir(parents=True, exist_ok=True)
        for phase in ("cold", "warm"):
            network.stats(reset=True)
            run = run_child([sys.executable, "-m", "bench.peers", "reader", str(db), str(urls)], cwd=ROOT,
                            env=child_env(), logs=logs / f"reader-{phase}", helpers=(network.server.pid,))
            if run.returncode != 0:
                out["reader_error"] = run.stderr[-500:]
                break
            out[f"reader_{phase}"] = {"wall": run.wall, **json.loads(run.stdout.strip().splitlines()[-1]),
                                      "server": network.stats(), "other_load": run.other_load}
    else:
        out["reader_error"] = "not installed (pip install -e '.[bench]')"
    if available("rss2email"):
        setup = subprocess.run([sys.executable, "-m", "bench.peers", "rss2email-setup", str(work / "peers" / "r2e"),
                                str(urls)], cwd=ROOT, env=child_env(), capture_output=True, text=True, check=True)
        argv = json.loads(setup.stdout)
        for phase in ("cold", "warm"):
            network.stats(reset=True)
            run = run_child(argv, cwd=work, env=child_env(), logs=logs / f"rss2email-{phase}",
                            helpers=(network.server.pid,))
            if run.returncode != 0:
                out["rss2email_error"] = run.stderr[-500:]
                break
            out[f"rss2email_{phase}"] = {"wall": run.wall, "server": network.stats(), "other_load": run.other_load}
    else:
        out["rss2email_error"] = "not installed (pip install -e '.[bench]')"
    return out


def measure_scale(count: int, work: Path, latency: float, logs: Path) -> dict[str, Any]:
    """A network of `count` members of its own: one cold and two warm builds timed, then peak memory
    sampled on an untimed cold and an untimed warm build."""
    step(f"scale: {count} members (making the feeds, then cold, warm ×2, and memory)")
    network = Network(work / f"scale-{count}", count, latency)
    try:
        config = write_config(network.work / "network" / "sources.toml", network, SECTIONS_40)
        out = network.work / "out"
        cold = build_once(network, config, out, logs / f"scale-{count}-cold", cold=True)
        warm = [build_once(network, config, out, logs / f"scale-{count}-warm-{i}", cold=False) for i in range(2)]
        cold_memory = build_once(network, config, out, logs / f"scale-{count}-cold-mem", cold=True, memory=True)
        warm_memory = build_once(network, config, out, logs / f"scale-{count}-warm-mem", cold=False, memory=True)
        return {"sources": count, "cold": cold, "warm": warm, "cold_memory": cold_memory, "warm_memory": warm_memory}
    finally:
        network.close()
        shutil.rmtree(network.work, ignore_errors=True)


def fill_a_year(config_path: Path, months: int = 12) -> int:
    """Turn the store a cold build filled into a year of posts: each month's copy is a month older."""
    from digest.collect.store import Store
    from digest.config.load import load_config
    from digest.model import Post

    config = load_config(config_path)
    with Store.beside(config.path) as store, store.transaction():
        items = store.all_items()
        for name, found in items.items():
            state = store.state(name)
            posts = [i for i in found if isinstance(i, Post)]
            if state is None or not posts:
                continue
            for month in range(1, months):
                shift = timedelta(days=31 * month)
                store.save_parsed(state, [dataclasses.replace(p, id=f"{p.id}-{month}", guid=f"{p.guid}-{month}",
                                                              published=p.published - shift) for p in posts])
        return sum(store.counts().values())


def measure_year(network: Network, config: Path, logs: Path) -> dict[str, Any]:
    """Warm builds (all 304) over a store holding a year of posts: time and memory should not grow with it."""
    stored = fill_a_year(config)
    out = network.work / "out" / "year"
    build_once(network, config, out, logs / "year-warm-0", cold=False)  # untimed: the older posts change the inputs once
    warm = [build_once(network, config, out, logs / f"year-warm-{i}", cold=False) for i in range(2)]
    memory = build_once(network, config, out, logs / "year-warm-mem", cold=False, memory=True)
    return {"items": stored, "warm": warm, "memory": memory}


def measure_store(parsed: list[Any], repeats: int) -> dict[str, Any]:
    """Saving every item of a cold build (one transaction, as a build does) into a fresh store, in-process."""
    from digest.collect.store import SourceState, Store

    work = Path(tempfile.mkdtemp(prefix="digest-bench-store-"))
    times, loads = [], []
    try:
        for n in range(repeats):
            with Store(work / f"{n}.sqlite") as store:
                started = time.perf_counter()
                with store.transaction():
                    for i, result in enumerate(parsed):
                        store.save_parsed(SourceState(name=f"m{i}", url=f"http://m{i}/", body_hash="h", parsed_key="k"),
                                          result.items, replace_kind="event" if result.format == "iCalendar" else None)
                times.append(time.perf_counter() - started)
                started = time.perf_counter()
                store.all_items(posts_since=datetime.combine(EDITION - timedelta(days=31), datetime.min.time(),
                                                             UTC))
                loads.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"items": sum(len(r.items) for r in parsed), "seconds": median(times), "runs": times,
            "load_window": median(loads)}


def measure_agreement(network: Network) -> dict[str, Any]:
    """The fast parse path against feedparser on the benchmark's own bodies (the corpus is in the tests)."""
    from bench.agreement import compare

    found = compare([(f.name, f.body) for f in network.feeds], base_url=network.urls[0])
    return {"feeds": found.feeds, "eligible": found.eligible, "agreed": found.agreed, "summary": found.summary()}


def run(opts: Options) -> Results:
    """Every measurement, in an order that reuses state: the cold builds fill the store that the
    warm builds, render, preview and next-day measurements read."""
    with sitting(opts) as (res, work, logs):
        network = Network(work, opts.sources, opts.latency)
        try:
            rss = [f for f in network.feeds if f.kind == "rss"]
            res.corpus = {"sources": len(network.feeds), "rss": len(rss), "ical": len(network.feeds) - len(rss),
                          "rss_mean_kib": statistics.mean(len(f.body) for f in rss) / KIB if rss else 0,
                          "total_mib": sum(len(f.body) for f in network.feeds) / MIB, "work": str(work)}
            config = write_config(work / "network" / "sources.toml", network, SECTIONS_40)
            step("start-up (digest --version)")
            res.startup = measure_startup(max(5, opts.runs))
            step(f"baseline: sequential feedparser over {opts.sources} URLs × {opts.baseline_runs}")
            res.baseline = measure_baseline(network, opts.baseline_runs, logs)
            jobs = parse_jobs(network, config)
            totals: list[float] = []
            for i in range(opts.runs):
                step(f"parse CPU, digest build cold, parse CPU again, digest build warm: run {i + 1}/{opts.runs}")
                before, _ = parse_total_cpu(jobs)
                res.cold.append(build_once(network, config, work / "out" / f"cold-{i + 1}", logs / f"cold-{i + 1}", cold=True))
                after, parsed = parse_total_cpu(jobs)
                totals.append((before + after) / 2)  # the floor of this cold build, bracketing it in time
                res.warm.append(build_once(network, config, work / "out" / f"warm-{i + 1}", logs / f"warm-{i + 1}", cold=False))
            step("digest build cold, once more, sampling memory (not timed)")
            res.memory = build_once(network, config, work / "out" / "memory", logs / "memory", cold=True, memory=True)
            step("warm build in-process (SourceReport.parsed)")
            network.stats(reset=True)
            res.warm_in_process = check_warm_in_process(config) | {"server": network.stats()}
            step("parse + sanitise CPU per entry, digest vs feedparser")
            res.parse = measure_parse(network, jobs, totals, parsed, opts.runs)
            step("render 20/40/60 items")
            res.render = measure_render(config, opts.repeats)
            step("preview save→refresh")
            res.preview = measure_preview(config, work / "out" / "preview", opts.repeats)
            try:
                res.preview["live"] = measure_preview_live(config, opts.repeats, logs / "preview")
            except (SystemExit, OSError, ValueError, KeyError) as exc:  # report it; fall back to the proxy
                res.preview["live"] = None
                res.preview["live_error"] = str(exc)[:300]
                print(f"(digest preview could not be measured: {exc}; using the proxy)", file=sys.stderr)
            step("digest build warm, next edition date (a day later, all 304)")
            res.next_day = build_once(network, config, work / "out" / "next-day", logs / "next-day", cold=False,
                                      day=EDITION + timedelta(days=1))
            step("store: saving every item of a cold build; fast parse path agreement on these bodies")
            res.store = measure_store(parsed, max(3, opts.runs))
            res.agreement = measure_agreement(network)
            if opts.peers:
                step("reader update_feeds() and rss2email run, cold then warm, same members")
                res.peers = measure_peers(network, work, logs)
            step("a store holding a year of posts: warm builds")
            res.year = measure_year(network, config, logs)
        finally:
            network.close()
        for count in opts.scale:
            res.scale[str(count)] = measure_scale(count, work, opts.latency, logs)
    return res


@contextmanager
def sitting(opts: Options) -> Iterator[tuple[Results, Path, Path]]:
    """(results, work folder, logs folder) for one sitting: the machine noted before and after, the
    time it took, and the work folder removed afterwards unless --keep."""
    started = time.perf_counter()
    res = Results(options=dataclasses.asdict(opts) | {"json_out": str(opts.json_out) if opts.json_out else None})
    res.machine = {"cores": os.cpu_count() or 1, "python": sys.version.split()[0], "platform": sys.platform,
                   "load_before": os.getloadavg()}
    work = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    logs = work / "logs"
    logs.mkdir()
    try:
        yield res, work, logs
    finally:
        res.seconds = time.perf_counter() - started
        res.machine["load_after"] = os.getloadavg()
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)


ONLY = ("warm", "scale")


def run_only(opts: Options) -> Results:
    """Only some rows, to measure one target without the whole sitting: "warm" is start-up and
    `runs` pairs of cold and warm builds of the N-member network plus one memory-sampled cold
    build; "scale" is the scale rows (--scale)."""
    with sitting(opts) as (res, work, logs):
        if "warm" in opts.only:
            network = Network(work, opts.sources, opts.latency)
            try:
                config = write_config(work / "network" / "sources.toml", network, SECTIONS_40)
                step("start-up (digest --version)")
                res.startup = measure_startup(max(5, opts.runs))
                for i in range(opts.runs):
                    step(f"digest build cold, then warm: run {i + 1}/{opts.runs}")
                    out, log = work / "out", logs
                    res.cold.append(build_once(network, config, out / f"cold-{i + 1}", log / f"cold-{i + 1}", cold=True))
                    res.warm.append(build_once(network, config, out / f"warm-{i + 1}", log / f"warm-{i + 1}", cold=False))
                step("digest build cold, once more, sampling memory (not timed)")
                res.memory = build_once(network, config, work / "out" / "memory", logs / "memory", cold=True, memory=True)
            finally:
                network.close()
        if "scale" in opts.only:
            for count in opts.scale:
                res.scale[str(count)] = measure_scale(count, work, opts.latency, logs)
    return res


def _seconds(x: float) -> str:
    return f"{x:.2f} s"


def _millis(x: float) -> str:
    return f"{x * 1000:.0f} ms"


def _peak_mib(run: dict[str, Any]) -> float:
    return float(run["tree_pss_peak_kb"]) * KIB / MIB


def _other_load(run: dict[str, Any]) -> str:
    return f"{run.get('other_load', 0.0) * 100:.0f}%"


def _others(runs: list[dict[str, Any]]) -> str:
    return f"other processes {median([r.get('other_load', 0.0) for r in runs]) * 100:.0f}%"


def table_only(res: Results) -> str:
    """The rows run_only measured, each build's figures listed, medians first."""
    s = _seconds
    mib = _peak_mib
    load = _other_load
    lines = []
    if res.warm:
        n = res.options["sources"]
        warm, cold = median([w["wall"] for w in res.warm]), median([c["wall"] for c in res.cold])
        lines += [f"start-up (digest --version): {s(median(res.startup))}",
                  f"N = {n} cold: {s(cold)} (runs {', '.join(s(c['wall']) for c in res.cold)}; "
                  f"other processes {', '.join(load(c) for c in res.cold)})",
                  f"N = {n} CPU (user + system, all processes): cold {s(median([c['cpu'] for c in res.cold]))}, "
                  f"warm {s(median([w['cpu'] for w in res.warm]))}",
                  f"N = {n} warm: {s(warm)} (runs {', '.join(s(w['wall']) for w in res.warm)}; "
                  f"other processes {', '.join(load(w) for w in res.warm)}) — target ≤ 0.5 s: "
                  f"{'met' if warm <= 0.5 else 'MISSED'}",
                  f"N = {n} cold peak memory: {mib(res.memory):.0f} MiB tree PSS, "
                  f"largest process {res.memory['maxrss_kb'] / 1024:.0f} MiB"]
    for count, x in sorted(res.scale.items(), key=lambda kv: int(kv[0])):
        warm_n = median([w["wall"] for w in x["warm"]])
        peak = max(mib(x["cold_memory"]), mib(x["warm_memory"]))
        lines += [f"N = {count} cold / warm: {s(x['cold']['wall'])} / {s(warm_n)} (warm runs "
                  f"{', '.join(s(w['wall']) for w in x['warm'])}; other processes {load(x['cold'])} cold)",
                  f"N = {count} peak memory: {mib(x['cold_memory']):.0f} MiB cold "
                  f"(largest process {x['cold_memory']['maxrss_kb'] / 1024:.0f} MiB, other processes "
                  f"{load(x['cold_memory'])}), {mib(x['warm_memory']):.0f} MiB warm (tree PSS)"
                  + (f" — target ≤ 300 MiB: {'met' if peak <= 300 else 'MISSED'}" if int(count) == 1000 else "")]
    return "\n".join(lines)


def serve_only(opts: Options) -> None:
    """The network alone, so a build can be profiled by hand (pyinstrument, py-spy) against it."""
    work = Path(tempfile.mkdtemp(prefix="digest-bench-serve-"))
    network = Network(work, opts.sources, opts.latency)
    config = write_config(work / "network" / "sources.toml", network, SECTIONS_40)
    print(f"{opts.sources} members at {opts.latency * 1000:.0f} ms; config: {config}\n"
          f"e.g. {DIGEST} build --config {config} --date {EDITION} --out {work / 'out'}", flush=True)
    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        network.server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        network.close()
        shutil.rmtree(work, ignore_errors=True)


def step(what: str) -> None:
    """Progress on stderr, so stdout is the table alone."""
    print(f"… {what}", file=sys.stderr, flush=True)


def table(res: Results, opts: Options) -> str:
    """The printed report: measurements with medians, then each target met or missed."""
    s = _seconds
    ms = _millis
    cores = res.machine["cores"]
    startup = median(res.startup)
    base = median([b["wall"] for b in res.baseline])
    cold = median([c["wall"] for c in res.cold])
    warm = median([w["wall"] for w in res.warm])
    cold_internal = median([c["internal"] for c in res.cold if c["internal"] is not None])
    warm_internal = median([w["internal"] for w in res.warm if w["internal"] is not None])
    cold_cpu = median([c["cpu"] for c in res.cold])
    others = _others
    p = res.parse
    floors = [opts.latency + total / cores + startup for total in p["total_cpu_runs"]]
    floor = median(floors)
    ratio_floor = median([c["wall"] / f for c, f in zip(res.cold, floors, strict=False)])  # each cold build with its own floor
    maxrss = max(c["maxrss_kb"] for c in [*res.cold, res.memory]) * KIB / MIB
    pss = res.memory["tree_pss_peak_kb"] * KIB / MIB
    procs = res.memory["tree_procs"]
    r = res.render
    n = res.corpus["sources"]
    reparsed = max(w["statuses"].get("ok", 0) for w in res.warm)
    not_modified = min(w["statuses"].get("not modified", 0) for w in res.warm)
    warm_200 = max(w["server"]["by_status"].get("200", 0) for w in res.warm)
    warm_304 = min(w["server"]["by_status"].get("304", 0) for w in res.warm)
    cold_200 = min(c["server"]["by_status"].get("200", 0) for c in res.cold)
    prev = res.preview
    live = prev.get("live")
    refresh = live["seconds"] if live else prev["seconds"]
    ratio = p["feedparser_default_per_entry"] / p["digest_per_entry"]

    rows = [
        ("1", "baseline: sequential feedparser.parse(url)", s(base), spread([b["wall"] for b in res.baseline], s)
         + f"; {res.baseline[0]['entries']} entries; {others(res.baseline)}"),
        ("2", "digest build, cold (empty store)", s(cold), spread([c["wall"] for c in res.cold], s)
         + f"; {cold_200}×200; in-build {s(cold_internal)}; CPU {s(cold_cpu)} (all its processes); {others(res.cold)}"),
        ("", "  floor: latency + parse CPU ÷ cores + start-up",
         s(floor), f"= {opts.latency:.2f} + {p['total_cpu']:.2f}/{cores} + {startup:.2f} "
         f"(parse CPU around each cold build: {', '.join(f'{t:.2f}' for t in p['total_cpu_runs'])} s)"),
        ("", "  cold ÷ floor; baseline ÷ cold", f"{ratio_floor:.2f}×",
         f"median of each run's ratio; {base / cold:.1f}× faster than baseline"),
        ("3", "digest build, warm (all 304)", s(warm), spread([w["wall"] for w in res.warm], s)
         + f"; in-build {s(warm_internal)}; start-up {s(startup)}; {others(res.warm)}"),
        ("", "  feeds re-parsed (CLI report / in-process)", f"{reparsed} / {res.warm_in_process['parsed']}",
         f"{warm_304}×304, {warm_200}×200; {not_modified}/{n} 'not modified'"),
        ("", "  warm, next day's --date (all 304)", s(res.next_day["wall"]),
         f"1 run; {res.next_day['statuses'].get('ok', 0)} feeds re-parsed, "
         f"{res.next_day['statuses'].get('not modified', 0)} 'not modified'"),
        ("4", "parse+sanitise CPU per entry: digest", f"{p['digest_per_entry'] * 1e6:.0f} µs",
         f"{p['digest_per_feed'] * 1000:.1f} ms per 50-entry feed ({p['sample_feeds']} feeds × {max(opts.runs, 3)})"),
        ("", "  feedparser defaults (sanitiser on)", f"{p['feedparser_default_per_entry'] * 1e6:.0f} µs",
         f"{p['feedparser_default_per_feed'] * 1000:.1f} ms per feed; digest is {ratio:.2f}× faster"),
        ("", "  feedparser alone, as digest calls it", f"{p['feedparser_unsanitised_per_entry'] * 1e6:.0f} µs",
         f"{p['feedparser_unsanitised_per_entry'] / p['digest_per_entry'] * 100:.0f}% of digest's cost; "
         "the rest is nh3 + trimming + normalising"),
        ("", "  total parse CPU, all bodies (one core)", s(p["total_cpu"]), f"{p['bodies']} bodies, {p['items']} items"),
    ]
    for size in ("20", "40", "60"):
        x = r[size]
        st = x["stages"]
        rows.append(("5" if size == "20" else "", f"render {size}-item edition ({x['items']} items)", ms(x["seconds"]),
                     f"first in a fresh process {ms(x['first_in_fresh_process'])}; "
                     f"{x['html_bytes'] / KIB:.1f} KiB = {x['html_bytes'] / x['items']:.0f} B/item"
                     + ("; " + ", ".join(f"{k} {v * 1000:.0f}" for k, v in st.items()) + " ms" if st else "")))
    rows.append(("", "  HTML bytes per item, marginal (b60−b20)/40", f"{r['marginal_per_item']:.0f} B", ""))
    if live:
        rows.append(("6", "preview save→refresh (digest preview)", ms(live["seconds"]),
                     spread(live["runs"], ms) + "; save → long poll answers → / and /newsletter.html fetched"))
        rows.append(("", "  rebuild from store alone (in-process)", ms(prev["seconds"]), prev["method"]))
    else:
        rows.append(("6", "save→refresh (PROXY: rebuild from store)", ms(prev["seconds"]),
                     f"digest preview not found; {prev['method']}"))
    rows.append(("7", "peak memory of cold build (tree PSS)", f"{pss:.0f} MiB",
                 f"sampled every 20 ms on an extra, untimed cold build; ru_maxrss of the largest process "
                 f"{maxrss:.0f} MiB (all cold builds); up to {procs} processes"))
    st = res.store
    rows.append(("8", f"store: save {st['items']} items (one transaction)", ms(st["seconds"]),
                 spread(st["runs"], ms) + f"; loading the window's posts back {ms(st['load_window'])}"))
    rows.append(("9", "fast parse path on these bodies", f"{res.agreement['eligible']}/{res.agreement['feeds']}",
                 res.agreement["summary"]))
    peer_rows, peer_targets = _peers(res, cold, warm, s)
    rows.extend(peer_rows)
    scale_rows, scale_targets = _scale(res, cold, warm, pss, s)
    rows.extend(scale_rows)
    width = max(len(r_[1]) for r_ in rows)
    load = res.machine
    busy = median([r.get("other_load", 0.0) for r in res.cold + res.warm + res.baseline])
    lines = [
        *([f"WARNING: other processes used {busy * 100:.0f}% of this machine's CPU while the builds ran: wall times "
           "are inflated; rerun on a quiet machine for figures to quote", ""] if busy > 0.10 else []),
        f"digest benchmark — {n} sources ({res.corpus['rss']} RSS of ~{res.corpus['rss_mean_kib']:.0f} KiB / 50 entries, "
        f"{res.corpus['ical']} iCalendar), {opts.latency * 1000:.0f} ms latency, {cores} cores, medians of {opts.runs} "
        f"run{'s' if opts.runs != 1 else ''}, Python {load['python']}; load average "
        f"{load['load_before'][0]:.2f} before, {load.get('load_after', (float('nan'),))[0]:.2f} after",
        "",
        f"{'#':<2} {'measurement':<{width}}  {'median':>9}  detail",
        *[f"{a:<2} {b:<{width}}  {c:>9}  {d}" for a, b, c, d in rows],
        "",
    ]
    targets = [
        ("cold build ≤ 1.2× floor", ratio_floor <= 1.2, f"{s(cold)} = {ratio_floor:.2f}× floor ({s(floor)})"),
        ("cold build ≥ 10× faster than baseline", base / cold >= 10, f"{base / cold:.1f}× ({s(base)} ÷ {s(cold)})"),
        ("warm build ≤ 0.5 s wall (process start included)", warm <= 0.5, s(warm)),
        ("warm build re-parses zero feeds", reparsed == 0 and res.warm_in_process["parsed"] == 0 and warm_200 == 0,
         f"{reparsed} re-parsed (report), {res.warm_in_process['parsed']} (SourceReport.parsed), {warm_200} bodies sent"),
        ("parse+sanitise ≥ 5× faster than feedparser defaults", ratio >= 5,
         f"{ratio:.2f}× ({p['digest_per_entry'] * 1e6:.0f} vs {p['feedparser_default_per_entry'] * 1e6:.0f} µs/entry); "
         f"fast path {res.agreement['agreed']}/{res.agreement['eligible']} identical to feedparser"),
        (f"store: saving {st['items']} items ≤ 0.1 s", st["seconds"] <= 0.1, ms(st["seconds"])),
        *peer_targets,
        *scale_targets,
        ("render of a 40-item edition ≤ 150 ms", r["40"]["seconds"] <= 0.150,
         f"{ms(r['40']['seconds'])} (first in a fresh process: {ms(r['40']['first_in_fresh_process'])})"),
        ("HTML ≤ 1.2 KiB (1229 B) per item, marginal", r["marginal_per_item"] <= 1.2 * KIB,
         f"{r['marginal_per_item']:.0f} B marginal; {r['60']['html_bytes'] / r['60']['items']:.0f} B total/item at 60"),
        ("60-item edition < 102 KiB", r["60"]["html_bytes"] < GMAIL_CLIP,
         f"{r['60']['html_bytes'] / KIB:.1f} KiB ({r['60']['html_bytes']} B)"),
        ("save→refresh ≤ 0.5 s" + ("" if live else " (proxy)"), refresh <= 0.5, ms(refresh)),
        ("peak memory of cold build ≤ 300 MiB", pss <= 300, f"{pss:.0f} MiB tree PSS (largest process {maxrss:.0f} MiB)"),
    ]
    twidth = max(len(t[0]) for t in targets)
    lines.append(f"{'target':<{twidth}}  result  figure")
    lines.extend(f"{t:<{twidth}}  {'met   ' if ok else 'MISSED'}  {fig}" for t, ok, fig in targets)
    met = sum(ok for _, ok, _ in targets)
    lines.append("")
    lines.append(f"{met}/{len(targets)} targets met; the whole benchmark took {res.seconds:.0f} s")
    if p["problems"]:
        lines.append("reader problems seen (same for every body of a kind): " + "; ".join(p["problems"][:3]))
    return "\n".join(lines)


def _peers(res: Results, cold: float, warm: float, s: Callable[[float], str]) -> tuple[list[Any], list[Any]]:
    """Rows and targets for reader and rss2email, side by side with digest's medians from the same run."""
    rows: list[Any] = []
    targets: list[Any] = []
    peers = res.peers
    for key, title in (("reader", f"reader update_feeds(workers={16})"), ("rss2email", "rss2email run --no-send")):
        if f"{key}_cold" not in peers:
            if peers or res.options.get("peers", True):
                rows.append(("10", f"{title}", "—", peers.get(f"{key}_error", "not run")[:120]))
            continue
        for phase, ours in (("cold", cold), ("warm", warm)):
            theirs = peers[f"{key}_{phase}"]["wall"]
            rows.append(("10" if not rows else "", f"{title}, {phase}", s(theirs),
                         f"digest {phase} {s(ours)} = {theirs / ours:.1f}× faster; "
                         f"{peers[f'{key}_{phase}']['server']['by_status']}"))
            targets.append((f"ahead of {key}, {phase}", ours < theirs, f"digest {s(ours)} vs {s(theirs)}"))
    return rows, targets


def _scale(res: Results, cold: float, warm: float, pss: float, s: Callable[[float], str]) -> tuple[list[Any], list[Any]]:
    """Rows for N = 10, 100, 1,000 members and for a store holding a year of posts; the N = 1,000 targets."""
    rows: list[Any] = []
    targets: list[Any] = []
    mib = _peak_mib
    n = res.corpus["sources"]
    found = {int(k): v for k, v in res.scale.items()}
    for count in sorted({*found, n}):
        if count == n:
            rows.append(("11" if not rows else "", f"N = {count}: cold / warm", f"{s(cold)} / {s(warm)}",
                         f"peak {pss:.0f} MiB cold (the rows above)"))
            continue
        x = found[count]
        warm_n = median([w["wall"] for w in x["warm"]])
        rows.append(("11" if not rows else "", f"N = {count}: cold / warm", f"{s(x['cold']['wall'])} / {s(warm_n)}",
                     f"peak {mib(x['cold_memory']):.0f} MiB cold, {mib(x['warm_memory']):.0f} MiB warm (tree PSS); "
                     f"warm runs {', '.join(s(w['wall']) for w in x['warm'])}; "
                     f"other processes {x['cold'].get('other_load', 0) * 100:.0f}%"))
        if count == 1000:
            targets += [
                ("N = 1,000: warm ≤ 2 s", warm_n <= 2.0, s(warm_n)),
                ("N = 1,000: peak memory ≤ 300 MiB, cold and warm",
                 max(mib(x["cold_memory"]), mib(x["warm_memory"])) <= 300,
                 f"{mib(x['cold_memory']):.0f} MiB cold, {mib(x['warm_memory']):.0f} MiB warm"),
            ]
    if res.year:
        y = res.year
        year_warm = median([w["wall"] for w in y["warm"]])
        rows.append(("12", f"store of a year ({y['items']} items), warm", s(year_warm),
                     f"N = {n}; one month's store: {s(warm)}; peak {mib(y['memory']):.0f} MiB (tree PSS)"))
    return rows, targets


def main(argv: list[str] | None = None) -> None:
    """`python -m bench`: parse options, run, print the table (and --json)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description="digest's benchmark harness.")
    parser.add_argument("--sources", type=int, default=None, help="synthetic members (default 100; --quick: 20)")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds before each response (default 0.15)")
    parser.add_argument("--runs", type=int, default=None, help="runs per build measurement (default 3; --quick: 1)")
    parser.add_argument("--baseline-runs", type=int, default=1, help="runs of the slow sequential baseline (default 1)")
    parser.add_argument("--repeats", type=int, default=None, help="in-process repeats for render/preview (default 7)")
    parser.add_argument("--quick", action="store_true", help="N=20, one run, no peers, no scale rows: to iterate")
    parser.add_argument("--scale", default=None,
                        help="comma-separated member counts for the scale rows besides --sources (default 10,1000)")
    parser.add_argument("--no-peers", action="store_true", help="leave out reader and rss2email")
    parser.add_argument("--only", default=None,
                        help=f"comma-separated rows to run alone, of {', '.join(ONLY)} (e.g. --only warm,scale --scale 1000)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (feeds, store, outputs, logs)")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure as JSON here")
    parser.add_argument("--serve", action="store_true",
                        help="only start the synthetic network and print its sources.toml, for profiling; Ctrl-C stops")
    args = parser.parse_args(argv)
    opts = Options(
        sources=args.sources or (20 if args.quick else 100),
        latency=args.latency,
        runs=args.runs or (1 if args.quick else 3),
        baseline_runs=args.baseline_runs,
        repeats=args.repeats or (3 if args.quick else 7),
        keep=args.keep,
        json_out=args.json,
        scale=tuple(int(n) for n in (args.scale if args.scale is not None else ("" if args.quick else "10,1000"))
                    .split(",") if n.strip()),
        peers=not (args.no_peers or args.quick),
        only=tuple(o.strip() for o in (args.only or "").split(",") if o.strip()),
    )
    if unknown := [o for o in opts.only if o not in ONLY]:
        parser.error(f"--only: unknown row {', '.join(unknown)} (choose from {', '.join(ONLY)})")
    if args.serve:
        serve_only(opts)
        return
    res = run_only(opts) if opts.only else run(opts)
    print(table_only(res) if opts.only else table(res, opts))
    if opts.json_out:
        opts.json_out.write_text(json.dumps(dataclasses.asdict(res), indent=2, default=str))
