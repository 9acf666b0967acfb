"""Credentials belong to an environment: an environment names the variables of its credentials, and one
environment's token is never sent to another environment's host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from rossum_iac.cli.main import main
from tests.e2e.e2e_helpers import write_manifests

BASE = """
    kind: Workspace
    key: ws
    name: Credentials test
    """


def run(*args: str, env: dict[str, str]) -> Any:
    return CliRunner().invoke(main, list(args), env={"ROSSUM_API_TOKEN": "", "ROSSUM_USERNAME": "", **env})


def stack(tmp_path: Path, environments: str) -> Path:
    return write_manifests(tmp_path / "m", {"rossum.yaml": f"stack: creds\n{environments}", "ws.yaml": BASE})


def test_an_environment_uses_only_the_variable_it_names(emulator: Any, tmp_path: Path) -> None:
    root = stack(
        tmp_path,
        f"environments:\n  prod:\n    api_base_url: {emulator.base_url}\n    token_env: PROD_TOKEN\n  dev: {{}}\n",
    )
    ok = run("plan", str(root), "--env", "prod", env={"PROD_TOKEN": emulator.token, "ROSSUM_API_TOKEN": "wrong"})
    assert ok.exit_code == 0, ok.output
    missing = run("plan", str(root), "--env", "prod", env={"ROSSUM_API_TOKEN": emulator.token})
    assert missing.exit_code == 1
    assert "takes its API token from PROD_TOKEN, which is not set" in missing.output


def test_an_environment_naming_no_credentials_in_a_multi_environment_stack_says_what_to_set(
    emulator: Any, tmp_path: Path
) -> None:
    root = stack(tmp_path, f"environments:\n  staging:\n    api_base_url: {emulator.base_url}\n  prod: {{}}\n")
    before = len(emulator.request_log)
    result = run("plan", str(root), "--env", "staging", env={"ROSSUM_API_TOKEN": emulator.token})
    assert result.exit_code == 1
    assert "add 'token_env: ROSSUM_STAGING_TOKEN'" in result.output and "set ROSSUM_STAGING_TOKEN" in result.output
    assert len(emulator.request_log) == before  # nothing was sent anywhere


def test_a_single_environment_may_use_the_general_variables(emulator: Any, tmp_path: Path) -> None:
    root = stack(tmp_path, f"environments:\n  only:\n    api_base_url: {emulator.base_url}\n")
    result = run("plan", str(root), "--env", "only", env={"ROSSUM_API_TOKEN": emulator.token})
    assert result.exit_code == 0, result.output


def test_username_and_password_variables(emulator: Any, tmp_path: Path) -> None:
    root = stack(
        tmp_path,
        f"environments:\n  prod:\n    api_base_url: {emulator.base_url}\n    username_env: PROD_USER\n"
        "    password_env: PROD_PASSWORD\n  dev: {}\n",
    )
    env = {"PROD_USER": emulator.username, "PROD_PASSWORD": emulator.password, "ROSSUM_API_TOKEN": "wrong"}
    assert run("plan", str(root), "--env", "prod", env=env).exit_code == 0
    half = run("validate", str(root).replace("", ""), env={})
    assert half.exit_code == 0
    only_user = write_manifests(
        tmp_path / "bad",
        {"rossum.yaml": "stack: creds\nenvironments:\n  prod:\n    username_env: PROD_USER\n", "ws.yaml": BASE},
    )
    checked = run("validate", str(only_user), env={})
    assert checked.exit_code == 1 and "password_env" in checked.output


def test_a_password_in_the_base_url_is_refused_and_never_shown(emulator: Any, tmp_path: Path) -> None:
    root = stack(tmp_path, "")
    url = emulator.base_url.replace("http://", "http://admin:S3cretPassw0rd@")
    before = len(emulator.request_log)
    for env in ({"ROSSUM_API_BASE_URL": url, "ROSSUM_API_TOKEN": emulator.token},):
        result = run("plan", str(root), env=env)
        assert result.exit_code == 1
        assert "S3cretPassw0rd" not in result.output and "***@127.0.0.1" in result.output
    result = run("plan", str(root), "--base-url", url, env={"ROSSUM_API_TOKEN": emulator.token})
    assert result.exit_code == 1 and "S3cretPassw0rd" not in result.output
    assert len(emulator.request_log) == before
