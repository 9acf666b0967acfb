"""Plan/apply/drift/import scenarios through the CLI against the emulator over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import BASE_MANIFESTS, Cli, Live, write_manifests, write_requests

import rossum_iac.cli.apply as apply_module
from rossum_iac.kinds import MARKER_KEY


@pytest.fixture
def live(emulator: Any) -> Iterator[Live]:
    client = Live(emulator)
    yield client
    client.close()


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


SECOND_QUEUE = """
    kind: Queue
    key: second
    name: Second queue
    workspace: main
    schema: main
    """


def test_one_schema_shared_by_two_queues(emulator: Any, live: Live, tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "second.yaml": SECOND_QUEUE})
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    [schema] = live.list("schemas")
    queues = live.list("queues")
    assert len(queues) == 2 and {q["schema"] for q in queues} == {schema["url"]}
    assert sorted(schema["queues"]) == sorted(q["url"] for q in queues)

    # Changing the shared schema is one update of one object.
    base = BASE_MANIFESTS["base.yaml"].replace("label: Total", "label: Amount due")
    write_manifests(root, {"base.yaml": base})
    result = cli("plan", str(root))
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in result.stdout
    assert 'datapoint "amount_total" label: "Total" -> "Amount due"' in result.stdout
    ok(cli("apply", str(root), "--auto-approve"))

    # Removing one queue keeps the schema (still used by the other one).
    write_manifests(root, {"second.yaml": None})
    result = ok(cli("apply", str(root), "--auto-approve", "--queue-delete-after", "0"))
    assert "- Queue/second" in result.stdout and "Schema/main" not in result.stdout.split("OBJECT")[-1]
    assert [s["id"] for s in live.list("schemas")] == [schema["id"]]
    assert ok(cli("plan", str(root), "--detailed-exitcode"))


HOOK_WITH_SECRETS = """
    kind: Hook
    key: notify
    name: Notify
    type: webhook
    queues: [main]
    events: [annotation_status.changed]
    config:
      url: https://hooks.example.invalid/ap
      secret: ${env.HOOK_SIGNING_KEY}
    secrets:
      api_key: ${env.HOOK_API_KEY}
    ---
    kind: Connector
    key: erp
    name: ERP
    service_url: https://erp.example.invalid/rossum
    authorization_token: ${env.ERP_TOKEN}
    """


def test_secret_rotation_is_detected_written_and_never_shown(emulator: Any, live: Live, tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "hook.yaml": HOOK_WITH_SECRETS})
    first = {"HOOK_SIGNING_KEY": "sign-first-8c1f", "HOOK_API_KEY": "api-first-77aa", "ERP_TOKEN": "erp-first-0b9e"}
    second = {**first, "HOOK_SIGNING_KEY": "sign-second-d2e4", "ERP_TOKEN": "erp-second-55c1"}
    cli = Cli(emulator)
    outputs = []

    outputs.append(ok(cli("apply", str(root), "--auto-approve", env=first)).output)
    outputs.append(ok(cli("plan", str(root), "--detailed-exitcode", env=first)).output)
    hook = live.find("hooks", "Notify")
    assert hook["config"]["secret"] == "sign-first-8c1f"  # the emulator returns config.secret; we never print it

    plan_file = tmp_path / "rotate.json"
    result = cli("plan", str(root), "--detailed-exitcode", "--out", str(plan_file), env=second)
    outputs.append(result.output)
    assert result.exit_code == 2
    assert "~ config.secret: (sensitive)  # value changed" in result.stdout
    assert "~ authorization_token: (sensitive)  # value changed" in result.stdout
    _, plan_json = cli.json("plan", str(root), env=second)
    outputs.append(json.dumps(plan_json))
    outputs.append(ok(cli("apply", str(plan_file), env=second)).output)
    assert live.get(f"hooks/{hook['id']}")["config"]["secret"] == "sign-second-d2e4"
    outputs.append(ok(cli("plan", str(root), "--detailed-exitcode", env=second)).output)
    outputs.append(cli("drift", str(root), "--include-unmanaged", env=second).output)

    texts = [*outputs, plan_file.read_text()]
    for value in (*first.values(), *second.values(), emulator.token):
        assert not any(value in text for text in texts), f"a secret leaked: {value}"
    # The marker holds salted hashes only.
    marker = live.get(f"hooks/{hook['id']}")["metadata"][MARKER_KEY]
    assert set(marker["secrets"]) == {"config.secret", "secrets"}
    assert all(v.startswith("sha256:") for v in marker["secrets"].values())


def test_stale_plan_is_refused_naming_the_changed_object(emulator: Any, live: Live, tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    write_manifests(root, {"base.yaml": BASE_MANIFESTS["base.yaml"].replace("name: Main queue", "name: Renamed")})
    plan_file = tmp_path / "plan.json"
    assert cli("plan", str(root), "--out", str(plan_file)).exit_code == 0
    queue = live.find("queues", "Main queue")
    live.patch(f"queues/{queue['id']}", {"default_score_threshold": 0.42})
    emulator.request_log.clear()
    result = cli("apply", str(plan_file))
    assert result.exit_code == 1
    assert "stale" in result.stderr and f"Queue/main (queue 'Main queue' (queues/{queue['id']}))" in result.stderr
    assert write_requests(emulator) == []

    # Changed manifests are refused too.
    ok(cli("plan", str(root), "--out", str(plan_file)))
    (root / "extra.yaml").write_text("kind: Workspace\nkey: x\nname: X\n")
    result = cli("apply", str(plan_file))
    assert result.exit_code == 1 and "manifests" in result.stderr and "changed since the plan" in result.stderr
    (root / "extra.yaml").unlink()
    result = ok(cli("apply", str(plan_file)))
    assert "1 changed" in result.stdout
    assert live.get(f"queues/{queue['id']}")["name"] == "Renamed"


def test_protect_blocks_deletion_until_released(emulator: Any, live: Live, tmp_path: Path) -> None:
    protected = """
        kind: Workspace
        key: keep
        name: Keep me
        protect: true
        """
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "keep.yaml": protected})
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    write_manifests(root, {"keep.yaml": None})
    for command in (("plan", str(root)), ("apply", str(root), "--auto-approve")):
        result = cli(*command)
        assert result.exit_code == 1
        assert "Workspace/keep" in result.stderr and "protected" in result.stderr
    assert live.find("workspaces", "Keep me")
    write_manifests(root, {"keep.yaml": protected.replace("protect: true", "protect: false")})
    result = ok(cli("apply", str(root), "--auto-approve"))
    assert "~ protect: true -> false" in result.stdout
    write_manifests(root, {"keep.yaml": None})
    ok(cli("apply", str(root), "--auto-approve"))
    assert "Keep me" not in {w["name"] for w in live.list("workspaces")}


INVALID_HOOK = """
    kind: Hook
    key: broken
    name: Broken hook
    type: webhook
    queues: [main]
    config: {url: https://hooks.example.invalid/x}
    secrets_schema: {type: object, additionalProperties: false}
    secrets:
      api_key: ${env.API_KEY}
    ---
    kind: Hook
    key: after-broken
    name: Runs after the broken one
    type: webhook
    queues: [main]
    run_after: [broken]
    config: {url: https://hooks.example.invalid/y}
    """


def test_partial_failure_keeps_independent_changes_and_rerun_converges(
    emulator: Any, live: Live, tmp_path: Path
) -> None:
    extra = "kind: Workspace\nkey: independent\nname: Independent\n"
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "hooks.yaml": INVALID_HOOK, "ws.yaml": extra})
    cli = Cli(emulator, API_KEY="k-123")
    result = cli("apply", str(root), "--auto-approve")
    assert result.exit_code == 1
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if "/" in line.split(" ")[0]}
    assert " failed " in rows["Hook/broken"] and "secrets" in rows["Hook/broken"]
    assert " skipped " in rows["Hook/after-broken"] and "Hook/broken did not succeed" in rows["Hook/after-broken"]
    for address in ("Workspace/main", "Schema/main", "Queue/main", "Workspace/independent"):
        assert " ok " in rows[address], rows[address]
    assert "Apply failed" in result.stdout
    assert "k-123" not in result.output

    write_manifests(root, {"hooks.yaml": INVALID_HOOK.replace("additionalProperties: false", "additionalProperties: "
                                                              "{type: string}")})
    result = ok(cli("apply", str(root), "--auto-approve"))
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in result.stdout
    assert len(live.list("workspaces")) == 2 and len(live.list("queues")) == 1 and len(live.list("hooks")) == 2
    ok(cli("plan", str(root), "--detailed-exitcode"))


def _is_lease(kwargs: dict[str, Any]) -> bool:
    marker = ((kwargs.get("json") or {}).get("metadata") or {}).get(MARKER_KEY) or {}
    return "rules" not in marker


def _apply_losing_write_responses(emulator: Any, root: Path) -> Any:
    """Apply through the engine, losing the answer to every write (as if the process died right after the server
    acted on the request)."""
    from rossum_iac.client import APITransportError, AsyncRossumAPIClient, Token
    from rossum_iac.engine import execute, make_plan
    from rossum_iac.manifest import load_stack

    stack = load_stack(root)

    async def run() -> Any:
        async with AsyncRossumAPIClient(emulator.base_url, Token(emulator.token)) as client:
            real = client.request_json

            async def lose_write_responses(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
                answer = await real(method, url, *args, **kwargs)
                # every write of an object (the apply's lease in the organization is written and read back)
                if method in ("POST", "PATCH") and not (url.startswith("organizations/") and _is_lease(kwargs)):
                    raise APITransportError(method, url, "connection lost after the request was sent")
                return answer

            client.request_json = lose_write_responses  # type: ignore[method-assign]
            plan, context = await make_plan(client, stack)
            return await execute(client, plan, context)

    return asyncio.run(run())


def test_crash_after_create_reached_the_server_leads_to_no_duplicate(
    emulator: Any, live: Live, tmp_path: Path
) -> None:
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    first = _apply_losing_write_responses(emulator, root)
    assert {r.address: r.status for r in first.results} == {
        "Workspace/main": "failed", "Schema/main": "failed", "Queue/main": "skipped"}
    assert len(live.list("workspaces")) == 1 and len(live.list("schemas")) == 1  # the server did create them
    cli = Cli(emulator)
    result = ok(cli("apply", str(root), "--auto-approve"))
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in result.stdout  # only the queue: the others are found
    assert [len(live.list(c)) for c in ("workspaces", "schemas", "queues")] == [1, 1, 1]

    # Kinds without metadata: the create reaches the server, the ownership record is never written.
    more = """
        kind: EmailTemplate
        key: notice
        name: Notice
        queue: main
        type: custom
        subject: Hi
        ---
        kind: Rule
        key: check
        name: Check
        queues: [main]
        trigger_condition: "True"
        """
    write_manifests(root, {"more.yaml": more})
    second = _apply_losing_write_responses(emulator, root)
    assert {r.status for r in second.results} == {"failed"}
    assert [t["name"] for t in live.list("email_templates")].count("Notice") == 1 and len(live.list("rules")) == 1
    result = ok(cli("apply", str(root), "--auto-approve"))
    assert "EmailTemplate/notice will be updated in place (adopting an existing object)" in result.stdout
    assert "Rule/check will be updated in place (adopting an existing object)" in result.stdout
    assert "Plan: 2 to adopt, 0 to add" in result.stdout
    assert [t["name"] for t in live.list("email_templates")].count("Notice") == 1 and len(live.list("rules")) == 1
    ok(cli("plan", str(root), "--detailed-exitcode"))


def test_target_applies_the_object_and_what_it_depends_on(emulator: Any, live: Live, tmp_path: Path) -> None:
    hook = """
        kind: Hook
        key: h
        name: Targeted hook
        type: webhook
        queues: [main]
        config: {url: https://hooks.example.invalid/t}
        """
    other = "kind: Workspace\nkey: other\nname: Not targeted\n"
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "hook.yaml": hook, "other.yaml": other})
    cli = Cli(emulator)
    result = ok(cli("apply", str(root), "--auto-approve", "--target", "Hook/h"))
    assert "Plan: 4 to add" in result.stdout and "limited to Hook/h" in result.stdout
    assert {w["name"] for w in live.list("workspaces")} == {"Main"}
    assert len(live.list("hooks")) == 1 and len(live.list("queues")) == 1
    result = cli("plan", str(root), "--detailed-exitcode")
    assert result.exit_code == 2 and "+ Workspace/other" in result.stdout and "Plan: 1 to add" in result.stdout
    result = cli("plan", str(root), "--target", "Hook/nope")
    assert result.exit_code == 1 and "Hook/nope" in result.stderr


def test_exit_codes(emulator: Any, tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    cli = Cli(emulator)
    assert cli("plan", str(root), "--detailed-exitcode").exit_code == 2
    assert cli("plan", str(root)).exit_code == 0  # changes, but no --detailed-exitcode
    assert cli("drift", str(root)).exit_code == 2  # owned objects missing
    ok(cli("apply", str(root), "--auto-approve"))
    assert cli("plan", str(root), "--detailed-exitcode").exit_code == 0
    assert cli("drift", str(root)).exit_code == 0
    bad_files = {"rossum.yaml": "stack: e2e\n", "q.yaml": "kind: Queue\nkey: q\nschema: nope\n"}
    bad = write_manifests(tmp_path / "bad", bad_files)
    result = cli("plan", str(bad), "--detailed-exitcode")
    assert result.exit_code == 1 and "q.yaml" in result.stderr and "Traceback" not in result.output
    result = Cli(emulator)("plan", str(root), env={"ROSSUM_API_TOKEN": "0" * 40})
    assert result.exit_code == 1 and "HTTP 401" in result.stderr
    result = Cli(emulator)("drift", str(tmp_path / "missing"))
    assert result.exit_code == 1 and "no such directory" in result.stderr


def test_apply_never_prompts_without_a_terminal(emulator: Any, tmp_path: Path, monkeypatch: Any) -> None:
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    cli = Cli(emulator)
    emulator.request_log.clear()
    result = cli("apply", str(root))
    assert result.exit_code == 1 and "--auto-approve" in result.stderr
    assert list(emulator.request_log) == []  # refused before contacting the API

    monkeypatch.setattr(apply_module, "interactive", lambda: True)
    result = cli("apply", str(root), input="no\n")
    assert result.exit_code == 1 and "Apply cancelled." in result.stdout  # declined: nothing applied
    assert write_requests(emulator) == []
    result = ok(cli("apply", str(root), input="yes\n"))
    assert "Apply complete! Objects: 3 added" in result.stdout


def test_import_adopts_an_existing_object(emulator: Any, live: Live, tmp_path: Path) -> None:
    org = live.get("auth/user")["organization"]
    existing = live.client.request_json("POST", "workspaces", json={"name": "Made by hand", "organization": org,
                                                                     "metadata": {"note": "keep"}})
    root = write_manifests(tmp_path / "m", {"rossum.yaml": "stack: e2e\n",
                                            "ws.yaml": "kind: Workspace\nkey: main\nname: Main\nmetadata: {}\n"})
    cli = Cli(emulator)
    result = ok(cli("import", "Workspace/main", str(existing["id"]), str(root)))
    assert "now managed as Workspace/main" in result.stdout
    assert live.get(f"workspaces/{existing['id']}")["name"] == "Made by hand"
    result = cli("plan", str(root), "--detailed-exitcode")
    assert result.exit_code == 2
    assert f'~ Workspace/main (id {existing["id"]}' in result.stdout
    assert '~ name: "Made by hand" -> "Main"' in result.stdout and "Plan: 0 to add, 1 to change" in result.stdout
    ok(cli("apply", str(root), "--auto-approve"))
    assert len(live.list("workspaces")) == 1
    assert live.get(f"workspaces/{existing['id']}")["metadata"]["note"] == "keep"
    result = cli("import", "Workspace/main", "999999999", str(root))
    assert result.exit_code == 1 and "no Workspace with id 999999999" in result.stderr


def test_unmanaged_objects_are_listed_on_request_and_never_touched(emulator: Any, live: Live, tmp_path: Path) -> None:
    org = live.get("auth/user")["organization"]
    theirs = live.client.request_json("POST", "workspaces", json={"name": "Someone else's", "organization": org})
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    code, report = cli.json("drift", str(root), "--include-unmanaged")
    assert code == 0
    assert {"kind": "Workspace", "id": theirs["id"], "name": "Someone else's"}.items() <= next(
        u for u in report["unmanaged"] if u["id"] == theirs["id"]
    ).items()
    assert live.get(f"workspaces/{theirs['id']}")["name"] == "Someone else's"
    defaults = [u for u in report["unmanaged"] if u["kind"] == "EmailTemplate"]
    assert len(defaults) == 5 and {u["queue"] for u in defaults} == {"Queue/main"}


PROMOTED = {
    "rossum.yaml": """
        stack: promo
        environments:
          dev:
            token_env: ROSSUM_DEV_TOKEN
            variables: {threshold: 0.5}
          prod:
            token_env: ROSSUM_PROD_TOKEN
            variables: {threshold: 0.95}
        """,
    "all.yaml": """
        kind: Workspace
        key: ap
        name: AP
        ---
        kind: Schema
        key: inv
        name: Invoice
        content:
          - category: section
            id: s
            label: S
            children:
              - {category: datapoint, id: amount_total, label: Total, type: number}
        ---
        kind: Queue
        key: q
        name: Invoices
        workspace: ap
        schema: inv
        default_score_threshold: ${var.threshold}
        ---
        kind: Hook
        key: router
        name: Router
        type: webhook
        queues: [q]
        config: {url: https://hooks.example.invalid/r}
        settings:
          queue_id: ${ref.Queue.q.id}
        """,
}


def test_promotion_to_a_second_organization_with_env_and_no_id_files(
    emulator_factory: Any, tmp_path: Path
) -> None:
    dev = emulator_factory(db=str(tmp_path / "dev.sqlite3"))
    prod = emulator_factory(db=str(tmp_path / "prod.sqlite3"))
    root = write_manifests(tmp_path / "m", PROMOTED)
    dev_cli = Cli(dev, ROSSUM_API_TOKEN="", ROSSUM_DEV_TOKEN=dev.token)
    prod_cli = Cli(prod, ROSSUM_API_TOKEN="", ROSSUM_PROD_TOKEN=prod.token)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    ok(dev_cli("apply", str(root), "--env", "dev", "--auto-approve"))
    prod_live = Live(prod)
    org = prod_live.get("auth/user")["organization"]
    for i in range(3):  # objects unrelated to the stack, so that ids in prod differ from those in dev
        ws = prod_live.client.request_json("POST", "workspaces", json={"name": f"pre-existing {i}",
                                                                       "organization": org})
        schema = prod_live.client.request_json("POST", "schemas", json={"name": f"s{i}", "content": []})
        prod_live.client.request_json("POST", "queues", json={"name": f"pre-existing {i}", "schema": schema["url"],
                                                              "workspace": ws["url"]})
    ok(prod_cli("apply", str(root), "--env", "prod", "--auto-approve"))

    dev_live = Live(dev)
    for name, env_live, threshold in (("dev", dev_live, 0.5), ("prod", prod_live, 0.95)):
        queue = env_live.find("queues", "Invoices")
        hook = env_live.find("hooks", "Router")
        assert queue["default_score_threshold"] == threshold, name
        assert hook["settings"]["queue_id"] == queue["id"], name
        assert hook["queues"] == [queue["url"]]
    assert dev_live.find("queues", "Invoices")["id"] != prod_live.find("queues", "Invoices")["id"]
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # no ID-mapping or state files
    assert ok(dev_cli("plan", str(root), "--env", "dev", "--detailed-exitcode"))
    assert ok(prod_cli("plan", str(root), "--env", "prod", "--detailed-exitcode"))
    # A plan made for dev is refused for prod: each emulator database is its own organization (id and name).
    plan_file = tmp_path / "dev-plan.json"
    write_manifests(root, {"all.yaml": PROMOTED["all.yaml"].replace("name: AP", "name: Accounts payable")})
    ok(dev_cli("plan", str(root), "--env", "dev", "--out", str(plan_file)))
    prod.request_log.clear()
    result = prod_cli("apply", str(plan_file))
    # the plan is for dev, so only dev's credentials could be used: prod's token never reaches it
    assert result.exit_code == 1 and "ROSSUM_DEV_TOKEN, which is not set" in result.stderr
    result = Cli(prod, ROSSUM_DEV_TOKEN=dev.token)("apply", str(plan_file))  # dev's token, prod's URL
    assert result.exit_code == 1 and "not for 'Emulator organization" in result.stderr
    assert write_requests(prod) == []
    dev_live.close()
    prod_live.close()


def test_emulator_option_keeps_state_between_commands(tmp_path: Path, monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from rossum_iac.cli.main import main

    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = {"NO_COLOR": "1", "ROSSUM_API_TOKEN": "", "ROSSUM_TOKEN": ""}
    result = runner.invoke(main, ["apply", str(root), "--emulator", "--auto-approve"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".rossum-iac" / "emulator.sqlite3").exists()
    result = runner.invoke(main, ["plan", str(root), "--detailed-exitcode", "--emulator"], env=env)
    assert result.exit_code == 0 and "No changes." in result.stdout
    other_db = tmp_path / "other.sqlite3"
    result = runner.invoke(main, ["plan", str(root), "--detailed-exitcode", "--emulator", str(other_db)], env=env)
    assert result.exit_code == 2 and "Plan: 3 to add" in result.stdout
    result = runner.invoke(main, ["plan", "--emulator", str(root)], env=env)
    assert result.exit_code == 1 and "is a directory" in result.output

    # A plan file made with one emulator run applies with the next (another port): URLs compare by path.
    hook = """
        kind: Hook
        key: h
        name: H
        type: webhook
        queues: [main]
        config: {url: https://hooks.example.invalid/h}
        settings: {queue_url: "${ref.Queue.main.url}", session_timeout: "1:00:00"}
        """
    write_manifests(root, {"hook.yaml": hook})
    result = runner.invoke(main, ["plan", str(root), "--emulator", "--out", "p.json"], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["apply", "p.json", "--emulator"], env=env)
    assert result.exit_code == 0 and "1 added" in result.stdout, result.output
    result = runner.invoke(main, ["plan", str(root), "--detailed-exitcode", "--emulator"], env=env)
    assert result.exit_code == 0, result.stdout


def test_schema_or_workspace_used_by_an_unmanaged_queue_is_not_deleted(
    emulator: Any, live: Live, tmp_path: Path
) -> None:
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    cli = Cli(emulator)
    ok(cli("apply", str(root), "--auto-approve"))
    schema = live.find("schemas", "Main schema")
    workspace = live.find("workspaces", "Main")
    theirs = live.client.request_json("POST", "queues", json={"name": "Theirs", "schema": schema["url"],
                                                              "workspace": workspace["url"]})
    write_manifests(root, {"base.yaml": None})
    emulator.request_log.clear()
    result = cli("apply", str(root), "--auto-approve", "--queue-delete-after", "0")
    assert result.exit_code == 1
    assert f"Schema/main (schema 'Main schema' (schemas/{schema['id']})) cannot be deleted" in result.stderr
    assert f"queue 'Theirs' (queues/{theirs['id']}), which is not managed by this stack" in result.stderr
    assert "Workspace/main" in result.stderr
    assert write_requests(emulator) == []  # refused in the plan, not discovered as a 409 half-way


def test_hook_secret_keys_removed_from_the_manifest_are_removed(emulator: Any, live: Live, tmp_path: Path) -> None:
    hook = """
        kind: Hook
        key: h
        name: H
        type: webhook
        config: {url: https://hooks.example.invalid/h}
        secrets:
          first: ${env.FIRST}
          second: ${env.SECOND}
        """
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "hook.yaml": hook})
    cli = Cli(emulator, FIRST="one-1111", SECOND="two-2222")
    ok(cli("apply", str(root), "--auto-approve"))
    hook_id = live.find("hooks", "H")["id"]
    assert sorted(live.client.request_json("GET", f"hooks/{hook_id}/secrets_keys")) == ["first", "second"]
    write_manifests(root, {"hook.yaml": hook.replace("  second: ${env.SECOND}\n", "")})
    result = ok(cli("apply", str(root), "--auto-approve"))
    assert "~ secrets: (sensitive)  # value changed" in result.stdout
    assert live.client.request_json("GET", f"hooks/{hook_id}/secrets_keys") == ["first"]
    ok(cli("plan", str(root), "--detailed-exitcode"))
