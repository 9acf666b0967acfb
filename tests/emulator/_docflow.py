"""Helpers for the documents-side emulator tests: a queue with an invoice schema, uploads, waiting."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

INVOICE_SCHEMA: list[dict[str, Any]] = [
    {
        "category": "section",
        "id": "invoice_info",
        "label": "Invoice info",
        "children": [
            {
                "category": "datapoint",
                "id": "document_id",
                "label": "Invoice number",
                "type": "string",
                "rir_field_names": ["upload:document_id", "document_id"],
            },
            {
                "category": "datapoint",
                "id": "date_issue",
                "label": "Issue date",
                "type": "date",
                "format": "D/M/YYYY",
                "rir_field_names": ["upload:date_issue"],
            },
            {
                "category": "datapoint",
                "id": "sender_name",
                "label": "Vendor",
                "type": "string",
                "rir_field_names": ["upload:sender_name", "emails_import:sender_name", "email_header:from"],
            },
            {
                "category": "datapoint",
                "id": "amount_total",
                "label": "Total amount",
                "type": "number",
                "rir_field_names": ["upload:amount_total"],
            },
            {
                "category": "datapoint",
                "id": "notes",
                "label": "Notes",
                "type": "string",
                "can_export": False,
                "default_value": "n/a",
                "rir_field_names": [],
            },
        ],
    },
    {
        "category": "section",
        "id": "line_items_section",
        "label": "Line items",
        "children": [
            {
                "category": "multivalue",
                "id": "line_items",
                "label": "Line items",
                "children": {
                    "category": "tuple",
                    "id": "line_item",
                    "label": "Line item",
                    "children": [
                        {"category": "datapoint", "id": "item_description", "label": "Description", "type": "string"},
                        {"category": "datapoint", "id": "item_amount", "label": "Amount", "type": "number"},
                    ],
                },
            }
        ],
    },
]


def make_queue(api: httpx.Client, name: str = "Invoices", **queue_fields: Any) -> dict[str, Any]:
    """A workspace, the invoice schema and a queue using it; returns the queue."""
    org = api.get("/auth/user").json()["organization"]
    workspace = api.post("/workspaces", json={"name": f"{name} ws", "organization": org})
    assert workspace.status_code == 201, workspace.text
    schema = api.post("/schemas", json={"name": f"{name} schema", "content": INVOICE_SCHEMA})
    assert schema.status_code == 201, schema.text
    body = {"name": name, "workspace": workspace.json()["url"], "schema": schema.json()["url"], **queue_fields}
    queue = api.post("/queues", json=body)
    assert queue.status_code == 201, queue.text
    return dict(queue.json())


def upload(
    api: httpx.Client,
    queue: dict[str, Any],
    files: list[tuple[str, bytes]],
    *,
    values: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> httpx.Response:
    """POST /uploads?queue= with the multipart shape the SDK sends."""
    parts: list[tuple[str, tuple[str, bytes, str]]] = [
        ("content", (name, data, "application/octet-stream")) for name, data in files
    ]
    if values is not None:
        parts.append(("values", ("", json.dumps(values).encode(), "application/json")))
    if metadata is not None:
        parts.append(("metadata", ("", json.dumps(metadata).encode(), "application/json")))
    return api.post("/uploads", params={"queue": queue["id"], **(params or {})}, files=parts)


def wait_for(predicate: Any, timeout: float = 10.0, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def legacy_upload(api: httpx.Client, queue: dict[str, Any], files: list[tuple[str, bytes]], **kw: Any) -> list[str]:
    """POST /queues/{id}/upload; returns the annotation URLs."""
    parts = [("content", (name, data, "application/octet-stream")) for name, data in files]
    for key in ("values", "metadata"):
        if key in kw:
            parts.append((key, ("", json.dumps(kw[key]).encode(), "application/json")))
    response = api.post(f"/queues/{queue['id']}/upload", files=parts)
    assert response.status_code == 201, response.text
    return [item["annotation"] for item in response.json()["results"]]


def imported(api: httpx.Client, annotation_url: str) -> dict[str, Any]:
    """Poll an annotation until it has left ``importing``."""
    return dict(wait_for(lambda: (a := api.get(annotation_url).json())["status"] != "importing" and a))


def datapoints_by_schema_id(content: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}

    def walk(node: dict[str, Any]) -> None:
        if node["category"] == "datapoint":
            found.setdefault(node["schema_id"], []).append(node)
        for child in node.get("children") or []:
            walk(child)

    for section in content:
        walk(section)
    return found
