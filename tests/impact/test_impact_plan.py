"""plan: breaking schema changes (removed, renamed, retyped datapoints) with every place that uses them, from the
manifests (file:line:column) and from live objects no stack manages; --fail-on-breaking for CI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import Cli, Live, write_manifests

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
          - {category: datapoint, id: po_number, label: PO number, type: string}
          - {category: datapoint, id: vendor_id, label: Vendor, type: string}
          - {category: datapoint, id: amount_total, label: Total, type: number}
          - {category: datapoint, id: notes, label: Notes, type: string}
    ---
    kind: Queue
    key: invoices
    name: Invoices
    workspace: ws
    schema: invoice
    """

CODE = """from txscript import TxScript


def rossum_hook_request_handler(payload):
    # notes: "notes" is mentioned only in this comment
    t = TxScript.from_payload(payload)
    if t.field.vendor_id:
        t.show_info("vendor known", t.field.vendor_id)
    wanted = "po_number"
    return t.hook_response()
"""

OTHERS = """
    kind: Hook
    key: check
    name: Check
    type: function
    queues: [invoices]
    events: [annotation_content.initialize]
    config: {runtime: python3.12, code: {file: check.py}}
    ---
    kind: Rule
    key: big
    name: Big
    queues: [invoices]
    trigger_condition: field.amount_total > 1000
    """


@pytest.fixture
def live(emulator: Any) -> Iterator[Live]:
    client = Live(emulator)
    yield client
    client.close()


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def applied(tmp_path: Path, emulator: Any, live: Live) -> tuple[Path, Cli, dict[str, Any]]:
    root = write_manifests(
        tmp_path / "m", {"rossum.yaml": "stack: impact\n", "base.yaml": SCHEMA, "check.py": CODE, "o.yaml": OTHERS}
    )
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    queue = live.find("queues", "Invoices")
    organization = live.list("organizations")[0]["url"]
    rule = {
        "name": "Legacy PO check",
        "organization": organization,
        "queues": [queue["url"]],
        "trigger_condition": 'field.po_number == ""  # field.notes is not read',
        "actions": [
            {
                "id": "m",
                "type": "show_message",
                "event": "validation",
                "payload": {"type": "error", "content": "PO missing", "schema_id": "po_number"},
            },
        ],
    }
    live.client.request_json("POST", "rules", json=rule)
    live.client.request_json(
        "POST",
        "email_templates",
        json={
            "name": "PO reply",
            "queue": queue["url"],
            "type": "custom",
            "subject": "PO {{ annotation.content.value.po_number }}",
            "message": "<p>{{ document_list }}</p>",
        },
    )
    return root, cli, queue


def test_breaking_changes_name_every_place(tmp_path: Path, emulator: Any, live: Live) -> None:
    root, cli, _ = applied(tmp_path, emulator, live)
    code, plan = cli.json("plan", str(root))
    assert code == 0 and [w for w in plan["warnings"] if w["type"] == "breaking"] == []

    schema = SCHEMA.replace("          - {category: datapoint, id: po_number, label: PO number, type: string}\n", "")
    schema = schema.replace("id: vendor_id, label: Vendor", "id: supplier_id, label: Vendor")
    schema = schema.replace(
        "id: amount_total, label: Total, type: number", "id: amount_total, label: Total, type: string"
    )
    write_manifests(root, {"base.yaml": schema})
    code, plan = cli.json("plan", str(root))
    assert code == 0
    breaking = {w["schema_id"]: w for w in plan["warnings"] if w["type"] == "breaking"}
    assert set(breaking) == {"po_number", "vendor_id", "amount_total"}  # "notes" is only in comments
    assert all(w["address"] == "Schema/invoice" and w["queues"] == ["Queue/invoices"] for w in breaking.values())

    po = breaking["po_number"]
    assert po["change"] == "removed" and po["after"] is None
    code_text = (root / "check.py").read_text()
    literal = code_text.index('"po_number"') + 1
    line = code_text.count("\n", 0, literal) + 1
    column = literal - code_text.rfind("\n", 0, literal)
    rule_id = live.find("rules", "Legacy PO check")["id"]
    template_id = live.find("email_templates", "PO reply")["id"]
    assert po["places"] == [
        {
            "address": "Hook/check",
            "field": "config.code",
            "strength": "mention",
            "file": str(root / "check.py"),
            "line": line,
            "column": column,
        },
        {
            "object": f"rule 'Legacy PO check' (rules/{rule_id})",
            "kind": "Rule",
            "id": rule_id,
            "managed_by": None,
            "field": "trigger_condition",
            "strength": "certain",
        },
        {
            "object": f"rule 'Legacy PO check' (rules/{rule_id})",
            "kind": "Rule",
            "id": rule_id,
            "managed_by": None,
            "field": "actions[0].payload.schema_id",
            "strength": "certain",
        },
        {
            "object": f"email template 'PO reply' (email_templates/{template_id})",
            "kind": "EmailTemplate",
            "id": template_id,
            "managed_by": None,
            "field": "subject",
            "strength": "certain",
        },
    ]
    assert po["message"].startswith("Schema/invoice: datapoint 'po_number' is removed (queues: Queue/invoices), but")
    assert f"{root / 'check.py'}:{line}:{column} (Hook/check config.code)" in po["message"]
    assert (
        f"rule 'Legacy PO check' (rules/{rule_id}, not managed by any stack): trigger_condition, "
        "actions[0].payload.schema_id; email template" in po["message"]
    )

    vendor = breaking["vendor_id"]
    assert vendor["change"] == "renamed" and vendor["after"]["id"] == "supplier_id"
    assert "is renamed to 'supplier_id'" in vendor["message"]
    assert [(p["file"], p["strength"]) for p in vendor["places"]] == [(str(root / "check.py"), "likely")] * 2

    amount = breaking["amount_total"]
    assert amount["change"] == "type" and (amount["before"]["type"], amount["after"]["type"]) == ("number", "string")
    [place] = amount["places"]
    rule_file = root / "o.yaml"
    text = rule_file.read_text()
    offset = text.index("amount_total > 1000")
    assert (place["file"], place["line"], place["column"]) == (
        str(rule_file),
        text.count("\n", 0, offset) + 1,
        offset - text.rfind("\n", 0, offset),
    )
    assert "changes from datapoint of type number to datapoint of type string" in amount["message"]

    text = cli("plan", str(root))
    assert text.exit_code == 0 and "datapoint 'po_number' is removed" in text.stdout  # rendered like any warning

    failing = cli("plan", str(root), "--fail-on-breaking", "--out", str(tmp_path / "plan.json"))
    assert failing.exit_code == 1
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in failing.stdout  # nothing else changes
    assert (tmp_path / "plan.json").exists()
    assert "error: 3 breaking schema changes (--fail-on-breaking):" in failing.stderr
    assert "datapoint 'vendor_id' is renamed to 'supplier_id'" in failing.stderr


