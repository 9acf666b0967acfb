"""For each kind that a stack creates and deletes, through the CLI against the emulator over HTTP:
create -> plan empty -> live change -> drift reports exactly that field -> apply restores -> removal from the
manifests -> delete planned and applied -> plan empty. (The organization itself, a singleton, is in
test_e2e_organization.py.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from e2e_helpers import BASE_MANIFESTS, Cli, Live, write_manifests, write_requests


@dataclass
class KindCase:
    kind: str
    collection: str
    name: str
    manifest: str
    change: Callable[[dict[str, Any]], dict[str, Any]]
    """Live object -> PATCH body that makes it differ from the manifest."""
    drifted: str
    """Field path drift must report."""
    name_field: str = "name"
    deleted: Callable[[dict[str, Any]], bool] | None = None
    """For a soft delete: whether the live object (still listed) is deleted."""


def _schema_change(obj: dict[str, Any]) -> dict[str, Any]:
    content = obj["content"]
    content[0]["children"][0]["label"] = "Changed in the UI"
    return {"content": content}


CASES = [
    KindCase("Workspace", "workspaces", "Extra workspace", """
        kind: Workspace
        key: extra
        name: Extra workspace
        metadata: {team: ap}
        """, lambda o: {"metadata": {**o["metadata"], "team": "someone else"}}, "metadata.team"),
    KindCase("Schema", "schemas", "Extra schema", """
        kind: Schema
        key: extra
        name: Extra schema
        content:
          - category: section
            id: s
            label: S
            children:
              - {category: datapoint, id: vendor, label: Vendor, type: string}
        """, _schema_change, "content"),
    KindCase("Connector", "connectors", "Extra connector", """
        kind: Connector
        key: extra
        name: Extra connector
        service_url: https://erp.invalid/rossum
        asynchronous: true
        """, lambda o: {"service_url": "https://elsewhere.invalid/x"}, "service_url"),
    KindCase("Queue", "queues", "Extra queue", """
        kind: Queue
        key: extra
        name: Extra queue
        workspace: main
        schema: main
        default_score_threshold: 0.9
        settings: {accepted_mime_types: [application/pdf]}
        """, lambda o: {"default_score_threshold": 0.5}, "default_score_threshold"),
    KindCase("Inbox", "inboxes", "Extra inbox", """
        kind: Inbox
        key: extra
        name: Extra inbox
        queues: [main]
        email_prefix: e2e-extra
        filters: {allowed_senders: ["*@suppliers.example.com"]}
        """, lambda o: {"filters": {**o["filters"], "allowed_senders": []}}, "filters.allowed_senders"),
    KindCase("Hook", "hooks", "Extra hook", """
        kind: Hook
        key: extra
        name: Extra hook
        type: function
        queues: [main]
        events: [annotation_content.initialize]
        config:
          runtime: python3.12
          code: |
            def rossum_hook_request_handler(payload):
                return {"messages": []}
        """, lambda o: {"config": {**o["config"], "code": "def rossum_hook_request_handler(p):\n    return {}\n"}},
        "config.code"),
    KindCase("EmailTemplate", "email_templates", "Extra template", """
        kind: EmailTemplate
        key: extra
        name: Extra template
        queue: main
        type: custom
        subject: Hello
        message: <p>Hi</p>
        """, lambda o: {"subject": "Changed"}, "subject"),
    KindCase("Rule", "rules", "Extra rule", """
        kind: Rule
        key: extra
        name: Extra rule
        queues: [main]
        enabled: true
        trigger_condition: field.amount_total > 100
        actions:
          - id: warn
            type: show_message
            event: validation
            payload: {type: warning, content: Large amount, schema_id: amount_total}
        """, lambda o: {"trigger_condition": "True"}, "trigger_condition"),
    KindCase("Label", "labels", "Extra label", """
        kind: Label
        key: extra
        name: Extra label
        color: "#FF5733"
        """, lambda o: {"color": "#000000"}, "color"),
    KindCase("Trigger", "triggers", "annotation_imported", """
        kind: Trigger
        key: extra
        queue: main
        event: annotation_imported
        condition: {"$and": [{"field.amount_total": {"$exists": true}}]}
        """, lambda o: {"condition": {}}, "condition.$and", name_field="event"),
    KindCase("User", "users", "e2e-extra@example.com", """
        kind: User
        key: extra
        username: e2e-extra@example.com
        email: e2e-extra@example.com
        first_name: Extra
        groups: [annotator, approver]
        protect: false
        """, lambda o: {"first_name": "Changed"}, "first_name", name_field="username",
        deleted=lambda o: o["deleted"] is True and o["is_active"] is False),
    KindCase("Engine", "engines", "Extra engine", """
        kind: Engine
        key: extra
        name: Extra engine
        type: extractor
        description: Learns from the e2e queue
        learning_enabled: true
        protect: false
        """, lambda o: {"learning_enabled": False}, "learning_enabled"),
    KindCase("DedicatedEngine", "dedicated_engines", "Extra dedicated engine", """
        kind: DedicatedEngine
        key: extra
        name: Extra dedicated engine
        description: Trained on UK invoices
        protect: false
        """, lambda o: {"description": "Changed"}, "description"),
]


@pytest.fixture
def live(emulator: Any) -> Iterator[Live]:
    client = Live(emulator)
    yield client
    client.close()


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_kind_life_cycle(case: KindCase, emulator: Any, live: Live, tmp_path: Any) -> None:
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "extra.yaml": case.manifest})
    cli = Cli(emulator)

    result = cli("apply", str(root), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert f"+ {case.kind}/extra" in result.stdout
    created = live.find(case.collection, case.name, field=case.name_field)

    # After apply, the plan is empty; a second apply makes no write request.
    result = cli("plan", str(root), "--detailed-exitcode")
    assert result.exit_code == 0, result.stdout
    assert "No changes." in result.stdout
    emulator.request_log.clear()
    result = cli("apply", str(root), "--auto-approve")
    assert result.exit_code == 0 and "No changes." in result.stdout
    assert write_requests(emulator) == []

    # A change made outside the manifests is reported as drift of exactly that field.
    path = f"{case.collection}/{created['id']}"
    live.patch(path, case.change(live.get(path)))
    code, report = cli.json("drift", str(root))
    assert code == 2, report
    [obj] = report["objects"]
    assert obj["address"] == f"{case.kind}/extra" and obj["status"] == "changed"
    assert [f["path"] for f in obj["fields"]] == [case.drifted]
    result = cli("plan", str(root), "--detailed-exitcode")
    assert result.exit_code == 2 and f"~ {case.kind}/extra" in result.stdout

    # apply restores it.
    result = cli("apply", str(root), "--auto-approve")
    assert result.exit_code == 0, result.output
    result = cli("drift", str(root))
    assert result.exit_code == 0, result.stdout

    # Removal from the manifests: the delete is planned, then applied.
    write_manifests(root, {"extra.yaml": None})
    result = cli("plan", str(root), "--detailed-exitcode")
    assert result.exit_code == 2
    assert f"- {case.kind}/extra (id {created['id']}" in result.stdout
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in result.stdout
    result = cli("apply", str(root), "--auto-approve", "--queue-delete-after", "0")
    assert result.exit_code == 0, result.output
    if case.deleted is None:
        assert created["id"] not in {o["id"] for o in live.list(case.collection)}
    else:  # a soft delete: still listed, marked deleted, and no longer counted as existing
        assert case.deleted(live.get(f"{case.collection}/{created['id']}"))
    result = cli("plan", str(root), "--detailed-exitcode")
    assert result.exit_code == 0, result.stdout
