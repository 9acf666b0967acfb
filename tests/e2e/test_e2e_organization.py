"""The rest of the organization as code, through the CLI against the emulator over HTTP: the organization's own
settings (a singleton: configured, never created or deleted), users (protected by default, per-environment
usernames, referred to by key from queues and hooks), labels in rule payloads, triggers of email templates,
``import`` of each, and pull of all of it (adopt, then plan empty)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from e2e_helpers import BASE_MANIFESTS, Cli, Live, write_manifests

from rossum_iac.cli.main import main
from rossum_iac.kinds import MARKER_KEY

ORGANIZATION = """
    kind: Organization
    key: main
    settings:
      annotation_list_table: {columns: [{column_type: meta, visible: true, width: 10, meta_name: status}]}
    metadata: {cost_center: ap-42}
    """


@pytest.fixture
def live(emulator: Any) -> Iterator[Live]:
    client = Live(emulator)
    yield client
    client.close()


def _organization(live: Live) -> dict[str, Any]:
    return live.get(str(live.get("auth/user")["organization"]).split("/api/v1/", 1)[1])


def test_organization_settings_are_configured_restored_and_released_never_deleted(
    emulator: Any, live: Live, tmp_path: Path
) -> None:
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "org.yaml": ORGANIZATION})
    cli = Cli(emulator)
    before = _organization(live)
    live.patch(f"organizations/{before['id']}", {"metadata": {"kept": "yes"}, "ui_settings": {"locale": "cs"}})

    plan = cli("plan", str(root))
    assert "~ Organization/main" in plan.stdout and "taken over" in plan.stdout
    assert "+ Organization" not in plan.stdout
    assert cli("apply", str(root), "--auto-approve").exit_code == 0
    org = _organization(live)
    assert org["settings"]["annotation_list_table"]["columns"][0]["meta_name"] == "status"
    # declared keys are written next to the keys nobody declared and to rossum-iac's own records
    assert org["metadata"]["cost_center"] == "ap-42" and org["metadata"]["kept"] == "yes"
    assert org["metadata"][MARKER_KEY]["organizations"] == {"e2e": {"main": org["id"]}}
    assert org["ui_settings"] == {"locale": "cs"} and org["name"] == before["name"]
    result = cli("plan", str(root), "--detailed-exitcode")
    assert result.exit_code == 0 and "No changes." in result.stdout

    # a change made in the UI is drift of exactly that key; apply restores it and keeps the records
    live.patch(f"organizations/{org['id']}", {"metadata": {**org["metadata"], "cost_center": "other"}})
    code, report = cli.json("drift", str(root))
    assert code == 2
    [obj] = report["objects"]
    assert obj["address"] == "Organization/main" and [f["path"] for f in obj["fields"]] == ["metadata.cost_center"]
    assert cli("apply", str(root), "--auto-approve").exit_code == 0
    org = _organization(live)
    assert org["metadata"]["cost_center"] == "ap-42" and MARKER_KEY in org["metadata"]
    assert cli("drift", str(root)).exit_code == 0

    # leaving the manifests releases it: nothing is deleted, the settings stay, the record goes
    write_manifests(root, {"org.yaml": None})
    result = cli("plan", str(root), "--detailed-exitcode")
    assert result.exit_code == 2 and "1 to forget" in result.stdout and "never deleted" in result.stdout
    assert cli("apply", str(root), "--auto-approve").exit_code == 0
    org = _organization(live)
    assert org["metadata"]["cost_center"] == "ap-42"
    assert "organizations" not in org["metadata"].get(MARKER_KEY, {}) or not org["metadata"][MARKER_KEY][
        "organizations"
    ]
    assert cli("plan", str(root), "--detailed-exitcode").exit_code == 0


def test_one_stack_configures_the_organization(emulator: Any, tmp_path: Path) -> None:
    first = write_manifests(tmp_path / "a", {"rossum.yaml": "stack: first\n", "org.yaml": ORGANIZATION})
    second = write_manifests(tmp_path / "b", {"rossum.yaml": "stack: second\n", "org.yaml": ORGANIZATION})
    cli = Cli(emulator)
    assert cli("apply", str(first), "--auto-approve").exit_code == 0
    result = cli("plan", str(second))
    assert result.exit_code == 1
    assert "another stack already manages this organization" in result.output
    twice = write_manifests(tmp_path / "c", {"rossum.yaml": "stack: c\n", "org.yaml": ORGANIZATION,
                                             "again.yaml": ORGANIZATION.replace("key: main", "key: other")})
    result = CliRunner().invoke(main, ["validate", str(twice)])
    assert result.exit_code == 1 and "already describes the organization" in result.output


USERS = """
    kind: User
    key: clerk
    username: ${var.clerk_username}
    email: ${var.clerk_username}
    first_name: Clerk
    groups: [annotator]
    ---
    kind: Queue
    key: main
    name: Main queue
    workspace: main
    schema: main
    users: [clerk]
    ---
    kind: Hook
    key: notify
    name: Notify
    queues: [main]
    events: [annotation_status.changed]
    token_owner: clerk
    config: {url: "https://hooks.example.invalid/x"}
    """


def _base_without_queue() -> dict[str, str]:
    base = BASE_MANIFESTS["base.yaml"]
    return {"base.yaml": base[: base.index("---\n        kind: Queue")]}


def test_users_are_keys_in_queues_and_hooks_per_environment_usernames_and_protected(
    emulator: Any, live: Live, tmp_path: Path
) -> None:
    stack = "stack: e2e\nenvironments:\n  dev:\n    variables: {clerk_username: clerk-dev@example.com}\n"
    root = write_manifests(tmp_path / "m", {"rossum.yaml": stack, **_base_without_queue(), "users.yaml": USERS})
    cli = Cli(emulator)
    result = cli("apply", str(root), "--env", "dev", "--auto-approve")
    assert result.exit_code == 0, result.output
    user = live.find("users", "clerk-dev@example.com", field="username")
    assert user["email"] == "clerk-dev@example.com" and user["first_name"] == "Clerk"
    assert [live.get(g.split("/api/v1/", 1)[1])["name"] for g in user["groups"]] == ["annotator"]
    queue = live.find("queues", "Main queue")
    hook = live.find("hooks", "Notify")
    assert queue["users"] == [user["url"]] and hook["token_owner"] == user["url"]
    assert user["metadata"][MARKER_KEY] == {"stack": "e2e", "key": "clerk", "protect": True}
    assert cli("plan", str(root), "--env", "dev", "--detailed-exitcode").exit_code == 0

    # roles compare as names; a role changed in the UI is drift of 'groups'
    live.patch(f"users/{user['id']}", {"groups": [g["url"] for g in live.list("groups", name="viewer")]})
    code, report = cli.json("drift", str(root), "--env", "dev")
    assert code == 2 and [f["path"] for f in report["objects"][0]["fields"]] == ["groups"]
    assert report["objects"][0]["fields"][0]["before"] == ["viewer"]
    assert cli("apply", str(root), "--env", "dev", "--auto-approve").exit_code == 0

    # removing a user without `protect: false` never deletes it
    write_manifests(root, {"users.yaml": USERS.split("---")[1].replace("users: [clerk]", "")})
    result = cli("plan", str(root), "--env", "dev")
    assert result.exit_code == 1 and "User/clerk" in result.output and "protect: false" in result.output
    assert live.get(f"users/{user['id']}")["deleted"] is False


def test_import_label_user_and_trigger_then_plan_shows_only_real_differences(
    emulator: Any, live: Live, tmp_path: Path
) -> None:
    cli = Cli(emulator)
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    assert cli("apply", str(root), "--auto-approve").exit_code == 0
    queue = live.find("queues", "Main queue")
    label = live.client.request_json("POST", "labels", json={"name": "Urgent", "color": "#FF0000"})
    user = live.client.request_json("POST", "users", json={"username": "imported@example.com", "first_name": "I"})
    trigger = live.client.request_json(
        "POST", "triggers", json={"queue": queue["url"], "event": "annotation_imported", "condition": {"a": 1}}
    )
    write_manifests(root, {"more.yaml": """
        kind: Label
        key: urgent
        name: Urgent
        color: "#00FF00"
        ---
        kind: User
        key: imported
        username: imported@example.com
        first_name: I
        ---
        kind: Trigger
        key: imported
        queue: main
        event: annotation_imported
        condition: {a: 1}
        """})
    for address, obj in (("Label/urgent", label), ("User/imported", user), ("Trigger/imported", trigger)):
        result = cli("import", address, str(obj["id"]), str(root))
        assert result.exit_code == 0, result.output
    code, plan = cli.json("plan", str(root))
    assert code == 0
    changed = {a["address"]: [c["path"] for c in a["changes"]] for a in plan["resource_changes"] if a["changes"]}
    assert changed == {"Label/urgent": ["color"]}


def test_pull_writes_users_labels_triggers_and_the_organization_by_key_and_plans_empty(
    emulator: Any, live: Live, tmp_path: Path
) -> None:
    cli = Cli(emulator)
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    assert cli("apply", str(root), "--auto-approve").exit_code == 0  # a workspace, schema and queue, then by hand:
    queue = live.find("queues", "Main queue")
    org = _organization(live)
    live.patch(f"organizations/{org['id']}", {"settings": {"annotation_list_table": {"columns": []}},
                                             "metadata": {**org["metadata"], "team": "ap"}})
    bot = live.client.request_json("POST", "users", json={"username": "bot@example.com"})
    annotator = live.list("groups", name="annotator")[0]["url"]
    clerk = live.client.request_json("POST", "users", json={"username": "clerk@example.com", "groups": [annotator]})
    live.patch(f"queues/{queue['id']}", {"users": [clerk["url"]]})
    live.client.request_json("POST", "hooks", json={
        "name": "Notify", "queues": [queue["url"]], "events": ["annotation_status.changed"],
        "token_owner": bot["url"], "config": {"url": "https://hooks.example.invalid/x"}})
    label = live.client.request_json("POST", "labels", json={"name": "Big", "color": "#123456"})
    live.client.request_json("POST", "rules", json={
        "name": "Label big invoices", "queues": [queue["url"]], "trigger_condition": "field.amount_total > 1000",
        "actions": [{"id": "big", "type": "add_label", "event": "validation", "payload": {"labels": [label["url"]]}}]})
    exported = next(t for t in live.list("triggers", queue=queue["id"]) if t["event"] == "annotation_exported")
    live.client.request_json("POST", "email_templates", json={
        "name": "Copy for accounting", "queue": queue["url"], "type": "custom", "triggers": [exported["url"]]})

    out = tmp_path / "pulled"
    result = cli("pull", str(out), "--stack", "e2e", "--adopt", "--auto-approve")
    assert result.exit_code == 0, result.output
    files = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*.yaml")}
    assert re.search(r"users:\n *- clerk-example-com\n", files["queues/main.yaml"])
    assert "token_owner: bot-example-com" in files["hooks/notify.yaml"]
    assert "username: clerk@example.com" in files["users/clerk-example-com.yaml"]
    assert "- annotator" in files["users/clerk-example-com.yaml"]
    assert "${ref.Label.big.url}" in files["rules/label-big-invoices.yaml"]
    assert "- main-annotation-exported" in files["email-templates/main-copy-for-accounting.yaml"]
    assert "event: annotation_exported" in files["triggers/main-annotation-exported.yaml"]
    assert "team: ap" in files["organization/organization.yaml"]
    assert not any(name.startswith("users/admin") for name in files)  # a user nothing refers to is not pulled
    result = cli("plan", str(out), "--detailed-exitcode")
    assert result.exit_code == 0 and "No changes." in result.stdout, result.stdout
    assert cli("drift", str(out)).exit_code == 0


ENGINES = """
    kind: Engine
    key: invoices
    name: Invoice engine
    type: extractor
    ---
    kind: DedicatedEngine
    key: uk
    name: UK invoices
    ---
    kind: Queue
    key: main
    name: Main queue
    workspace: main
    schema: main
    engine: invoices
    generic_engine: Generic engine (emulator)
    ---
    kind: Queue
    key: uk
    name: UK queue
    workspace: main
    schema: main
    engine: invoices
    generic_engine: null
    dedicated_engine: uk
    """


def test_queues_name_engines_by_key_and_generic_engines_by_name_and_pull_writes_them_back(
    emulator: Any, live: Live, tmp_path: Path
) -> None:
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, **_base_without_queue(), "engines.yaml": ENGINES})
    cli = Cli(emulator)
    result = cli("apply", str(root), "--auto-approve")
    assert result.exit_code == 0, result.output
    engine = live.find("engines", "Invoice engine")
    dedicated = live.find("dedicated_engines", "UK invoices")
    generic = live.find("generic_engines", "Generic engine (emulator)")
    main, uk = live.find("queues", "Main queue"), live.find("queues", "UK queue")
    assert main["engine"] == uk["engine"] == engine["url"] and main["generic_engine"] == generic["url"]
    assert uk["dedicated_engine"] == dedicated["url"] and uk["generic_engine"] is None
    assert cli("plan", str(root), "--detailed-exitcode").exit_code == 0

    # a generic engine that no organization offers is refused at plan time, naming the catalogue
    write_manifests(root, {"engines.yaml": ENGINES.replace("Generic engine (emulator)", "Generic engin")})
    result = cli("plan", str(root))
    assert result.exit_code == 1 and "'Generic engin' is not in the organization's generic_engines" in result.output

    # engines are protected by default: removing one from the manifests is refused
    write_manifests(root, {"engines.yaml": ENGINES.split("---", 1)[1].replace("    engine: invoices\n", "")})
    result = cli("plan", str(root))
    assert result.exit_code == 1 and "Engine/invoices" in result.output and "protect: false" in result.output

    out = tmp_path / "pulled"
    result = cli("pull", str(out), "--stack", "e2e")
    assert result.exit_code == 0, result.output
    queue = (out / "queues/main.yaml").read_text()  # owned objects keep their keys
    assert "engine: invoices\n" in queue and "generic_engine: Generic engine (emulator)\n" in queue
    assert "dedicated_engine: uk\n" in (out / "queues/uk.yaml").read_text()
    assert "name: Invoice engine" in (out / "engines/invoices.yaml").read_text()
    assert (out / "dedicated-engines/uk.yaml").is_file()
    # the seeded engine no queue uses is not pulled by a pull of everything
    assert [p.name for p in (out / "engines").iterdir()] == ["invoices.yaml"]


def test_import_engine_and_dedicated_engine_made_by_hand(emulator: Any, live: Live, tmp_path: Path) -> None:
    cli = Cli(emulator)
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    assert cli("apply", str(root), "--auto-approve").exit_code == 0
    engine = live.client.request_json("POST", "engines", json={"name": "Hand engine", "type": "extractor"})
    dedicated = live.client.request_json("POST", "dedicated_engines", json={"name": "Hand dedicated"})
    write_manifests(root, {"engines.yaml": """
        kind: Engine
        key: hand
        name: Hand engine
        type: extractor
        description: Written in the manifest only
        ---
        kind: DedicatedEngine
        key: hand
        name: Hand dedicated
        """})
    code, plan = cli.json("plan", str(root))  # engines are found by name: the plan adopts them
    adopted = {a["address"] for a in plan["resource_changes"] if a.get("adopt")}
    assert code == 0 and adopted == {"Engine/hand", "DedicatedEngine/hand"}
    for address, obj in (("Engine/hand", engine), ("DedicatedEngine/hand", dedicated)):
        result = cli("import", address, str(obj["id"]), str(root))
        assert result.exit_code == 0, result.output
    code, plan = cli.json("plan", str(root))
    assert code == 0
    assert not [a for a in plan["resource_changes"] if a.get("adopt")]  # import recorded both
    actions = {a["address"]: (a["actions"], [c["path"] for c in a["changes"]]) for a in plan["resource_changes"]}
    assert actions["Engine/hand"] == (["update"], ["description"])
    assert actions["DedicatedEngine/hand"] == (["no-op"], [])
    assert cli("apply", str(root), "--auto-approve").exit_code == 0
    assert live.get(f"engines/{engine['id']}")["description"] == "Written in the manifest only"
    assert len([e for e in live.list("engines") if e["name"] == "Hand engine"]) == 1
    assert cli("plan", str(root), "--detailed-exitcode").exit_code == 0


def test_pull_apply_to_another_organization_and_pull_back_is_byte_identical(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """Every new kind goes from organization A to organization B by key and name, and comes back unchanged."""
    source, target = emulator_factory(), emulator_factory()
    cli_a, cli_b = Cli(source), Cli(target)
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, **_base_without_queue(), "engines.yaml": ENGINES})
    assert cli_a("apply", str(root), "--auto-approve").exit_code == 0
    live = Live(source)
    try:
        queue = live.find("queues", "Main queue")
        org = _organization(live)
        live.patch(f"organizations/{org['id']}", {"settings": {"annotation_list_table": {"columns": []}}})
        annotator = live.list("groups", name="annotator")[0]["url"]
        clerk = live.client.request_json("POST", "users", json={"username": "rt@example.com", "groups": [annotator]})
        live.patch(f"queues/{queue['id']}", {"users": [clerk["url"]]})
        label = live.client.request_json("POST", "labels", json={"name": "Big", "color": "#123456"})
        live.client.request_json("POST", "rules", json={
            "name": "Label big", "queues": [queue["url"]], "actions": [
                {"id": "big", "type": "add_label", "event": "validation", "payload": {"labels": [label["url"]]}}]})
        trigger = live.client.request_json("POST", "triggers", json={
            "queue": queue["url"], "event": "annotation_imported", "condition": {"$and": [{"field.x": 1}]}})
        live.client.request_json("POST", "email_templates", json={
            "name": "Reject", "queue": queue["url"], "type": "rejection", "triggers": [trigger["url"]]})
    finally:
        live.close()
    first, second = tmp_path / "first" / "e2e", tmp_path / "second" / "e2e"
    assert cli_a("pull", str(first), "--stack", "e2e").exit_code == 0  # owned by e2e: keys kept
    applied = cli_b("apply", str(first), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert cli_b("plan", str(first), "--detailed-exitcode").exit_code == 0
    assert cli_b("pull", str(second), "--stack", "e2e").exit_code == 0
    files = {p.relative_to(first).as_posix(): p.read_bytes() for p in sorted(first.rglob("*")) if p.is_file()}
    again = {p.relative_to(second).as_posix(): p.read_bytes() for p in sorted(second.rglob("*")) if p.is_file()}
    assert files == again
    assert {"organization/organization.yaml", "users/rt-example-com.yaml", "labels/big.yaml",
            "triggers/main-annotation-imported.yaml", "engines/invoices.yaml",
            "dedicated-engines/uk.yaml"} <= set(files)
