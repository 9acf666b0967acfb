"""Natural twins: unmanaged live objects that a manifest object would duplicate if apply created it.

A twin has the manifest object's kind and the same values in the kind's ``natural_key`` fields (a queue: name and
workspace; an email template: name and queue; an inbox: its queue...). References compare by object: a manifest
reference to an object that does not exist yet matches only when that object has exactly one twin itself, so
``import --match`` can take over a whole workspace-queue-inbox chain in one run.

``plan`` warns about every create with a twin (it names the live object and the ``import`` command); ``import
--match`` adopts every manifest object with exactly one twin and lists the ambiguous ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.compare import as_set
from rossum_iac.engine.identity import Ownership
from rossum_iac.engine.live import LiveObject
from rossum_iac.engine.resolve import UNKNOWN, Resolver, contains_unknown, desired_view
from rossum_iac.kinds import KINDS
from rossum_iac.manifest.model import Stack


@dataclass
class Twins:
    found: dict[str, list[LiveObject]] = field(default_factory=dict)
    """Manifest address -> its unmanaged twins (only addresses with at least one)."""

    @property
    def unique(self) -> dict[str, LiveObject]:
        return {address: twins[0] for address, twins in self.found.items() if len(twins) == 1}

    @property
    def ambiguous(self) -> dict[str, list[LiveObject]]:
        return {address: twins for address, twins in self.found.items() if len(twins) > 1}


def import_command(address: str, obj: LiveObject) -> str:
    return f"rossum-iac import {address} {obj.id}"


def find_twins(stack: Stack, ownership: Ownership, base: Resolver) -> Twins:
    """Twins of every manifest object this stack does not own yet, in dependency order."""
    resolver = Resolver(dict(base.by_address), dict(base.by_tail))
    candidates: dict[str, list[LiveObject]] = {}
    for obj in ownership.unmanaged:
        candidates.setdefault(obj.kind, []).append(obj)
    taken: set[str] = set()
    result = Twins()
    for kind in KINDS.values():
        for desired in stack.of_kind(kind.name):
            if desired.address in ownership.owned:
                continue
            wanted = _natural_values(kind.name, desired.fields, resolver)
            if wanted is None:
                continue
            twins = [
                obj
                for obj in candidates.get(kind.name, [])
                if obj.tail not in taken and _live_values(kind.name, obj, resolver) == wanted
            ]
            if not twins:
                continue
            result.found[desired.address] = twins
            if len(twins) == 1:
                taken.add(twins[0].tail)
                resolver.bind(desired.address, twins[0].id, twins[0].url)
    return result


def _natural_values(kind: str, fields: Mapping[str, Any], resolver: Resolver) -> tuple[Any, ...] | None:
    """The manifest object's natural key, or None if it cannot be known yet (a reference to a new object)."""
    values: list[Any] = []
    spec = KINDS[kind]
    for name in spec.natural_key:
        value = desired_view(fields.get(name), resolver, reveal=False)
        field_spec = spec.fields.get(name)
        if field_spec is not None and field_spec.ref is not None:
            refs = value if isinstance(value, list) else [value]
            urls = [resolver.url_of_address(r) if isinstance(r, str) else r for r in refs]
            if any(u is UNKNOWN for u in urls):
                return None
            value = as_set([resolver.live_ref(u) for u in urls]) if field_spec.many else resolver.live_ref(urls[0])
        if value is UNKNOWN or contains_unknown(value):
            return None
        values.append(value)
    return tuple(values)


def _live_values(kind: str, obj: LiveObject, resolver: Resolver) -> tuple[Any, ...]:
    values: list[Any] = []
    spec = KINDS[kind]
    for name in spec.natural_key:
        value = obj.data.get(name)
        field_spec = spec.fields.get(name)
        if field_spec is not None and field_spec.ref is not None:
            value = as_set([resolver.live_ref(v) for v in value or []]) if field_spec.many else resolver.live_ref(value)
        values.append(value)
    return tuple(values)
