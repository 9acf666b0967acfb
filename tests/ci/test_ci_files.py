"""The CI files in examples/ci and the pre-commit hook: parsed, checked for what they promise, and every rossum-iac
line of every job run against the emulator, in the order the events happen (push and pull request, merge, night).

Not run (they need GitHub or GitLab): pip install, posting the comment or note, fetching the reviewed plan (the test
keeps plan.json in the working directory, as the artifact download does), writing the job summary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ci_runner import rossum_lines, run_line
from e2e_helpers import Live, write_manifests
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "examples" / "ci" / "github-actions.yml"
GITLAB = ROOT / "examples" / "ci" / "gitlab-ci.yml"
PRE_COMMIT = ROOT / ".pre-commit-hooks.yaml"

SCHEMA = """
    kind: Workspace
    key: ws
    name: WS
    ---
    kind: Schema
    key: invoice
    name: Invoice
    content:
      - category: section
        id: header
        label: Header
        children:
          - {category: datapoint, id: po_number, label: PO, type: string}
          - {category: datapoint, id: amount_total, label: Total, type: number}
    ---
    kind: Queue
    key: invoices
    name: Invoices
    workspace: ws
    schema: invoice
    ---
    kind: Hook
    key: notify
    name: Notify
    queues: [invoices]
    events: [annotation_status.changed]
    config:
      url: https://hooks.example.invalid/ap
      secret: ${env.AP_WEBHOOK_SECRET}
    """


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


@pytest.fixture
def live(emulator: Any) -> Iterator[Live]:
    client = Live(emulator)
    yield client
    client.close()


@pytest.fixture
def workdir(tmp_path: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository checkout: the stack in manifests/, its prod environment pointing at the emulator."""
    write_manifests(
        tmp_path / "manifests",
        {
            "rossum.yaml": "stack: ci\n",
            "environments/prod.yaml": f"api_base_url: {emulator.base_url}\ntoken_env: ROSSUM_PROD_TOKEN\n",
            "stack.yaml": SCHEMA,
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def secrets(emulator: Any) -> dict[str, str]:
    return {"ROSSUM_PROD_TOKEN": emulator.token, "AP_WEBHOOK_SECRET": "ci-webhook-secret"}


# --- GitHub Actions ------------------------------------------------------------------------------------------------


def github_env(workflow: dict[str, Any], job: str, emulator: Any) -> dict[str, str]:
    """The job's environment: workflow and job ``env``, with ``${{ secrets.X }}`` from the test's secrets and the
    label expression evaluated for a pull request without the ``breaking-change`` label."""
    values = secrets(emulator)
    out: dict[str, str] = {}
    for key, value in {**workflow.get("env", {}), **workflow["jobs"][job].get("env", {})}.items():
        text = str(value)
        if text.startswith("${{ secrets."):
            name = text.removeprefix("${{ secrets.").removesuffix(" }}")
            if name in values:
                out[key] = values[name]
        elif "breaking-change" in text:
            out[key] = "--fail-on-breaking"
        elif not text.startswith("${{"):
            out[key] = text
    return out


def github_job(workflow: dict[str, Any], job: str) -> list[str]:
    ours: list[str] = []
    for step in workflow["jobs"][job]["steps"]:
        if "run" in step:
            ours += rossum_lines(step["run"])[0]
    return ours


def test_github_workflow_shape() -> None:
    workflow = load(GITHUB)
    events = workflow.get("on") or workflow.get(True)  # YAML 1.1 readers take "on" for true
    assert {"push", "pull_request", "schedule"} <= set(events)
    jobs = workflow["jobs"]
    assert set(jobs) == {"validate", "plan", "apply", "drift"}
    assert "pull_request" in jobs["plan"]["if"] and "head.repo.full_name == github.repository" in jobs["plan"]["if"]
    assert "secrets" not in str(jobs["validate"])  # validate needs none (forks get none)
    uploads = [s for s in jobs["plan"]["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads and "plan.json" in uploads[0]["with"]["path"]
    assert any("gh pr comment" in str(s.get("run", "")) and "plan.md" in s["run"] for s in jobs["plan"]["steps"])
    assert jobs["apply"]["concurrency"]["cancel-in-progress"] is False
    assert "rossum-iac-apply" in jobs["apply"]["concurrency"]["group"]
    assert "refs/heads/main" in jobs["apply"]["if"] and "schedule" in jobs["drift"]["if"]


def test_github_jobs_against_the_emulator(workdir: Path, emulator: Any, live: Live) -> None:
    workflow = load(GITHUB)
    # push / pull request: validate, without any secret (a pull request from a fork)
    [validate] = github_job(workflow, "validate")
    run = run_line(validate, github_env(workflow, "validate", emulator), workdir)
    assert run.result.exit_code == 0, run.result.output
    assert "warning: config.secret: environment variable AP_WEBHOOK_SECRET is not set" in run.result.output
    # pull request: the plan, as Markdown for the comment and JSON for the artifact
    [plan] = github_job(workflow, "plan")
    run = run_line(plan, github_env(workflow, "plan", emulator), workdir)
    assert run.result.exit_code == 0, run.result.output
    assert "--fail-on-breaking" in run.args
    assert (workdir / "plan.md").read_text().startswith("### rossum-iac plan")
    assert "4 to add" in (workdir / "plan.md").read_text()
    assert (workdir / "plan.json").is_file()
    # merge: apply the saved plan
    [apply] = github_job(workflow, "apply")
    run = run_line(apply, github_env(workflow, "apply", emulator), workdir)
    assert run.result.exit_code == 0, run.result.output
    assert [q["name"] for q in live.list("queues")] == ["Invoices"]
    # night: drift, clean, then after a change by hand
    [drift] = github_job(workflow, "drift")
    env = github_env(workflow, "drift", emulator)
    run = run_line(drift, env, workdir)
    assert run.result.exit_code == 0 and "No drift" in (workdir / "drift.md").read_text()
    hook = live.find("hooks", "Notify")
    live.patch(f"hooks/{hook['id']}", {"active": False})
    run = run_line(drift, env, workdir)
    assert run.result.exit_code == 2
    assert "active" in (workdir / "drift.md").read_text()


def test_github_plan_fails_on_a_breaking_change_and_still_writes_the_plan(
    workdir: Path, emulator: Any, live: Live
) -> None:
    workflow = load(GITHUB)
    [plan] = github_job(workflow, "plan")
    [apply] = github_job(workflow, "apply")
    env = github_env(workflow, "plan", emulator)
    assert run_line(plan, env, workdir).result.exit_code == 0
    assert run_line(apply, github_env(workflow, "apply", emulator), workdir).result.exit_code == 0
    queue = live.find("queues", "Invoices")
    organization = live.list("organizations")[0]["url"]
    live.client.request_json(
        "POST",
        "rules",
        json={
            "name": "PO check",
            "organization": organization,
            "queues": [queue["url"]],
            "trigger_condition": "field.po_number == ''",
        },
    )
    stack = workdir / "manifests" / "stack.yaml"
    stack.write_text(
        stack.read_text().replace("  - {category: datapoint, id: po_number, label: PO, type: string}\n", "")
    )
    run = run_line(plan, env, workdir)
    assert run.result.exit_code == 1
    assert "datapoint 'po_number' is removed" in (workdir / "plan.md").read_text()
    assert "breaking schema change" in run.result.stderr
    # a pull request labelled breaking-change ships it on purpose: FAIL_ON_BREAKING is then empty
    run = run_line(plan, {**env, "FAIL_ON_BREAKING": " "}, workdir)
    assert run.result.exit_code == 0 and "--fail-on-breaking" not in run.args


# --- GitLab CI -----------------------------------------------------------------------------------------------------

_GITLAB_KEYWORDS = {"variables", "default", "stages", "include", "workflow", "image", "services", "cache"}


def gitlab_job(pipeline: dict[str, Any], job: str) -> tuple[list[str], list[str]]:
    ours, others = rossum_lines(pipeline[job]["script"])
    return ours, others + rossum_lines(pipeline[job].get("after_script", []))[1]


def gitlab_env(pipeline: dict[str, Any], emulator: Any, **extra: str) -> dict[str, str]:
    return {**{k: str(v) for k, v in pipeline["variables"].items()}, **secrets(emulator), **extra}


def test_gitlab_pipeline_shape() -> None:
    pipeline = load(GITLAB)
    jobs = set(pipeline) - _GITLAB_KEYWORDS
    assert jobs == {"validate", "plan", "apply", "drift"}
    assert "merge_request_event" in str(pipeline["plan"]["rules"])
    assert {"plan.json", "plan.md"} <= set(pipeline["plan"]["artifacts"]["paths"])
    assert pipeline["plan"]["artifacts"]["when"] == "always"
    assert "merge_requests/$CI_MERGE_REQUEST_IID/notes" in str(pipeline["plan"]["after_script"])
    assert pipeline["apply"]["resource_group"].startswith("rossum-iac")
    assert "CI_DEFAULT_BRANCH" in str(pipeline["apply"]["rules"])
    assert "schedule" in str(pipeline["drift"]["rules"])


def test_gitlab_jobs_against_the_emulator(workdir: Path, emulator: Any, live: Live) -> None:
    pipeline = load(GITLAB)
    env = gitlab_env(pipeline, emulator)
    [validate], _ = gitlab_job(pipeline, "validate")
    forks = {k: v for k, v in env.items() if k not in secrets(emulator)}  # fork merge requests get no variables
    assert run_line(validate, forks, workdir).result.exit_code == 0
    [plan], others = gitlab_job(pipeline, "plan")
    assert any("notes" in line for line in others)  # the note is posted by after_script (needs GitLab)
    run = run_line(plan, env, workdir)
    assert run.result.exit_code == 0, run.result.output
    assert "--fail-on-breaking" in run.args and (workdir / "plan.json").is_file()
    apply_lines, fetch = gitlab_job(pipeline, "apply")
    assert len(fetch) == 3 and all("curl" in line for line in fetch)  # finding and fetching the reviewed plan
    [apply] = apply_lines
    assert run_line(apply, env, workdir).result.exit_code == 0
    assert live.find("hooks", "Notify")["active"] is True
    [drift], _ = gitlab_job(pipeline, "drift")
    assert run_line(drift, env, workdir).result.exit_code == 0
    # a second apply of the same saved plan is refused: it is stale once applied
    run = run_line(apply, env, workdir)
    assert run.result.exit_code == 1


# --- pre-commit ----------------------------------------------------------------------------------------------------


def test_pre_commit_hook_validates(workdir: Path, emulator: Any) -> None:
    [hook] = load(PRE_COMMIT)
    assert hook["id"] == "rossum-iac-validate" and hook["language"] == "python" and hook["pass_filenames"] is False
    line = " ".join([hook["entry"], *hook["args"]])
    assert run_line(line, {}, workdir).result.exit_code == 0  # no secrets: a warning only
    stack = workdir / "manifests" / "stack.yaml"
    stack.write_text(stack.read_text().replace("schema: invoice", "schema: invoic"))
    result = run_line(line, {}, workdir).result
    assert result.exit_code == 1 and "(did you mean 'invoice'?)" in result.output
    assert re.search(hook["files"], "manifests/schemas/invoice.content.json")
    assert not re.search(hook["files"], "README.md")
