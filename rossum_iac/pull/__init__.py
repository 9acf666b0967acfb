"""Pull: an organization (or part of it) -> a stack of manifests that validates and plans empty.

``read_and_pull`` reads the organization through the client (list endpoints only, as ``plan`` does) and returns a
``Pulled`` stack in memory; ``write_stack`` writes it to a directory (atomically). ``pull --adopt`` then records
ownership through the engine (``rossum_iac.engine.adopt_pulled``), so that the next ``plan`` says "No changes.".
What pull writes for each kind, and leaves out, is described in ``convert`` and docs/pull.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.identity import Marker, organization_registries
from rossum_iac.engine.live import APIClient, LiveObject, LiveState, read_live
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KIND_NAMES, KINDS, Identity
from rossum_iac.pull.convert import Converter, Notes, PulledObject, PullError, RefIndex, SecretVar
from rossum_iac.pull.keys import assign_keys, slugify
from rossum_iac.pull.select import Selection, parse_kinds, references, select

__all__ = [
    "PullError",
    "Pulled",
    "PulledObject",
    "SecretVar",
    "Selection",
    "build_pull",
    "parse_kinds",
    "read_and_pull",
]


@dataclass
class Pulled:
    """A pulled stack, before it is written."""

    stack: str
    organization: dict[str, Any]
    objects: list[PulledObject] = field(default_factory=list)
    skipped: list[tuple[LiveObject, str]] = field(default_factory=list)
    """Objects left out, with why (owned by another stack, a queue's default template as created...)."""
    notes: Notes = field(default_factory=Notes)

    @property
    def files(self) -> dict[str, str]:
        """Every file of the stack: path relative to the stack directory -> text (YAML rendered here)."""
        from rossum_iac.pull.yaml_out import dump_document, dump_stack_file

        out = {"rossum.yaml": dump_stack_file(self.stack)}
        for obj in self.objects:
            out[obj.path] = dump_document(obj.document)
            out.update(obj.files)
        return out

    def summary(self) -> dict[str, Any]:
        """The machine-readable summary (``pull --json``); no secret value."""
        return {
            "stack": self.stack,
            "organization": {"id": self.organization.get("id"), "name": self.organization.get("name")},
            "objects": [
                {"address": o.address, "id": o.live.id, "name": o.live.name, "file": o.path, "owned": o.owned}
                for o in self.objects
            ],
            "skipped": [{"kind": o.kind, "id": o.id, "name": o.name, "reason": why} for o, why in self.skipped],
            "secrets": [{"name": s.name, "address": s.address, "field": s.path} for s in self.notes.secrets],
            "left_out": [{"address": a, "field": f, "reason": why} for a, f, why in self.notes.left_out],
        }


async def read_and_pull(client: APIClient, stack: str, selection: Selection | None = None) -> Pulled:
    """Read the organization (list endpoints only) and pull ``selection`` of it as stack ``stack``."""
    live = await read_live(client)
    return build_pull(live, stack, selection or Selection())


def ownership_records(live: LiveState) -> dict[str, tuple[str, str]]:
    """URL tail -> (stack, key) for every live object some stack owns."""
    out: dict[str, tuple[str, str]] = {}
    recorded_in_queues = [k for k in KINDS.values() if k.identity is Identity.QUEUE_RECORD]
    for obj in live:
        if not KINDS[obj.kind].has_metadata:
            continue
        marker = Marker.parse(obj.metadata)
        if marker is None:
            continue
        out.setdefault(obj.tail, (marker.stack, marker.key))
        for kind in recorded_in_queues:
            children = {child.id: child for child in live.of_kind(kind.name)}
            for key, entry in marker.records_of(kind.collection).items():
                child = children.get(entry.id)
                parent = str(child.data.get(kind.parent_field or "") or "") if child is not None else ""
                if child is not None and url_tail(parent) == obj.tail:
                    out.setdefault(child.tail, (marker.stack, key))
    for kind in KINDS.values():
        if kind.identity is not Identity.ORGANIZATION_RECORD:
            continue
        for owner, entries in organization_registries(live.organization, kind.collection).items():
            for key, entry in entries.items():
                out.setdefault(f"{kind.collection}/{entry.id}", (owner, key))
    return out


def build_pull(live: LiveState, stack: str, selection: Selection) -> Pulled:
    result = Pulled(stack, dict(live.organization))
    records = ownership_records(live)
    taken: list[LiveObject] = []
    as_created: list[tuple[LiveObject, str]] = []
    selected = select(live, selection, owned={tail for tail, (owner, _) in records.items() if owner == stack})
    if selection.is_everything:
        result.skipped.extend(_unreferenced(live, selected))
    for obj in selected:
        owner = records.get(obj.tail)
        if owner is not None and owner[0] != stack:
            result.skipped.append((obj, f"owned by stack {owner[0]!r}"))
            continue
        kind = KINDS[obj.kind]
        reason = kind.pull_skip(obj.data) if owner is None and kind.pull_skip else None
        if reason is not None:
            as_created.append((obj, reason))
            continue
        taken.append(obj)
    taken, left_out = _with_referenced(taken, as_created)
    result.skipped.extend(left_out)
    taken = _drop_dependents(taken, result.skipped)
    keys = _keys(taken, records, stack)
    index = RefIndex()
    objects = [PulledObject(obj, keys[obj.tail], owned=obj.tail in records) for obj in taken]
    for pulled in objects:
        index.add(pulled.live, pulled.key)
    converter = Converter(index, result.notes, live.catalog_urls())
    for pulled in objects:
        converter.convert(pulled)
    result.objects = objects
    return result


def _unreferenced(live: LiveState, selected: list[LiveObject]) -> list[tuple[LiveObject, str]]:
    """Users and engines a pull of everything leaves out because nothing it takes refers to them."""
    taken = {obj.tail for obj in selected}
    return [
        (obj, f"nothing pulled refers to it; --kinds {obj.kind} pulls every one")
        for obj in live
        if KINDS[obj.kind].pull_when_referenced and obj.tail not in taken and not obj.is_deleting
    ]


def _with_referenced(
    taken: list[LiveObject], as_created: list[tuple[LiveObject, str]]
) -> tuple[list[LiveObject], list[tuple[LiveObject, str]]]:
    """Objects pull leaves out while they are as the API created them (a queue's default trigger) are pulled after
    all when a pulled object refers to them (a changed template linked to that trigger)."""
    waiting = {obj.tail: (obj, why) for obj, why in as_created}
    pending = list(taken)
    while pending:
        for tail in references(pending.pop()):
            found = waiting.pop(tail, None)
            if found is not None:
                taken.append(found[0])
                pending.append(found[0])
    order = {kind: i for i, kind in enumerate(KIND_NAMES)}
    taken.sort(key=lambda o: (order[o.kind], o.id))
    return taken, list(waiting.values())


def _drop_dependents(taken: list[LiveObject], skipped: list[tuple[LiveObject, str]]) -> list[LiveObject]:
    """Objects that refer to a skipped object cannot be written (their reference has no key): skip them too."""
    gone = {obj.tail: obj for obj, _ in skipped}
    while True:
        kept: list[LiveObject] = []
        for obj in taken:
            missing = next((t for t in references(obj) if t in gone), None)
            if missing is None:
                kept.append(obj)
                continue
            skipped.append((obj, f"refers to {gone[missing].describe()}, which is not pulled"))
            gone[obj.tail] = obj
        if len(kept) == len(taken):
            return kept
        taken = kept


def _keys(taken: list[LiveObject], records: dict[str, tuple[str, str]], stack: str) -> dict[str, str]:
    """URL tail -> key: owned objects keep theirs, the others get theirs from their names (see ``keys``)."""
    out: dict[str, str] = {}
    for kind_name in KIND_NAMES:
        kind = KINDS[kind_name]
        objects = [o for o in taken if o.kind == kind_name]
        owned = {records[o.tail][1]: o.id for o in objects if o.tail in records and records[o.tail][0] == stack}
        for obj in objects:
            if obj.tail in records:
                out[obj.tail] = records[obj.tail][1]
        wanted: list[tuple[int, str]] = []
        for obj in objects:
            if obj.tail in out:
                continue
            if kind.singleton:
                out[obj.tail] = kind.name.lower()
                continue
            slug = slugify(obj.name or "", kind.describe().replace(" ", "-"))
            parent = kind.parent_field
            if parent is not None:
                parent_key = out.get(url_tail(str(obj.data.get(parent) or "")))
                if parent_key is not None:
                    slug = slugify(f"{parent_key}-{slug}", slug)
            wanted.append((obj.id, slug))
        by_id = assign_keys(wanted, owned)
        for obj in objects:
            if obj.tail not in out:
                out[obj.tail] = by_id[obj.id]
    return out
