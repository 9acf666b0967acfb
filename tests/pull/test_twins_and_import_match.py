"""Existing objects are never silently duplicated: plan warns about twins, import --match adopts them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.e2e_helpers import Cli, Live, write_manifests

MANIFESTS = {
    "rossum.yaml": "stack: newcomer\n",
    "objects.yaml": """
        kind: Workspace
        key: ap
        name: Accounts Payable
        ---
        kind: Schema
        key: invoice
        name: Invoice
        content: []
        ---
        kind: Queue
        key: eu
        name: Invoices EU
        workspace: ap
        schema: invoice
        ---
        kind: Inbox
        key: eu-mail
        name: Another name for the EU mailbox
        queues: [eu]
        email_prefix: eu-invoices
        ---
        kind: EmailTemplate
        key: ask
        name: Ask supplier
        queue: eu
        ---
        kind: Rule
        key: high
        name: High amount
        queues: [eu]
        ---
        kind: Workspace
        key: brand-new
        name: Nothing like it exists
        """,
}


def test_plan_warns_about_every_create_that_has_an_unmanaged_twin(emulator: Any, org: Any, tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", MANIFESTS)
    result = Cli(emulator)("plan", str(root), "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    warnings = {w["address"]: w for w in plan["warnings"]}
    # the chain workspace -> queue -> inbox/template/rule matches through references to twins
    assert set(warnings) == {
        "Workspace/ap",
        "Schema/invoice",
        "Queue/eu",
        "Inbox/eu-mail",
        "EmailTemplate/ask",
        "Rule/high",
    }
    queue = warnings["Queue/eu"]
    assert queue["type"] == "duplicate"
    assert queue["live"] == [{"id": org.id("q_eu"), "name": "Invoices EU", "url": org.url("q_eu")}]
    assert queue["command"] == f"rossum-iac import Queue/eu {org.id('q_eu')}"
    text = Cli(emulator)("plan", str(root)).output
    assert "Warnings:" in text and f"rossum-iac import Queue/eu {org.id('q_eu')}" in text


def test_import_match_adopts_unique_twins_in_one_read(emulator: Any, org: Any, tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", MANIFESTS)
    before = len(emulator.request_log)
    code, summary = Cli(emulator).json("import", "--match", str(root), "--auto-approve")
    assert code == 0
    adopted = {a["address"]: a["id"] for a in summary["adopted"]}
    assert adopted == {
        "Workspace/ap": org.id("ws_ap"),
        "Schema/invoice": org.id("schema_invoice"),
        "Queue/eu": org.id("q_eu"),
        "Inbox/eu-mail": org.id("inbox"),
        "EmailTemplate/ask": org.id("template"),
        "Rule/high": org.id("rule"),
    }
    reads = [r for r in emulator.request_log[before:] if r[0] == "GET" and r[1].endswith("/auth/user")]
    assert len(reads) == 1  # one read of the organization
    plan = Cli(emulator)("plan", str(root), "--json")
    data = json.loads(plan.stdout)
    actions = {c["address"]: c["actions"] for c in data["resource_changes"]}
    assert actions["Workspace/brand-new"] == ["create"]
    assert all(actions[a] != ["create"] for a in adopted)
    assert data["warnings"] == []
    live = Live(emulator)
    assert live.get(f"queues/{org.id('q_eu')}")["metadata"]["rossum_iac"]["key"] == "eu"
    live.close()


def test_ambiguous_twins_are_listed_and_not_adopted(emulator: Any, org: Any, tmp_path: Path) -> None:
    live = Live(emulator)
    twin = live.client.request_json(
        "POST",
        "workspaces",
        json={
            "name": "Accounts Payable",
            "organization": f"{emulator.base_url}/organizations/{emulator.organization_id}",
        },
    )
    root = write_manifests(tmp_path / "m", MANIFESTS)
    result = Cli(emulator)("import", "--match", str(root), "--auto-approve", "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert {c["id"] for c in summary["ambiguous"]["Workspace/ap"]} == {org.id("ws_ap"), twin["id"]}
    adopted = {a["address"] for a in summary["adopted"]}
    assert "Workspace/ap" not in adopted and "Queue/eu" not in adopted  # the queue's workspace is unknown
    assert "Schema/invoice" in adopted
    assert f"rossum-iac import Workspace/ap {twin['id']}" in result.stderr
    assert (
        "metadata" not in live.get(f"workspaces/{org.id('ws_ap')}")
        or "rossum_iac" not in (live.get(f"workspaces/{org.id('ws_ap')}")["metadata"])
    )
    live.close()
