"""The published JSON Schema: generated, shipped twice identically, accepts the examples, rejects mistakes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from rossum_iac.kinds import KIND_NAMES
from rossum_iac.manifest import schema_build
from rossum_iac.manifest.schema_validation import manifest_schema, schema_text
from rossum_iac.manifest.yaml_io import parse_documents, plain

from .helpers import EXAMPLES

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(manifest_schema())


def test_both_copies_are_identical_and_current() -> None:
    repo_copy = (REPO_ROOT / "schemas" / "manifest.schema.json").read_text(encoding="utf-8")
    package_copy = (REPO_ROOT / "rossum_iac" / "manifest" / "data" / "manifest.schema.json").read_text(encoding="utf-8")
    assert repo_copy == package_copy, "run: python -m rossum_iac.manifest.schema_build"
    assert repo_copy == schema_build.render(), "run: python -m rossum_iac.manifest.schema_build"
    assert schema_text() == package_copy


def test_schema_is_a_valid_2020_12_schema_covering_every_kind() -> None:
    schema = manifest_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for kind in KIND_NAMES:
        assert kind in schema["$defs"]
        assert schema["$defs"][kind]["additionalProperties"] is False


def _example_documents() -> list[tuple[str, Any]]:
    out = []
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        if path.name.endswith(".content.yaml"):
            continue  # included schema content, not a document
        for doc in parse_documents(path.read_text()):
            out.append((f"{path.relative_to(EXAMPLES)}:{doc.pos[0]}", plain(doc.data)))
    return out


@pytest.mark.parametrize(("where", "document"), _example_documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_accepts_every_example_document(validator: Draft202012Validator, where: str, document: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_accepts_included_example_content(validator: Draft202012Validator) -> None:
    content = plain(parse_documents((EXAMPLES / "schemas" / "invoice.content.yaml").read_text())[0].data)
    document = {"kind": "Schema", "key": "invoice", "name": "Invoice", "content": content}
    assert list(validator.iter_errors(document)) == []
    json_content = json.loads((EXAMPLES / "schemas" / "credit-note.content.json").read_text())
    assert list(validator.iter_errors({**document, "content": json_content})) == []


QUEUE = {"kind": "Queue", "key": "q", "name": "Q", "workspace": "ws", "schema": "s"}
HOOK = {"kind": "Hook", "key": "h", "name": "H", "config": {"url": "https://hooks.example.com/h"}}
RULE = {"kind": "Rule", "key": "r", "name": "R"}
MISTAKES = [
    pytest.param({**QUEUE, "kind": "Queues"}, id="unknown-kind"),
    pytest.param({k: v for k, v in QUEUE.items() if k != "key"}, id="missing-key"),
    pytest.param({**QUEUE, "key": "Not A Key"}, id="bad-key"),
    pytest.param({**QUEUE, "automation_levle": "never"}, id="unknown-field"),
    pytest.param({**QUEUE, "counts": {}}, id="read-only-field"),
    pytest.param({**QUEUE, "automation_level": "sometimes"}, id="enum"),
    pytest.param({**QUEUE, "automation_enabled": "yes"}, id="boolean"),
    pytest.param({**QUEUE, "default_score_threshold": 1.5}, id="range"),
    pytest.param({k: v for k, v in QUEUE.items() if k != "schema"}, id="missing-schema"),
    pytest.param({**QUEUE, "workspace": "https://x.example.com/api/v1/workspaces/1"}, id="url-instead-of-key"),
    pytest.param({**QUEUE, "session_timeout": "one hour"}, id="duration"),
    pytest.param({**HOOK, "events": ["annotation_status.exploded"]}, id="hook-event"),
    pytest.param({**HOOK, "type": "lambda"}, id="hook-type"),
    pytest.param({**HOOK, "config": {}}, id="webhook-without-url"),
    pytest.param({**HOOK, "type": "function", "config": {"runtime": "python3.12"}}, id="function-without-code"),
    pytest.param({**HOOK, "type": "function", "config": {"runtime": "ruby", "code": "x"}}, id="runtime"),
    pytest.param({**HOOK, "config": {"url": "https://hooks.example.com/h", "timeout_s": 61}}, id="timeout"),
    pytest.param({**HOOK, "config": {"url": "https://hooks.example.com/h", "code": {"file": 1}}}, id="include-path"),
    pytest.param({**HOOK, "extension_source": "marketplace"}, id="extension-source"),
    pytest.param({"kind": "Inbox", "key": "i", "name": "I", "queues": ["a", "b"], "email_prefix": "x"}, id="inbox"),
    pytest.param({"kind": "Inbox", "key": "i", "name": "I", "queues": ["a"]}, id="inbox-without-email"),
    pytest.param(
        {"kind": "Inbox", "key": "i", "name": "I", "queues": ["a"], "email_prefix": "x", "dmarc_check_action": "x"},
        id="dmarc",
    ),
    pytest.param({"kind": "EmailTemplate", "key": "t", "name": "T", "queue": "q", "type": "notice"}, id="template"),
    pytest.param({"kind": "EmailTemplate", "key": "t", "name": "T", "queue": "q", "to": [{"name": "x"}]}, id="to"),
    pytest.param(
        {
            **RULE,
            "actions": [
                {
                    "id": "a",
                    "type": "show_message",
                    "event": "annotation_imported",
                    "payload": {"type": "info", "content": "x"},
                }
            ],
        },
        id="rule-event",
    ),
    pytest.param(
        {
            **RULE,
            "actions": [
                {"id": "a", "type": "show_message", "event": "validation", "payload": {"type": "fatal", "content": "x"}}
            ],
        },
        id="rule-message-type",
    ),
    pytest.param({**RULE, "actions": [{"id": "a", "type": "explode", "event": "validation"}]}, id="rule-action-type"),
    pytest.param({**RULE, "metadata": {}}, id="rule-metadata"),
    pytest.param({"kind": "Connector", "key": "c", "name": "C"}, id="connector-without-url"),
    pytest.param({"kind": "Schema", "key": "s", "name": "S", "content": {"file": "a", "x": 1}}, id="include-extra"),
    pytest.param({"stack": "demo", "enviroments": {}}, id="stack-file"),
    pytest.param({"stack": "demo", "environments": {"dev": {"api_url": "x"}}}, id="environment"),
    pytest.param({"api_base_url": "https://x.example.com", "vars": {}}, id="environment-file"),
]


@pytest.mark.parametrize("document", MISTAKES)
def test_rejects_representative_mistakes(validator: Draft202012Validator, document: dict[str, Any]) -> None:
    assert list(validator.iter_errors(document)) != []


def test_placeholders_are_accepted_where_other_types_are_expected(validator: Draft202012Validator) -> None:
    document = {
        **QUEUE,
        "automation_enabled": "${var.automation}",
        "automation_level": "${var.level}",
        "default_score_threshold": "${var.threshold}",
        "protect": "${var.protect}",
    }
    assert list(validator.iter_errors(document)) == []
    assert list(validator.iter_errors({**QUEUE, "automation_enabled": "${bad}"})) != []
