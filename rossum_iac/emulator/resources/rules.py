"""rules: CRUD. ``queues`` is the M2M of ``queue.rules`` (RO there); ``schema`` (deprecated) is kept as a
writable nullable link; ``organization`` is set to the caller's.

Actions are validated: a list of objects with a string ``id`` unique in the rule, a known ``type``, an object
``payload``, an ``event`` among validation/annotation_imported/annotation_confirmed/annotation_exported
(per-type restrictions as documented), ``enabled`` boolean; at most one action per rule of the types the
documentation limits. Filter ``linked``: true = the rule has at least one queue (undocumented: choice).
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import Field, FieldError, f_bool, f_str
from rossum_iac.emulator.http import Request
from rossum_iac.emulator.listing import Bool, Custom, Exact, Ids, Linked, Ref, orderings_for
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.resources.queues import RULE_QUEUE
from rossum_iac.emulator.store import field_sql

EVENTS = ("validation", "annotation_imported", "annotation_confirmed", "annotation_exported")
ACTION_EVENTS: dict[str, tuple[str, ...]] = {
    "show_message": ("validation",),
    "add_automation_blocker": ("validation",),
    "change_status": ("annotation_imported",),
    "change_queue": ("annotation_imported", "annotation_confirmed", "annotation_exported"),
    "add_label": ("validation",),
    "remove_label": ("validation",),
    "add_remove_label": ("validation",),
    "show_hide_field": ("validation",),
    "show_field": ("validation",),
    "hide_field": ("validation",),
    "add_validation_source": ("validation",),
    "send_email": EVENTS,
    "custom": EVENTS,
}
SINGLE_TYPES = (
    "add_automation_blocker", "change_status", "change_queue", "add_label", "remove_label", "add_remove_label",
    "show_field", "hide_field", "add_validation_source",
)  # fmt: skip


def _actions(req: Request, value: Any) -> Any:
    if not isinstance(value, list):
        raise FieldError(f'Expected a list of items but got type "{type(value).__name__}".')
    errors: list[str] = []
    ids: set[str] = set()
    types: list[str] = []
    for i, action in enumerate(value):
        where = f"actions[{i}]"
        if not isinstance(action, dict):
            errors.append(f"{where}: expected an object.")
            continue
        action_id = action.get("id")
        if not isinstance(action_id, str) or not action_id:
            errors.append(f"{where}.id: a non-empty string is required.")
        elif action_id in ids:
            errors.append(f"{where}.id: must be unique within the rule.")
        else:
            ids.add(action_id)
        action_type = action.get("type")
        if action_type not in ACTION_EVENTS:
            errors.append(f"{where}.type: {action_type!r} is not a valid choice.")
        else:
            types.append(action_type)
            event = action.get("event")
            if event not in ACTION_EVENTS[action_type]:
                errors.append(f"{where}.event: {event!r} is not allowed for {action_type}.")
        if not isinstance(action.get("payload", {}), dict):
            errors.append(f"{where}.payload: expected an object.")
        if "enabled" in action and not isinstance(action["enabled"], bool):
            errors.append(f"{where}.enabled: Must be a valid boolean.")
    for action_type in SINGLE_TYPES:
        if types.count(action_type) > 1:
            errors.append(f"At most one action of type {action_type} can be set up for one rule.")
    if errors:
        raise FieldError(*errors)
    return value


def _linked(name: str, value: str) -> tuple[str, list[Any]]:
    from rossum_iac.emulator.http import parse_bool_text

    cond = "objects.id IN (SELECT a FROM links WHERE rel = ?)"
    return (cond if parse_bool_text(value, name) else f"NOT ({cond})"), [RULE_QUEUE]


def _action_types(name: str, value: str) -> tuple[str, list[Any]]:
    types = [v.strip() for v in value.split(",") if v.strip()]
    marks = ",".join("?" * len(types))
    return (
        "EXISTS (SELECT 1 FROM json_each(objects.data, '$.actions') AS a "
        f"WHERE json_extract(a.value, '$.type') IN ({marks}))",
        types,
    )


class Rules(Resource):
    collection = "rules"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        f_bool("enabled", default=True),
        Field("organization", "ref", target="organizations", read_only=True, nullable=True),
        Field("queues", "m2m", target="queues", relation=RULE_QUEUE, side="a", default=[]),
        Field("schema", "ref", target="schemas", nullable=True),
        f_str("trigger_condition", default="True"),
        f_str("description", max_length=255),
        Field("rule_template", "url", nullable=True),
        f_bool("synchronized_from_template"),
        Field("created_by", "ref", target="users", read_only=True, nullable=True),
        Field("created_at", "datetime", read_only=True, nullable=True),
        Field("modified_by", "ref", target="users", read_only=True, nullable=True),
        Field("modified_at", "datetime", read_only=True, nullable=True),
        Field("actions", "list", default=[], validate=_actions),
    ]
    filters = {
        "id": Ids(),
        "queue": Linked(RULE_QUEUE, "a"),
        "enabled": Bool("enabled"),
        "linked": Custom(_linked),
        "actions": Custom(_action_types),
        "schema": Ref("schema"),
        "rule_template": Exact("rule_template"),
        "name": Exact("name"),
        "organization": Ref("organization"),
    }
    orderings = orderings_for("id", "name", "organization")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if obj.get("organization") is None and req.user is not None:
            obj["organization"] = req.user["organization"]


RULES = register(Rules())
_ = field_sql
