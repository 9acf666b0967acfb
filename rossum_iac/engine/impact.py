"""What a plan's schema changes break, before they ship: breaking-change warnings of ``plan``.

A schema change breaks something when a datapoint (any node of the content) that an object refers to by its schema
id is removed, renamed (its id changes) or changes type (or category). For every queue whose schema changes with
the plan (its schema's content is updated, or the queue moves to another schema) the old content is the live one
and the new one the manifest's. The objects that refer to the queue's datapoints are:

- the manifests' objects attached to such a queue (rules, hooks, email templates, the queue's own settings) as they
  will be after apply, with the place (file:line:column) of each mention;
- live objects this stack does not manage (unmanaged ones, or another stack's) attached to such a queue: rules
  scoped to it or to every queue, hooks, email templates, and the queue itself when no stack manages it, named by
  object and field.

Mentions are found by ``rossum_iac.manifest.references`` (certain, likely and mere mentions all count here: the id
is known, only exact matches are taken). Each changed id that something uses is one warning
``{type: "breaking", address, schema_id, change, ..., places, message}`` in the plan's ``warnings``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.identity import Ownership
from rossum_iac.engine.live import LiveObject, LiveState
from rossum_iac.engine.plan import Action, ActionType
from rossum_iac.engine.urls import url_tail
from rossum_iac.manifest.code_scan import Language
from rossum_iac.manifest.locate import Locator
from rossum_iac.manifest.model import DesiredObject, Ref, Stack
from rossum_iac.manifest.references import SchemaIdRef, SchemaNode, code_language, find_references, schema_nodes

_CHANGES = (ActionType.CREATE, ActionType.UPDATE, ActionType.REPLACE)
_REFERRERS = ("Queue", "Rule", "Hook", "EmailTemplate")
"""Kinds whose objects are attached to queues and may name their datapoints."""


@dataclass(frozen=True)
class IdChange:
    schema_id: str
    change: str
    """``removed``, ``renamed`` or ``type``."""
    before: SchemaNode
    after: SchemaNode | None = None
    """The node the id becomes (a rename) or the node with the new type."""

    def words(self) -> str:
        what = f"{self.before.category or 'node'} '{self.schema_id}'"
        if self.change == "renamed" and self.after is not None:
            return f"{what} is renamed to '{self.after.id}' (its schema id changes)"
        if self.change == "type" and self.after is not None:
            return f"{what} changes from {_type_words(self.before)} to {_type_words(self.after)}"
        return f"{what} is removed"

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_id": self.schema_id,
            "change": self.change,
            "before": _node_json(self.before),
            "after": _node_json(self.after) if self.after is not None else None,
        }


def _type_words(node: SchemaNode) -> str:
    return f"{node.category} of type {node.type}" if node.type else node.category


def _node_json(node: SchemaNode) -> dict[str, Any]:
    return {"id": node.id, "category": node.category, "type": node.type, "parent": node.parent}


def id_changes(old: Any, new: Any) -> list[IdChange]:
    """Ids of ``old`` content that ``new`` content removes, renames or gives another type or category."""
    before, after = schema_nodes(old), schema_nodes(new)
    added = [node for node_id, node in after.items() if node_id not in before]
    out: list[IdChange] = []
    for node_id, node in before.items():
        now = after.get(node_id)
        if now is None:
            twin = _renamed(node, added)
            out.append(IdChange(node_id, "renamed" if twin else "removed", node, twin))
        elif now.category != node.category or (now.type or None) != (node.type or None):
            out.append(IdChange(node_id, "type", node, now))
    return out


def _renamed(node: SchemaNode, added: list[SchemaNode]) -> SchemaNode | None:
    """The added node that most likely is ``node`` under a new id: the only one with the same parent, category and
    label (a node whose label changes too is taken for a removal and an addition)."""
    same = [n for n in added if n.parent == node.parent and n.category == node.category and n.label == node.label]
    return same[0] if len(same) == 1 and node.label is not None else None


@dataclass
class _Transition:
    """Queues whose datapoints change the same way (same live schema before, same manifest schema after)."""

    address: str
    """The object whose change causes it: the schema, or the queue that moves to another schema."""
    old: Any
    new: Any
    queues: dict[str, str] = field(default_factory=dict)
    """Live URL tail -> how to name the queue (its address, or its tail when no stack manages it)."""


def breaking_warnings(
    stack: Stack, ownership: Ownership, live: LiveState, actions: Mapping[str, Action]
) -> list[dict[str, Any]]:
    """A ``breaking`` warning for every datapoint the plan removes, renames or retypes while something uses it."""
    desired = {obj.address: obj for obj in stack.objects}
    address_of = {owned.live.tail: address for address, owned in ownership.owned.items()}
    transitions = _transitions(live, desired, address_of, actions)
    if not transitions:
        return []
    locator = Locator(stack.root)
    out: list[dict[str, Any]] = []
    for transition in transitions:
        changes = id_changes(transition.old, transition.new)
        if not changes:
            continue
        changed = {c.schema_id: c for c in changes}
        places: dict[str, list[dict[str, Any]]] = {}
        for place, ref in _manifest_places(transition, desired, locator, set(changed)):
            if ref.schema_id in changed:
                _add(places, ref.schema_id, place)
        for place, ref in _live_places(transition, live, address_of, ownership):
            if ref.schema_id in changed:
                _add(places, ref.schema_id, place)
        for schema_id, found in places.items():
            out.append(_warning(transition, changed[schema_id], found))
    return sorted(out, key=lambda w: (w["address"], w["schema_id"]))


def _add(places: dict[str, list[dict[str, Any]]], schema_id: str, place: dict[str, Any]) -> None:
    found = places.setdefault(schema_id, [])
    if place not in found:
        found.append(place)


def _transitions(
    live: LiveState, desired: Mapping[str, DesiredObject], address_of: Mapping[str, str], actions: Mapping[str, Action]
) -> list[_Transition]:
    by_key: dict[tuple[str, str], _Transition] = {}
    for queue in live.of_kind("Queue"):
        if queue.is_deleting:
            continue
        old_schema = live.get(str(queue.data.get("schema") or ""))
        if old_schema is None:
            continue
        queue_address = address_of.get(queue.tail)
        queue_action = actions.get(queue_address) if queue_address else None
        if queue_action is not None and queue_action.action is ActionType.DELETE:
            continue
        target = _target_schema(queue_address, old_schema, desired, address_of)
        if target is None or target not in desired:
            continue
        moves = address_of.get(old_schema.tail) != target
        schema_action = actions.get(target)
        if moves:
            if queue_action is None or queue_action.action not in _CHANGES:
                continue  # not part of this plan (--target)
        elif schema_action is None or schema_action.action not in _CHANGES:
            continue
        cause = queue_address if moves and queue_address else target
        transition = by_key.setdefault(
            (old_schema.tail, target),
            _Transition(cause, old_schema.data.get("content"), desired[target].fields.get("content")),
        )
        transition.queues[queue.tail] = queue_address or queue.tail
    return list(by_key.values())


def _target_schema(
    queue_address: str | None,
    old_schema: LiveObject,
    desired: Mapping[str, DesiredObject],
    address_of: Mapping[str, str],
) -> str | None:
    """The address of the schema a queue will use after apply (None: not one this stack manages)."""
    manifest = desired.get(queue_address) if queue_address else None
    if manifest is not None:
        schema = manifest.fields.get("schema")
        return str(schema) if isinstance(schema, Ref) else None
    return address_of.get(old_schema.tail)


def _refs(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, Ref)]


def _manifest_places(
    transition: _Transition, desired: Mapping[str, DesiredObject], locator: Locator, changed: set[str]
) -> Iterable[tuple[dict[str, Any], SchemaIdRef]]:
    queues = {name for name in transition.queues.values() if name.startswith("Queue/")}
    for address, obj in desired.items():
        if obj.kind not in _REFERRERS:
            continue
        if obj.kind == "Queue":
            attached = address in queues
        elif obj.kind == "EmailTemplate":
            attached = bool(set(_refs(obj.fields.get("queue"))) & queues)
        else:
            targets = _refs(obj.fields.get("queues"))
            attached = bool(set(targets) & queues) or (obj.kind == "Rule" and not obj.fields.get("queues"))
        if not attached:
            continue
        language = code_language(obj.fields)
        for ref in find_references(obj.kind, obj.fields):
            if ref.schema_id not in changed:
                continue
            file, (line, column) = locator.position(obj, ref.path, _finder(ref, language))
            yield (
                {
                    "address": address,
                    "field": ref.field,
                    "strength": ref.strength,
                    "file": str(file),
                    "line": line,
                    "column": column,
                },
                ref,
            )


def _live_places(
    transition: _Transition,
    live: LiveState,
    address_of: Mapping[str, str],
    ownership: Ownership,
) -> Iterable[tuple[dict[str, Any], SchemaIdRef]]:
    owners = {obj.tail: stack for stack, obj in ownership.foreign}
    queues = set(transition.queues)
    for kind in _REFERRERS:
        for obj in live.of_kind(kind):
            if obj.tail in address_of or obj.is_deleting:
                continue  # managed by this stack: its manifest is what counts
            if kind == "Queue":
                attached = obj.tail in queues
            elif kind == "EmailTemplate":
                attached = url_tail(str(obj.data.get("queue") or "")) in queues
            else:
                targets = obj.data.get("queues")
                tails = {url_tail(t) for t in targets if isinstance(t, str)} if isinstance(targets, list) else set()
                attached = bool(tails & queues) or (kind == "Rule" and not targets)
            if not attached:
                continue
            owner = owners.get(obj.tail)
            for ref in find_references(kind, obj.data):
                yield (
                    {
                        "object": obj.describe(),
                        "kind": kind,
                        "id": obj.id,
                        "managed_by": owner,
                        "field": ref.field,
                        "strength": ref.strength,
                    },
                    ref,
                )


def _finder(ref: SchemaIdRef, language: Language) -> Callable[[str], int | None]:
    return lambda text: ref.offset_in(text, language)


def places_text(places: list[dict[str, Any]]) -> str:
    """``rules/po.yaml:6:20 (Rule/po trigger_condition); rule 'Old' (rules/5, not managed by any stack):
    trigger_condition, actions[0].payload.schema_id``: manifest places one by one, live objects with their fields."""
    parts: list[str] = []
    fields: dict[str, list[str]] = {}
    for place in places:
        if "file" in place:
            parts.append(f"{place['file']}:{place['line']}:{place['column']} ({place['address']} {place['field']})")
            continue
        owner = f"managed by stack {place['managed_by']!r}" if place.get("managed_by") else "not managed by any stack"
        head = f"{place['object'][:-1]}, {owner})" if place["object"].endswith(")") else place["object"]
        if head not in fields:
            fields[head] = []
            parts.append(head)
        fields[head].append(place["field"])
    return "; ".join(f"{part}: {', '.join(fields[part])}" if part in fields else part for part in parts)


def _warning(transition: _Transition, change: IdChange, places: list[dict[str, Any]]) -> dict[str, Any]:
    queues = sorted(transition.queues.values())
    cause = transition.address
    if cause.startswith("Queue/"):
        head = f"{cause} moves to another schema, in which {change.words().replace(' is removed', ' is missing')}"
    else:
        head = f"{cause}: {change.words()}"
    used = places_text(places)
    where = f" (queues: {', '.join(queues)})"
    return {
        "type": "breaking",
        "address": cause,
        **change.to_json(),
        "queues": queues,
        "places": places,
        "message": f"{head}{where}, but it is still used: {used}",
    }
