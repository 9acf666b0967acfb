"""Fields rossum-iac does not know, against the emulator: plan, apply and drift print the warning on stderr and go
on; the field is sent and compared as written (docs/manifests.md, "Fields the API adds")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from rossum_iac.cli.main import main
from rossum_iac.client import SyncRossumAPIClient, Token

HOOK = """\
kind: Hook
key: notify
name: Notify
events: [annotation_status]
added_later: true
config:
  url: https://hooks.example.com/notify
  future_option: {retries: [1, 2]}
"""


def _run(emulator: Any, *args: str) -> Result:
    env = {"ROSSUM_API_TOKEN": emulator.token, "NO_COLOR": "1", "ROSSUM_IAC_RATE_LIMIT": "0"}
    return CliRunner().invoke(main, [*args, "--base-url", emulator.base_url], env=env, catch_exceptions=False)


def test_unknown_fields_warn_are_sent_and_compared(emulator: Any, tmp_path: Path) -> None:
    (tmp_path / "rossum.yaml").write_text("stack: growth\n")
    (tmp_path / "notify.yaml").write_text(HOOK)
    warning = f"{tmp_path / 'notify.yaml'}:5:1: warning: unknown field 'added_later' for a Hook"

    applied = _run(emulator, "apply", str(tmp_path), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert warning in applied.stderr and warning not in applied.stdout
    client = SyncRossumAPIClient(emulator.base_url, Token(emulator.token), requests_per_second=None)
    try:
        [hook] = list(client.request_paginated("hooks", name="Notify"))
    finally:
        client.close()
    assert hook["config"]["future_option"] == {"retries": [1, 2]}  # an unknown config key reached the API
    assert hook["events"] == ["annotation_status"]

    # The emulator, like the API, drops a top-level field it does not know: plan shows it at every run.
    planned = _run(emulator, "plan", str(tmp_path), "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert warning in planned.stderr and "added_later" in planned.stdout
    assert "future_option" not in planned.stdout

    (tmp_path / "notify.yaml").write_text(HOOK + "ignore_changes: [added_later]\n")
    planned = _run(emulator, "plan", str(tmp_path), "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    drift = _run(emulator, "drift", str(tmp_path))
    assert drift.exit_code == 0, drift.output
    assert warning in drift.stderr
