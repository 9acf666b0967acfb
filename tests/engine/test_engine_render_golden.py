"""Golden files: plans of every kind of change rendered as text, compact text and Markdown.

Each scenario is planned here (no network) and its JSON form is kept under ``golden/<name>.plan.json``; the
renderers are tested on that stored JSON (the renderer's only input). One test checks that the planner still makes
the same changes, so the fixtures stay real. Regenerate after an intended change with
``UPDATE_GOLDEN=1 pytest tests/engine/test_engine_render_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import ORG, desired, live_obj, live_state, marker, secret_hashes, stack, url

from rossum_iac.engine.plan import Plan
from rossum_iac.engine.planner import PlanOptions, build_plan
from rossum_iac.engine.render import render_plan
from rossum_iac.engine.render_markdown import render_plan_markdown
from rossum_iac.manifest.model import Ref, RefPlaceholder, Secret, Template

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

SECRETS = {
    "hook": "whsec-Golden-0123456789",
    "rotated": "whsec-Rotated-9876543210",
    "erp": "erp-token-ABCDEFGH-12345",
    "erp_old": "erp-token-OLD-ZYXWVUT-999",
}
"""Secret values used by the scenarios: none may appear in a fixture or a rendered plan."""

CURRENCIES = [
    "EUR", "USD", "GBP", "CHF", "CZK", "PLN", "HUF", "SEK", "NOK", "DKK", "JPY", "CNY", "AUD", "CAD", "NZD",
    "SGD", "HKD", "INR", "BRL", "MXN", "ZAR", "TRY", "RON", "BGN", "ISK", "ILS", "KRW", "THB", "MYR", "IDR",
    "PHP", "AED", "SAR",
]


def currency_options(**labels: str) -> list[dict[str, str]]:
    return [{"value": c.lower(), "label": labels.get(c.lower(), c)} for c in CURRENCIES]


def dp(node_id: str, label: str, kind: str = "string", **attrs: Any) -> dict[str, Any]:
    return {"category": "datapoint", "id": node_id, "label": label, "type": kind, **attrs}


def section(node_id: str, label: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"category": "section", "id": node_id, "label": label, "children": list(children)}


FORMULA = "total = field.amount_base + field.amount_tax\nreturn round(total, 2)\n"
DUE_FORMULA = "paid = field.amount_paid or 0\nreturn field.amount_total - paid\n"
HOOK_CODE = (
    "def rossum_hook_request_handler(payload):\n"
    "    messages = []\n"
    "    for line in payload['lines']:\n"
    "        check(line, messages)\n"
    "    return {'messages': messages}\n"
)


def _plan(s: Any, live: Any, **options: Any) -> Plan:
    plan, _ = build_plan(s, live, PlanOptions(**options), strict=False)
    return plan


# --- scenarios ------------------------------------------------------------------------------------------------------


def scenario_create() -> dict[str, Any]:
    """Everything new: values, a schema tree with a formula, hook code, secrets, a value known after apply."""
    content = [
        section(
            "amounts",
            "Amounts",
            dp("amount_base", "Base", "number"),
            dp("amount_total", "Total", "number", formula=FORMULA),
            dp("currency", "Currency", "enum", options=currency_options()[:3]),
        )
    ]
    s = stack(
        desired("Workspace", "ap", name="Accounts payable", protect=True),
        desired("Schema", "invoice", name="Invoice", content=content),
        desired(
            "Queue",
            "invoices",
            name="Invoices",
            workspace=Ref("Workspace", "ap"),
            schema=Ref("Schema", "invoice"),
            settings={"columns": [{"schema_id": "amount_total"}], "accepted_mime_types": ["application/pdf"]},
        ),
        desired(
            "Hook",
            "notify",
            name="Notify ERP",
            type="webhook",
            queues=[Ref("Queue", "invoices")],
            events=["annotation_status.changed"],
            config={"url": "https://erp.example.invalid/rossum", "secret": Secret("HOOK_SECRET", SECRETS["hook"])},
            settings={"queue_id": Template((RefPlaceholder("Queue", "invoices", "id"),))},
        ),
        desired(
            "Hook",
            "check",
            name="Check lines",
            type="function",
            queues=[Ref("Queue", "invoices")],
            events=["annotation_content.initialize"],
            config={"runtime": "python3.12", "code": HOOK_CODE},
        ),
    )
    unmanaged_twin = ("Workspace", live_obj("Workspace", 90, name="Accounts payable", metadata={}))
    return _plan(s, live_state(unmanaged_twin)).to_json()


def scenario_update() -> dict[str, Any]:
    """Updates in place: a scalar, leaves of nested settings, set-like lists, text, secrets, a value known after
    apply."""
    q = url("queues", 30)
    s = stack(
        desired("Workspace", "ap", name="Accounts payable (EU)", metadata={"team": {"owner": "ap-eu", "size": 4}}),
        desired(
            "Queue",
            "invoices",
            name="Invoices",
            workspace=Ref("Workspace", "ap"),
            session_timeout="02:00:00",
            settings={
                "columns": [{"schema_id": "amount_total", "width": 12}, {"schema_id": "currency"}],
                "accepted_mime_types": ["application/pdf", "image/*"],
            },
        ),
        desired("Queue", "archive", name="Archive", workspace=Ref("Workspace", "ap")),
        desired(
            "Hook",
            "check",
            name="Check lines",
            type="function",
            queues=[Ref("Queue", "invoices")],
            events=["annotation_content.initialize", "annotation_content.user_update"],
            config={"runtime": "python3.12", "code": HOOK_CODE},
            settings={"limits": [{"currency": "eur", "max": 5000}, {"currency": "usd", "max": 6000}]},
        ),
        desired(
            "Hook",
            "notify",
            name="Notify ERP",
            type="webhook",
            queues=[Ref("Queue", "invoices")],
            config={"url": "https://erp.example.invalid/rossum", "secret": Secret("HOOK_SECRET", SECRETS["rotated"])},
            settings={
                "archive_queue": Template((RefPlaceholder("Queue", "archive", "id"),)),
                "endpoints": [
                    {"name": "erp", "url": "https://erp.example.invalid/v2", "token": Secret("ERP", SECRETS["erp"])}
                ],
            },
        ),
        desired(
            "Rule",
            "high-amount",
            name="High amount",
            queues=[Ref("Queue", "invoices")],
            trigger_condition="field.amount_total > 1000\nand field.currency == 'eur'",
            actions=[
                {"id": "warn", "type": "show_message", "payload": {"type": "warning", "content": "Ask a manager."}},
                {"id": "tag", "type": "add_label", "payload": {"labels": ["high"]}},
            ],
        ),
    )
    live = live_state(
        ("Workspace", live_obj("Workspace", 10, name="Accounts payable", metadata={
            **marker("ap"), "team": {"owner": "ap", "size": 4}})),
        (
            "Queue",
            live_obj(
                "Queue",
                30,
                name="Invoices",
                workspace=url("workspaces", 10),
                metadata=marker("invoices"),
                session_timeout="01:00:00",
                settings={
                    "columns": [{"schema_id": "amount_total", "width": 10}, {"schema_id": "currency"}],
                    "accepted_mime_types": ["application/pdf"],
                },
            ),
        ),
        (
            "Hook",
            live_obj(
                "Hook",
                50,
                name="Check lines",
                type="function",
                queues=[q],
                events=["annotation_content.initialize", "annotation_content.export"],
                config={"runtime": "python3.12", "code": HOOK_CODE.replace("messages = []", "messages = []  # v1")},
                settings={"limits": [{"currency": "eur", "max": 4000}, {"currency": "usd", "max": 6000}]},
                metadata=marker("check"),
            ),
        ),
        (
            "Hook",
            live_obj(
                "Hook",
                51,
                name="Notify ERP",
                type="webhook",
                queues=[q],
                config={"url": "https://erp.example.invalid/rossum"},
                settings={
                    "archive_queue": 12,
                    "endpoints": [
                        {"name": "erp", "url": "https://erp.example.invalid/v1", "token": SECRETS["erp_old"]}
                    ],
                },
                metadata=marker("notify", secrets=secret_hashes(config__secret=SECRETS["hook"])),
            ),
        ),
        (
            "Rule",
            live_obj(
                "Rule",
                70,
                name="High amount",
                queues=[q],
                trigger_condition="field.amount_total > 500\nand field.currency == 'eur'",
                actions=[
                    {"id": "warn", "type": "show_message", "event": "validation",
                     "payload": {"type": "warning", "content": "Ask your manager."}},
                    {"id": "tag", "type": "add_label", "payload": {"labels": ["high"]}},
                ],
            ),
        ),
        org={**ORG, "metadata": {"rossum_iac": {"rules": {"test": {"high-amount": 70}}}}},
    )
    return _plan(s, live).to_json()


def scenario_schema() -> dict[str, Any]:
    """Schema content node by node (add, remove, change, move, reorder, a formula, one option of a 33-option enum)
    and the queues using the schema."""
    desired_content = [
        section(
            "header",
            "Header",
            dp("invoice_id", "Invoice number", constraints={"required": True}),
            dp("issue_date", "Issue date", "date"),
            dp("currency", "Currency", "enum", options=currency_options(eur="Euro")),
            dp("po_number", "Order number"),
            dp("paid_in", "Paid in", "enum", options=[currency_options()[3], *currency_options()[:3],
                                                    *currency_options()[4:]]),
        ),
        section(
            "amounts",
            "Amounts",
            dp("amount_tax", "Tax", "number"),
            dp("amount_base", "Base", "number"),
            dp("amount_total", "Total", "number", formula=FORMULA),
            dp("amount_due", "Amount due", "number", formula=DUE_FORMULA),
            dp("due_date", "Due date", "date"),
        ),
    ]
    live_content = [
        section(
            "header",
            "Header",
            dp("invoice_id", "Invoice number", constraints={"required": False}, rir_field_names=["document_id"]),
            dp("issue_date", "Date", "date"),
            dp("due_date", "Due date", "date"),
            dp("currency", "Currency", "enum", options=currency_options()),
            dp("notes", "Notes"),
            dp("paid_in", "Paid in", "enum", options=currency_options()),
        ),
        section(
            "amounts",
            "Amounts",
            dp("amount_base", "Base", "number"),
            dp("amount_tax", "Tax", "number"),
            dp("amount_total", "Total", "number", formula=FORMULA.replace("round(total, 2)", "total")),
        ),
    ]
    sch = url("schemas", 20)
    s = stack(
        desired("Schema", "invoice", name="Invoice", content=desired_content),
        desired("Queue", "invoices-eu", name="Invoices EU", schema=Ref("Schema", "invoice")),
        desired("Queue", "invoices-us", name="Invoices US", schema=Ref("Schema", "invoice")),
    )
    live = live_state(
        ("Schema", live_obj("Schema", 20, name="Invoice", content=live_content, metadata=marker("invoice"))),
        ("Queue", live_obj("Queue", 30, name="Invoices EU", schema=sch, metadata=marker("invoices-eu"))),
        ("Queue", live_obj("Queue", 31, name="Invoices US", schema=sch, metadata=marker("invoices-us"))),
        ("Queue", live_obj("Queue", 32, name="Made by hand", schema=sch, metadata={})),
        ("Queue", live_obj("Queue", 33, name="Other team", schema=sch, metadata=marker("x", stack_name="other"))),
        ("Queue", live_obj("Queue", 34, name="Going away", schema=sch, metadata={}, status="deletion_requested")),
    )
    return _plan(s, live).to_json()


def scenario_lifecycle() -> dict[str, Any]:
    """Replacements (both orders), deletes, a forgotten default template, adoption, protect, and warnings of every
    type (a duplicate from the planner; a breaking change as another check adds it)."""
    q1 = url("queues", 1)
    s = stack(
        desired("Workspace", "ap", name="AP", protect=True),
        desired("Queue", "eu", name="EU", workspace=Ref("Workspace", "ap")),
        desired("Queue", "us", name="US", workspace=Ref("Workspace", "ap")),
        desired("Inbox", "mail", name="Mail", email_prefix="ap", queues=[Ref("Queue", "us")]),
        desired("Inbox", "fixed", name="Fixed", email="fixed@example.invalid", queues=[Ref("Queue", "us")]),
        desired("Rule", "checked", name="Checked", queues=[Ref("Queue", "eu")], trigger_condition="True",
                enabled=False),
        desired("Rule", "same", name="Same", queues=[Ref("Queue", "eu")], trigger_condition="True"),
        desired("Queue", "new", name="New queue", workspace=Ref("Workspace", "ap")),
    )
    live = live_state(
        ("Workspace", live_obj("Workspace", 9, name="AP", metadata=marker("ap"))),
        ("Queue", live_obj("Queue", 1, name="EU", workspace=url("workspaces", 9), metadata=marker(
            "eu", email_templates={"reject": {"id": 103, "default": True}}))),
        ("Queue", live_obj("Queue", 2, name="US", workspace=url("workspaces", 9), metadata=marker("us"))),
        ("Queue", live_obj("Queue", 3, name="Old", workspace=url("workspaces", 9), metadata=marker("old"))),
        ("Inbox", live_obj("Inbox", 40, name="Mail", email_prefix="ap", queues=[q1], metadata=marker("mail"))),
        ("Inbox", live_obj("Inbox", 41, name="Fixed", email="fixed@example.invalid", queues=[q1],
                           metadata=marker("fixed"))),
        ("Hook", live_obj("Hook", 50, name="Gone", type="webhook", queues=[q1], metadata=marker("gone"))),
        ("EmailTemplate", live_obj("EmailTemplate", 103, name="Default rejection template", type="rejection_default",
                                   queue=q1, subject="x")),
        ("Rule", live_obj("Rule", 70, name="Checked", queues=[q1], trigger_condition="True", enabled=True)),
        ("Rule", live_obj("Rule", 71, name="Same", queues=[q1], trigger_condition="True", enabled=True)),
        ("Queue", live_obj("Queue", 4, name="New queue", workspace=url("workspaces", 9), metadata={})),
    )
    plan = _plan(s, live, queue_delete_after="2h").to_json()
    plan["warnings"].append(
        {
            "type": "breaking",
            "address": "Schema/invoice",
            "message": "removing datapoint 'amount_total' breaks Rule/high-amount (trigger_condition uses it)",
            "severity": "error",
        }
    )
    plan["warnings"].append({"type": "future_check", "address": "Queue/eu"})
    return plan


SCENARIOS: dict[str, Callable[[], dict[str, Any]]] = {
    "create": scenario_create,
    "update": scenario_update,
    "schema": scenario_schema,
    "lifecycle": scenario_lifecycle,
}
RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "txt": lambda plan: render_plan(plan),
    "compact.txt": lambda plan: render_plan(plan, compact=True),
    "md": lambda plan: render_plan_markdown(plan),
    "compact.md": lambda plan: render_plan_markdown(plan, compact=True),
}


def _stable(plan: dict[str, Any]) -> dict[str, Any]:
    """What a fixture keeps: no creation time, tool version or fingerprints (salted secret hashes in markers make
    them change every run)."""
    changes = [{k: v for k, v in c.items() if k != "fingerprint"} for c in plan["resource_changes"]]
    return {**plan, "created_at": None, "tool": {"name": "rossum-iac"}, "fingerprints": {},
            "resource_changes": changes}


def fixture(name: str) -> dict[str, Any]:
    path = GOLDEN / f"{name}.plan.json"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(_stable(SCENARIOS[name]()), indent=2, ensure_ascii=False) + "\n")
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", SCENARIOS)
def test_fixture_holds_the_changes_the_planner_makes(name: str) -> None:
    stored = fixture(name)
    fresh = SCENARIOS[name]()
    assert stored["format_version"] == fresh["format_version"]
    assert stored["resource_changes"] == _stable(fresh)["resource_changes"]


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("suffix", RENDERERS)
def test_rendering_matches_the_golden_file(name: str, suffix: str) -> None:
    rendered = RENDERERS[suffix](fixture(name))
    path = GOLDEN / f"{name}.{suffix}"
    if UPDATE:
        path.write_text(rendered)
    assert rendered == path.read_text(), f"{path.name} differs; if intended: UPDATE_GOLDEN=1 pytest {__file__}"


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_secret_in_any_fixture_or_rendering(name: str) -> None:
    texts = [(GOLDEN / f"{name}.plan.json").read_text()]
    texts += [render(fixture(name)) for render in RENDERERS.values()]
    for text in texts:
        for value in SECRETS.values():
            assert value not in text
