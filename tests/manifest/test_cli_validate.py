"""``rossum-iac validate`` and ``rossum-iac schema`` through the real CLI entry point (click's CliRunner)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rossum_iac.cli.main import main
from rossum_iac.manifest.schema_validation import schema_text

from .helpers import BASE, EXAMPLES, write_tree

SECRET_VALUE = "TOPSECRET-a8f3-do-not-print"


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)
    return result.exit_code, result.output


def test_valid_example_stack_exits_zero() -> None:
    code, out = _run("validate", str(EXAMPLES), "--env", "dev", env={"AP_WEBHOOK_SECRET": SECRET_VALUE})
    assert code == 0, out
    assert out.strip() == "15 objects in 16 files are valid (stack ap-automation, environment dev)."
    assert SECRET_VALUE not in out


def test_default_directory_is_the_current_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"a.yaml": BASE})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0
    assert "3 objects in 2 files are valid (stack demo)." in result.output


def test_errors_are_listed_one_per_line_with_a_summary(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "automation_level: sometimes\n", "b.yaml": "kind: Quee\nkey: x\n"})
    code, out = _run("validate", str(root))
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"{root / 'a.yaml'}:20:19: error: automation_level: the text 'sometimes' is not valid")
    assert lines[1].startswith(f"{root / 'b.yaml'}:1:7: error: unknown kind 'Quee' (did you mean 'Queue'?)")
    assert lines[2] == "2 errors in 2 files (4 objects checked); nothing was sent to the API."
    assert "Traceback" not in out
    assert "\x1b[" not in out  # no colour when the output is not a terminal


def test_yaml_syntax_error_is_a_position_not_a_traceback(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": "kind: Workspace\nkey: w\nname: 'unterminated\n"})
    code, out = _run("validate", str(root))
    assert code == 1
    assert out.startswith(f"{root / 'a.yaml'}:4:1: error: invalid YAML")
    assert "Traceback" not in out


def test_json_output(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "locale: 5\n"})
    code, out = _run("validate", str(root), "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload == {
        "valid": False,
        "stack": None,
        "environment": None,
        "files": 2,
        "objects": 3,
        "errors": [
            {
                "file": str(root / "a.yaml"),
                "line": 20,
                "column": 9,
                "message": "locale should be text, not the number 5",
            }
        ],
        "warnings": [],
    }


def test_json_output_when_valid() -> None:
    code, out = _run("validate", str(EXAMPLES), "--env", "prod", "--json", env={"AP_WEBHOOK_SECRET": SECRET_VALUE})
    assert code == 0
    payload = json.loads(out)
    assert payload["valid"] is True and payload["errors"] == []
    assert (payload["stack"], payload["environment"], payload["objects"]) == ("ap-automation", "prod", 15)


def test_secret_values_never_appear_in_any_output(tmp_path: Path) -> None:
    hook = (
        "---\nkind: Hook\nkey: h\nname: H\ntype: prefix-${env.HOOK_SECRET}\nqueues: ['${env.HOOK_SECRET}']\n"
        "config:\n  url: https://hooks.example.com/${env.HOOK_SECRET}\n  secret: ${env.HOOK_SECRET}\n"
        "  timeout_s: 500\nsecrets:\n  api_key: ${env.HOOK_SECRET}\n"
    )
    root = write_tree(tmp_path, {"a.yaml": BASE + hook})
    env = {"HOOK_SECRET": SECRET_VALUE}
    code, human = _run("validate", str(root), env=env)
    assert code == 1 and "error" in human
    code, machine = _run("validate", str(root), "--json", env=env)
    assert code == 1 and json.loads(machine)["errors"]
    for output in (human, machine):
        assert SECRET_VALUE not in output
        assert "${env.HOOK_SECRET}" in output  # messages name the variable instead


def test_missing_secret_is_reported_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """validate runs where secrets are absent (pull requests from forks): an unset variable is a warning there,
    an error with --strict (and in plan and apply)."""
    monkeypatch.delenv("AP_WEBHOOK_SECRET", raising=False)
    code, out = _run("validate", str(EXAMPLES), "--env", "dev")
    assert code == 0
    warning = "hooks/erp-notify.yaml:14:11: warning: config.secret: environment variable AP_WEBHOOK_SECRET is not set"
    assert warning in out
    code, out = _run("validate", str(EXAMPLES), "--env", "dev", "--strict")
    assert code == 1
    assert "hooks/erp-notify.yaml:14:11: error: config.secret: environment variable AP_WEBHOOK_SECRET is not set" in out


def test_missing_directory(tmp_path: Path) -> None:
    code, out = _run("validate", str(tmp_path / "nope"))
    assert code == 1
    assert f"{tmp_path / 'nope'}: error: manifest directory does not exist" in out


def test_unknown_environment(tmp_path: Path) -> None:
    code, out = _run("validate", str(EXAMPLES), "--env", "stage", env={"AP_WEBHOOK_SECRET": "x"})
    assert code == 1
    assert "environment 'stage' is not defined; defined environments: dev, prod" in out


def test_schema_command_prints_the_json_schema() -> None:
    code, out = _run("schema")
    assert code == 0
    assert out == schema_text()
    assert json.loads(out)["$defs"]["Queue"]["properties"]["automation_level"]


def test_manifest_package_does_not_load_network_code() -> None:
    probe = (
        "import sys; from rossum_iac.manifest import load_stack; import rossum_iac.manifest.loader, "
        "rossum_iac.manifest.schema_validation; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore', 'requests', 'urllib3')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
