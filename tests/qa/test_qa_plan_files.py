"""Saved plans as CI uses them: written by one command, applied by another (maybe from elsewhere)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from qa_helpers import cli, copy_examples, one_error_line

from rossum_iac.engine.errors import PlanFileError
from rossum_iac.engine.plan import FORMAT_VERSION, Action, ActionType, Plan
from rossum_iac.engine.planfile import write_plan


@pytest.mark.parametrize("secret", ["x", "admin", "dev"])
def test_a_short_or_common_secret_value_does_not_block_plan_out(secret: str, tmp_path: Path) -> None:
    """A development secret like ``x`` occurs in almost any text: the plan file must still be written, and it holds
    no secret value (the hook's ``config.secret`` is recorded as sensitive, with no value)."""
    root = copy_examples(tmp_path / "m")
    db, plan = str(tmp_path / "emu.sqlite3"), tmp_path / "plan.json"
    result = cli("plan", str(root), "--emulator", db, "--out", str(plan), env={"AP_WEBHOOK_SECRET": secret})
    assert result.exit_code == 0, result.output
    data = json.loads(plan.read_text())
    hook = next(a for a in data["resource_changes"] if a["address"] == "Hook/erp-notify")
    change = next(c for c in hook["changes"] if c["path"] == "config.secret")
    assert change["sensitive"] is True and change["before"] is None and change["after"] is None
    result = cli("apply", str(plan), "--emulator", db, env={"AP_WEBHOOK_SECRET": secret})
    assert result.exit_code == 0 and "15 added" in result.stdout, result.output


def test_a_plan_that_would_hold_a_secret_is_still_refused_and_the_place_named(tmp_path: Path) -> None:
    secret = "s3cr3t-token-value"
    for name in (secret, f"prefix {secret} suffix"):
        plan = Plan(stack="s", actions=(Action("Connector/c", ActionType.CREATE, name=name),), manifests_dir="m",
                    manifests_digest="d")
        with pytest.raises(PlanFileError, match=r"secret value \(at resource_changes\[0\]\.name\)"):
            write_plan(tmp_path / "p.json", plan, secrets=[secret])
        assert not (tmp_path / "p.json").exists()
    short = Plan(stack="s", actions=(Action("Connector/c", ActionType.CREATE, name="x"),), manifests_dir="m",
                 manifests_digest="d")
    with pytest.raises(PlanFileError, match="secret value"):  # a short secret as a whole value is still caught
        write_plan(tmp_path / "p.json", short, secrets=["x"])


def test_apply_a_plan_file_from_another_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``plan examples/manifests --out plan.json`` in the repository, ``apply /path/to/plan.json`` elsewhere."""
    repo = tmp_path / "repo"
    copy_examples(repo / "examples" / "manifests")
    db = str(tmp_path / "emu.sqlite3")
    monkeypatch.chdir(repo)
    result = cli("plan", "examples/manifests", "--emulator", db, "--out", "plan.json")
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path)
    result = cli("apply", str(repo / "plan.json"), "--emulator", db)
    assert result.exit_code == 0 and "15 added" in result.stdout, result.output
    result = cli("plan", str(repo / "examples" / "manifests"), "--emulator", db, "--detailed-exitcode")
    assert result.exit_code == 0 and "No changes." in result.stdout


def test_plan_file_whose_manifests_are_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_examples(tmp_path / "work" / "m")
    monkeypatch.chdir(root.parent)
    assert cli("plan", "m", "--emulator", ":memory:", "--out", str(tmp_path / "plans" / "p.json")).exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = cli("apply", str(tmp_path / "plans" / "p.json"), "--emulator", ":memory:")
    assert result.exit_code == 1
    assert "manifests directory 'm'" in result.stderr and "run apply from the directory plan ran in" in result.stderr


def test_missing_plan_file_is_named_as_a_plan_file(tmp_path: Path) -> None:
    line = one_error_line(cli("apply", str(tmp_path / "plan.json"), "--emulator", ":memory:"))
    assert "plan.json" in line and "no such plan file" in line, line


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda d: d["manifests"].__setitem__("dir", None), "manifests"),
        (lambda d: d["manifests"].__setitem__("dir", 12), "manifests"),
        (lambda d: d.__setitem__("manifests", "m"), "manifests"),
        (lambda d: d["resource_changes"][0].__setitem__("actions", "create"), "actions"),
        (lambda d: d.__setitem__("stack", ["x"]), "stack"),
    ],
)
def test_damaged_plan_file(damage: Any, words: str, tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    plan = tmp_path / "plan.json"
    assert cli("plan", str(root), "--emulator", ":memory:", "--out", str(plan)).exit_code == 0
    data = json.loads(plan.read_text())
    damage(data)
    plan.write_text(json.dumps(data))
    line = one_error_line(cli("apply", str(plan), "--emulator", ":memory:"))
    assert line.startswith(f"Error: {plan}: ") and "malformed" in line and words in line, line


def test_plan_out_where_no_file_can_be_written(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "plan.json"  # its parent is a file
    line = one_error_line(cli("plan", str(root), "--emulator", ":memory:", "--out", str(out)))
    assert "cannot write the plan" in line and str(out) in line, line
    assert ".plan-" not in line  # not the name of an internal temporary file


def test_plan_files_that_must_be_refused_write_nothing(emulator: Any, tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    env = {"ROSSUM_API_TOKEN": emulator.token}
    base = ["--base-url", emulator.base_url]
    plan = tmp_path / "plan.json"
    assert cli("plan", str(root), *base, "--out", str(plan), env=env).exit_code == 0
    original = plan.read_text()

    def refused(expected: str, **extra: str) -> None:
        emulator.request_log.clear()
        result = cli("apply", str(plan), *base, env={**env, **extra})
        assert result.exit_code == 1 and expected in result.stderr, result.output
        assert "Traceback" not in result.output
        assert [r for r in emulator.request_log if r[0] not in ("GET", "HEAD")] == []

    plan.write_text(original.replace(f'"format_version": "{FORMAT_VERSION}"', '"format_version": "2.0"'))
    refused("plan format version 2.0 is not supported")
    plan.write_text(original)
    stack_file = root / "rossum.yaml"
    stack_file.write_text(stack_file.read_text().replace("stack: ap-automation", "stack: ap-other"))
    refused("the plan is for stack 'ap-automation', but the manifests define stack 'ap-other'")
    stack_file.write_text(stack_file.read_text().replace("stack: ap-other", "stack: ap-automation"))
    (root / "workspaces.yaml").write_text((root / "workspaces.yaml").read_text().replace("Credit Control", "CC"))
    refused("changed since the plan was made")
    (root / "workspaces.yaml").write_text((root / "workspaces.yaml").read_text().replace("CC", "Credit Control"))
    refused("AP_WEBHOOK_SECRET is not set", AP_WEBHOOK_SECRET="")  # secrets come from the environment again
    result = cli("apply", str(plan), *base, env=env)  # the untouched plan still applies
    assert result.exit_code == 0 and "15 added" in result.stdout, result.output


def test_env_of_a_plan_made_without_env_is_named_plainly(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    plan = tmp_path / "plan.json"
    assert cli("plan", str(root), "--emulator", ":memory:", "--out", str(plan)).exit_code == 0
    line = one_error_line(cli("apply", str(plan), "--env", "dev", "--emulator", ":memory:"))
    assert line == "Error: the plan was made without --env (stack defaults only), not for environment 'dev'", line
