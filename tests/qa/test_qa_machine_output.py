"""Output for machines and people: ``--json`` is JSON on stdout in every case (CI parses it); summaries count
everything that was done."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qa_helpers import cli, copy_examples


def test_apply_json_with_nothing_to_do_is_still_json(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    db = str(tmp_path / "emu.sqlite3")
    first = cli("apply", str(root), "--emulator", db, "--auto-approve", "--json")
    assert first.exit_code == 0
    assert json.loads(first.stdout)["counts"]["added"] == 15
    empty = {"ok": True, "counts": {"added": 0, "changed": 0, "destroyed": 0, "adopted": 0, "forgotten": 0,
                                    "failed": 0, "skipped": 0}, "results": []}
    again = cli("apply", str(root), "--emulator", db, "--auto-approve", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout) == empty, again.output
    assert "No changes." in again.stderr
    plan = tmp_path / "plan.json"
    assert cli("plan", str(root), "--emulator", db, "--out", str(plan)).exit_code == 0
    saved = cli("apply", str(plan), "--emulator", db, "--json")
    assert saved.exit_code == 0 and json.loads(saved.stdout) == empty, saved.output
    assert "No changes in the plan" in saved.stderr


def test_json_outputs_parse(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    db = str(tmp_path / "emu.sqlite3")

    def parsed(*args: str, code: int) -> Any:
        result = cli(*args, "--json")
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    assert parsed("validate", str(root), code=0)["valid"] is True
    plan = parsed("plan", str(root), "--emulator", db, "--out", str(tmp_path / "p.json"), code=0)
    assert plan["summary"]["add"] == 15
    assert parsed("drift", str(root), "--emulator", db, code=2)["objects"]
    assert parsed("apply", str(root), "--emulator", db, "--auto-approve", code=0)["ok"] is True
    assert parsed("drift", str(root), "--emulator", db, "--include-unmanaged", code=0)["unmanaged"]


def test_apply_summary_counts_adopted_objects(emulator: Any, tmp_path: Path) -> None:
    """An object found again by name (its ownership record was lost) is adopted: the summary line says so."""
    from rossum_iac.client import SyncRossumAPIClient, Token

    root = copy_examples(tmp_path / "m")
    env = {"ROSSUM_API_TOKEN": emulator.token}
    base = ["--base-url", emulator.base_url]
    assert cli("apply", str(root), *base, "--auto-approve", env=env).exit_code == 0
    with SyncRossumAPIClient(emulator.base_url, Token(emulator.token), requests_per_second=0) as client:
        org = client.request_json("GET", "auth/user")["organization"].split("/api/v1/")[1]
        client.request_json("PATCH", org, json={"metadata": {}})  # the rule and label registries are gone
    result = cli("apply", str(root), *base, "--auto-approve", env=env)
    assert result.exit_code == 0
    assert "Apply complete! Objects: 0 added, 0 changed, 0 destroyed, 2 adopted." in result.stdout, result.stdout
