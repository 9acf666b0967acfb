"""Node-level comparison of schema ``content`` trees.

Nodes (sections, multivalues, tuples, datapoints) are identified by their ``id``. A node's attributes compare with
the declared-subset rule of ``compare.matches`` (attributes the server fills in and the manifest does not declare
are not differences). Structure compares by parent and by the order of children.

A node added to existing content carries its attributes (``after``: a new formula is shown in full). A changed
attribute that is a list or mapping (``options``, ``constraints``, ``ui_configuration``) is described by
what changed inside it (``nested``: ``options[value="eur"].label``); a multi-line or long one (``formula``) is
flagged ``text`` for a unified diff.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rossum_iac.engine.compare import matches
from rossum_iac.engine.nested import NestedDiffer, is_whole
from rossum_iac.engine.plan import SchemaChange


@dataclass(frozen=True)
class _Node:
    category: str
    parent: str | None
    attrs: Mapping[str, Any]


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    children = node.get("children")
    if isinstance(children, Mapping):
        return [children]
    if isinstance(children, list):
        return [c for c in children if isinstance(c, Mapping)]
    return []


def flatten(content: Any) -> tuple[dict[str, _Node], dict[str | None, list[str]]]:
    """Every node by id, and the ordered child ids of each parent (``None`` = top level)."""
    nodes: dict[str, _Node] = {}
    order: dict[str | None, list[str]] = {}

    def walk(items: list[Mapping[str, Any]], parent: str | None) -> None:
        for node in items:
            node_id = node.get("id")
            if not isinstance(node_id, str):
                continue
            order.setdefault(parent, []).append(node_id)
            attrs = {k: v for k, v in node.items() if k not in ("children", "id")}
            nodes[node_id] = _Node(str(node.get("category", "")), parent, attrs)
            walk(_children(node), node_id)

    if isinstance(content, list):
        walk([n for n in content if isinstance(n, Mapping)], None)
    return nodes, order


def diff_schema(desired: Any, live: Any, differ: NestedDiffer | None = None) -> list[SchemaChange]:
    """Node-level changes from ``live`` to ``desired`` (the content as written: secrets and references are resolved
    by ``differ`` for comparing, never shown)."""
    differ = differ or NestedDiffer(None)
    want, want_order = flatten(desired)
    have, have_order = flatten(live)
    changes: list[SchemaChange] = []
    for node_id, node in want.items():
        old = have.get(node_id)
        if old is None:
            attrs, _ = differ.shown(dict(node.attrs))  # what the new node will be (secrets masked)
            changes.append(SchemaChange("add", node_id, node.category, parent=node.parent, after=attrs))
            continue
        if old.parent != node.parent:
            changes.append(
                SchemaChange("move", node_id, node.category, parent=node.parent, before=old.parent, after=node.parent)
            )
        for attr, value in node.attrs.items():
            live_value = old.attrs.get(attr)
            if not matches(differ.revealed(value), live_value):
                changes.append(_attribute_change(node_id, node, attr, value, live_value, differ))
    for node_id, node in have.items():
        if node_id not in want:
            changes.append(SchemaChange("remove", node_id, node.category, parent=node.parent))
    for parent, ids in want_order.items():
        if parent is not None and parent not in have:
            continue
        old_ids = [i for i in have_order.get(parent, []) if i in want and want[i].parent == parent]
        new_ids = [i for i in ids if i in have and have[i].parent == parent]
        if old_ids != new_ids:
            category = want[parent].category if parent is not None else "schema"
            changes.append(SchemaChange("reorder", parent or "(top level)", category, before=old_ids, after=new_ids))
    return changes


def _attribute_change(
    node_id: str, node: _Node, attr: str, value: Any, live: Any, differ: NestedDiffer
) -> SchemaChange:
    items = differ.diff(attr, value, live)
    base = SchemaChange("change", node_id, node.category, parent=node.parent, attr=attr)
    if len(items) == 1 and is_whole(items[0], attr):
        item = items[0]
        return dataclasses.replace(base, before=item.before, after=item.after, format=item.format)
    return dataclasses.replace(base, format="nested", items=tuple(items))


def summarize(content: Any) -> str:
    """``2 sections, 14 datapoints, 1 multivalue`` for showing a schema being created."""
    nodes, _ = flatten(content)
    counts: dict[str, int] = {}
    for node in nodes.values():
        counts[node.category] = counts.get(node.category, 0) + 1
    if not counts:
        return "empty"
    return ", ".join(f"{n} {c}{'s' if n != 1 else ''}" for c, n in sorted(counts.items()))
