"""find_references: every source of schema-id mentions, with its strength, and what is not a mention."""

from __future__ import annotations

from typing import Any

from rossum_iac.manifest.model import RefPlaceholder, Template
from rossum_iac.manifest.references import CERTAIN, LIKELY, MENTION, find_references, schema_nodes


def found(kind: str, fields: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(r.schema_id, r.field, r.strength) for r in find_references(kind, fields)}


def test_rule_condition_and_action_payloads() -> None:
    fields = {
        "trigger_condition": "field.po_number.value != '' and field.amount > 1  # field.commented",
        "actions": [
            {"id": "a", "type": "show_message", "payload": {"type": "error", "content": "x", "schema_id": "po_number"}},
            {"id": "b", "type": "hide_field", "payload": {"schema_ids": ["notes", "vat"]}},
            {
                "id": "c",
                "type": "send_email",
                "payload": {"to": ["a@b.c"], "subject": "s", "body": "Total {{ annotation.content.value.amount }}"},
            },
        ],
    }
    assert found("Rule", fields) == {
        ("po_number", "trigger_condition", CERTAIN),
        ("amount", "trigger_condition", CERTAIN),
        ("po_number", "actions[0].payload.schema_id", CERTAIN),
        ("notes", "actions[1].payload.schema_ids[0]", CERTAIN),
        ("vat", "actions[1].payload.schema_ids[1]", CERTAIN),
        ("amount", "actions[2].payload.body", CERTAIN),
    }


def test_schema_formulas_context_and_ui_conditions() -> None:
    content = [
        {
            "category": "section",
            "id": "s",
            "label": "S",
            "children": [
                {
                    "category": "datapoint",
                    "id": "total",
                    "label": "T",
                    "type": "number",
                    "formula": "field.base + field.tax  # field.not_this",
                },
                {
                    "category": "datapoint",
                    "id": "why",
                    "label": "W",
                    "type": "string",
                    "prompt": "Explain",
                    "context": ["field.document_id", "self.attr.label"],
                },
                {
                    "category": "datapoint",
                    "id": "vat",
                    "label": "V",
                    "type": "string",
                    "ui_configuration": {"type": "data", "edit": "disabled", "hidden_if": "field.country == 'US'"},
                },
                {
                    "category": "multivalue",
                    "id": "items",
                    "label": "I",
                    "children": {
                        "category": "tuple",
                        "id": "item",
                        "label": "Item",
                        "children": [
                            {
                                "category": "datapoint",
                                "id": "line_total",
                                "label": "LT",
                                "type": "number",
                                "formula": "field.qty * field.price",
                            }
                        ],
                    },
                },
            ],
        }
    ]
    assert found("Schema", {"content": content}) == {
        ("base", "content (formula of 'total')", CERTAIN),
        ("tax", "content (formula of 'total')", CERTAIN),
        ("document_id", "content (context of 'why')", CERTAIN),
        ("country", "content (hidden_if of 'vat')", CERTAIN),
        ("qty", "content (formula of 'line_total')", CERTAIN),
        ("price", "content (formula of 'line_total')", CERTAIN),
    }
    nodes = schema_nodes(content)
    assert set(nodes) == {"s", "total", "why", "vat", "items", "item", "line_total"}
    assert nodes["item"].path == (0, "children", 3, "children") and nodes["line_total"].parent == "item"


