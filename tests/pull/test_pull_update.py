"""``pull DIR --update`` against the emulator over HTTP: a hand-written stack (comments, placeholders, includes) is
applied, changed "in the UI" through the API, and brought back in step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.e2e_helpers import Cli, Live, write_manifests
from tests.pull.conftest import CONNECTOR_TOKEN, WEBHOOK_SECRET
from tests.pull.update_stack import CONNECTOR_TOKEN as UPD_TOKEN
from tests.pull.update_stack import ERP_USER, SECRETS, STACK
from tests.pull.update_stack import WEBHOOK_SECRET as UPD_SECRET

SECRET_VALUES = (UPD_SECRET, UPD_TOKEN, ERP_USER, WEBHOOK_SECRET, CONNECTOR_TOKEN)


def texts(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def changed_files(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def cli_for(emulator: Any, **env: str) -> Cli:
    return Cli(emulator, ROSSUM_IAC_RATE_LIMIT="0", **env)


def applied(emulator: Any, tmp_path: Path, *extra: str) -> tuple[Path, Cli, Live]:
    root = write_manifests(tmp_path / "stack", STACK)
    cli = cli_for(emulator, **SECRETS)
    result = cli("apply", str(root), "--auto-approve", *extra)
    assert result.exit_code == 0, result.output
    return root, cli, Live(emulator)


def no_secret_in(*texts_: str) -> None:
    for text in texts_:
        for secret in SECRET_VALUES:
            assert secret not in text


def plan_exit(cli: Cli, root: Path, *extra: str) -> int:
    return cli("plan", str(root), "--detailed-exitcode", *extra).exit_code


# --- UI-style changes -----------------------------------------------------------------------------------------------


def change_every_kind(live: Live) -> None:
    ws = live.find("workspaces", "Accounts Payable")
    live.patch(
        f"workspaces/{ws['id']}",
        {"name": "Accounts Payable EU", "metadata": {**ws["metadata"], "team": "ap", "added_in_ui": 1}},
    )
    schema = live.find("schemas", "Invoice")
    content = live.get(f"schemas/{schema['id']}")["content"]
    children = content[0]["children"]
    children[0]["label"] = "Invoice no."
    due = next(node for node in children if node["id"] == "amount_due")
    due["formula"] = "# what is left to pay\nfield.amount_total * 1\n"
    children.append({"category": "datapoint", "id": "note", "label": "Note", "type": "string"})
    live.patch(f"schemas/{schema['id']}", {"content": content})
    connector = live.find("connectors", "ERP")
    live.patch(f"connectors/{connector['id']}", {"service_url": "https://erp.example.com/v2", "asynchronous": False})
    queue = live.find("queues", "Invoices")
    live.patch(
        f"queues/{queue['id']}",
        {
            "default_score_threshold": 0.9,
            "session_timeout": "02:00:00",
            "settings": {**queue["settings"], "columns": [{"schema_id": "amount_total"}]},
            "metadata": {**queue["metadata"], "owner": "finance"},
        },
    )
    inbox = live.find("inboxes", "Invoices mailbox")
    live.patch(
        f"inboxes/{inbox['id']}",
        {
            "name": "Invoices inbox",
            "filters": {"allowed_senders": ["*@suppliers.example.com", "*@partners.example.com"]},
        },
    )
    hook = live.find("hooks", "Router")
    code = hook["config"]["code"].replace('{"messages": []}', '{"messages": [], "operations": []}')
    live.patch(
        f"hooks/{hook['id']}",
        {
            "name": "Router v2",
            "events": ["annotation_content.initialize", "annotation_content.updated"],
            "config": {**hook["config"], "code": code},
            "settings": {**hook["settings"], "mode": "lenient"},
        },
    )
    template = live.find("email_templates", "Ask supplier")
    live.patch(
        f"email_templates/{template['id']}",
        {"subject": "Re: {{ parent_email_subject }}", "message": template["message"].replace("please", "kindly")},
    )
    rule = live.find("rules", "High amount")
    actions = rule["actions"]
    actions[0]["payload"]["content"] = "Above the approval threshold"
    live.patch(
        f"rules/{rule['id']}",
        {
            "trigger_condition": rule["trigger_condition"].replace("'eur'", "'czk'"),
            "actions": actions,
            "enabled": False,
        },
    )


EXPECTED_EDITS = {
    "workspaces.yaml": [
        ("name: Accounts Payable   # as shown in the UI", "name: Accounts Payable EU # as shown in the UI"),
        ("team: finance", "team: ap"),
    ],
    "schemas/invoice.content.yaml": [
        ("label: Invoice number, type", "label: Invoice no., type"),
        (
            "      formula: {file: formulas/amount_due.py}\n",
            "      formula: {file: formulas/amount_due.py}\n"
            "    - category: datapoint\n      id: note\n      label: Note\n      type: string\n",
        ),
    ],
    "schemas/formulas/amount_due.py": [("field.amount_total - 0", "field.amount_total * 1")],
    "connectors.yaml": [
        ("service_url: https://erp.example.com/rossum", "service_url: https://erp.example.com/v2"),
        ("asynchronous: true", "asynchronous: false"),
    ],
    "queues.yaml": [
        ("default_score_threshold: 0.8", "default_score_threshold: 0.9"),
        ('session_timeout: "01:00:00"', 'session_timeout: "02:00:00"'),
        ("columns: [{schema_id: invoice_id}]", "columns: [{schema_id: amount_total}]"),
        ("owner: ap-team", "owner: finance"),
    ],
    "inboxes/invoices.yaml": [
        ("name: Invoices mailbox   # not", "name: Invoices inbox     # not"),
        (
            'allowed_senders: ["*@suppliers.example.com"]',
            'allowed_senders: ["*@suppliers.example.com", "*@partners.example.com"]',
        ),
    ],
    "hooks/hooks.yaml": [
        ("name: Router\n", "name: Router v2\n"),
        (
            "events: [annotation_content.initialize]   # when documents arrive",
            "events: [annotation_content.initialize, annotation_content.updated] # when documents arrive",
        ),
        ("mode: strict", "mode: lenient"),
    ],
    "hooks/router.py": [('return {"messages": []}', 'return {"messages": [], "operations": []}')],
    "email-templates/query.yaml": [
        (
            'subject: "About {{ parent_email_subject }}"   # shown',
            'subject: "Re: {{ parent_email_subject }}"     # shown',
        )
    ],
    "email-templates/query.html": [("please send", "kindly send")],
    "rules/high-amount.py": [("and field.currency == 'eur'", "and field.currency == 'czk'")],
    "rules/high-amount.yaml": [("content: Above the threshold", "content: Above the approval threshold")],
}


def test_every_kind_is_updated_in_place_and_plan_is_empty(emulator: Any, tmp_path: Path) -> None:
    root, cli, live = applied(emulator, tmp_path)
    before = texts(root)
    change_every_kind(live)
    assert plan_exit(cli, root) == 2

    result = cli("pull", str(root), "--update", "--auto-approve")
    assert result.exit_code == 0, result.output
    after = texts(root)
    assert changed_files(before, after) == set(EXPECTED_EDITS)
    for name, edits in EXPECTED_EDITS.items():
        expected = before[name]
        for old, new in edits:
            assert expected.count(old) == 1, (name, old)
            expected = expected.replace(old, new)
        assert after[name] == expected, name
    # undeclared fields stay undeclared (a metadata key and a rule's `enabled` added in the UI)
    assert "added_in_ui" not in after["workspaces.yaml"] and "enabled" not in after["rules/high-amount.yaml"]
    # placeholders and includes survive
    assert "${ref.Queue.archive.id}" in after["hooks/router.py"] and "$${not_a_placeholder}" in after["hooks/router.py"]
    assert "${var.threshold}" in after["rules/high-amount.py"]
    assert "--- a/queues.yaml\n+++ b/queues.yaml\n" in result.output
    assert "\n-default_score_threshold: 0.8\n" in result.output and "\n+default_score_threshold: 0.9\n" in result.output
    assert "Changed 12 files for 8 objects" in result.output
    no_secret_in(result.output, *after.values())

    plan = cli("plan", str(root), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output
    again = cli("pull", str(root), "--update", "--auto-approve")
    assert again.exit_code == 0 and "nothing to change" in again.output
    assert texts(root) == after


def test_in_step_stack_is_left_alone_refs_to_the_same_object_are_no_difference(emulator: Any, tmp_path: Path) -> None:
    root, cli, _ = applied(emulator, tmp_path)
    before = texts(root)
    result = cli("pull", str(root), "--update", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "are in step with organization" in result.output
    assert "Not overwritten" not in result.output  # ${ref.Queue.archive.id} in settings and code is the same queue
    assert texts(root) == before


def test_dry_run_prints_the_diff_and_changes_nothing(emulator: Any, tmp_path: Path) -> None:
    root, cli, live = applied(emulator, tmp_path)
    change_every_kind(live)
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
    content = texts(root)
    result = cli("pull", str(root), "--update", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "--- a/hooks/router.py\n+++ b/hooks/router.py\n" in result.output
    assert '+    return {"messages": [], "operations": []}\n' in result.output
    assert "--- a/schemas/invoice.content.yaml" in result.output
    assert "Would change 12 files for 8 objects" in result.output and "nothing was written" in result.output
    assert texts(root) == content
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} == before
    assert plan_exit(cli, root) == 2


def test_json_summary(emulator: Any, tmp_path: Path) -> None:
    root, cli, live = applied(emulator, tmp_path)
    queue = live.find("queues", "Invoices")
    live.patch(f"queues/{queue['id']}", {"default_score_threshold": 0.7, "automation_level": "always"})
    code, summary = cli.json("pull", str(root), "--update", "--dry-run")
    assert code == 0
    assert summary["files"] == ["queues.yaml"] and summary["written"] is False and summary["dry_run"] is True
    assert summary["updated"] == [{"address": "Queue/invoices", "fields": ["default_score_threshold"]}]
    assert [k["field"] for k in summary["not_overwritten"]] == ["automation_level"]
    assert "+default_score_threshold: 0.7" in summary["diff"]


# --- placeholders, variables, environments and secrets --------------------------------------------------------------


def test_placeholder_backed_values_are_reported_and_left(emulator: Any, tmp_path: Path) -> None:
    root, cli, live = applied(emulator, tmp_path)
    before = texts(root)
    queue = live.find("queues", "Invoices")
    live.patch(f"queues/{queue['id']}", {"automation_level": "always"})  # ${var.automation}
    notify = live.find("hooks", "Notify ERP")
    live.patch(
        f"hooks/{notify['id']}",
        {
            "config": {**notify["config"], "url": "https://hooks.example.com/other"},  # ${var.notify_url}
            "settings": {"erp_user": "someone-else", "account": "acct-7"},  # ${env...}, ${var...} using a secret
        },
    )
    router = live.find("hooks", "Router")
    code = router["config"]["code"].replace(f"= {live.find('queues', 'Archive queue')['id']}", "= 1")
    live.patch(
        f"hooks/{router['id']}",
        {
            "settings": {**router["settings"], "archive_queue_id": queue["id"]},
            "config": {**router["config"], "code": code},
        },
    )
    rule = live.find("rules", "High amount")
    live.patch(f"rules/{rule['id']}", {"trigger_condition": rule["trigger_condition"].replace("1000", "5000")})
    schema = live.find("schemas", "Invoice")
    content = live.get(f"schemas/{schema['id']}")["content"]
    content[0]["children"][1]["label"] = "Total with tax"  # ${var.total_label} in the content file
    live.patch(f"schemas/{schema['id']}", {"content": content})

    result = cli("pull", str(root), "--update", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert texts(root) == before
    out = result.output
    assert "nothing to change" in out
    assert (
        "queues.yaml:8: Queue/invoices automation_level: differs live, but the manifest writes ${var.automation} here; "
        'not overwritten; change the variable if the live value (live: "always") is the one to keep'
    ) in out
    assert "hooks/hooks.yaml:22: Hook/notify config.url: differs live, but the manifest writes ${var.notify_url}" in out
    assert "hooks/hooks.yaml:26: Hook/notify settings.erp_user: differs live, but the manifest writes " in out
    assert "values are not shown" in out
    assert (
        "hooks/hooks.yaml:27: Hook/notify settings.account: differs live, but the manifest writes ${var.account} "
        "here; not overwritten; change the variable if the live value is the one to keep"
    ) in out
    assert "acct-7" not in out
    assert "Hook/router settings.archive_queue_id: differs live, but the manifest writes ${ref.Queue.archive.id}" in out
    assert "Hook/router config.code: lines of router.py written with placeholders changed live" in out
    assert "Rule/high-amount trigger_condition: lines of high-amount.py written with placeholders changed live" in out
    assert (
        "schemas/invoice.content.yaml:10: Schema/invoice content[amount_total].label: differs live, but the manifest "
        'writes ${var.total_label} here; not overwritten; change the variable if the live value (live: "Total with '
        'tax") is the one to keep'
    ) in out
    assert "still differs" not in out  # what was reported is not listed again
    no_secret_in(out)
    assert "someone-else" not in out  # a value that differs from a secret is not shown either
    assert plan_exit(cli, root) == 2  # reported differences are still differences


def test_env_selects_the_variables(emulator: Any, tmp_path: Path) -> None:
    root, cli, _ = applied(emulator, tmp_path, "--env", "dev")  # automation: never in dev
    before = texts(root)
    default = cli("pull", str(root), "--update", "--dry-run")
    assert default.exit_code == 0
    assert "Queue/invoices automation_level: differs live" in default.output and '(live: "never")' in default.output
    dev = cli("pull", str(root), "--update", "--dry-run", "--env", "dev")
    assert dev.exit_code == 0, dev.output
    assert "in step" in dev.output and "Not overwritten" not in dev.output
    unknown = cli("pull", str(root), "--update", "--dry-run", "--env", "prod")
    assert unknown.exit_code == 1 and "environment 'prod' is not defined" in unknown.output
    assert texts(root) == before


def test_write_only_secrets_are_never_compared_or_written(emulator: Any, tmp_path: Path) -> None:
    root, cli, live = applied(emulator, tmp_path)
    before = texts(root)
    notify = live.find("hooks", "Notify ERP")
    live.patch(f"hooks/{notify['id']}", {"config": {**notify["config"], "secret": "rotated-in-the-ui-4411"}})
    connector = live.find("connectors", "ERP")
    live.patch(f"connectors/{connector['id']}", {"authorization_token": "rotated-token-8c2d", "name": "ERP v2"})
    result = cli("pull", str(root), "--update", "--auto-approve")
    assert result.exit_code == 0, result.output
    after = texts(root)
    assert changed_files(before, after) == {"connectors.yaml"}
    assert after["connectors.yaml"] == before["connectors.yaml"].replace("name: ERP   #", "name: ERP v2 #")
    assert "authorization_token: ${env.UPD_CONNECTOR_TOKEN}" in after["connectors.yaml"]
    for text in (result.output, *after.values()):
        assert "rotated-in-the-ui-4411" not in text and "rotated-token-8c2d" not in text
    no_secret_in(result.output, *after.values())

    # without the secrets in the environment: write-only values are still not compared, others are "not compared"
    bare = cli_for(emulator)
    unset = bare("pull", str(root), "--update", "--dry-run")
    assert unset.exit_code == 0, unset.output
    assert "in step" in unset.output
    assert "Hook/notify settings.erp_user: not compared: environment variable UPD_ERP_USER is not set" in unset.output
    assert "Connector/erp" not in unset.output and "config.secret" not in unset.output


# --- objects that are new, gone or not recorded ---------------------------------------------------------------------


def test_new_and_deleted_objects_are_reported_not_written(emulator: Any, tmp_path: Path) -> None:
    root, cli, live = applied(emulator, tmp_path)
    before = texts(root)
    queue = live.find("queues", "Invoices")
    created = live.client.request_json(
        "POST",
        "hooks",
        json={
            "name": "Slack notify",
            "queues": [queue["url"]],
            "events": ["annotation_status.changed"],
            "config": {"url": "https://hooks.example.com/slack"},
        },
    )
    template = live.find("email_templates", "Ask supplier")
    live.delete(f"email_templates/{template['id']}")
    result = cli("pull", str(root), "--update", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert texts(root) == before
    assert f"hook 'Slack notify' (hooks/{created['id']}), uses Queue/invoices" in result.output
    assert "rossum-iac import KIND/KEY ID" in result.output
    assert "EmailTemplate/query (email-templates/query.yaml:1): apply creates it again" in result.output


# --- bad input: exit 1, one line, nothing written -------------------------------------------------------------------


def one_line_error(result: Any) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error:") and result.output.count("\n") == 1, result.output


def test_bad_input_exits_1_writing_nothing(emulator: Any, tmp_path: Path) -> None:
    root, cli, live = applied(emulator, tmp_path)
    queue = live.find("queues", "Invoices")
    live.patch(f"queues/{queue['id']}", {"default_score_threshold": 0.5})  # something an update would write
    before = texts(root)

    plain = write_manifests(tmp_path / "plain", {"queue.yaml": "kind: Queue\nkey: q\n"})
    emulator.request_log.clear()
    for directory in (plain, tmp_path / "missing"):
        result = cli("pull", str(directory), "--update", "--auto-approve")
        one_line_error(result)
    assert "not a stack directory (no rossum.yaml)" in cli("pull", str(plain), "--update", "--auto-approve").output
    assert texts(plain) == {"queue.yaml": "kind: Queue\nkey: q\n"}
    for args in (("--dry-run",), ("--update", "--force"), ("--update", "--queue", "x"), ("--update",)):
        one_line_error(cli("pull", str(root), *args))  # the last one: no terminal to confirm on
    assert list(emulator.request_log) == []  # refused before anything was read

    broken = tmp_path / "broken"
    write_manifests(broken, {**STACK, "queues.yaml": STACK["queues.yaml"].replace("name: Invoices\n", "nmae: x\n")})
    broken_before = texts(broken)
    result = cli("pull", str(broken), "--update", "--auto-approve")
    one_line_error(result)
    assert "the manifests have" in result.output and "queues.yaml" in result.output
    assert texts(broken) == broken_before

    rejected = cli_for(emulator, ROSSUM_API_TOKEN="not-the-token", **SECRETS)(
        "pull", str(root), "--update", "--auto-approve"
    )
    one_line_error(rejected)
    emulator.settings.fault_kinds = ("500",)
    emulator.settings.fault_rate = 1.0
    failed = cli("pull", str(root), "--update", "--auto-approve")
    emulator.settings.fault_rate = 0.0
    one_line_error(failed)
    assert "HTTP 500" in failed.output
    assert texts(root) == before
    assert not [p for p in root.rglob(".*") if p.is_file()]  # no temporary file left behind
    no_secret_in(rejected.output, failed.output)


# --- a pulled stack: schema content as JSON, code by runtime --------------------------------------------------------


def test_pulled_stack_json_content_and_formula_files(emulator: Any, org: Any, tmp_path: Path) -> None:
    cli = cli_for(emulator, HOOK_ERP_NOTIFY_SECRET=WEBHOOK_SECRET, CONNECTOR_ERP_AUTHORIZATION_TOKEN=CONNECTOR_TOKEN)
    out = tmp_path / "org"
    assert cli("pull", str(out), "--adopt", "--auto-approve").exit_code == 0
    before = texts(out)
    live = Live(emulator)
    content = live.get(f"schemas/{org.id('schema_invoice')}")["content"]
    basics = content[0]["children"]
    basics[0]["label"] = "Číslo faktury"
    due = next(n for n in basics if n["id"] == "amount_due")
    due["formula"] = due["formula"].replace("    0\n", "    0.0\n")
    basics.insert(1, {"category": "datapoint", "id": "po_number", "label": "PO number", "type": "string"})
    live.patch(f"schemas/{org.id('schema_invoice')}", {"content": content})
    hook = live.get(f"hooks/{org.id('hook_js')}")
    live.patch(
        f"hooks/{hook['id']}",
        {"config": {**hook["config"], "code": hook["config"]["code"].replace("messages", "msgs")}},
    )
    result = cli_for(emulator)("pull", str(out), "--update", "--auto-approve")  # secrets not set: not needed
    assert result.exit_code == 0, result.output
    after = texts(out)
    assert changed_files(before, after) == {
        "schemas/invoice.content.json",
        "schemas/invoice.formulas/amount_due.py",
        "hooks/node-validator.js",
    }
    old = json.loads(before["schemas/invoice.content.json"])
    new = json.loads(after["schemas/invoice.content.json"])
    assert new[0]["children"][0]["label"] == "Číslo faktury" and new[0]["children"][1]["id"] == "po_number"
    assert new[0]["children"][3]["formula"] == old[0]["children"][2]["formula"]  # still {file: ...}
    assert "Číslo faktury" in after["schemas/invoice.content.json"]  # written as UTF-8, like pull does
    assert after["schemas/invoice.formulas/amount_due.py"] == before["schemas/invoice.formulas/amount_due.py"].replace(
        "    0\n", "    0.0\n"
    )
    assert "msgs" in after["hooks/node-validator.js"] and "$${payload.action}" in after["hooks/node-validator.js"]
    no_secret_in(result.output, *after.values())
    plan = cli("plan", str(out), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_list_items_mapping_keys_and_references(emulator: Any, tmp_path: Path) -> None:
    root, cli, live = applied(emulator, tmp_path)
    before = texts(root)
    archive = live.find("queues", "Archive queue")
    invoices = live.find("queues", "Invoices")
    marker_only = {"rossum_iac": invoices["metadata"]["rossum_iac"]}
    live.patch(
        f"queues/{invoices['id']}",
        {"settings": {**invoices["settings"], "accepted_mime_types": []}, "metadata": marker_only},
    )
    live.patch(f"queues/{archive['id']}", {"workspace": live.find("workspaces", "Accounts Payable")["url"]})
    notify = live.find("hooks", "Notify ERP")
    config = {k: v for k, v in notify["config"].items() if k != "timeout_s"}
    live.patch(f"hooks/{notify['id']}", {"config": config, "queues": [invoices["url"], archive["url"]]})
    rule = live.find("rules", "High amount")
    extra = {
        "id": "block",
        "type": "add_automation_blocker",
        "event": "validation",
        "payload": {"content": "Check ${it}", "schema_id": "amount_total"},
    }
    live.patch(f"rules/{rule['id']}", {"actions": [*rule["actions"], extra]})
    result = cli("pull", str(root), "--update", "--auto-approve")
    assert result.exit_code == 0, result.output
    after = texts(root)
    assert changed_files(before, after) == {"queues.yaml", "hooks/hooks.yaml", "rules/high-amount.yaml"}
    assert after["queues.yaml"] == before["queues.yaml"].replace(
        "accepted_mime_types: [application/pdf]", "accepted_mime_types: []"
    ).replace("workspace: archive\n", "workspace: ap\n").replace("metadata:\n  owner: ap-team\n", "metadata: {}\n")
    assert after["hooks/hooks.yaml"] == before["hooks/hooks.yaml"].replace(
        "type: webhook\nqueues: [invoices]", "type: webhook\nqueues: [invoices, archive]"
    ).replace("  timeout_s: 10\n", "")
    assert after["rules/high-amount.yaml"] == before["rules/high-amount.yaml"] + (
        "  - id: block\n"
        "    type: add_automation_blocker\n"
        "    event: validation\n"
        "    payload:\n"
        "      content: Check $${it}\n"
        "      schema_id: amount_total\n"
    )
    assert cli("plan", str(root), "--detailed-exitcode").exit_code == 0

    # a reference to an object outside the stack cannot be written as a key
    outside = live.client.request_json(
        "POST", "queues", json={"name": "Elsewhere", "workspace": archive["workspace"], "schema": archive["schema"]}
    )
    live.patch(f"hooks/{notify['id']}", {"queues": [invoices["url"], outside["url"]]})
    reported = cli("pull", str(root), "--update", "--auto-approve")
    assert reported.exit_code == 0
    assert f"Hook/notify queues: live it refers to queues/{outside['id']}, which this stack does not define" in (
        reported.output
    )
    assert texts(root) == after


def test_after_the_update_the_stack_is_checked_before_anything_is_written(
    emulator: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    files = {
        **STACK,
        "hooks/copy.yaml": """
            # Another hook with the same code file as Hook/router
            kind: Hook
            key: router-copy
            name: Router copy
            type: function
            queues: [archive]
            events: [annotation_content.initialize]
            config:
              runtime: python3.12
              code: {file: router.py}
            """,
    }
    root = write_manifests(tmp_path / "stack", files)
    cli = cli_for(emulator, **SECRETS)
    assert cli("apply", str(root), "--auto-approve").exit_code == 0
    live = Live(emulator)
    hook = live.find("hooks", "Router")
    code = hook["config"]["code"].replace("return", "return  ")
    live.patch(f"hooks/{hook['id']}", {"config": {**hook["config"], "code": code}})
    before = texts(root)

    from rossum_iac.pull import yaml_edit

    render = yaml_edit.YamlFile.render
    monkeypatch.setattr(yaml_edit.YamlFile, "render", lambda self: render(self) + "kind: [unclosed\n")
    monkeypatch.setattr(yaml_edit.Edits, "changes", _with_a_manifest_change(yaml_edit.Edits.changes))
    broken = cli("pull", str(root), "--update", "--auto-approve")
    one_line_error(broken)
    assert "the updated manifests would not be valid" in broken.output and "nothing was written" in broken.output
    assert texts(root) == before
    monkeypatch.undo()

    result = cli("pull", str(root), "--update", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert changed_files(before, texts(root)) == {"hooks/router.py"}
    assert "Warning: Hook/router-copy still differs after the update in config.code; plan shows it" in result.output


def _with_a_manifest_change(changes: Any) -> Any:
    """``Edits.changes`` that also renders (and so breaks) the manifest of the changed object."""

    def wrapped(self: Any) -> Any:
        for manifest in self.manifests.values():
            manifest.changed.add(0)
        return changes(self)

    return wrapped


def test_inline_schema_content_nodes_changed_added_removed_moved(emulator: Any, tmp_path: Path) -> None:
    from tests.e2e.e2e_helpers import BASE_MANIFESTS

    root = write_manifests(tmp_path / "inline", BASE_MANIFESTS)
    cli = cli_for(emulator)
    assert cli("apply", str(root), "--auto-approve").exit_code == 0
    live = Live(emulator)
    schema = live.find("schemas", "Main schema")
    content = live.get(f"schemas/{schema['id']}")["content"]
    basics = content[0]["children"]
    invoice_id, amount_total = basics
    invoice_id["label"] = "Invoice no."
    extra = {"category": "section", "id": "extra", "label": "Extra", "icon": None, "children": [amount_total]}
    content[0]["children"] = [invoice_id, {"category": "datapoint", "id": "due", "label": "Due", "type": "date"}]
    live.patch(f"schemas/{schema['id']}", {"content": [*content, extra]})
    before = texts(root)
    result = cli("pull", str(root), "--update", "--auto-approve")
    assert result.exit_code == 0, result.output
    after = texts(root)["base.yaml"]
    assert changed_files(before, texts(root)) == {"base.yaml"}
    assert "{category: datapoint, id: invoice_id, label: Invoice no., type: string}" in after
    assert "id: due" in after and "id: extra" in after
    moved = "    children:\n      - {category: datapoint, id: amount_total, label: Total, type: number}\n---"
    assert moved in after  # moved into the new section, written as it was
    assert after.index("id: extra") < after.index("id: amount_total") and after.count("id: amount_total") == 1
    assert after.startswith(before["base.yaml"].split("content:")[0])  # the documents before it are untouched
    assert cli("plan", str(root), "--detailed-exitcode").exit_code == 0


def test_env_api_base_url_is_the_target(emulator: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rossum_iac.cli.main import main

    root, _, live = applied(emulator, tmp_path)
    write_manifests(root, {"environments/local.yaml": f"api_base_url: {emulator.base_url}\ntoken_env: LOCAL_TOKEN\n"})
    queue = live.find("queues", "Invoices")
    live.patch(f"queues/{queue['id']}", {"name": "Invoices (local)"})
    # the environment names its credentials: its variable is used, the general one would be refused
    env = {"LOCAL_TOKEN": emulator.token, "ROSSUM_API_TOKEN": "", "ROSSUM_IAC_RATE_LIMIT": "0", "NO_COLOR": "1",
           **SECRETS}
    result = CliRunner().invoke(main, ["pull", str(root), "--update", "--dry-run", "--json", "--env", "local"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["environment"] == "local" and summary["files"] == ["queues.yaml"]
    assert "+name: Invoices (local)" in summary["diff"]
