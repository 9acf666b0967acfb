"""An organization built "by hand" (through the API, no ownership markers) for pull tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from rossum_iac.client import SyncRossumAPIClient, Token

WEBHOOK_SECRET = "whsec-7f3a9c1e5b2d"
CONNECTOR_TOKEN = "conn-token-2b8e6d4f1a"


def section(section_id: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"category": "section", "id": section_id, "label": section_id.title(), "children": list(children)}


def datapoint(dp_id: str, dp_type: str = "string", **extra: Any) -> dict[str, Any]:
    return {"category": "datapoint", "id": dp_id, "label": dp_id.replace("_", " ").title(), "type": dp_type, **extra}


INVOICE_CONTENT = [
    section(
        "basics",
        datapoint("invoice_id", rir_field_names=["document_id"]),
        datapoint("amount_total", "number", rir_field_names=None),
        datapoint(
            "amount_due",
            "number",
            formula="# what is left to pay\nif field.amount_total.is_empty:\n    0\nelse:\n"
            "    field.amount_total - field.amount_paid\n",
            ui_configuration={"type": "formula", "edit": "disabled"},
        ),
        datapoint("amount_paid", "number", formula="0"),
        datapoint(
            "currency",
            "enum",
            options=[{"value": "eur", "label": "Euro"}, {"value": "czk", "label": "Koruna česká"}],
        ),
        {
            "category": "multivalue",
            "id": "line_items",
            "label": "Line items",
            "children": {
                "category": "tuple",
                "id": "line_item",
                "label": "Line item",
                "children": [datapoint("item_description", width=40, stretch=True), datapoint("item_amount", "number")],
            },
        },
    )
]

NODE_CODE = (
    "exports.rossum_hook_request_handler = async (payload) => {\n  return { messages: [`${payload.action}`] };\n};\n"
)
PY_CODE = (
    "# Přiřadí frontu podle typu dokladu\n"
    "def rossum_hook_request_handler(payload):\n"
    "    note = '${env.NOT_A_PLACEHOLDER}'  # literal text, not a manifest placeholder\n"
    "    return {'messages': [], 'operations': []}\n"
)


@dataclass
class Org:
    """What was built, by name -> API object."""

    client: SyncRossumAPIClient
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)

    def post(self, label: str, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        created = dict(self.client.request_json("POST", collection, json=body))
        self.objects[label] = created
        return created

    def url(self, label: str) -> str:
        return str(self.objects[label]["url"])

    def id(self, label: str) -> int:
        return int(self.objects[label]["id"])


def build_org(emulator: Any, *, large_schema: bool = False) -> Org:
    """Two workspaces, a schema shared by two queues, an empty schema, a queue without inbox, non-ASCII names,
    two names that slugify to the same key, a webhook with a secret, functions in Python and Node.js, a
    run_after chain, a connector with a token, a custom email template and a rule that uses it."""
    client = SyncRossumAPIClient(emulator.base_url, Token(emulator.token), requests_per_second=0)
    org = Org(client)
    ap = org.post(
        "ws_ap",
        "workspaces",
        {"name": "Accounts Payable", "organization": f"{emulator.base_url}/organizations/{emulator.organization_id}"},
    )
    org.post(
        "ws_cz",
        "workspaces",
        {"name": "Účtárna ČZ", "organization": f"{emulator.base_url}/organizations/{emulator.organization_id}"},
    )
    org.post("schema_invoice", "schemas", {"name": "Invoice", "content": INVOICE_CONTENT})
    org.post("schema_empty", "schemas", {"name": "Empty schema", "content": []})
    if large_schema:
        big = [section(f"s{i}", *(datapoint(f"f{i}_{j}") for j in range(100))) for i in range(10)]
        org.post("schema_big", "schemas", {"name": "Large schema", "content": big})
    org.post(
        "connector",
        "connectors",
        {"name": "ERP", "service_url": "https://erp.example.com/rossum", "authorization_token": CONNECTOR_TOKEN},
    )
    org.post(
        "q_eu",
        "queues",
        {
            "name": "Invoices EU",
            "workspace": ap["url"],
            "schema": org.url("schema_invoice"),
            "connector": org.url("connector"),
            "automation_level": "confident",
            "settings": {"columns": [{"schema_id": "invoice_id"}], "accepted_mime_types": ["application/pdf"]},
        },
    )
    org.post(
        "q_eu_dup",
        "queues",
        {"name": "invoices-eu", "workspace": ap["url"], "schema": org.url("schema_invoice"), "locale": "cs_CZ"},
    )
    org.post(
        "q_cz",
        "queues",
        {"name": "Faktury ČZ", "workspace": org.url("ws_cz"), "schema": org.url("schema_empty")},
    )
    org.post(
        "inbox",
        "inboxes",
        {"name": "EU mailbox", "email_prefix": "eu-invoices", "queues": [org.url("q_eu")]},
    )
    org.post(
        "hook_py",
        "hooks",
        {
            "name": "Router \u2013 fronta",
            "type": "function",
            "queues": [org.url("q_eu"), org.url("q_cz")],
            "events": ["annotation_content.initialize"],
            "config": {"runtime": "python3.12", "code": PY_CODE},
            "settings": {"target_queue_id": org.id("q_cz"), "target_queue": org.url("q_cz"), "mode": "strict"},
        },
    )
    org.post(
        "hook_js",
        "hooks",
        {
            "name": "Node validator",
            "type": "function",
            "queues": [org.url("q_eu")],
            "run_after": [org.url("hook_py")],
            "events": ["annotation_content.updated"],
            "config": {"runtime": "nodejs22.x", "code": NODE_CODE},
        },
    )
    org.post(
        "hook_old",
        "hooks",
        {
            "name": "Legacy python3.9 function",
            "type": "function",
            "queues": [org.url("q_eu_dup")],
            "events": ["annotation_status"],
            "config": {
                "runtime": "python3.9",
                "code": "def rossum_hook_request_handler(payload):\n    return {}\n",
                "app": None,
            },
        },
    )
    org.post(
        "hook_web",
        "hooks",
        {
            "name": "ERP notify",
            "queues": [org.url("q_eu"), org.url("q_eu_dup")],
            "run_after": [org.url("hook_js")],
            "events": ["annotation_status.changed"],
            "active": False,
            "config": {"url": "https://hooks.example.com/erp", "secret": WEBHOOK_SECRET, "timeout_s": 10},
        },
    )
    templates = {t["name"]: t["url"] for t in client.request_paginated("hook_templates")}
    org.post(
        "hook_store",
        "hooks/create",
        {
            "name": "Store notifier",
            "hook_template": templates["Webhook notifier (emulator)"],
            "events": ["annotation_status.changed"],
            "queues": [org.url("q_cz")],
        },
    )
    client.request_json("PATCH", f"hooks/{org.id('hook_store')}", json={"config": {"private": True, "timeout_s": 20}})
    org.post(
        "hook_store_function",
        "hooks/create",
        {"name": "Duplicates", "hook_template": templates["Duplicate detection (emulator)"], "queues": []},
    )
    org.post(
        "template",
        "email_templates",
        {
            "name": "Ask supplier",
            "queue": org.url("q_eu"),
            "type": "custom",
            "subject": "About {{ parent_email_subject }}",
            "message": "<p>Dear {{ sender_name }},</p>\n<p>please send a corrected invoice.</p>\n",
            "to": [{"email": "{{sender_email}}"}],
        },
    )
    org.post(
        "rule",
        "rules",
        {
            "name": "High amount",
            "queues": [org.url("q_eu")],
            "trigger_condition": "field.amount_total > 1000\nand field.currency == 'eur'",
            "actions": [
                {
                    "id": "mail",
                    "type": "send_email",
                    "event": "annotation_exported",
                    "enabled": True,
                    "payload": {"email_template": org.url("template"), "attach_document": False},
                }
            ],
        },
    )
    return org


@pytest.fixture
def org(emulator: Any) -> Any:
    built = build_org(emulator)
    yield built
    built.client.close()
