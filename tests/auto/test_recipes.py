"""The GitHub Actions recipe (examples/github-actions.yml), read as GitHub reads it (YAML) and its `run:` commands run
against the sample network in a git repository of its own, with the installed digest in place of `pip install`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.mail import Inbox, plain

WORKFLOW = ROOT / "examples" / "github-actions.yml"
INSTALLED = Path(sys.executable).parent  # the digest this suite tests, where the recipe pip-installs one
CATCH_UP = "2024-10-01T09:30"  # the sample's edition date (`make demo`), a first Tuesday: the workflow's `now` input


def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def steps() -> list[dict[str, Any]]:
    job, = workflow()["jobs"].values()
    return list(job["steps"])


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=folder,
                          check=True, capture_output=True, text=True)
    return done.stdout


def test_the_workflow_runs_daily_by_hand_and_keeps_the_store() -> None:
    flow = workflow()
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true; GitHub reads it as "on"
    assert [entry["cron"] for entry in on["schedule"]] == ["17 10 * * *"]
    assert "now" in on["workflow_dispatch"]["inputs"]
    assert flow["permissions"] == {"contents": "write"}
    uses = {step["uses"].split("@")[0]: step for step in steps() if "uses" in step}
    restore, save = uses["actions/cache/restore"], uses["actions/cache/save"]
    assert restore["with"]["path"] == save["with"]["path"] == ".digest"
    assert restore["with"]["key"] == save["with"]["key"] and save["if"] == "always()"
    assert save["with"]["key"].startswith(restore["with"]["restore-keys"])
    names = [step.get("name", step.get("uses")) for step in steps()]
    assert names.index("Restore the store") < names.index("Run digest auto") < names.index("Keep the store for the next run")


def run_steps(folder: Path, env: dict[str, str]) -> list[str]:
    """Each `run:` of the workflow, in order, as GitHub runs it (bash -eo pipefail) in the repository's folder."""
    ran = []
    for step in steps():
        if "run" not in step:
            continue
        if step.get("id") == "install":
            assert re.fullmatch(r"python -m pip install --quiet network-digest\n?", step["run"])
            continue  # the digest under test is installed already (INSTALLED is first on PATH)
        values = {name: re.sub(r"\$\{\{\s*inputs\.now\s*\}\}", CATCH_UP, re.sub(r"\$\{\{\s*secrets\.\w+\s*\}\}", "", v))
                  for name, v in (step.get("env") or {}).items()}
        assert not any("${{" in v for v in values.values()), values
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=folder,
                              env={**env, **values}, capture_output=True, text=True)
        assert done.returncode == 0, (step["name"], done.stdout, done.stderr)
        ran.append(step["name"])
    return ran


@pytest.mark.slow  # two runs of `digest auto` on the sample network, as processes (~4 s)
def test_the_workflows_commands_draft_mail_and_commit_the_sample(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    box, port = inbox
    origin, repo = tmp_path / "origin.git", tmp_path / "network"
    repo.mkdir()
    shutil.copy(ROOT / "sources.toml", repo / "sources.toml")
    shutil.copytree(ROOT / "examples" / "feeds", repo / "examples" / "feeds")
    with (repo / "sources.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[schedule]\ncadence = "first tuesday"\nnotify = ["editor@example.org"]\n'
                     f'\n[schedule.smtp]\nserver = "127.0.0.1:{port}"\n')
    (repo / ".gitignore").write_text(".digest/\nbuild/\n", encoding="utf-8")
    git(tmp_path, "init", "--quiet", "--bare", str(origin))
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "the network")
    git(repo, "remote", "add", "origin", str(origin))
    git(repo, "push", "--quiet", "--set-upstream", "origin", "main")
    env = {"PATH": f"{INSTALLED}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path), "LANG": "C.UTF-8"}

    assert run_steps(repo, env) == ["Run digest auto", "Commit the draft"]
    note, = box.received()
    assert note["Subject"].startswith("Ready to edit: Co-Production Network Digest – Tuesday 1 October 2024")
    assert "digest preview -c " in plain(note)
    pushed = git(origin, "log", "--format=%s", "--name-only", "main")
    assert pushed.startswith("digest auto: the draft of the next edition\n\neditions/2024-10-01.md\n")

    run_steps(repo, env)  # the same day again: nothing mailed, nothing to commit
    assert len(box.messages) == 1
    assert git(origin, "rev-list", "--count", "main") == "2\n"
