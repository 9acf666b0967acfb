"""API target selection shared by the API commands (rossum_iac/cli/target.py) and output conventions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from e2e_helpers import BASE_MANIFESTS, write_manifests

from rossum_iac.cli import common
from rossum_iac.cli.main import main
from rossum_iac.cli.target import TargetOptions, api_target
from rossum_iac.client import Token, UserCredentials
from rossum_iac.errors import TargetError

LOCAL = "http://127.0.0.1:9/api/v1"


def resolve(options: TargetOptions, environ: dict[str, str], **kw: Any) -> Any:
    with api_target(options, environ=environ, **kw) as target:
        return target


def test_precedence_flag_then_environment_file_then_variables() -> None:
    environ = {"ROSSUM_API_BASE_URL": "http://127.0.0.1:1/api/v1", "ROSSUM_URL": "http://127.0.0.1:2/api/v1",
               "ROSSUM_API_TOKEN": "t"}
    assert resolve(TargetOptions(base_url=LOCAL), environ, env_base_url="http://127.0.0.1:3/api/v1").base_url == LOCAL
    target = resolve(TargetOptions(), environ, env_base_url="http://127.0.0.1:3/api/v1/", env_name="prod")
    assert target.base_url == "http://127.0.0.1:3/api/v1" and target.source == "api_base_url of environment 'prod'"
    assert resolve(TargetOptions(), environ).base_url == "http://127.0.0.1:1/api/v1"
    assert resolve(TargetOptions(), {"ROSSUM_URL": LOCAL, "ROSSUM_TOKEN": "t"}).source == "ROSSUM_URL"


def test_credentials_from_the_environment_only() -> None:
    assert resolve(TargetOptions(base_url=LOCAL), {"ROSSUM_API_TOKEN": "abc"}).credentials == Token("abc")
    assert resolve(TargetOptions(base_url=LOCAL), {"ROSSUM_TOKEN": "legacy"}).credentials == Token("legacy")
    creds = resolve(TargetOptions(base_url=LOCAL), {"ROSSUM_USERNAME": "u", "ROSSUM_PASSWORD": "s3cr3t-pw"}).credentials
    assert creds == UserCredentials("u", "s3cr3t-pw") and "s3cr3t-pw" not in repr(creds)
    with pytest.raises(TargetError, match="ROSSUM_PASSWORD is not set"):
        resolve(TargetOptions(base_url=LOCAL), {"ROSSUM_USERNAME": "u"})
    with pytest.raises(TargetError, match="no API credentials"):
        resolve(TargetOptions(base_url=LOCAL), {})
    with pytest.raises(TargetError, match="no API to talk to"):
        resolve(TargetOptions(), {"ROSSUM_API_TOKEN": "t"})
    with pytest.raises(TargetError, match="not an http"):
        resolve(TargetOptions(base_url="rossum.example"), {"ROSSUM_API_TOKEN": "t"})


def test_username_and_password_login_against_the_emulator(emulator: Any, tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    env = {"ROSSUM_USERNAME": emulator.username, "ROSSUM_PASSWORD": emulator.password, "ROSSUM_API_BASE_URL":
           emulator.base_url, "NO_COLOR": "1", "ROSSUM_API_TOKEN": "", "ROSSUM_TOKEN": ""}
    result = CliRunner().invoke(main, ["plan", str(root), "--detailed-exitcode"], env=env)
    assert result.exit_code == 2, result.output
    assert any(path.endswith("/auth/login") for _, path, _ in emulator.request_log)
    assert emulator.password not in result.output


def test_environment_file_selects_the_api(emulator: Any, tmp_path: Path) -> None:
    files = {
        **BASE_MANIFESTS,
        "rossum.yaml": f"stack: e2e\nenvironments:\n  local:\n    api_base_url: {emulator.base_url}\n",
    }
    root = write_manifests(tmp_path / "m", files)
    env = {"ROSSUM_API_TOKEN": emulator.token, "NO_COLOR": "1", "ROSSUM_API_BASE_URL": "", "ROSSUM_URL": ""}
    result = CliRunner().invoke(main, ["apply", str(root), "--env", "local", "--auto-approve"], env=env)
    assert result.exit_code == 0, result.output
    assert "environment 'local'" in result.stdout and "3 added" in result.stdout


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: Any) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(common.sys, "stdout", Tty())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert common.use_color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not common.use_color()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(common.sys, "stdout", object.__new__(type("NotTty", (), {"isatty": lambda self: False})))
    assert not common.use_color()


def test_errors_go_to_stderr_and_plan_to_stdout(emulator: Any, tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    env = {"ROSSUM_API_TOKEN": emulator.token, "NO_COLOR": "1"}
    result = CliRunner().invoke(main, ["plan", str(root), "--base-url", emulator.base_url], env=env)
    assert result.exit_code == 0 and result.stdout.startswith("Stack 'e2e'") and result.stderr == ""
    result = CliRunner().invoke(main, ["plan", str(root)], env={"ROSSUM_API_TOKEN": "", "ROSSUM_TOKEN": "",
                                                                "ROSSUM_API_BASE_URL": "", "ROSSUM_URL": ""})
    assert result.exit_code == 1 and result.stdout == "" and result.stderr.startswith("Error: no API to talk to")
