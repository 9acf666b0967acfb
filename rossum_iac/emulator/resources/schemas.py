"""schemas: CRUD, ``/schemas/validate``, ``/schemas/from_template``; content validation.

Behaviour:
* ``queues`` (RO) is derived from ``queue.schema``; ``rules`` (RO) from the deprecated ``rule.schema``.
* DELETE while a queue (any status) or an annotation uses the schema -> 409.
* Content is validated as documented (Document Schema): a list of sections; every node has ``category``,
  ``id`` (string, at most 50 characters, unique in the schema) and ``label``; sections hold datapoints and
  multivalues; a multivalue's ``children`` is ONE tuple or datapoint (not a button); tuples hold datapoints
  and live only inside multivalues; datapoint ``type`` in string/number/date/enum/button; enums need
  ``options`` [{value, label}]; ``width``/``stretch``/``can_collapse``/``width_chars`` only on datapoints
  inside a tuple; null is rejected for attributes the API rejects it for (``hidden``, ``constraints``,
  ``options``, ...) while ``rir_field_names``, ``default_value``, ``icon``, ``format``, occurrences may be null;
  enum ``options`` may be an empty list; unknown attributes are kept as sent.
  Errors are reported under ``content`` with the path of the node.
* ``/schemas/validate`` answers 200 ``{}`` for valid content and 400 ``{"content": [...]}`` otherwise.
* ``/schemas/from_template`` accepts the documented organization template names and creates a schema
  with a small invoice content (the real templates are not public).
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import Field, FieldError, f_derived, f_str
from rossum_iac.emulator.http import BadRequest, Conflict, Request, Response
from rossum_iac.emulator.listing import Custom, Exact, Ids, id_value, orderings_for
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.resources.common import f_metadata, modified_fields
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import field_sql

CATEGORIES = ("section", "multivalue", "tuple", "datapoint")
DATAPOINT_TYPES = ("string", "number", "date", "enum", "button")
NOT_NULL = {
    "category", "id", "label", "hidden", "disable_prediction", "children", "type", "can_export", "can_collapse",
    "constraints", "ui_configuration", "width", "stretch", "width_chars", "score_threshold", "options",
    "aggregations", "show_grid_by_default", "grid",
}  # fmt: skip
"""Attributes whose null the API refuses (rossum-deploy's experience). ``rir_field_names`` is not one: the
reference's own multivalue example and live schemas (tuples, datapoints) carry ``"rir_field_names": null``."""
TABLE_ONLY = ("width", "stretch", "can_collapse", "width_chars")
UI_TYPES = ("captured", "data", "manual", "formula", "reasoning", "lookup", None)
UI_EDIT = ("enabled", "disabled", "enabled_without_warning")
TEMPLATE_NAMES = (
    "Empty Organization Template", "CZ Demo Template", "Tax Invoice EU Demo Template",
    "Tax Invoice US Demo Template", "Tax Invoice UK Demo Template", "Delivery Note Demo Template",
    "Tax Invoice CN Demo Template", "Certificates of Analysis Demo Template",
)  # fmt: skip


def schema_errors(content: Any) -> list[str]:
    """Problems of a schema ``content`` (empty list: valid)."""
    errors: list[str] = []
    if not isinstance(content, list):
        return [f'Expected a list of sections but got type "{type(content).__name__}".']
    seen: set[str] = set()

    def node(item: Any, path: str, parent: str | None) -> None:
        if not isinstance(item, dict):
            errors.append(f"{path}: expected an object.")
            return
        for key, value in item.items():
            if value is None and key in NOT_NULL:
                errors.append(f"{path}.{key}: This field may not be null.")
        category = item.get("category")
        if category not in CATEGORIES:
            errors.append(f"{path}.category: must be one of {', '.join(CATEGORIES)}.")
            return
        node_id = item.get("id")
        if not isinstance(node_id, str) or not node_id:
            errors.append(f"{path}.id: This field is required.")
        else:
            if len(node_id) > 50:
                errors.append(f"{path}.id: Ensure this field has no more than 50 characters.")
            if node_id in seen:
                errors.append(f"{path}.id: duplicate id {node_id!r}.")
            seen.add(node_id)
            path = f"{path}[{node_id}]"
        if not isinstance(item.get("label"), str):
            errors.append(f"{path}.label: This field is required.")
        for flag in ("hidden", "disable_prediction", "can_export", "can_collapse", "stretch"):
            if flag in item and item[flag] is not None and not isinstance(item[flag], bool):
                errors.append(f"{path}.{flag}: Must be a valid boolean.")
        allowed_parent = {
            "section": (None,),
            "multivalue": ("section",),
            "tuple": ("multivalue",),
            "datapoint": ("section", "multivalue", "tuple"),
        }[category]
        if parent not in allowed_parent:
            where = "at the top level" if parent is None else f"inside a {parent}"
            errors.append(f"{path}: a {category} cannot be {where}.")
        if category != "datapoint" or parent != "tuple":
            for key in TABLE_ONLY:
                if key in item:
                    errors.append(f"{path}.{key}: only allowed on datapoints inside a tuple.")
        children = item.get("children")
        if category in ("section", "tuple"):
            if not isinstance(children, list):
                errors.append(f"{path}.children: expected a list.")
            else:
                for i, child in enumerate(children):
                    node(child, f"{path}.children[{i}]", category)
        elif category == "multivalue":
            if not isinstance(children, dict):
                errors.append(f"{path}.children: expected one object (a tuple or a datapoint).")
            else:
                if children.get("type") == "button":
                    errors.append(f"{path}.children: buttons cannot be direct children of a multivalue.")
                node(children, f"{path}.children", "multivalue")
            for key, low in (("min_occurrences", 0), ("max_occurrences", 1)):
                value = item.get(key)
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < low):
                    errors.append(f"{path}.{key}: Ensure this value is an integer >= {low}.")
        else:
            _datapoint(item, path, errors)

    for i, section in enumerate(content):
        node(section, f"content[{i}]", None)
    return errors