def test_fail_on_breaking_passes_without_breaking_changes(tmp_path: Path, emulator: Any, live: Live) -> None:
    root, cli, _ = applied(tmp_path, emulator, live)
    schema = SCHEMA.replace("label: Notes", "label: Remarks").replace(
        "          - {category: datapoint, id: notes, label: Notes, type: string}\n", ""
    )  # "notes" goes, but nothing reads it (mentions in comments do not count)
    write_manifests(root, {"base.yaml": schema})
    result = cli("plan", str(root), "--fail-on-breaking", "--detailed-exitcode")
    assert result.exit_code == 2, result.output  # changes, none breaking
    assert "breaking" not in result.stderr


def test_a_queue_moving_to_another_schema(tmp_path: Path, emulator: Any, live: Live) -> None:
    root, cli, _ = applied(tmp_path, emulator, live)
    other = """
        kind: Schema
        key: lean
        name: Lean
        content:
          - category: section
            id: header
            label: Header
            children:
              - {category: datapoint, id: vendor_id, label: Vendor, type: string}
              - {category: datapoint, id: amount_total, label: Total, type: number}
        """
    write_manifests(
        root, {"lean.yaml": other, "base.yaml": SCHEMA.replace("    schema: invoice\n", "    schema: lean\n")}
    )
    code, plan = cli.json("plan", str(root))
    assert code == 0
    [warning] = [w for w in plan["warnings"] if w["type"] == "breaking"]
    assert warning["address"] == "Queue/invoices" and warning["schema_id"] == "po_number"
    assert warning["message"].startswith(
        "Queue/invoices moves to another schema, in which datapoint 'po_number' is missing"
    )
    assert {p.get("kind", p.get("address")) for p in warning["places"]} == {"Hook/check", "Rule", "EmailTemplate"}
    # --target limits the plan, and the warnings with it
    code, plan = cli.json("plan", str(root), "--target", "Schema/lean")
    assert [w for w in plan["warnings"] if w["type"] == "breaking"] == []


def test_unmanaged_queue_using_a_managed_schema(tmp_path: Path, emulator: Any, live: Live) -> None:
    root, cli, queue = applied(tmp_path, emulator, live)
    live.client.request_json(
        "POST",
        "queues",
        json={
            "name": "By hand",
            "workspace": queue["workspace"],
            "schema": queue["schema"],
            "settings": {"columns": [{"schema_id": "notes"}]},
        },
    )
    schema = SCHEMA.replace("          - {category: datapoint, id: notes, label: Notes, type: string}\n", "")
    write_manifests(root, {"base.yaml": schema})
    code, plan = cli.json("plan", str(root))
    assert code == 0
    [warning] = [w for w in plan["warnings"] if w["type"] == "breaking"]
    hand = live.find("queues", "By hand")
    assert warning["schema_id"] == "notes" and warning["queues"] == ["Queue/invoices", f"queues/{hand['id']}"]
    assert warning["places"] == [
        {
            "object": f"queue 'By hand' (queues/{hand['id']})",
            "kind": "Queue",
            "id": hand["id"],
            "managed_by": None,
            "field": "settings.columns[0].schema_id",
            "strength": "likely",
        }
    ]
