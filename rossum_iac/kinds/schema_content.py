"""The structure rules of schema content (API reference, "Document Schema").

- Every node has ``category`` (section / multivalue / tuple / datapoint), ``id`` (unique in the schema, at most
  50 characters) and ``label``.
- The top level holds only sections; sections hold datapoints and multivalues; a multivalue holds exactly one
  tuple or datapoint (a mapping, not a list); a tuple appears only inside a multivalue and holds datapoints.
- A datapoint's ``type`` is string, number, date, enum or button; an enum has ``options``, each with ``value`` and
  ``label``, values unique (``[]`` is fine: extensions fill the options of such enums at run time); a button cannot
  be the direct child of a multivalue.
- ``width``, ``stretch``, ``can_collapse`` and ``width_chars`` are only for table columns (datapoints in a tuple).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rossum_iac.kinds.fragments import boolean, enum, integer, nullable, ref, typed
from rossum_iac.suggest import suggest

Pos = tuple[int, int]
"""1-based (line, column); parsed manifests carry them on their mappings and lists (``manifest.yaml_io``)."""

CATEGORIES = ("section", "multivalue", "tuple", "datapoint")
DATAPOINT_TYPES = ["string", "number", "date", "enum", "button"]
TABLE_ONLY_ATTRIBUTES = ["width", "stretch", "can_collapse", "width_chars"]
MAX_ID_LENGTH = 50

Report = Callable[[Pos, str], None]

_BOOL_ATTRS = ("hidden", "disable_prediction", "can_export", "can_collapse", "stretch", "show_grid_by_default")
_INT_ATTRS = ("width", "width_chars")
_ENUM_ATTRS = {"enum_value_type": ("string", "number", "date")}
_UI_TYPES = ("captured", "data", "manual", "formula", "reasoning", None)
_UI_EDIT = ("enabled", "disabled", "enabled_without_warning")


def _pos(container: Any, key: Any) -> Pos:
    if hasattr(container, "value_pos"):
        return container.value_pos(key)
    if hasattr(container, "item_pos"):
        return container.item_pos(key)
    return (0, 0)


def _key_pos(container: Any, key: Any) -> Pos:
    if hasattr(container, "key_pos"):
        return container.key_pos(key)
    return (0, 0)


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("${") and value.endswith("}")


class _Checker:
    def __init__(self, report: Report):
        self.report = report
        self.ids: dict[str, Pos] = {}

    def run(self, content: Any, pos: Pos) -> None:
        if not isinstance(content, list):
            self.report(pos, "schema content must be a list of sections")
            return
        for index, node in enumerate(content):
            self.node(node, _pos(content, index), parent=None)

    def node(self, node: Any, pos: Pos, parent: dict[str, Any] | None) -> None:
        parent_category = parent.get("category") if parent is not None else None
        if not isinstance(node, dict):
            self.report(pos, "a schema node must be a mapping with category, id and label")
            return
        node_pos: Pos = getattr(node, "pos", (0, 0))
        if node_pos == (0, 0):
            node_pos = pos
        category = node.get("category")
        node_id = node.get("id")
        name = f"'{node_id}'" if isinstance(node_id, str) else "node"
        self._check_id(node, node_id, node_pos)
        if "label" not in node:
            self.report(node_pos, f"schema node {name} has no label; every node needs one")
        elif not isinstance(node["label"], str):
            self.report(_pos(node, "label"), f"label of {name} must be text")
        if category not in CATEGORIES:
            if category is None:
                self.report(node_pos, f"schema node {name} has no category (section, multivalue, tuple or datapoint)")
            else:
                self.report(
                    _pos(node, "category"),
                    f"unknown category {category!r} of {name}{suggest(str(category), CATEGORIES)}; "
                    "expected section, multivalue, tuple or datapoint",
                )
            return
        self._check_placement(node, name, category, parent_category, node_pos)
        self._check_attributes(node, name, category, parent_category)
        if category == "datapoint":
            self._datapoint(node, name, node_pos)
            return
        children = node.get("children")
        if category == "multivalue":
            if "children" not in node:
                self.report(node_pos, f"multivalue {name} needs children: a single tuple or datapoint")
            elif isinstance(children, list):
                self.report(
                    _pos(node, "children"),
                    f"children of multivalue {name} must be a single tuple or datapoint (a mapping), not a list",
                )
            else:
                self.node(children, _pos(node, "children"), parent=node)
            return
        if "children" not in node:
            self.report(node_pos, f"{category} {name} needs children (a list)")
            return
        if not isinstance(children, list):
            self.report(_pos(node, "children"), f"children of {category} {name} must be a list")
            return
        for index, child in enumerate(children):
            self.node(child, _pos(children, index), parent=node)

    def _check_id(self, node: dict[str, Any], node_id: Any, pos: Pos) -> None:
        if node_id is None:
            self.report(pos, "schema node has no id; every node needs an id unique in the schema")
            return
        where = _pos(node, "id")
        if not isinstance(node_id, str) or not node_id:
            self.report(where, "a schema node id must be non-empty text")
            return
        if len(node_id) > MAX_ID_LENGTH:
            self.report(where, f"id '{node_id}' is {len(node_id)} characters long; at most {MAX_ID_LENGTH} are allowed")
        first = self.ids.get(node_id)
        if first is not None:
            at = f" (first on line {first[0]})" if first[0] else ""
            self.report(where, f"id '{node_id}' is used more than once in this schema{at}; ids must be unique")
        else:
            self.ids[node_id] = where

    def _check_placement(self, node: dict[str, Any], name: str, category: str, parent: Any, pos: Pos) -> None:
        if category == "tuple" and parent != "multivalue":
            where = f"not of a {parent}" if parent else "not at the top level"
            self.report(pos, f"tuple {name} must be the child of a multivalue (a table), {where}")
        elif parent is None and category != "section":
            self.report(pos, f"the top level of a schema holds only sections; {category} {name} must be inside one")
        elif parent == "section" and category not in ("datapoint", "multivalue"):
            self.report(pos, f"a section holds datapoints and multivalues, not a {category} ({name})")
        elif parent == "multivalue" and category not in ("tuple", "datapoint"):
            self.report(pos, f"a multivalue holds a single tuple or datapoint, not a {category} ({name})")
        elif parent == "tuple" and category != "datapoint":
            self.report(pos, f"a tuple holds only datapoints, not a {category} ({name})")
        if parent == "multivalue" and category == "datapoint" and node.get("type") == "button":
            self.report(
                pos, f"button {name} cannot be the direct child of a multivalue; put buttons in the table's tuple"
            )

    def _check_attributes(self, node: dict[str, Any], name: str, category: str, parent: Any) -> None:
        for attr in _BOOL_ATTRS:
            value = node.get(attr)
            if attr in node and not isinstance(value, bool) and not _is_placeholder(value):
                self.report(_pos(node, attr), f"{attr} of {name} must be true or false")
        for attr in _INT_ATTRS:
            value = node.get(attr)
            if attr in node and (not isinstance(value, int) or isinstance(value, bool)) and not _is_placeholder(value):
                self.report(_pos(node, attr), f"{attr} of {name} must be a whole number")
        for attr, minimum in (("min_occurrences", 0), ("max_occurrences", 1)):
            value = node.get(attr)
            if value is None or _is_placeholder(value):
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                self.report(_pos(node, attr), f"{attr} of {name} must be a whole number of at least {minimum}")
        value = node.get("score_threshold")
        if (
            value is not None
            and not _is_placeholder(value)
            and (isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1)
        ):
            self.report(_pos(node, "score_threshold"), f"score_threshold of {name} must be a number from 0 to 1")
        names = node.get("rir_field_names")
        if names is not None and (not isinstance(names, list) or not all(isinstance(n, str) for n in names)):
            self.report(_pos(node, "rir_field_names"), f"rir_field_names of {name} must be a list of texts")
        if category == "datapoint" and parent != "tuple":
            for attr in TABLE_ONLY_ATTRIBUTES:
                if attr in node:
                    where = f"in a {parent}" if parent else "at the top level"
                    self.report(
                        _key_pos(node, attr),
                        f"{attr} is only allowed on table columns (datapoints inside a tuple); {name} is {where}",
                    )

    def _datapoint(self, node: dict[str, Any], name: str, pos: Pos) -> None:
        if "children" in node:
            self.report(_key_pos(node, "children"), f"datapoint {name} cannot have children")
        kind = node.get("type")
        if kind is None:
            self.report(pos, f"datapoint {name} has no type ({', '.join(DATAPOINT_TYPES)})")
        elif kind not in DATAPOINT_TYPES and not _is_placeholder(kind):
            self.report(
                _pos(node, "type"),
                f"datapoint {name} has type {kind!r}{suggest(str(kind), DATAPOINT_TYPES)}; "
                f"expected one of {', '.join(DATAPOINT_TYPES)}",
            )
        for attr, allowed in _ENUM_ATTRS.items():
            if attr in node and node[attr] not in allowed:
                self.report(_pos(node, attr), f"{attr} of {name} must be one of {', '.join(allowed)}")
        ui = node.get("ui_configuration")
        if isinstance(ui, dict):
            if "type" in ui and ui["type"] not in _UI_TYPES:
                self.report(
                    _pos(ui, "type"),
                    f"ui_configuration.type of {name} must be captured, data, manual, formula, reasoning or null",
                )
            if "edit" in ui and ui["edit"] not in _UI_EDIT:
                self.report(
                    _pos(ui, "edit"),
                    f"ui_configuration.edit of {name} must be enabled, disabled or enabled_without_warning",
                )
        elif ui is not None:
            self.report(_pos(node, "ui_configuration"), f"ui_configuration of {name} must be a mapping")
        constraints = node.get("constraints")
        if isinstance(constraints, dict):
            required = constraints.get("required")
            if "required" in constraints and not isinstance(required, bool) and not _is_placeholder(required):
                self.report(_pos(constraints, "required"), f"constraints.required of {name} must be true or false")
        elif constraints is not None:
            self.report(_pos(node, "constraints"), f"constraints of {name} must be a mapping")
        if kind == "enum":
            self._options(node, name, pos)

    def _options(self, node: dict[str, Any], name: str, pos: Pos) -> None:
        options = node.get("options")
        if not isinstance(options, list):
            where = _pos(node, "options") if "options" in node else pos
            self.report(
                where,
                f"enum {name} needs options: a list of {{value, label}} ([] when an extension fills them at run time)",
            )
            return
        values: dict[Any, int] = {}
        for index, option in enumerate(options):
            where = _pos(options, index)
            if not isinstance(option, dict):
                self.report(where, f"option {index + 1} of enum {name} must be a mapping with value and label")
                continue
            missing = [attr for attr in ("value", "label") if attr not in option]
            if missing:
                self.report(where, f"option {index + 1} of enum {name} has no {' and no '.join(missing)}")
            value = option.get("value")
            if isinstance(value, str | int | float) and not isinstance(value, bool) and not _is_placeholder(value):
                if value in values:
                    self.report(
                        _pos(option, "value"),
                        f"option value {value!r} of enum {name} is used twice (options {values[value] + 1} and "
                        f"{index + 1}); option values must be unique",
                    )
                else:
                    values[value] = index


def check_schema_content(content: Any, pos: Pos, report: Report) -> None:
    """Report every structure problem of ``content`` (a list of sections) through ``report``."""
    _Checker(report).run(content, pos)


def schema_content_defs() -> dict[str, Any]:
    node_id = {"type": "string", "minLength": 1, "maxLength": 50, "description": "Unique in the schema."}
    common = {
        "id": node_id,
        "label": {"type": "string"},
        "hidden": boolean(),
        "disable_prediction": boolean(),
        "rir_field_names": {"type": ["array", "null"], "items": {"type": "string"}},
    }
    datapoint_props = {
        "category": {"const": "datapoint"},
        **common,
        "type": enum(DATAPOINT_TYPES, "Data type of the field."),
        "can_export": boolean(),
        "default_value": {"type": ["string", "number", "null"]},
        "constraints": {
            "type": "object",
            "properties": {
                "length": {
                    "type": "object",
                    "properties": {
                        "min": nullable("integer"),
                        "max": nullable("integer"),
                        "exact": nullable("integer"),
                    },
                },
                "regexp": {"type": "object", "properties": {"pattern": {"type": "string"}}},
                "required": boolean(),
            },
        },
        "ui_configuration": {
            "type": "object",
            "properties": {
                "type": {"enum": ["captured", "data", "manual", "formula", "reasoning", None]},
                "edit": {"enum": ["enabled", "disabled", "enabled_without_warning"]},
            },
        },
        "width": integer(),
        "stretch": boolean(),
        "can_collapse": boolean(),
        "width_chars": integer(),
        "score_threshold": typed("number", minimum=0, maximum=1),
        "formula": {"type": ["string", "null"], "maxLength": 2000},
        "prompt": {"type": ["string", "null"], "maxLength": 2000},
        "context": {"type": ["array", "null"], "items": {"type": "string"}},
        "format": {"type": ["string", "null"]},
        "aggregations": {"type": "object"},
        "options": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
                "required": ["value", "label"],
            },
        },
        "enum_value_type": {"enum": ["string", "number", "date"]},
        "popup_url": {"type": ["string", "null"]},
        "can_obtain_token": boolean(),
    }
    datapoint_base = {
        "type": "object",
        "properties": datapoint_props,
        "required": ["category", "id", "label", "type"],
        "allOf": [
            {
                "if": {"properties": {"type": {"const": "enum"}}, "required": ["type"]},
                "then": {"required": ["options"]},
            }
        ],
    }
    not_table = {"not": {"anyOf": [{"required": [name]} for name in TABLE_ONLY_ATTRIBUTES]}}
    return {
        "schema_content": {
            "type": "array",
            "items": ref("section"),
            "description": "Schema content: a list of sections.",
        },
        "section": {
            "type": "object",
            "properties": {
                "category": {"const": "section"},
                **common,
                "icon": {"type": ["string", "null"]},
                "children": {
                    "type": "array",
                    "items": {
                        "if": {"properties": {"category": {"const": "multivalue"}}, "required": ["category"]},
                        "then": ref("multivalue"),
                        "else": ref("datapoint"),
                    },
                },
            },
            "required": ["category", "id", "label", "children"],
        },
        "datapoint_base": datapoint_base,
        "datapoint": {
            "description": "A datapoint outside a table: width, stretch, can_collapse, width_chars not allowed.",
            "allOf": [ref("datapoint_base"), not_table],
        },
        "table_datapoint": {"description": "A datapoint inside a tuple (a table column).", **ref("datapoint_base")},
        "multivalue": {
            "type": "object",
            "properties": {
                "category": {"const": "multivalue"},
                **common,
                "children": {
                    "if": {"properties": {"category": {"const": "tuple"}}, "required": ["category"]},
                    "then": ref("tuple"),
                    "else": {
                        "allOf": [
                            ref("datapoint"),
                            {"not": {"properties": {"type": {"const": "button"}}, "required": ["type"]}},
                        ]
                    },
                },
                "min_occurrences": nullable("integer", minimum=0),
                "max_occurrences": nullable("integer", minimum=1),
                "grid": {"type": ["object", "null"]},
                "show_grid_by_default": boolean(),
                "default_value": {},
            },
            "required": ["category", "id", "label", "children"],
        },
        "tuple": {
            "type": "object",
            "properties": {
                "category": {"const": "tuple"},
                **common,
                "children": {"type": "array", "items": ref("table_datapoint")},
            },
            "required": ["category", "id", "label", "children"],
        },
    }
