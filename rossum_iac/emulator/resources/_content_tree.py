"""Annotation data (the content tree of an annotation): building, editing, flattening.

Pure functions over JSON-like dicts; no HTTP, no storage. Used by the annotation content endpoints,
uploads (initial tree), search (datapoint values) and exports.

Choices where the reference is silent (documented here once):

* The tree is built from the queue's schema when the annotation is created and is not re-shaped when
  the schema changes later (the real API re-shapes; the emulator does not).
* Initial datapoint value: the first of the datapoint's ``rir_field_names`` found in the supplied values
  (``upload:*``, ``emails_import:*``, ``email_header:*``, ``email_body:*`` ...), else the schema's
  ``default_value``, else ``""``. Multivalues start with ``min_occurrences`` empty rows (default 0).
* ``validation_sources`` start empty (``["NA"]`` for buttons, whose ``content`` is ``null``).
* ``normalized_value`` is derived from ``value``: numbers as a JSON-number string, dates as ISO
  ``YYYY-MM-DD`` (parsed with the datapoint's ``format`` or ISO), other types unchanged; ``""`` when
  the value cannot be normalized.
* PATCH of the whole content merges: nodes are matched by ``id`` (or, when absent, by ``schema_id``
  among the siblings of a non-multivalue parent); multivalue rows without ``id`` are appended; nodes
  not mentioned are preserved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

JSON = dict[str, Any]
NodeUrl = Callable[[int], str | None]
NewId = Callable[[], int]

DATAPOINT_CONTENT_KEYS = (
    "value",
    "normalized_value",
    "page",
    "position",
    "rir_text",
    "rir_raw_text",
    "rir_page",
    "rir_position",
    "rir_confidence",
    "connector_text",
    "connector_position",
    "ocr_text",
    "ocr_raw_text",
    "ocr_position",
)
# Attributes a client may change on a datapoint (bulk "replace", node PATCH).
WRITABLE_CONTENT_KEYS = ("value", "normalized_value", "position", "page")
WRITABLE_NODE_KEYS = ("validation_sources", "hidden", "options", "no_recalculation", "time_spent", "time_spent_overall")
MAX_VALUE_LENGTH = 1500


class ContentError(ValueError):
    """A client error in an annotation-data request (mapped to HTTP 400 by the caller)."""


# --------------------------------------------------------------------------- schema helpers


def schema_index(schema_content: list[JSON]) -> dict[str, JSON]:
    """Map every schema node id (section, multivalue, tuple, datapoint) to its schema node."""
    index: dict[str, JSON] = {}

    def walk(node: JSON) -> None:
        if not isinstance(node, dict):
            return
        node_id = node.get("id")
        if isinstance(node_id, str):
            index[node_id] = node
        children = node.get("children")
        if isinstance(children, dict):
            walk(children)
        elif isinstance(children, list):
            for child in children:
                walk(child)

    for section in schema_content or []:
        walk(section)
    return index


def schema_datapoints(schema_content: list[JSON]) -> list[JSON]:
    """All datapoint schema nodes in document order (header fields and table columns)."""
    return [node for node in _iter_schema(schema_content) if node.get("category") == "datapoint"]


def _iter_schema(schema_content: list[JSON]) -> Iterator[JSON]:
    def walk(node: Any) -> Iterator[JSON]:
        if not isinstance(node, dict):
            return
        yield node
        children = node.get("children")
        if isinstance(children, dict):
            yield from walk(children)
        elif isinstance(children, list):
            for child in children:
                yield from walk(child)

    for section in schema_content or []:
        yield from walk(section)


# --------------------------------------------------------------------------- value normalization

_DATE_TOKENS = (("YYYY", "%Y"), ("YY", "%y"), ("MM", "%m"), ("DD", "%d"), ("M", "%m"), ("D", "%d"))


def _date_format_to_strptime(fmt: str) -> str:
    out = ""
    i = 0
    while i < len(fmt):
        for token, directive in _DATE_TOKENS:
            if fmt.startswith(token, i):
                out += directive
                i += len(token)
                break
        else:
            out += fmt[i].replace("%", "%%")
            i += 1
    return out


def normalize_value(value: Any, schema_node: JSON | None) -> str:
    """The ``normalized_value`` for ``value`` of a datapoint described by ``schema_node``."""
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    dp_type = (schema_node or {}).get("type")
    if dp_type == "number":
        return _normalize_number(text)
    if dp_type == "date":
        return _normalize_date(text, (schema_node or {}).get("format"))
    return text


def _normalize_number(text: str) -> str:
    cleaned = re.sub(r"[\s\u00a0']", "", text)
    if "," in cleaned and "." in cleaned:
        # The right-most separator is the decimal one.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        head, _, tail = cleaned.rpartition(",")
        cleaned = cleaned.replace(",", "") if len(tail) == 3 and head else head.replace(",", "") + "." + tail
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return ""
    if not number.is_finite():
        return ""
    normalized = format(number.normalize(), "f")
    return "0" if normalized in ("-0", "") else normalized


def _normalize_date(text: str, fmt: Any) -> str:
    candidates = []
    if isinstance(fmt, str) and fmt:
        candidates.append(_date_format_to_strptime(fmt))
    candidates += ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y"]
    for pattern in candidates:
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except (ValueError, OverflowError):
            continue
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except (ValueError, OverflowError):
        return ""


# --------------------------------------------------------------------------- building


def _empty_content(value: str, normalized: str) -> JSON:
    content: JSON = dict.fromkeys(DATAPOINT_CONTENT_KEYS)
    content["value"] = value
    content["normalized_value"] = normalized
    return content


def initial_value(schema_node: JSON, values: dict[str, Any]) -> str:
    for name in schema_node.get("rir_field_names") or []:
        if name in values and values[name] is not None:
            return str(values[name])
    default = schema_node.get("default_value")
    return "" if default is None else str(default)


def new_datapoint(schema_node: JSON, new_id: NewId, node_url: NodeUrl, value: str | None = None) -> JSON:
    node_id = new_id()
    is_button = schema_node.get("type") == "button"
    if is_button:
        content: JSON | None = None
    else:
        raw = "" if value is None else value
        content = _empty_content(raw, normalize_value(raw, schema_node))
    return {
        "id": node_id,
        "url": node_url(node_id),
        "schema_id": schema_node["id"],
        "category": "datapoint",
        "content": content,
        "validation_sources": ["NA"] if is_button else [],
        "time_spent": 0,
        "time_spent_overall": 0,
        "hidden": bool(schema_node.get("hidden", False)),
    }


def new_row(row_schema: JSON, new_id: NewId, node_url: NodeUrl) -> JSON:
    """An empty multivalue row: a tuple with all its columns, or a single datapoint."""
    if row_schema.get("category") == "tuple":
        node_id = new_id()
        children = [
            new_datapoint(child, new_id, node_url)
            for child in row_schema.get("children") or []
            if isinstance(child, dict) and child.get("category") == "datapoint"
        ]
        return {
            "id": node_id,
            "url": node_url(node_id),
            "schema_id": row_schema["id"],
            "category": "tuple",
            "children": children,
            "hidden": bool(row_schema.get("hidden", False)),
        }
    return new_datapoint(row_schema, new_id, node_url)


def build_content(schema_content: list[JSON], new_id: NewId, node_url: NodeUrl, values: dict[str, Any]) -> list[JSON]:
    """The initial annotation data for a schema (see the module docstring for the value rules)."""

    def build(node: JSON) -> JSON | None:
        category = node.get("category")
        if category == "datapoint":
            return new_datapoint(node, new_id, node_url, initial_value(node, values))
        if category == "multivalue":
            node_id = new_id()
            row_schema = node.get("children")
            rows: list[JSON] = []
            if isinstance(row_schema, dict):
                rows = [new_row(row_schema, new_id, node_url) for _ in range(int(node.get("min_occurrences") or 0))]
            return {
                "id": node_id,
                "url": node_url(node_id),
                "schema_id": node["id"],
                "category": "multivalue",
                "children": rows,
                "grid": None,
                "time_spent": 0,
                "time_spent_overall": 0,
                "hidden": bool(node.get("hidden", False)),
            }
        if category in ("section", "tuple"):
            node_id = new_id()
            children = [built for child in node.get("children") or [] if (built := build(child)) is not None]
            return {
                "id": node_id,
                "url": node_url(node_id),
                "schema_id": node["id"],
                "category": category,
                "children": children,
            }
        return None

    return [built for section in schema_content or [] if isinstance(section, dict) and (built := build(section))]


# --------------------------------------------------------------------------- traversal


def iter_nodes(content: list[JSON]) -> Iterator[tuple[JSON, JSON | None]]:
    """Yield ``(node, parent)`` for every node of the tree (parent ``None`` for sections)."""
    stack: list[tuple[JSON, JSON | None]] = [(node, None) for node in reversed(content)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        children = node.get("children")
        if isinstance(children, list):
            stack.extend((child, node) for child in reversed(children))


def find_node(content: list[JSON], node_id: Any) -> tuple[JSON, JSON | None]:
    wanted = _as_node_id(node_id)
    for node, parent in iter_nodes(content):
        if node.get("id") == wanted:
            return node, parent
    raise ContentError(f"Datapoint {node_id} not found in this annotation.")


def _as_node_id(node_id: Any) -> int:
    try:
        return int(node_id)
    except (TypeError, ValueError):
        raise ContentError(f"Invalid datapoint id {node_id!r}: expected an integer.") from None


def datapoint_values(content: list[JSON]) -> dict[str, list[JSON]]:
    """``schema_id`` -> list of datapoint ``content`` dicts (several for table columns)."""
    result: dict[str, list[JSON]] = {}
    for node, _parent in iter_nodes(content):
        if node.get("category") == "datapoint":
            result.setdefault(node.get("schema_id", ""), []).append(node.get("content") or {})
    return result


def datapoints(content: list[JSON]) -> list[JSON]:
    return [node for node, _parent in iter_nodes(content) if node.get("category") == "datapoint"]


# --------------------------------------------------------------------------- editing


def apply_datapoint_update(node: JSON, update: JSON, schema_node: JSON | None, *, strict: bool) -> None:
    """Update a datapoint from a request payload ``{"content": {...}, "validation_sources": ...}``.

    ``strict`` restricts the keys to those documented for bulk ``replace``; otherwise (node PATCH)
    unknown keys are ignored as well, but read-only content keys are never written.
    """
    if node.get("category") != "datapoint":
        raise ContentError(f"Node {node.get('id')} is a {node.get('category')}; only datapoints can be updated.")
    if not isinstance(update, dict):
        raise ContentError("Datapoint update must be a JSON object.")
    new_content = update.get("content")
    if new_content is not None:
        if not isinstance(new_content, dict):
            raise ContentError("'content' must be a JSON object.")
        if node.get("content") is None:
            node["content"] = _empty_content("", "")
        target = node["content"]
        if "value" in new_content:
            value = new_content["value"]
            value = "" if value is None else str(value)
            if len(value) > MAX_VALUE_LENGTH:
                raise ContentError(f"Datapoint value exceeds {MAX_VALUE_LENGTH} characters.")
            target["value"] = value
            target["normalized_value"] = normalize_value(value, schema_node)
        elif "normalized_value" in new_content:
            normalized = new_content["normalized_value"]
            target["normalized_value"] = "" if normalized is None else str(normalized)
            target["value"] = target["normalized_value"]
        for key in ("position", "page"):
            if key in new_content:
                target[key] = new_content[key]
    for key in WRITABLE_NODE_KEYS:
        if key in update:
            if strict and key in ("no_recalculation", "time_spent", "time_spent_overall"):
                continue
            if key == "validation_sources" and not isinstance(update[key], list):
                raise ContentError("'validation_sources' must be a list.")
            node[key] = update[key]


def _fill_row(row: JSON, data: Any, default_sources: list[Any] | None, schema: dict[str, JSON]) -> None:
    """Fill a freshly created row from ``add`` operation data."""
    if row["category"] == "tuple":
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise ContentError("'add' to a table expects a list of datapoints with 'schema_id'.")
        by_schema = {child["schema_id"]: child for child in row["children"]}
        for item in data:
            if not isinstance(item, dict) or not isinstance(item.get("schema_id"), str):
                raise ContentError("Every datapoint added to a table row needs a 'schema_id'.")
            child = by_schema.get(item["schema_id"])
            if child is None:
                raise ContentError(f"Schema id {item['schema_id']!r} is not a column of {row['schema_id']!r}.")
            apply_datapoint_update(child, item, schema.get(child["schema_id"]), strict=True)
        if default_sources is not None:
            for child in row["children"]:
                if not any(
                    isinstance(i, dict) and i.get("schema_id") == child["schema_id"] and "validation_sources" in i
                    for i in data
                ):
                    child["validation_sources"] = list(default_sources)
    else:
        if isinstance(data, list):
            if len(data) != 1:
                raise ContentError("'add' to a simple multivalue expects one datapoint object.")
            data = data[0]
        if data is not None:
            apply_datapoint_update(row, data, schema.get(row["schema_id"]), strict=True)
        if default_sources is not None and not (isinstance(data, dict) and "validation_sources" in data):
            row["validation_sources"] = list(default_sources)


def apply_operations(
    content: list[JSON], operations: Any, schema_content: list[JSON], new_id: NewId, node_url: NodeUrl
) -> None:
    """Apply bulk ``replace`` / ``add`` / ``remove`` operations in order (all or nothing: the
    caller discards ``content`` when this raises)."""
    if not isinstance(operations, list):
        raise ContentError("'operations' must be a list.")
    schema = schema_index(schema_content)
    for position, op in enumerate(operations):
        if not isinstance(op, dict):
            raise ContentError(f"operations[{position}] must be an object.")
        kind = op.get("op")
        if "id" not in op:
            raise ContentError(f"operations[{position}]: 'id' is required.")
        node, parent = find_node(content, op.get("id"))
        if kind == "replace":
            apply_datapoint_update(node, op.get("value") or {}, schema.get(node.get("schema_id", "")), strict=True)
        elif kind == "add":
            if node.get("category") != "multivalue":
                raise ContentError(
                    f"operations[{position}]: 'add' needs a multivalue id, got a {node.get('category')}."
                )
            multivalue_schema = schema.get(node.get("schema_id", ""))
            row_schema = (multivalue_schema or {}).get("children")
            if not isinstance(row_schema, dict):
                raise ContentError(f"operations[{position}]: multivalue {node.get('schema_id')!r} has no row schema.")
            max_rows = (multivalue_schema or {}).get("max_occurrences")
            if isinstance(max_rows, int) and len(node["children"]) >= max_rows:
                raise ContentError(f"operations[{position}]: multivalue already has max_occurrences={max_rows} rows.")
            row = new_row(row_schema, new_id, node_url)
            sources = op.get("validation_sources")
            if sources is not None and not isinstance(sources, list):
                raise ContentError(f"operations[{position}]: 'validation_sources' must be a list.")
            _fill_row(row, op.get("value"), sources, schema)
            node["children"].append(row)
        elif kind == "remove":
            if parent is None or parent.get("category") != "multivalue":
                raise ContentError(f"operations[{position}]: only multivalue children can be removed.")
            parent["children"] = [child for child in parent["children"] if child is not node]
        else:
            raise ContentError(f"operations[{position}]: unknown op {kind!r} (expected replace, add or remove).")


def merge_content(
    content: list[JSON], patch: Any, schema_content: list[JSON], new_id: NewId, node_url: NodeUrl
) -> None:
    """PATCH semantics for ``/annotations/{id}/content`` (see module docstring)."""
    if not isinstance(patch, list):
        raise ContentError("'content' must be a list of sections.")
    schema = schema_index(schema_content)
    by_id = {node["id"]: node for node, _ in iter_nodes(content) if "id" in node}

    def match(siblings: list[JSON], item: JSON, allow_schema_match: bool) -> JSON | None:
        if "id" in item and item["id"] is not None:
            found = by_id.get(_as_node_id(item["id"]))
            if found is None:
                raise ContentError(f"Datapoint {item['id']} not found in this annotation.")
            return found
        if allow_schema_match and isinstance(item.get("schema_id"), str):
            for sibling in siblings:
                if sibling.get("schema_id") == item["schema_id"]:
                    return sibling
        return None

    def merge_node(target: JSON, item: JSON) -> None:
        category = target.get("category")
        if category == "datapoint":
            apply_datapoint_update(target, item, schema.get(target.get("schema_id", "")), strict=False)
            return
        children = item.get("children")
        if children is None:
            return
        if not isinstance(children, list):
            raise ContentError(f"'children' of {target.get('schema_id')!r} must be a list.")
        if category == "multivalue":
            row_schema = (schema.get(target.get("schema_id", "")) or {}).get("children")
            for child_item in children:
                if not isinstance(child_item, dict):
                    raise ContentError("Content nodes must be JSON objects.")
                existing = match(target["children"], child_item, allow_schema_match=False)
                if existing is None:
                    if not isinstance(row_schema, dict):
                        raise ContentError(f"Multivalue {target.get('schema_id')!r} has no row schema.")
                    existing = new_row(row_schema, new_id, node_url)
                    target["children"].append(existing)
                merge_node(existing, child_item)
            return
        for child_item in children:
            if not isinstance(child_item, dict):
                raise ContentError("Content nodes must be JSON objects.")
            existing = match(target["children"], child_item, allow_schema_match=True)
            if existing is None:
                raise ContentError(f"Node {child_item.get('schema_id') or child_item.get('id')!r} not found.")
            merge_node(existing, child_item)

    for section_item in patch:
        if not isinstance(section_item, dict):
            raise ContentError("Content nodes must be JSON objects.")
        section = match(content, section_item, allow_schema_match=True)
        if section is None:
            raise ContentError(f"Section {section_item.get('schema_id') or section_item.get('id')!r} not found.")
        merge_node(section, section_item)


# --------------------------------------------------------------------------- export shape


def export_tree(content: list[JSON], schema_content: list[JSON]) -> list[JSON]:
    """The content tree in export shape: ``{"category","schema_id","value","type","rir_confidence"}``
    for datapoints; datapoints with ``can_export: false`` are left out."""
    schema = schema_index(schema_content)

    def convert(node: JSON) -> JSON | None:
        category = node.get("category")
        schema_node = schema.get(node.get("schema_id", "")) or {}
        if category == "datapoint":
            if schema_node.get("can_export") is False:
                return None
            dp_content = node.get("content") or {}
            return {
                "category": "datapoint",
                "schema_id": node.get("schema_id"),
                "value": dp_content.get("value"),
                "type": schema_node.get("type"),
                "rir_confidence": dp_content.get("rir_confidence"),
            }
        children = [converted for child in node.get("children") or [] if (converted := convert(child)) is not None]
        return {"category": category, "schema_id": node.get("schema_id"), "children": children}

    return [converted for section in content if (converted := convert(section)) is not None]
