"""``GET /rules_execution_logs``: paginated list of rule executions (internal API; shape of the SDK's
``RulesExecutionLog``).

The emulator does not evaluate rules, so entries exist only when recorded with
:func:`record_rules_execution` (none are added on annotation status changes). Filters ``rule``,
``queue``, ``annotation`` (ids, comma lists), ``created_at_before/after``, ``execution_result``,
``trigger_event``, ``request_id`` and ``search`` (substring of the rule name, condition or error);
orderings ``id``, ``created_at`` (default ``-created_at``).
"""

from __future__ import annotations

import uuid
from typing import Any

from rossum_iac.emulator.fields import Field, now_iso
from rossum_iac.emulator.listing import Custom, DateCmp, Exact, Ids, orderings_for
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.store import Tx, field_sql


def _search(name: str, value: str) -> tuple[str, list[Any]]:
    pattern = f"%{value}%"
    return (
        f"({field_sql('rule_name')} LIKE ? OR {field_sql('trigger_condition')} LIKE ? "
        f"OR {field_sql('execution_error')} LIKE ?)",
        [pattern, pattern, pattern],
    )


class RulesExecutionLogs(Resource):
    collection = "rules_execution_logs"
    write_roles = None
    default_ordering = f"{field_sql('created_at')} DESC"
    fields = [
        Field(name, "any", read_only=True, nullable=True)
        for name in (
            "rule_id",
            "rule_name",
            "queue_id",
            "annotation_id",
            "request_id",
            "created_at",
            "trigger_event",
            "trigger_condition",
            "trigger_condition_results",
            "trigger_condition_values",
            "execution_result",
            "execution_error",
            "actions",
        )
    ]
    filters = {
        "id": Ids(),
        "rule": Ids("rule_id"),
        "queue": Ids("queue_id"),
        "annotation": Ids("annotation_id"),
        "created_at_before": DateCmp("created_at", "<"),
        "created_at_after": DateCmp("created_at", ">"),
        "execution_result": Exact("execution_result", multi=True),
        "trigger_event": Exact("trigger_event", multi=True),
        "request_id": Exact("request_id"),
        "search": Custom(_search),
    }
    orderings = orderings_for("id", "created_at")


RULES_EXECUTION_LOGS = register(RulesExecutionLogs(), ("list",))


def record_rules_execution(tx: Tx, **entry: Any) -> dict[str, Any]:
    data = {
        "rule_id": None,
        "rule_name": "",
        "queue_id": None,
        "annotation_id": None,
        "request_id": str(uuid.uuid4()),
        "created_at": now_iso(),
        "trigger_event": "",
        "trigger_condition": "True",
        "trigger_condition_results": None,
        "trigger_condition_values": None,
        "execution_result": "success",
        "execution_error": None,
        "actions": None,
        **entry,
    }
    return tx.insert("rules_execution_logs", data)
