"""Pull: selections, objects owned elsewhere, default templates, and bad input (exit 1, nothing written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.e2e_helpers import Cli, Live, write_manifests
from tests.pull.conftest import CONNECTOR_TOKEN, WEBHOOK_SECRET, build_org


def pulled(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*.yaml")}


def test_queue_selection_brings_what_it_uses_and_what_is_attached(emulator: Any, org: Any, tmp_path: Path) -> None:
    out = tmp_path / "one"
    result = Cli(emulator)("pull", str(out), "--queue", "Faktury ČZ")
    assert result.exit_code == 0, result.output
    # the queue, its workspace and schema, the hook attached to it, and (through the hook) the other queue the
    # hook serves with that queue's own workspace, schema and connector
    assert pulled(out) == {
        "rossum.yaml",
        "queues/faktury-cz.yaml",
        "workspaces/uctarna-cz.yaml",
        "schemas/empty-schema.yaml",
        "hooks/router-fronta.yaml",
        "hooks/store-notifier.yaml",
        "queues/invoices-eu.yaml",
        "workspaces/accounts-payable.yaml",
        "schemas/invoice.yaml",
        "connectors/erp.yaml",
    }


def test_workspace_and_kinds_selections(emulator: Any, org: Any, tmp_path: Path) -> None:
    cli = Cli(emulator)
    assert cli("pull", str(tmp_path / "ws"), "--workspace", str(org.id("ws_cz"))).exit_code == 0
    assert "queues/faktury-cz.yaml" in pulled(tmp_path / "ws")
    assert "queues/invoices-eu-2.yaml" not in pulled(tmp_path / "ws")
    assert cli("pull", str(tmp_path / "k"), "--kinds", "schema,connector").exit_code == 0
    assert pulled(tmp_path / "k") == {
        "rossum.yaml",
        "schemas/invoice.yaml",
        "schemas/empty-schema.yaml",
        "connectors/erp.yaml",
    }


def test_objects_owned_by_another_stack_are_skipped_and_listed(emulator: Any, org: Any, tmp_path: Path) -> None:
    cli = Cli(emulator, HOOK_ERP_NOTIFY_SECRET="x", CONNECTOR_ERP_AUTHORIZATION_TOKEN="y")
    assert cli("pull", str(tmp_path / "first"), "--kinds", "Connector", "--adopt", "--auto-approve").exit_code == 0
    code, summary = cli.json("pull", str(tmp_path / "second"))
    assert code == 0
    assert {"kind": "Connector", "id": org.id("connector"), "name": "ERP", "reason": "owned by stack 'first'"} in (
        summary["skipped"]
    )
    # the queue that uses the connector cannot refer to it: left out too, and said why
    reasons = {s["name"]: s["reason"] for s in summary["skipped"]}
    assert reasons["Invoices EU"].startswith("refers to connector 'ERP'")
    assert reasons["Router \u2013 fronta"].startswith("refers to queue 'Invoices EU'")
    assert "name: Invoices EU" not in "".join(p.read_text() for p in (tmp_path / "second").rglob("*.yaml"))


def test_a_changed_default_template_is_pulled_and_plans_empty(emulator: Any, org: Any, tmp_path: Path) -> None:
    live = Live(emulator)
    queue = org.url("q_cz")
    default = next(t for t in live.list("email_templates", queue=org.id("q_cz")) if t["type"] == "rejection_default")
    live.patch(f"email_templates/{default['id']}", {"subject": "Rejected: {{ parent_email_subject }}"})
    cli = Cli(emulator, HOOK_ERP_NOTIFY_SECRET=WEBHOOK_SECRET, CONNECTOR_ERP_AUTHORIZATION_TOKEN=CONNECTOR_TOKEN)
    out = tmp_path / "org"
    assert cli("pull", str(out), "--adopt", "--auto-approve").exit_code == 0
    text = (out / "email-templates/faktury-cz-default-rejection-template.yaml").read_text()
    assert "type: rejection_default" in text and "Rejected: {{ parent_email_subject }}" in text
    assert queue
    plan = cli("plan", str(out), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    live.close()


def test_non_empty_directory_is_refused_before_reading(emulator: Any, tmp_path: Path) -> None:
    out = write_manifests(tmp_path / "busy", {"notes.txt": "mine"})
    result = Cli(emulator)("pull", str(out))
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert [r for r in emulator.request_log if r[1] != "/api/v1/auth/login"] == []
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_force_writes_beside_files_it_did_not_write(emulator: Any, org: Any, tmp_path: Path) -> None:
    out = write_manifests(tmp_path / "busy", {"notes.txt": "mine", "queues/invoices-eu.yaml": "old"})
    assert Cli(emulator)("pull", str(out), "--force").exit_code == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "queues/invoices-eu.yaml").read_text().startswith("kind: Queue")


def test_unknown_queue_or_workspace_is_one_line_and_nothing_written(emulator: Any, org: Any, tmp_path: Path) -> None:
    for option, value in (("--queue", "Invoices UE"), ("--workspace", "Nope")):
        out = tmp_path / value.replace(" ", "")
        result = Cli(emulator)("pull", str(out), option, value)
        assert result.exit_code == 1
        assert result.output.count("\n") == 1 and result.output.startswith("Error:")
        assert not out.exists()
    assert "did you mean 'Invoices EU'" in Cli(emulator)("pull", str(tmp_path / "x"), "--queue", "Invoices UE").output


def test_rejected_token_and_api_failure_write_nothing(emulator_factory: Any, tmp_path: Path) -> None:
    good = emulator_factory()
    build_org(good).client.close()
    out = tmp_path / "org"
    rejected = Cli(good, ROSSUM_API_TOKEN="not-the-token")("pull", str(out))
    assert rejected.exit_code == 1 and "Error:" in rejected.output
    assert not out.exists()
    failing = emulator_factory(fault_rate=1.0, seed=3)
    result = Cli(failing)("pull", str(out))
    assert result.exit_code == 1
    assert result.output.startswith("Error:")
    assert not out.exists()
    assert not list(tmp_path.glob(".org.pull-*"))  # no staging directory left behind


def test_users_and_engines_nothing_refers_to_are_listed_and_the_stacks_own_are_pulled(
    emulator: Any, tmp_path: Path
) -> None:
    cli = Cli(emulator)
    root = write_manifests(tmp_path / "m", {"rossum.yaml": "stack: people\n", "a.yaml": """
        kind: Workspace
        key: main
        name: Main
        ---
        kind: User
        key: clerk
        username: clerk-unreferenced@example.com
        first_name: Clerk
        """})
    assert cli("apply", str(root), "--auto-approve").exit_code == 0
    Live(emulator).client.request_json("POST", "users", json={"username": "by-hand@example.com"})

    # the stack's own user is pulled although nothing refers to it: the next plan is empty, not a refused delete
    out = tmp_path / "again"
    code, summary = cli.json("pull", str(out), "--stack", "people")
    assert code == 0
    assert "users/clerk.yaml" in pulled(out)
    assert cli("plan", str(out), "--detailed-exitcode").exit_code == 0
    # users and engines nothing pulled refers to are left out, and listed with the way to take them all
    reasons = {s["name"]: s["reason"] for s in summary["skipped"]}
    assert reasons["by-hand@example.com"] == "nothing pulled refers to it; --kinds User pulls every one"
    engines = [s for s in summary["skipped"] if s["kind"] == "Engine"]
    assert engines and all(s["reason"].startswith("nothing pulled refers to it") for s in engines)
    assert cli("pull", str(tmp_path / "users"), "--kinds", "User").exit_code == 0
    assert "users/by-hand-example-com.yaml" in pulled(tmp_path / "users")
