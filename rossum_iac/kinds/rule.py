"""Rule: a TxScript trigger condition and the actions run when it holds (API reference "Rule").

Rules have no ``metadata``: their ownership is recorded in the organization's metadata.
"""

from __future__ import annotations

from typing import Any

from rossum_iac.kinds.base import SET_BY_API, Content, Field, Identity, KindDef, Report
from rossum_iac.kinds.fragments import boolean, content, enum, integer, key_refs, nullable, obj, ref, string, strings

RULE_EVENTS = ["validation", "annotation_imported", "annotation_confirmed", "annotation_exported"]
_EXPORT_EVENTS = ["annotation_imported", "annotation_confirmed", "annotation_exported"]

RULE_ACTIONS: dict[str, dict[str, Any]] = {
    # action type -> allowed events and payload schema (from the API reference "Rule actions")
    "show_message": {
        "events": ["validation"],
        "payload": {
            "properties": {
                "type": {"enum": ["error", "warning", "info"]},
                "content": {"type": "string"},
                "schema_id": {"type": ["string", "null"]},
            },
            "required": ["type", "content"],
        },
    },
    "add_automation_blocker": {
        "events": ["validation"],
        "payload": {
            "properties": {"content": {"type": "string"}, "schema_id": {"type": ["string", "null"]}},
            "required": ["content"],
        },
    },
    "change_status": {
        "events": ["annotation_imported"],
        "payload": {
            "properties": {"method": {"enum": ["postpone", "export", "delete", "confirm", "reject"]}},
            "required": ["method"],
        },
    },
    "change_queue": {
        "events": _EXPORT_EVENTS,
        "payload": {
            "properties": {"queue_id": "integer", "reimport": {"type": ["boolean", "null"]}},
            "required": ["queue_id"],
        },
    },
    "add_label": {"events": ["validation"], "payload": "labels"},
    "remove_label": {"events": ["validation"], "payload": "labels"},
    "add_remove_label": {"events": ["validation"], "payload": "labels"},
    "show_hide_field": {"events": ["validation"], "payload": "schema_ids"},
    "show_field": {"events": ["validation"], "payload": "schema_ids"},
    "hide_field": {"events": ["validation"], "payload": "schema_ids"},
    "add_validation_source": {
        "events": ["validation"],
        "payload": {"properties": {"schema_id": {"type": "string"}}, "required": ["schema_id"]},
    },
    "send_email": {"events": _EXPORT_EVENTS, "payload": "send_email"},
    "custom": {"events": RULE_EVENTS, "payload": None},
}
SINGLE_USE_RULE_ACTIONS = [
    "add_automation_blocker",
    "change_status",
    "change_queue",
    "add_label",
    "remove_label",
    "add_remove_label",
    "show_field",
    "hide_field",
    "add_validation_source",
]


def _payload_schema(payload: Any) -> dict[str, Any] | None:
    if payload == "labels":
        return {
            "properties": {"labels": {"type": "array", "items": {"type": "string"}}},
            "required": ["labels"],
        }
    if payload == "schema_ids":
        return {
            "properties": {"schema_ids": {"type": "array", "items": {"type": "string"}}},
            "required": ["schema_ids"],
        }
    if payload == "send_email":
        return {
            "properties": {
                "email_template": {"type": "string", "description": "Use ${ref.EmailTemplate.KEY.url}."},
                "attach_document": boolean(),
                "to": strings(),
                "cc": strings(),
                "bcc": strings(),
                "subject": {"type": "string"},
                "body": {"type": "string"},
            },
            "anyOf": [{"required": ["email_template"]}, {"required": ["to", "subject", "body"]}],
        }
    if payload is None:
        return None
    return {
        "properties": {name: integer() if prop == "integer" else prop for name, prop in payload["properties"].items()},
        "required": payload["required"],
    }


def rule_action_schema() -> dict[str, Any]:
    conditions: list[dict[str, Any]] = []
    for action, spec in RULE_ACTIONS.items():
        then: dict[str, Any] = {"properties": {"event": enum(spec["events"])}}
        payload_schema = _payload_schema(spec["payload"])
        if payload_schema is not None:
            then["properties"]["payload"] = {"type": "object", **payload_schema}
            then["required"] = ["payload"]
        conditions.append({"if": {"properties": {"type": {"const": action}}, "required": ["type"]}, "then": then})
    return {
        "type": "object",
        "description": "An action executed when the trigger condition is met.",
        "properties": {
            "id": {"type": "string", "minLength": 1, "description": "Unique within the rule's actions."},
            "enabled": boolean(),
            "type": enum(list(RULE_ACTIONS), "Action type."),
            "payload": obj("Parameters of the action (depend on type)."),
            "event": enum(RULE_EVENTS, "When the action runs."),
        },
        "required": ["id", "type", "event"],
        "additionalProperties": False,
        "allOf": conditions,
    }


def check_actions(data: Any, report: Report) -> None:
    """Action ids are unique within a rule, and most action types may appear once."""
    actions = data.get("actions")
    if not isinstance(actions, list):
        return
    ids: dict[str, int] = {}
    types: dict[str, int] = {}
    for index, action in enumerate(actions):
        if not hasattr(action, "value_pos"):  # not a mapping (reported by the JSON Schema)
            continue
        action_id = action.get("id")
        if isinstance(action_id, str):
            if action_id in ids:
                report(
                    action.value_pos("id"),
                    f"action id {action_id!r} is used twice in this rule (actions[{ids[action_id]}] and "
                    f"actions[{index}]); action ids must be unique within a rule",
                )
            else:
                ids[action_id] = index
        action_type = action.get("type")
        if isinstance(action_type, str) and action_type in SINGLE_USE_RULE_ACTIONS:
            if action_type in types:
                report(
                    action.value_pos("type"),
                    f"a rule can have at most one {action_type} action (also actions[{types[action_type]}])",
                )
            else:
                types[action_type] = index


KIND = KindDef(
    rank=80,
    name="Rule",
    collection="rules",
    description="A business rule: a TxScript trigger condition and the actions run when it holds.",
    identity=Identity.ORGANIZATION_RECORD,
    folder="rules",
    natural_key=("name", "queues"),
    defs={"rule_action": rule_action_schema()},
    checks=(check_actions,),
    fields={
        "name": Field(string("Name of the rule."), required=True),
        "enabled": Field(boolean("Whether the rule runs."), default=True),
        "queues": Field(key_refs("Queue"), ref="Queue", many=True, set_like=True, default=[], attached_as="rules"),
        "trigger_condition": Field(
            content({"type": "string"}, "TxScript condition, inline or {file: path}."),
            content=Content((".py",), description="the TxScript condition", min_lines=2),
            default="True",
        ),
        "description": Field(string("Description of the rule."), default=""),
        "rule_template": Field(
            nullable("string", "URL of the rule template."),
            default=None,
            unportable="holds the URL of a rule template of one organization",
        ),
        "synchronized_from_template": Field(boolean(), default=False),
        "actions": Field({"type": "array", "items": ref("rule_action")}, default=[]),
        "organization": Field(read_only="is set by the API to the organization of the rule"),
        "schema": Field(read_only="is the deprecated schema link of rules: scope the rule with 'queues'"),
        "metadata": Field(read_only="does not exist on rules in the Rossum API"),
        "created_by": Field(read_only=SET_BY_API),
        "created_at": Field(read_only=SET_BY_API),
    },
)