def test_hook_code_settings_and_sideload() -> None:
    code = (
        "from txscript import TxScript\n"
        "# the old field.legacy_po is gone\n"
        "def rossum_hook_request_handler(payload):\n"
        "    t = TxScript.from_payload(payload)\n"
        "    if t.field.po_number:\n"
        '        t.show_warning("po_number is set", t.field.po_number)\n'
        '    ids = [d for d in content if d["schema_id"] == "vendor_id"]\n'
        '    return {"messages": [], "operations": [], "status": "po_number"}\n'
    )
    fields = {
        "config": {"runtime": "python3.12", "code": code},
        "settings": {
            "target_schema_id": "vendor_match",
            "source_fields": ["iban", "bic"],
            "label": "Vendors",
            "url": "https://x.example/y",
            "limit": 5,
        },
        "sideload": ["schemas"],
    }
    refs = found("Hook", fields)
    assert ("po_number", "config.code", LIKELY) in refs  # t.field.po_number
    assert ("vendor_id", "config.code", LIKELY) in refs  # a literal compared with a schema_id
    assert ("po_number", "config.code", MENTION) in refs  # the plain literal "po_number"
    assert ("legacy_po", "config.code", LIKELY) not in refs  # in a comment
    assert "po_number is set" not in {r[0] for r in refs}  # not identifier-like
    assert ("vendor_match", "settings.target_schema_id", LIKELY) in refs
    assert ("iban", "settings.source_fields[0]", LIKELY) in refs and (
        "bic",
        "settings.source_fields[1]",
        LIKELY,
    ) in refs
    assert ("Vendors", "settings.label", MENTION) in refs
    assert ("schemas", "sideload[0]", MENTION) in refs
    assert not any(r[1] in ("settings.url", "settings.limit") for r in refs)


def test_javascript_hook_code() -> None:
    code = "// 'commented_id'\nexports.handler = async (p) => p.content.filter(d => d.schema_id === 'po_number');\n"
    refs = found("Hook", {"config": {"runtime": "nodejs22.x", "code": code}})
    assert refs == {("po_number", "config.code", LIKELY)}


def test_queue_settings_columns_and_email_templates() -> None:
    settings = {
        "columns": [{"schema_id": "date_issue"}, {"schema_id": "amount"}],
        "accepted_mime_types": ["a/b"],
        "annotation_list_table": {"columns": [{"column_type": "schema", "schema_id": "vendor"}]},
    }
    assert found("Queue", {"settings": settings}) == {
        ("date_issue", "settings.columns[0].schema_id", LIKELY),
        ("amount", "settings.columns[1].schema_id", LIKELY),
        ("vendor", "settings.annotation_list_table.columns[0].schema_id", LIKELY),
        ("schema", "settings.annotation_list_table.columns[0].column_type", MENTION),
    }
    template = {
        "subject": "Invoice {{ annotation.content.value.document_id }}",
        "message": "{{ document_list }}",
        "to": [{"email": "{{ annotation.content.value.sender_email }}"}],
    }
    assert found("EmailTemplate", template) == {
        ("document_id", "subject", CERTAIN),
        ("sender_email", "to[0].email", CERTAIN),
    }


def test_connector_params_are_mentions_only() -> None:
    assert found("Connector", {"params": "export_field=po_number&x=1"}) == {
        ("export_field", "params", MENTION),
        ("po_number", "params", MENTION),
        ("x", "params", MENTION),
    }


def test_templates_with_placeholders_are_scanned_as_written() -> None:
    condition = Template(("field.amount > 1 and ", RefPlaceholder("Queue", "q", "id"), " == field.queue_id"))
    refs = find_references("Rule", {"trigger_condition": condition})
    assert [r.schema_id for r in refs] == ["amount", "queue_id"]


def test_kinds_without_schema_ids_and_odd_values() -> None:
    assert find_references("Workspace", {"name": "x", "metadata": {"schema_id": "a"}}) == []
    assert find_references("Rule", {"trigger_condition": None, "actions": "not a list"}) == []
    assert find_references("Schema", {"content": {"not": "a list"}}) == []


def test_occurrences_find_the_same_mention_again() -> None:
    text = "field.a + field.b + field.a"
    refs = [r for r in find_references("Rule", {"trigger_condition": text}) if r.schema_id == "a"]
    assert [r.offset_in(text) for r in refs] == [6, 26]
    written = "# note\n" + text  # the text as written in a file, with a comment before it
    assert [r.offset_in(written) for r in refs] == [13, 33]