def _datapoint(item: dict[str, Any], path: str, errors: list[str]) -> None:
    dtype = item.get("type")
    if dtype not in DATAPOINT_TYPES:
        errors.append(f"{path}.type: must be one of {', '.join(DATAPOINT_TYPES)}.")
    if dtype == "enum":
        options = item.get("options")
        if not isinstance(options, list) or not all(
            isinstance(o, dict) and isinstance(o.get("value"), str) and isinstance(o.get("label"), str) for o in options
        ):
            errors.append(f"{path}.options: enum datapoints need a list of {{value, label}} options.")
    rir = item.get("rir_field_names")
    if rir is not None and (not isinstance(rir, list) or not all(isinstance(r, str) for r in rir)):
        errors.append(f"{path}.rir_field_names: expected a list of strings.")
    constraints = item.get("constraints")
    if constraints is not None and not isinstance(constraints, dict):
        errors.append(f"{path}.constraints: expected an object.")
    ui = item.get("ui_configuration")
    if ui is not None:
        if not isinstance(ui, dict):
            errors.append(f"{path}.ui_configuration: expected an object.")
        else:
            if "type" in ui and ui["type"] not in UI_TYPES:
                errors.append(f"{path}.ui_configuration.type: invalid value {ui['type']!r}.")
            if "edit" in ui and ui["edit"] not in UI_EDIT:
                errors.append(f"{path}.ui_configuration.edit: invalid value {ui['edit']!r}.")
    for key in ("formula", "prompt"):
        if key in item and item[key] is not None and (not isinstance(item[key], str) or len(item[key]) > 2000):
            errors.append(f"{path}.{key}: expected a string of at most 2000 characters.")
    threshold = item.get("score_threshold")
    if threshold is not None and (not isinstance(threshold, int | float) or not 0 <= threshold <= 1):
        errors.append(f"{path}.score_threshold: expected a number between 0 and 1.")


