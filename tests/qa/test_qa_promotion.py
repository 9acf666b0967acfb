"""Promotion of the example stack: dev, then prod, each its own organization (emulator database).

``environments/prod.yaml`` names ``https://rossum.example.com/api/v1``: the command-line target must win, and the
autouse guard in conftest.py fails any test that tries to reach it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qa_helpers import cli, copy_examples

from rossum_iac.client import SyncRossumAPIClient, Token


def live_objects(emu: Any) -> dict[str, list[dict[str, Any]]]:
    with SyncRossumAPIClient(emu.base_url, Token(emu.token), requests_per_second=0) as client:
        return {c: list(client.request_paginated(c)) for c in ("queues", "hooks", "rules")}


def by_name(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = [o for o in objects if o["name"] == name]
    assert len(found) == 1, (name, [o["name"] for o in objects])
    return found[0]


def test_examples_promote_from_dev_to_prod_with_command_line_targets(
    emulator_factory: Any, tmp_path: Path
) -> None:
    root = copy_examples(tmp_path / "m")
    dev_db, prod_db = tmp_path / "dev.sqlite3", tmp_path / "prod.sqlite3"
    result = cli("apply", str(root), "--env", "dev", "--emulator", str(dev_db), "--auto-approve")
    assert result.exit_code == 0 and "15 added" in result.stdout, result.output
    result = cli("apply", str(root), "--env", "prod", "--emulator", str(prod_db), "--auto-approve")
    assert result.exit_code == 0 and "15 added" in result.stdout, result.output
    for env, db in (("dev", dev_db), ("prod", prod_db)):
        result = cli("plan", str(root), "--env", env, "--emulator", str(db), "--detailed-exitcode")
        assert result.exit_code == 0 and "No changes." in result.stdout, (env, result.output)
        assert cli("drift", str(root), "--env", env, "--emulator", str(db)).exit_code == 0
    # The other environment's values are differences, in both directions.
    result = cli("drift", str(root), "--env", "prod", "--emulator", str(dev_db), "--json")
    assert result.exit_code == 2
    changed = {item["address"] for item in json.loads(result.stdout)["objects"] if item["status"] == "changed"}
    assert {"Queue/invoices-eu", "Queue/invoices-us", "Rule/high-amount", "Hook/erp-notify"} <= changed

    # Each organization got its own values, and references resolved to its own ids.
    dev, prod = emulator_factory(db=str(dev_db)), emulator_factory(db=str(prod_db))
    for emu, level, threshold, stage in ((dev, "never", 1000, "dev"), (prod, "confident", 10000, "prod")):
        live = live_objects(emu)
        assert by_name(live["queues"], "Invoices EU")["automation_level"] == level
        assert by_name(live["rules"], "Warn about high invoice totals")["trigger_condition"] == (
            f"field.amount_total > {threshold}"
        )
        notify = by_name(live["hooks"], "Notify ERP of status changes")
        assert notify["config"]["url"] == f"https://hooks.example.com/{stage}/ap-events"
        router = by_name(live["hooks"], "Flag credit notes in invoice queues")
        assert router["settings"]["credit_note_queue_id"] == by_name(live["queues"], "Credit notes")["id"]

    # --base-url overrides prod's api_base_url too (a served emulator on loopback).
    result = cli("plan", str(root), "--env", "prod", "--base-url", prod.base_url, "--detailed-exitcode",
                 env={"ROSSUM_PROD_TOKEN": prod.token})
    assert result.exit_code == 0 and "No changes." in result.stdout, result.output
    # ROSSUM_API_BASE_URL does not: the environment file's URL comes first (docs/manifests.md). Without a flag and
    # without credentials the command stops before any request (the guard would fail the test otherwise).
    result = cli("plan", str(root), "--env", "prod", env={"ROSSUM_API_BASE_URL": prod.base_url,
                                                           "ROSSUM_API_TOKEN": prod.token})
    assert result.exit_code == 1, result.output
    assert "takes its API token from ROSSUM_PROD_TOKEN, which is not set" in result.stderr, result.output


def test_a_dev_plan_file_is_not_applied_to_prod(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    dev_db, prod_db, plan = tmp_path / "dev.sqlite3", tmp_path / "prod.sqlite3", tmp_path / "dev-plan.json"
    assert cli("plan", str(root), "--env", "dev", "--emulator", str(dev_db), "--out", str(plan)).exit_code == 0
    result = cli("apply", str(plan), "--env", "prod", "--emulator", str(prod_db))
    assert result.exit_code == 1 and "made for environment 'dev', not 'prod'" in result.stderr, result.output
    assert not prod_db.exists()  # refused before the target organization was even opened
