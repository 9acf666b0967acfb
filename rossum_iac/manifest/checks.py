"""Checks across objects: duplicate keys, dangling references, hook cycles and one-of-a-kind links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rossum_iac.kinds import KINDS
from rossum_iac.manifest.model import DesiredObject, Ref
from rossum_iac.manifest.yaml_io import Pos
from rossum_iac.suggest import suggest

Report = Callable[[Path, Pos, str], None]


@dataclass
class RefSite:
    """Where a reference was written."""

    ref: Ref
    file: Path
    pos: Pos
    field: str


@dataclass
class LoadedObject:
    obj: DesiredObject
    file: Path
    key_pos: Pos
    field_pos: dict[str, Pos] = field(default_factory=dict)
    """Position of each top-level field's value."""
    ref_sites: list[RefSite] = field(default_factory=list)

    def pos_of(self, name: str) -> Pos:
        return self.field_pos.get(name, self.key_pos)


def _where(file: Path, pos: Pos) -> str:
    return f"{file}:{pos[0]}" if pos[0] else str(file)


def check_stack(objects: list[LoadedObject], report: Report) -> None:
    index = _check_duplicates(objects, report)
    _check_references(objects, index, report)
    _check_run_after_cycles(objects, index, report)
    _check_one_inbox_per_queue(objects, report)
    _check_parent_defaults(objects, report)
    _check_singletons(objects, report)


def _check_duplicates(objects: list[LoadedObject], report: Report) -> dict[tuple[str, str], LoadedObject]:
    index: dict[tuple[str, str], LoadedObject] = {}
    for loaded in objects:
        ident = (loaded.obj.kind, loaded.obj.key)
        first = index.get(ident)
        if first is not None:
            report(
                loaded.file,
                loaded.key_pos,
                f"duplicate key: {loaded.obj.kind} '{loaded.obj.key}' is already defined at "
                f"{_where(first.file, first.key_pos)}; keys must be unique per kind",
            )
            continue
        index[ident] = loaded
    return index


def _check_references(objects: list[LoadedObject], index: dict[tuple[str, str], LoadedObject], report: Report) -> None:
    keys_by_kind: dict[str, list[str]] = {}
    for kind, key in index:
        keys_by_kind.setdefault(kind, []).append(key)
    for loaded in objects:
        for site in loaded.ref_sites:
            if (site.ref.kind, site.ref.key) in index:
                continue
            known = keys_by_kind.get(site.ref.kind, [])
            have = f"; defined {site.ref.kind} keys: {', '.join(sorted(known))}" if 0 < len(known) <= 8 else ""
            report(
                site.file,
                site.pos,
                f"{loaded.obj.address} refers to {site.ref.kind} '{site.ref.key}' in {site.field}, but no "
                f"{site.ref.kind} with that key is defined in this stack{suggest(site.ref.key, known)}{have}",
            )


def _check_run_after_cycles(
    objects: list[LoadedObject], index: dict[tuple[str, str], LoadedObject], report: Report
) -> None:
    graph: dict[str, list[str]] = {}
    for loaded in objects:
        if loaded.obj.kind != "Hook":
            continue
        after = loaded.obj.fields.get("run_after")
        targets = [r.key for r in after if isinstance(r, Ref)] if isinstance(after, list) else []
        graph[loaded.obj.key] = [t for t in targets if ("Hook", t) in index]
    seen_cycles: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in graph:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        state[start] = 1
        while stack:
            node, i = stack[-1]
            children = graph.get(node, [])
            if i >= len(children):
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            stack[-1] = (node, i + 1)
            child = children[i]
            if state.get(child) == 1:
                cycle = path[path.index(child) :]
                _report_cycle(cycle, index, seen_cycles, report)
            elif not state.get(child):
                state[child] = 1
                stack.append((child, 0))
                path.append(child)


def _report_cycle(
    cycle: list[str], index: dict[tuple[str, str], LoadedObject], seen: set[tuple[str, ...]], report: Report
) -> None:
    first = cycle.index(min(cycle))
    canonical = tuple(cycle[first:] + cycle[:first])
    if canonical in seen:
        return
    seen.add(canonical)
    loaded = index[("Hook", canonical[0])]
    chain = " -> ".join([*canonical, canonical[0]])
    report(
        loaded.file,
        loaded.pos_of("run_after"),
        f"run_after forms a cycle among hooks: {chain}; a hook cannot (indirectly) run after itself",
    )


def _check_one_inbox_per_queue(objects: list[LoadedObject], report: Report) -> None:
    owner: dict[str, LoadedObject] = {}
    for loaded in objects:
        if loaded.obj.kind != "Inbox":
            continue
        queues = loaded.obj.fields.get("queues")
        for ref in queues if isinstance(queues, list) else []:
            if not isinstance(ref, Ref):
                continue
            first = owner.get(ref.key)
            if first is not None and first is not loaded:
                report(
                    loaded.file,
                    loaded.pos_of("queues"),
                    f"Queue '{ref.key}' already receives email from Inbox '{first.obj.key}' "
                    f"({_where(first.file, first.key_pos)}); a queue has at most one inbox",
                )
            else:
                owner[ref.key] = loaded


def _check_parent_defaults(objects: list[LoadedObject], report: Report) -> None:
    """Each of a queue's own objects (the rejection_default template, the annotation_exported trigger...) may be
    configured once: the engine matches it by queue and type, name or event (``KindDef.default_slot``)."""
    owner: dict[tuple[str, str, str], LoadedObject] = {}
    for loaded in objects:
        kind = KINDS.get(loaded.obj.kind)
        if kind is None or kind.default_slot is None or kind.parent_field is None:
            continue
        slot = kind.default_slot(loaded.obj.fields)
        parent = loaded.obj.fields.get(kind.parent_field)
        if slot is None or not isinstance(parent, Ref):
            continue
        ident = (kind.name, parent.key, slot)
        first = owner.get(ident)
        if first is not None:
            fields = loaded.obj.fields
            decisive = next(
                (n for n in fields if kind.default_slot({k: v for k, v in fields.items() if k != n}) != slot), None
            )
            report(
                loaded.file,
                loaded.pos_of(decisive) if decisive else loaded.key_pos,
                f"the {slot} of {parent.kind} '{parent.key}' is already configured by {kind.name} "
                f"'{first.obj.key}' ({_where(first.file, first.key_pos)}); every queue has exactly one, created by "
                "Rossum with the queue",
            )
        else:
            owner[ident] = loaded


def _check_singletons(objects: list[LoadedObject], report: Report) -> None:
    """A kind the organization has exactly one of (the organization itself) is described at most once."""
    first: dict[str, LoadedObject] = {}
    for loaded in objects:
        kind = KINDS.get(loaded.obj.kind)
        if kind is None or not kind.singleton:
            continue
        earlier = first.setdefault(kind.name, loaded)
        if earlier is not loaded:
            report(
                loaded.file,
                loaded.key_pos,
                f"{kind.name} '{earlier.obj.key}' ({_where(earlier.file, earlier.key_pos)}) already describes the "
                f"{kind.describe()}: there is one, and a stack describes it at most once",
            )