def _validate_content(req: Request, value: Any) -> Any:
    errors = schema_errors(value)
    if errors:
        raise FieldError(*errors)
    return value


def _reverse(collection: str, field: str) -> Any:
    def derive(req: Request, obj: dict[str, Any]) -> list[str | None]:
        return [req.url_for(collection, i) for i in req.tx.ids_where(collection, field, obj["id"])]

    return derive


def _schema_of_queue(name: str, value: str) -> tuple[str, list[Any]]:
    ids = [id_value(name, v) for v in value.split(",") if v.strip()]
    marks = ",".join("?" * len(ids))
    return (
        f"objects.id IN (SELECT {field_sql('schema')} FROM objects AS q WHERE q.collection = 'queues' "
        f"AND q.id IN ({marks}))",
        ids,
    )


class Schemas(Resource):
    collection = "schemas"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        f_derived("queues", _reverse("queues", "schema")),
        Field("content", "list", required=True, validate=_validate_content),
        f_metadata(),
        *modified_fields(),
        f_derived("rules", _reverse("rules", "schema")),
    ]
    filters = {
        "id": Ids(),
        "name": Exact("name"),
        "queue": Custom(_schema_of_queue),
    }
    orderings = orderings_for("id", "name")

    def before_delete(self, req: Request, obj: dict[str, Any]) -> None:
        if req.tx.ids_where("queues", "schema", obj["id"]):
            raise Conflict("Schema cannot be deleted because it is used by a queue.")
        if req.tx.count("annotations", f"{field_sql('schema')} = ?", [obj["id"]]):
            raise Conflict("Schema cannot be deleted because it is used by annotations.")


SCHEMAS = register(Schemas())


@route("POST", "/schemas/validate")
def validate_schema(req: Request) -> Any:
    body = req.json_object()
    if "content" not in body:
        raise BadRequest({"content": ["This field is required."]})
    errors = schema_errors(body["content"])
    if errors:
        raise BadRequest({"content": errors})
    return {}


def template_content() -> list[dict[str, Any]]:
    return [
        {
            "category": "section",
            "id": "basic_info_section",
            "label": "Basic information",
            "icon": None,
            "children": [
                {"category": "datapoint", "id": "document_id", "label": "Invoice number", "type": "string",
                 "rir_field_names": ["document_id"], "constraints": {"required": False}, "default_value": None},
                {"category": "datapoint", "id": "date_issue", "label": "Issue date", "type": "date",
                 "format": "YYYY-MM-DD", "rir_field_names": ["date_issue"], "constraints": {"required": False},
                 "default_value": None},
            ],
        },
        {
            "category": "section",
            "id": "amounts_section",
            "label": "Amounts",
            "icon": None,
            "children": [
                {"category": "datapoint", "id": "amount_total", "label": "Total amount", "type": "number",
                 "format": "# ##0.#", "rir_field_names": ["amount_total"], "constraints": {"required": False},
                 "default_value": None},
            ],
        },
    ]  # fmt: skip


@route("POST", "/schemas/from_template")
def schema_from_template(req: Request) -> Any:
    body = req.json_object()
    errors: dict[str, list[str]] = {}
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        errors["name"] = ["This field is required."]
    if body.get("template_name") not in TEMPLATE_NAMES:
        errors["template_name"] = [f'"{body.get("template_name")}" is not a valid choice.']
    if errors:
        raise BadRequest(errors)
    content = [] if body["template_name"] == "Empty Organization Template" else template_content()
    SCHEMAS.check_write(req, None)
    obj = SCHEMAS.create(req, {"name": body["name"], "content": content, "metadata": body.get("metadata", {})})
    return Response(201, SCHEMAS.render(req, obj))
