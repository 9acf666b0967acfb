"""drift: fields a manifest leaves out are compared with the API's documented default, and objects attached by hand
to a managed queue are drift of that queue (against the emulator, over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import Cli, Live, write_manifests

from rossum_iac.kinds import KINDS
from rossum_iac.kinds.base import NO_DEFAULT

STACK = {
    "rossum.yaml": "stack: drifty\n",
    "base.yaml": """
        kind: Workspace
        key: ws
        name: WS
        ---
        kind: Schema
        key: s
        name: S
        content:
          - category: section
            id: header
            label: Header
            children:
              - {category: datapoint, id: amount_total, label: Total, type: number}
        ---
        kind: Queue
        key: invoices
        name: Invoices
        workspace: ws
        schema: s
        settings: {accepted_mime_types: [application/pdf]}
        ---
        kind: Hook
        key: notify
        name: Notify
        queues: [invoices]
        events: [annotation_status.changed]
        config: {url: "https://hooks.example.invalid/x"}
        ---
        kind: EmailTemplate
        key: confirmed
        name: Annotation status change - confirmed
        queue: invoices
        automate: true
        """,
}


@pytest.fixture
def live(emulator: Any) -> Iterator[Live]:
    client = Live(emulator)
    yield client
    client.close()


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def fields_of(report: dict[str, Any], address: str) -> dict[str, dict[str, Any]]:
    [entry] = [o for o in report["objects"] if o["address"] == address]
    assert entry["status"] == "changed"
    return {f["path"]: f for f in entry["fields"]}


def test_applied_stack_has_no_drift_and_plan_stays_empty(tmp_path: Path, emulator: Any) -> None:
    root = write_manifests(tmp_path / "m", STACK)
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    code, report = cli.json("drift", str(root))
    assert (code, report["drift"], report["objects"]) == (0, False, [])


def test_undeclared_fields_changed_by_hand(tmp_path: Path, emulator: Any, live: Live) -> None:
    root = write_manifests(tmp_path / "m", STACK)
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    hook, queue = live.find("hooks", "Notify"), live.find("queues", "Invoices")
    workspace = live.find("workspaces", "WS")
    template = live.find("email_templates", "Annotation status change - confirmed")
    live.patch(f"hooks/{hook['id']}", {"active": False, "config": {**hook["config"], "timeout_s": 55}})
    live.patch(
        f"queues/{queue['id']}",
        {
            "training_enabled": False,
            "session_timeout": "2:00:00",
            "settings": {"accepted_mime_types": ["application/pdf"], "x": 1},
        },
    )
    live.patch(f"workspaces/{workspace['id']}", {"metadata": {**workspace["metadata"], "team": "ap"}})
    live.patch(f"email_templates/{template['id']}", {"subject": "Changed by hand"})

    code, report = cli.json("drift", str(root))
    assert code == 2 and report["drift"] is True
    hook_fields = fields_of(report, "Hook/notify")
    assert hook_fields["active"] == {
        "path": "active",
        "before": False,
        "after": True,
        "note": "not in the manifest, and not the API default",
        "undeclared": True,
    }
    assert (hook_fields["config.timeout_s"]["before"], hook_fields["config.timeout_s"]["after"]) == (55, 30)
    queue_fields = fields_of(report, "Queue/invoices")
    assert set(queue_fields) == {"training_enabled", "session_timeout"}  # settings: never compared when left out
    assert (queue_fields["session_timeout"]["before"], queue_fields["session_timeout"]["after"]) == (
        "02:00:00",
        "01:00:00",
    )
    workspace_fields = fields_of(report, "Workspace/ws")
    assert workspace_fields["metadata"]["before"] == {"team": "ap"}  # without the ownership marker
    assert workspace_fields["metadata"]["after"] == {}
    template_fields = fields_of(report, "EmailTemplate/confirmed")
    assert template_fields["subject"]["before"] == "Changed by hand"
    assert template_fields["subject"]["after"] == "Verified documents: {{ parent_email_subject }}"  # its own default

    text = cli("drift", str(root))
    assert text.exit_code == 2
    assert "~ active: false -> true  # not in the manifest, and not the API default" in text.stdout

    # plan does not change fields the manifests leave out (only declared fields are managed) ...
    code, plan = cli.json("plan", str(root))
    assert code == 0 and {tuple(c["actions"]) for c in plan["resource_changes"]} == {("no-op",)}
    # ... declaring one makes plan restore it, and drift then reports it as a declared difference
    write_manifests(
        root,
        {
            "base.yaml": STACK["base.yaml"].replace(
                "        events: [annotation_status.changed]\n",
                "        events: [annotation_status.changed]\n        active: true\n",
            )
        },
    )
    code, report = cli.json("drift", str(root))
    active = fields_of(report, "Hook/notify")["active"]
    assert "undeclared" not in active and (active["before"], active["after"]) == (False, True)
    ok(cli("apply", str(root), "--auto-approve"))
    assert live.get(f"hooks/{hook['id']}")["active"] is True


def test_ignore_changes_silences_an_undeclared_field(tmp_path: Path, emulator: Any, live: Live) -> None:
    base = STACK["base.yaml"].replace(
        "        events: [annotation_status.changed]\n",
        "        events: [annotation_status.changed]\n        ignore_changes: [active]\n",
    )
    root = write_manifests(tmp_path / "m", {**STACK, "base.yaml": base})
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    hook = live.find("hooks", "Notify")
    live.patch(f"hooks/{hook['id']}", {"active": False})
    code, report = cli.json("drift", str(root))
    assert (code, report["objects"]) == (0, [])


def test_objects_attached_by_hand_to_a_managed_queue(tmp_path: Path, emulator: Any, live: Live) -> None:
    root = write_manifests(tmp_path / "m", STACK)
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    queue = live.find("queues", "Invoices")
    organization = live.list("organizations")[0]["url"]
    slack = live.client.request_json(
        "POST",
        "hooks",
        json={
            "name": "Slack notifier",
            "queues": [queue["url"]],
            "events": ["annotation_status"],
            "config": {"url": "https://hooks.example.invalid/slack"},
        },
    )
    live.client.request_json(
        "POST", "inboxes", json={"name": "Extra", "queues": [queue["url"]], "email_prefix": "extra-inbox"}
    )
    rule = live.client.request_json(
        "POST", "rules", json={"name": "By hand", "organization": organization, "queues": [queue["url"]]}
    )
    live.client.request_json(  # a rule for every queue is not attached to this one in particular
        "POST", "rules", json={"name": "Everywhere", "organization": organization, "queues": []}
    )
    template = live.client.request_json(
        "POST",
        "email_templates",
        json={"name": "Ad hoc", "queue": queue["url"], "type": "custom", "subject": "s", "message": "m"},
    )
    code, report = cli.json("drift", str(root))
    assert code == 2
    [entry] = [o for o in report["objects"] if o["address"] == "Queue/invoices"]
    fields = {f["path"]: f for f in entry["fields"]}
    assert fields["hooks"] == {
        "path": "hooks",
        "before": [f"hook 'Slack notifier' (id {slack['id']})"],
        "after": [],
        "format": "set",
        "note": "attached outside the manifests",
    }
    assert fields["rules"]["before"] == [f"rule 'By hand' (id {rule['id']})"]
    assert fields["email_templates"]["before"] == [f"email template 'Ad hoc' (id {template['id']})"]
    assert len(fields["inbox"]["before"]) == 1
    assert {a["kind"] for a in entry["attached"]} == {"Hook", "Inbox", "Rule", "EmailTemplate"}
    assert all(a["managed_by"] is None for a in entry["attached"])

    text = cli("drift", str(root)).stdout
    assert "~ Queue/invoices" in text
    assert f"~ hooks: - \"hook 'Slack notifier' (id {slack['id']})\"  # attached outside the manifests" in text


def test_a_hook_of_another_stack_attached_to_this_stacks_queue(tmp_path: Path, emulator: Any, live: Live) -> None:
    root = write_manifests(tmp_path / "m", STACK)
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    other = write_manifests(
        tmp_path / "other",
        {
            "rossum.yaml": "stack: other\n",
            "h.yaml": """
        kind: Hook
        key: audit
        name: Audit
        events: [annotation_status.changed]
        config: {url: "https://hooks.example.invalid/audit"}
        """,
        },
    )
    ok(cli("apply", str(other), "--auto-approve"))
    audit, queue = live.find("hooks", "Audit"), live.find("queues", "Invoices")
    live.patch(f"hooks/{audit['id']}", {"queues": [queue["url"]]})
    code, report = cli.json("drift", str(root))
    assert code == 2
    [entry] = [o for o in report["objects"] if o["address"] == "Queue/invoices"]
    assert entry["fields"][0]["before"] == [f"hook 'Audit' (id {audit['id']}, managed by stack 'other')"]
    assert entry["attached"][0]["managed_by"] == "other"


def test_defaulted_fields_are_listed_per_kind_in_the_kinds() -> None:
    assert KINDS["Hook"].drift_defaults["active"] is True
    assert "settings" not in KINDS["Queue"].drift_defaults  # real organizations never have {}
    assert "filters" not in KINDS["Inbox"].drift_defaults and "test" not in KINDS["Hook"].drift_defaults
    assert not set(KINDS["Hook"].drift_defaults) & KINDS["Hook"].write_only  # write-only fields are never compared
    for kind in KINDS.values():  # per-organization values (an engine's URL...) are never compared
        assert not [path for path, spec in kind.walk() if spec.unportable and path in kind.drift_defaults]
    assert all(v is not NO_DEFAULT for kind in KINDS.values() for v in kind.drift_defaults.values())
    from rossum_iac.kinds.hook import template_defaults

    assert template_defaults({"hook_template": "https://x/api/v1/hook_templates/1"})["settings"] is NO_DEFAULT
    assert "active" not in template_defaults({"hook_template": "https://x/api/v1/hook_templates/1"})
