"""Which top-level fields a manifest may declare for each kind, and why the others may not.

The declarable fields are the properties of each kind in the JSON Schema (``schema_build``). The API fields
listed here exist on the live objects but are computed by the API, written from the other side of a two-way link,
or filled in by rossum-iac; declaring them is an error with the reason below instead of "unknown field".
"""

from __future__ import annotations

TOOL_OPTIONS = ("kind", "key", "protect", "ignore_changes")

_READ_ONLY = "is read-only: the API computes it"
_CREATED = "is set by the API when the object is created or changed"

_COMMON: dict[str, str] = {
    "id": "is assigned by the API; rossum-iac identifies objects by their key",
    "url": "is assigned by the API; refer to other objects by key",
    "modified_by": _CREATED,
    "modified_at": _CREATED,
}

NOT_DECLARABLE: dict[str, dict[str, str]] = {
    "Workspace": {
        "queues": "is computed by the API from each queue's workspace: set 'workspace' on the Queue",
        "autopilot": _READ_ONLY + " (deprecated)",
        "organization": "is set by rossum-iac to the organization of the target environment",
    },
    "Schema": {
        "queues": "is computed by the API from each queue's schema: set 'schema' on the Queue",
        "rules": "is a legacy link: scope rules with 'queues' on the Rule",
    },
    "Connector": {
        "queues": "is written from the queue side: set 'connector' on the Queue",
    },
    "Queue": {
        "hooks": "is written from the hook side: list this queue under 'queues' of the Hook",
        "webhooks": "is the deprecated alias of hooks, written from the hook side: list this queue under "
        "'queues' of the Hook",
        "inbox": "is written from the inbox side: list this queue under 'queues' of the Inbox",
        "rules": "is computed by the API from each rule's queues: list this queue under 'queues' of the Rule",
        "counts": _READ_ONLY,
        "status": _READ_ONLY + " (active / deletion_requested / ...)",
        "delete_after": _READ_ONLY + "; rossum-iac schedules deletion when a queue leaves the manifests",
    },
    "Inbox": {
        "email_hash": _READ_ONLY,
    },
    "Hook": {
        "status": _READ_ONLY + " (ready / pending / failed for functions)",
        "created_by": _CREATED,
        "created_at": _CREATED,
    },
    "Rule": {
        "organization": "is set by the API to the organization of the rule",
        "schema": "is the deprecated schema link of rules: scope the rule with 'queues'",
        "metadata": "does not exist on rules in the Rossum API",
        "created_by": _CREATED,
        "created_at": _CREATED,
    },
    "EmailTemplate": {
        "organization": "is set by the API from the template's queue",
        "triggers": "is filled by the API with the triggers of the template",
        "metadata": "does not exist on email templates in the Rossum API",
    },
}


def not_declarable_reason(kind: str, field: str) -> str | None:
    """Why ``field`` cannot be declared on ``kind``, or None if this is not a known API field."""
    return NOT_DECLARABLE.get(kind, {}).get(field) or _COMMON.get(field)
