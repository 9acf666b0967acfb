"""Annotation data (the content tree) for people: an outline for display and ``--set`` edits.

Nodes are ``{"id", "schema_id", "category", "children" | "content": {"value": ...}}`` (reference
"Annotation Data"). Categories: ``section`` > ``datapoint`` | ``multivalue`` > (``tuple`` > ``datapoint``) |
``datapoint``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.errors import RossumIacError

MAX_VALUE_LENGTH = 1500
"""The API's limit on a datapoint value."""


class ContentEditError(RossumIacError):
    """A ``--set`` assignment that cannot be applied to this annotation's content."""


@dataclass
class Outline:
    """One line of the displayed tree and the lines below it."""

    label: str
    children: list[Outline] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "children": [c.to_json() for c in self.children]}


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    children = node.get("children")
    return [c for c in children if isinstance(c, Mapping)] if isinstance(children, list) else []


def datapoint_value(node: Mapping[str, Any]) -> Any:
    content = node.get("content")
    return content.get("value") if isinstance(content, Mapping) else None


def display_value(value: Any, width: int = 80) -> str:
    """A value on one line: empty values as ``(empty)``, line breaks as spaces, long values cut with ``…``."""
    if value is None or value == "":
        return "(empty)"
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def iter_datapoints(content: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every datapoint node of the tree, in document order (table cells included)."""
    stack = list(reversed([n for n in content if isinstance(n, Mapping)]))
    while stack:
        node = stack.pop()
        if node.get("category") == "datapoint":
            yield node
        stack.extend(reversed(_children(node)))


def outline(content: Sequence[Mapping[str, Any]], width: int = 80) -> list[Outline]:
    """The content tree as display lines: sections, ``schema_id: value`` for fields, tables as rows."""
    return [_outline_node(node, width) for node in content if isinstance(node, Mapping)]


def _outline_node(node: Mapping[str, Any], width: int) -> Outline:
    schema_id = str(node.get("schema_id") or "?")
    category = node.get("category")
    if category == "datapoint":
        return Outline(f"{schema_id}: {display_value(datapoint_value(node), width)}")
    children = _children(node)
    if category == "multivalue":
        rows = []
        for index, row in enumerate(children, start=1):
            if row.get("category") == "tuple":
                cells = [_outline_node(cell, width) for cell in _children(row)]
                rows.append(Outline(f"row {index}", cells))
            else:
                rows.append(Outline(f"[{index}] {display_value(datapoint_value(row), width)}"))
        noun = "row" if len(children) == 1 else "rows"
        return Outline(f"{schema_id} ({len(children)} {noun})", rows)
    return Outline(schema_id, [_outline_node(child, width) for child in children])


def replace_operations(
    content: Sequence[Mapping[str, Any]], assignments: Sequence[tuple[str, str]], annotation_id: int
) -> list[dict[str, Any]]:
    """Bulk ``replace`` operations setting each ``schema_id``'s datapoint value.

    A schema id must name exactly one datapoint: unknown ids and table columns (several datapoints) are an
    error naming the annotation, so nothing is sent for a typo.
    """
    by_schema_id: dict[str, list[Mapping[str, Any]]] = {}
    for node in iter_datapoints(content):
        by_schema_id.setdefault(str(node.get("schema_id")), []).append(node)
    operations: list[dict[str, Any]] = []
    for schema_id, value in assignments:
        nodes = by_schema_id.get(schema_id, [])
        if not nodes:
            known = ", ".join(sorted(by_schema_id)) or "none"
            raise ContentEditError(f"annotation {annotation_id} has no field {schema_id!r} (fields: {known})")
        if len(nodes) > 1:
            raise ContentEditError(
                f"field {schema_id!r} of annotation {annotation_id} is a table column ({len(nodes)} cells); "
                "use 'annotations bulk-update' with the cell ids"
            )
        if len(value) > MAX_VALUE_LENGTH:
            raise ContentEditError(
                f"value of {schema_id!r} is {len(value)} characters; the API accepts at most {MAX_VALUE_LENGTH}"
            )
        operations.append({"op": "replace", "id": nodes[0]["id"], "value": {"content": {"value": value}}})
    return operations
