"""Pull against the emulator over HTTP: adopt then plan empty, round trips, secrets, layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from rossum_iac.cli.main import main
from tests.e2e.e2e_helpers import Cli
from tests.pull.conftest import CONNECTOR_TOKEN, WEBHOOK_SECRET, build_org

SECRETS = {"HOOK_ERP_NOTIFY_SECRET": WEBHOOK_SECRET, "CONNECTOR_ERP_AUTHORIZATION_TOKEN": CONNECTOR_TOKEN}


def validate(directory: Path, **env: str) -> Any:
    return CliRunner().invoke(main, ["validate", str(directory)], env={"NO_COLOR": "1", **env})


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_pull_adopt_then_plan_says_no_changes(emulator: Any, org: Any, tmp_path: Path) -> None:
    cli = Cli(emulator, **SECRETS)
    out = tmp_path / "org"
    result = cli("pull", str(out), "--adopt", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Adopted" in result.output
    checked = validate(out, **SECRETS)
    assert checked.exit_code == 0, checked.output
    plan = cli("plan", str(out), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output
    drift = cli("drift", str(out))
    assert drift.exit_code == 0, drift.output


def test_pulled_layout_keys_and_content_files(emulator: Any, org: Any, tmp_path: Path) -> None:
    cli = Cli(emulator)
    out = tmp_path / "org"
    assert cli("pull", str(out)).exit_code == 0
    files = files_of(out)
    # keys from names: non-ASCII folded, two names that slugify alike get -2 by id order
    assert "queues/invoices-eu.yaml" in files and "queues/invoices-eu-2.yaml" in files
    assert "queues/faktury-cz.yaml" in files and "workspaces/uctarna-cz.yaml" in files
    assert b"name: invoices-eu\n" in files["queues/invoices-eu-2.yaml"]
    # content in its own files: schema JSON (long formula split out), code by runtime, email body, condition
    assert "schemas/invoice.content.json" in files
    assert files["schemas/invoice.formulas/amount_due.py"].startswith(b"# what is left to pay\n")
    content = json.loads(files["schemas/invoice.content.json"])
    due = content[0]["children"][2]
    assert due["formula"] == {"file": "invoice.formulas/amount_due.py"}
    assert content[0]["children"][3]["formula"] == "0"  # a short formula stays inline
    assert files["hooks/router-fronta.py"].decode().startswith("# Přiřadí")
    assert b"$${env.NOT_A_PLACEHOLDER}" in files["hooks/router-fronta.py"]  # live text never read as placeholder
    assert "hooks/node-validator.js" in files
    assert "email-templates/invoices-eu-ask-supplier.html" in files
    assert "rules/high-amount.py" in files
    # references as keys and ${ref...}
    router = files["hooks/router-fronta.yaml"].decode()
    assert "target_queue_id: ${ref.Queue.faktury-cz.id}" in router
    assert "target_queue: ${ref.Queue.faktury-cz.url}" in router
    rule = files["rules/high-amount.yaml"].decode()
    assert "email_template: ${ref.EmailTemplate.invoices-eu-ask-supplier.url}" in rule
    # an old runtime and a whole-event name, as older organizations hold them, are pulled as they are
    legacy = files["hooks/legacy-python3-9-function.yaml"].decode()
    assert "runtime: python3.9" in legacy and "- annotation_status\n" in legacy
    # hooks from store templates name their template; a private one's hidden config is not written
    store = files["hooks/store-notifier.yaml"].decode()
    assert "hook_template: Webhook notifier (emulator)\n" in store
    assert "url:" not in store and "private: true" in store and "timeout_s: 20" in store
    assert "hook_template: Duplicate detection (emulator)\n" in files["hooks/duplicates.yaml"].decode()
    # a queue's own templates as the API created them are not pulled
    assert not any("annotation-status-change" in name for name in files)
    # no id of the organization anywhere
    for name, data in files.items():
        for label in ("q_eu", "q_cz", "hook_py", "schema_invoice"):
            assert f"/{org.id(label)}".encode() not in data, (name, label)


def test_secrets_are_placeholders_and_listed_never_written(emulator: Any, org: Any, tmp_path: Path) -> None:
    cli = Cli(emulator)
    out = tmp_path / "org"
    code, summary = cli.json("pull", str(out))
    assert code == 0
    assert {(s["name"], s["address"], s["field"]) for s in summary["secrets"]} == {
        ("HOOK_ERP_NOTIFY_SECRET", "Hook/erp-notify", "config.secret"),
        ("CONNECTOR_ERP_AUTHORIZATION_TOKEN", "Connector/erp", "authorization_token"),
    }
    assert "secret: ${env.HOOK_ERP_NOTIFY_SECRET}" in (out / "hooks/erp-notify.yaml").read_text()
    text = cli("pull", str(tmp_path / "again")).output
    for data in [*files_of(out).values(), json.dumps(summary).encode(), text.encode()]:
        assert WEBHOOK_SECRET.encode() not in data and CONNECTOR_TOKEN.encode() not in data
    assert "HOOK_ERP_NOTIFY_SECRET" in text


def test_pulling_twice_gives_byte_identical_files(emulator: Any, org: Any, tmp_path: Path) -> None:
    cli = Cli(emulator)
    assert cli("pull", str(tmp_path / "a"), "--stack", "same").exit_code == 0
    assert cli("pull", str(tmp_path / "b"), "--stack", "same").exit_code == 0
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_pull_apply_to_another_organization_and_pull_back_is_byte_identical(
    emulator_factory: Any, tmp_path: Path
) -> None:
    source = emulator_factory()
    target = emulator_factory()
    build_org(source, large_schema=True).client.close()
    first = tmp_path / "first" / "stack"
    assert Cli(source)("pull", str(first), "--stack", "copy").exit_code == 0
    applied = Cli(target, **SECRETS)("apply", str(first), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    second = tmp_path / "second" / "stack"
    assert Cli(target)("pull", str(second), "--stack", "copy").exit_code == 0
    assert files_of(first) == files_of(second)
    assert (second / "schemas/large-schema.content.json").stat().st_size > 50_000
