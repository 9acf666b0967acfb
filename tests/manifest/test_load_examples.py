"""The example stack (examples/manifests) loads to the expected desired objects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rossum_iac.kinds import KIND_NAMES
from rossum_iac.manifest import ManifestErrors, load_stack
from rossum_iac.manifest.model import DesiredObject, Ref, RefPlaceholder, Secret, Stack, Template, references

from .helpers import EXAMPLES

ENVIRON = {"AP_WEBHOOK_SECRET": "dev-signing-key"}


@pytest.fixture(scope="module")
def dev() -> Stack:
    return load_stack(EXAMPLES, "dev", ENVIRON)


@pytest.fixture(scope="module")
def prod() -> Stack:
    return load_stack(EXAMPLES, "prod", ENVIRON)


def _get(stack: Stack, kind: str, key: str) -> DesiredObject:
    obj = stack.get(kind, key)
    assert obj is not None, f"{kind}/{key} missing"
    return obj


def test_stack_name_environment_and_objects(dev: Stack) -> None:
    assert dev.name == "ap-automation"
    assert dev.root == EXAMPLES
    assert dev.environment is not None
    assert dev.environment.name == "dev"
    assert dev.environment.api_base_url is None  # the CLI uses the local emulator
    assert dev.environment.variables["high_amount_threshold"] == 1000
    assert dev.environment.variables["score_threshold"] == 0.9  # default from rossum.yaml
    counts = {kind: len(dev.of_kind(kind)) for kind in KIND_NAMES}
    assert counts == {
        "Organization": 0,
        "Engine": 0,
        "DedicatedEngine": 0,
        "Workspace": 2,
        "User": 1,
        "Trigger": 0,
        "Label": 1,
        "Schema": 2,
        "Connector": 1,
        "Queue": 3,
        "Inbox": 1,
        "Hook": 2,
        "EmailTemplate": 1,
        "Rule": 1,
    }


def test_queues_reference_by_key_and_share_a_schema(dev: Stack) -> None:
    eu = _get(dev, "Queue", "invoices-eu")
    us = _get(dev, "Queue", "invoices-us")
    assert eu.fields["workspace"] == Ref("Workspace", "accounts-payable")
    assert eu.fields["schema"] == us.fields["schema"] == Ref("Schema", "invoice")
    assert eu.fields["connector"] == Ref("Connector", "erp-export")
    assert "connector" not in us.fields  # undeclared fields are not managed
    assert eu.dependencies() == {
        Ref("Workspace", "accounts-payable"),
        Ref("Schema", "invoice"),
        Ref("Connector", "erp-export"),
        Ref("User", "ap-clerk"),
    }
    assert eu.source.file == EXAMPLES / "queues" / "invoices.yaml"
    assert (eu.source.line, us.source.line) == (2, 17)


def test_variables_keep_their_type_and_differ_per_environment(dev: Stack, prod: Stack) -> None:
    assert _get(dev, "Queue", "invoices-eu").fields["automation_level"] == "never"
    assert _get(prod, "Queue", "invoices-eu").fields["automation_level"] == "confident"
    assert _get(dev, "Queue", "invoices-eu").fields["default_score_threshold"] == 0.9
    assert _get(dev, "Rule", "high-amount").fields["trigger_condition"] == "field.amount_total > 1000"
    assert _get(prod, "Rule", "high-amount").fields["trigger_condition"] == "field.amount_total > 10000"
    assert prod.environment is not None
    assert prod.environment.api_base_url == "https://rossum.example.com/api/v1"


def test_schema_content_is_read_from_yaml_and_json_files(dev: Stack) -> None:
    invoice = _get(dev, "Schema", "invoice").fields["content"]
    assert [section["id"] for section in invoice] == [
        "invoice_details_section",
        "vendor_section",
        "amounts_section",
        "line_items_section",
    ]
    table = invoice[3]["children"][0]
    assert table["category"] == "multivalue"
    assert table["children"]["category"] == "tuple"
    columns = [c["id"] for c in table["children"]["children"]]
    assert columns == ["item_description", "item_quantity", "item_amount_total"]
    assert type(invoice) is list and type(table) is dict  # plain data, no YAML position types
    enum = invoice[0]["children"][3]
    assert enum["type"] == "enum" and enum["options"][1] == {"value": "credit_note", "label": "Credit note"}
    credit = _get(dev, "Schema", "credit-note").fields["content"]
    assert credit[0]["children"][0]["id"] == "document_id"


def test_function_hook_code_and_reference_template(dev: Stack) -> None:
    hook = _get(dev, "Hook", "credit-note-router")
    code = hook.fields["config"]["code"]
    assert code == (EXAMPLES / "hooks" / "credit_note_router.py").read_text()
    assert "def rossum_hook_request_handler(payload):" in code
    template = hook.fields["settings"]["credit_note_queue_id"]
    assert template == Template((RefPlaceholder("Queue", "credit-notes", "id"),))
    assert Ref("Queue", "credit-notes") in hook.dependencies()
    assert hook.fields["queues"] == [Ref("Queue", "invoices-eu"), Ref("Queue", "invoices-us")]


def test_webhook_secret_comes_from_the_environment(dev: Stack) -> None:
    hook = _get(dev, "Hook", "erp-notify")
    secret = hook.fields["config"]["secret"]
    assert secret == Secret("AP_WEBHOOK_SECRET", "dev-signing-key")
    assert "dev-signing-key" not in repr(hook)
    assert "dev-signing-key" not in repr(dev)
    assert hook.fields["run_after"] == [Ref("Hook", "credit-note-router")]
    assert hook.fields["config"]["url"] == "https://hooks.example.com/dev/ap-events"


def test_inbox_email_template_and_rule(dev: Stack) -> None:
    inbox = _get(dev, "Inbox", "invoices-eu")
    assert inbox.fields["queues"] == [Ref("Queue", "invoices-eu")]
    template = _get(dev, "EmailTemplate", "supplier-query")
    assert template.fields["queue"] == Ref("Queue", "invoices-eu")
    assert template.fields["message"] == (EXAMPLES / "email-templates" / "supplier-query.html").read_text()
    assert template.fields["to"] == [{"email": "{{sender_email}}"}]
    rule = _get(dev, "Rule", "high-amount")
    assert rule.fields["actions"][0]["type"] == "show_message"
    assert set(references(rule.fields)) == {
        Ref("Queue", "invoices-eu"),
        Ref("Queue", "invoices-us"),
        Ref("Label", "needs-approval"),  # ${ref.Label.needs-approval.url} in the add_remove_label payload
    }


def test_every_reference_resolves_inside_the_stack(dev: Stack) -> None:
    keys = {(obj.kind, obj.key) for obj in dev.objects}
    for obj in dev.objects:
        for ref in obj.dependencies():
            assert (ref.kind, ref.key) in keys


def test_digest_is_stable_and_tracks_included_files(tmp_path: Path) -> None:
    copy = tmp_path / "stack"
    shutil.copytree(EXAMPLES, copy)
    first = load_stack(copy, "dev", ENVIRON).digest
    assert first == load_stack(copy, "dev", ENVIRON).digest
    assert len(first) == 64
    assert load_stack(copy, "prod", ENVIRON).digest != first
    assert load_stack(copy, "dev", {"AP_WEBHOOK_SECRET": "another"}).digest == first  # secrets are not hashed
    code = copy / "hooks" / "credit_note_router.py"
    code.write_text(code.read_text() + "\n# changed\n")
    assert load_stack(copy, "dev", ENVIRON).digest != first


def test_missing_secret_fails_the_load_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(ManifestErrors) as info:
        load_stack(EXAMPLES, "dev", {})
    errors = info.value.errors
    assert len(errors) == 1
    assert errors[0].file == EXAMPLES / "hooks" / "erp-notify.yaml"
    assert (errors[0].line, errors[0].column) == (14, 11)
    assert "environment variable AP_WEBHOOK_SECRET is not set" in errors[0].message
    assert str(errors[0]).startswith(f"{EXAMPLES}/hooks/erp-notify.yaml:14:11: error: config.secret: ")
    assert "1 error in the manifests" in str(info.value)


def test_without_an_environment_the_stack_defaults_apply() -> None:
    stack = load_stack(EXAMPLES, None, ENVIRON)
    assert stack.environment is None
    assert _get(stack, "Queue", "invoices-eu").fields["automation_level"] == "confident"
    assert _get(stack, "Rule", "high-amount").fields["trigger_condition"] == "field.amount_total > 1000"
