"""Ownership: which live object is which manifest object (see docs/engine.md, "Identity").

- Kinds with ``metadata`` carry a marker ``metadata["rossum_iac"] = {"stack", "key", "protect"?, "secrets"?}``,
  written in the create request itself.
- Kinds without metadata that belong to one queue (``Identity.QUEUE_RECORD``: email templates, triggers) are
  recorded in their queue's marker, one mapping per collection: ``"email_templates": {key: entry}``,
  ``"triggers": {key: entry}``.
- Organization-wide kinds without metadata (``Identity.ORGANIZATION_RECORD``: rules, labels, engines... and the
  organization itself) are recorded in the organization's metadata, one mapping per collection:
  ``{"rossum_iac": {"rules": {stack: {key: entry}}, "labels": {stack: {key: entry}}}}``.
- An entry is an id, or ``{"id": .., "protect": true, "default": true}``.
- Recovery (a crash between creating such an object and recording it): a desired object without a record adopts an
  unrecorded live one with the same natural identity: for queue records the parent's object the kind's
  ``find_default`` picks (a template: same queue and name, or a default type; a trigger: same queue and event), for
  organization records the same values of the kind's ``natural_key`` (a rule: same name and queues; a label: same
  name). The organization itself (a ``singleton``) is taken over when a manifest describes it and no other stack
  has recorded it.
"""

from __future__ import annotations

import hashlib
import secrets as _secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.fingerprint import canonical_json
from rossum_iac.engine.live import LiveObject, LiveState
from rossum_iac.engine.resolve import Resolver, contains_unknown, desired_view
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KINDS, MARKER_KEY, Identity, KindDef
from rossum_iac.kinds.base import RECORD_HOLDER
from rossum_iac.manifest.model import DesiredObject, Ref, Secret, Stack

ORGANIZATION = "organization"


# --- secrets -------------------------------------------------------------------------------------------------


def secret_text(value: Any) -> str:
    if isinstance(value, Secret):
        return value.value
    if isinstance(value, str):
        return value
    return canonical_json(value)


def hash_secret(value: Any, salt: str | None = None) -> str:
    """``sha256:<salt>:<hex>`` of a secret value (``value`` already resolved: str, or a JSON value)."""
    salt = salt if salt is not None else _secrets.token_hex(8)
    digest = hashlib.sha256((salt + ":" + secret_text(value)).encode()).hexdigest()
    return f"sha256:{salt}:{digest}"


def secret_matches(stored: Any, value: Any) -> bool:
    if not isinstance(stored, str) or stored.count(":") != 2:
        return False
    scheme, salt, _ = stored.split(":")
    return scheme == "sha256" and _secrets.compare_digest(hash_secret(value, salt), stored)


# --- markers and registry entries --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryEntry:
    id: int
    protect: bool = False
    default: bool = False
    """A queue's auto-created email template: leaving the manifests releases it instead of deleting it."""

    def to_json(self) -> Any:
        if not self.protect and not self.default:
            return self.id
        out: dict[str, Any] = {"id": self.id}
        if self.protect:
            out["protect"] = True
        if self.default:
            out["default"] = True
        return out

    @classmethod
    def parse(cls, value: Any) -> RegistryEntry | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if isinstance(value, Mapping) and isinstance(value.get("id"), int):
            return cls(int(value["id"]), bool(value.get("protect")), bool(value.get("default")))
        return None


@dataclass(frozen=True)
class Marker:
    stack: str
    key: str
    protect: bool = False
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Dotted write-only path -> salted hash of the value last written."""
    records: Mapping[str, Mapping[str, RegistryEntry]] = field(default_factory=dict)
    """Queues only: collection of a ``QUEUE_RECORD`` kind (``email_templates``) -> key -> entry."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stack": self.stack, "key": self.key}
        if self.protect:
            out["protect"] = True
        if self.secrets:
            out["secrets"] = dict(sorted(self.secrets.items()))
        for collection, entries in sorted(self.records.items()):
            if entries:
                out[collection] = {k: e.to_json() for k, e in sorted(entries.items())}
        return out

    def records_of(self, collection: str) -> dict[str, RegistryEntry]:
        return dict(self.records.get(collection, {}))

    @classmethod
    def parse(cls, metadata: Mapping[str, Any]) -> Marker | None:
        raw = metadata.get(MARKER_KEY)
        if not isinstance(raw, Mapping) or not isinstance(raw.get("stack"), str) or not isinstance(raw.get("key"), str):
            return None
        secrets = raw.get("secrets") if isinstance(raw.get("secrets"), Mapping) else {}
        records: dict[str, dict[str, RegistryEntry]] = {}
        for collection in QUEUE_RECORD_COLLECTIONS:
            raw_registry = raw.get(collection)
            if not isinstance(raw_registry, Mapping):
                continue
            parsed = {str(k): e for k, v in raw_registry.items() if (e := RegistryEntry.parse(v)) is not None}
            if parsed:
                records[collection] = parsed
        return cls(
            stack=raw["stack"],
            key=raw["key"],
            protect=bool(raw.get("protect")),
            secrets={str(k): str(v) for k, v in (secrets or {}).items()},
            records=records,
        )


QUEUE_RECORD_COLLECTIONS = tuple(k.collection for k in KINDS.values() if k.identity is Identity.QUEUE_RECORD)
"""Keys of a queue's marker that hold records (one per ``QUEUE_RECORD`` kind)."""


def organization_registries(organization: Mapping[str, Any], collection: str) -> dict[str, dict[str, RegistryEntry]]:
    """stack -> key -> entry for one ``ORGANIZATION_RECORD`` collection (``rules``), from the organization's
    metadata (``rossum_iac.<collection>``)."""
    metadata = organization.get("metadata")
    raw = metadata.get(MARKER_KEY) if isinstance(metadata, Mapping) else None
    records = raw.get(collection) if isinstance(raw, Mapping) else None
    out: dict[str, dict[str, RegistryEntry]] = {}
    if isinstance(records, Mapping):
        for stack, entries in records.items():
            if not isinstance(entries, Mapping):
                continue
            parsed = {str(k): e for k, v in entries.items() if (e := RegistryEntry.parse(v)) is not None}
            out[str(stack)] = parsed
    return out


def recorded_kinds(live: LiveState, stack: str) -> set[str]:
    """Kinds without metadata of which ``stack`` records objects, in the organization's metadata or in the markers
    of the queues it manages (as read in ``live``)."""
    out: set[str] = set()
    for kind in KINDS.values():
        if kind.identity is Identity.ORGANIZATION_RECORD and organization_registries(
            live.organization, kind.collection
        ).get(stack):
            out.add(kind.name)
    for queue in live.of_kind(RECORD_HOLDER):
        marker = Marker.parse(queue.metadata)
        if marker is not None and marker.stack == stack:
            out.update(k.name for k in KINDS.values() if marker.records.get(k.collection))
    return out


def with_organization_registry(
    organization_metadata: Mapping[str, Any], collection: str, stack: str, entries: Mapping[str, RegistryEntry]
) -> dict[str, Any]:
    """Organization metadata with this stack's registry of one collection replaced (other keys, collections and
    stacks kept)."""
    metadata = dict(organization_metadata)
    raw = metadata.get(MARKER_KEY)
    raw = dict(raw) if isinstance(raw, Mapping) else {}
    records = raw.get(collection)
    records = dict(records) if isinstance(records, Mapping) else {}
    if entries:
        records[stack] = {k: e.to_json() for k, e in sorted(entries.items())}
    else:
        records.pop(stack, None)
    raw[collection] = records
    metadata[MARKER_KEY] = raw
    return metadata


# --- matching ----------------------------------------------------------------------------------------------


@dataclass
class Owned:
    """A live object this stack owns (or will adopt)."""

    live: LiveObject
    marker: Marker | None = None
    entry: RegistryEntry | None = None
    adopt: str | None = None
    """Why an unrecorded object is taken over: ``adopt_by_name``, ``adopt_default_by_type`` ..."""
    holder: str | None = None
    """Registry holder: the queue address for templates, ``organization`` for rules."""

    @property
    def protect(self) -> bool:
        if self.marker is not None:
            return self.marker.protect
        return bool(self.entry and self.entry.protect)

    @property
    def is_default_template(self) -> bool:
        return bool(self.entry and self.entry.default)


@dataclass
class Ownership:
    stack: str
    owned: dict[str, Owned] = field(default_factory=dict)
    """Address -> live object, for objects in the manifests and orphans (owned, no longer in the manifests)."""
    unmanaged: list[LiveObject] = field(default_factory=list)
    foreign: list[tuple[str, LiveObject]] = field(default_factory=list)
    deleting: list[LiveObject] = field(default_factory=list)
    """Queues scheduled for deletion, soft-deleted users (they no longer count as existing)."""
    warnings: list[str] = field(default_factory=list)

    def resolver(self) -> Resolver:
        resolver = Resolver()
        for address, owned in self.owned.items():
            resolver.bind(address, owned.live.id, owned.live.url)
        return resolver


def match(
    stack: Stack, live: LiveState, adopt: Mapping[str, str] | None = None, adopt_reason: str = "import"
) -> Ownership:
    """Pair live objects with manifest addresses of ``stack`` (and find this stack's orphans).

    ``adopt`` (address -> URL tail) takes over unmanaged objects as those manifest objects: the plan then writes
    their ownership records (``import``, ``pull --adopt``)."""
    result = Ownership(stack.name)
    claimed: set[str] = set()
    markers: dict[str, Marker] = {}
    """URL tail -> marker of every live object that has one and is not being deleted (parsed once)."""

    for kind, spec in KINDS.items():
        if not spec.has_metadata:
            continue
        for obj in live.of_kind(kind):
            if obj.is_deleting:
                result.deleting.append(obj)
                continue
            marker = Marker.parse(obj.metadata)
            if marker is None:
                continue
            markers[obj.tail] = marker
            claimed.add(obj.tail)
            if marker.stack != stack.name:
                result.foreign.append((marker.stack, obj))
                continue
            address = f"{kind}/{marker.key}"
            previous = result.owned.get(address)
            if previous is not None:
                keep, drop = sorted([previous.live, obj], key=lambda o: o.id)
                result.owned[address] = Owned(keep, Marker.parse(keep.metadata))
                result.unmanaged.append(drop)
                result.warnings.append(
                    f"{drop.describe()} carries the same ownership marker as {keep.describe()} ({address}); "
                    "it is treated as unmanaged (was it copied?)"
                )
                continue
            result.owned[address] = Owned(obj, marker)

    _adopt(stack, live, result, claimed, adopt or {}, adopt_reason)
    resolver = result.resolver()
    for recorded in KINDS.values():
        if recorded.identity is Identity.QUEUE_RECORD:
            _match_queue_records(recorded, stack, live, result, resolver, claimed, markers)
        elif recorded.identity is Identity.ORGANIZATION_RECORD:
            _match_organization_records(recorded, stack, live, result, resolver, claimed)
        else:
            continue  # nothing was added: the resolver is still up to date
        resolver = result.resolver()

    for obj in live:
        if obj.tail not in claimed and not obj.is_deleting and not KINDS[obj.kind].singleton:
            result.unmanaged.append(obj)
    result.unmanaged.sort(key=lambda o: (list(KINDS).index(o.kind), o.id))
    return result


def _adopt(
    stack: Stack, live: LiveState, result: Ownership, claimed: set[str], adopt: Mapping[str, str], reason: str
) -> None:
    for address, tail in adopt.items():
        obj = live.get(tail)
        desired = stack.get(*address.split("/", 1))
        if obj is None or desired is None or address in result.owned or obj.tail in claimed:
            continue
        kind = KINDS[obj.kind]
        claimed.add(obj.tail)
        if kind.has_metadata:
            result.owned[address] = Owned(obj, adopt=reason)
            continue
        if kind.identity is Identity.QUEUE_RECORD:
            parent = desired.fields.get(kind.parent_field or "")
            holder = str(parent) if isinstance(parent, Ref) else None
        else:
            holder = ORGANIZATION
        default = bool(kind.is_default and kind.is_default(obj.data))
        entry = RegistryEntry(obj.id, desired.protect, default)
        result.owned[address] = Owned(obj, entry=entry, adopt=reason, holder=holder)


def _match_queue_records(
    kind: KindDef,
    stack: Stack,
    live: LiveState,
    result: Ownership,
    resolver: Resolver,
    claimed: set[str],
    markers: Mapping[str, Marker],
) -> None:
    parent = kind.parent_field or ""
    objects = {obj.tail: obj for obj in live.of_kind(kind.name)}
    deleting_queues = {q.tail for q in result.deleting}
    # Records held by every queue (any stack): their objects are claimed.
    for queue in live.of_kind(RECORD_HOLDER):
        marker = markers.get(queue.tail)  # none for a queue being deleted
        if marker is None:
            continue
        queue_address = f"{RECORD_HOLDER}/{marker.key}"
        for key, entry in marker.records_of(kind.collection).items():
            tail = f"{kind.collection}/{entry.id}"
            obj = objects.get(tail)
            if obj is None or url_tail(str(obj.data.get(parent, ""))) != queue.tail:
                continue  # deleted outside, or a stale record: the key counts as missing
            if marker.stack != stack.name:
                claimed.add(tail)
                result.foreign.append((marker.stack, obj))
                continue
            if result.owned.get(queue_address, None) is None or result.owned[queue_address].live.tail != queue.tail:
                continue
            address = f"{kind.name}/{key}"
            if address in result.owned:
                result.warnings.append(f"{obj.describe()} is recorded twice for {address}; ignored")
                continue
            claimed.add(tail)
            result.owned[address] = Owned(obj, entry=entry, holder=queue_address)
    if kind.find_default is None:
        return
    # Desired objects without a record: the parent's own objects (by type, name or event), crash recovery.
    for desired in stack.of_kind(kind.name):
        if desired.address in result.owned:
            continue
        parent_ref = desired.fields.get(parent)
        if not isinstance(parent_ref, Ref):
            continue
        parent_url = resolver.url_of(parent_ref)
        if parent_url is None or url_tail(parent_url) in deleting_queues:
            continue
        candidates = [
            obj.data
            for obj in live.of_kind(kind.name)
            if obj.tail not in claimed and url_tail(str(obj.data.get(parent, ""))) == url_tail(parent_url)
        ]
        view = {name: desired_view(value, resolver, reveal=False) for name, value in desired.fields.items()}
        found_data = kind.find_default(candidates, view)
        if found_data is None:
            continue
        found = LiveObject(kind.name, found_data)
        default = bool(kind.is_default and kind.is_default(found.data))
        claimed.add(found.tail)
        result.owned[desired.address] = Owned(
            found,
            entry=RegistryEntry(found.id, desired.protect, default),
            adopt="adopt_default" if default else "adopt_by_name",
            holder=str(parent_ref),
        )


def _match_organization_records(
    kind: KindDef, stack: Stack, live: LiveState, result: Ownership, resolver: Resolver, claimed: set[str]
) -> None:
    objects = {obj.id: obj for obj in live.of_kind(kind.name) if not obj.is_deleting}
    for owner, entries in organization_registries(live.organization, kind.collection).items():
        for key, entry in entries.items():
            obj = objects.get(entry.id)
            if obj is None or obj.tail in claimed:
                continue
            claimed.add(obj.tail)
            if owner != stack.name:
                result.foreign.append((owner, obj))
                continue
            result.owned[f"{kind.name}/{key}"] = Owned(obj, entry=entry, holder=ORGANIZATION)
    for desired in stack.of_kind(kind.name):
        if desired.address in result.owned:
            continue
        if kind.singleton:
            found = next((o for o in objects.values() if o.tail not in claimed), None)
            reason = "adopt_singleton"
        else:
            wanted = _natural_desired(kind, desired, resolver)
            found = None
            if wanted is not None:
                found = next(
                    (o for o in objects.values() if o.tail not in claimed and _natural_live(kind, o) == wanted), None
                )
            reason = "adopt_by_name"
        if found is None:
            continue
        claimed.add(found.tail)
        result.owned[desired.address] = Owned(
            found, entry=RegistryEntry(found.id, desired.protect), adopt=reason, holder=ORGANIZATION
        )


def _natural_desired(kind: KindDef, desired: DesiredObject, resolver: Resolver) -> tuple[Any, ...] | None:
    """The desired object's natural key (references as URL tails, lists of them sorted), or ``None`` when part of
    it is not known yet (a reference to an object that does not exist)."""
    values: list[Any] = []
    for name in kind.natural_key:
        value = desired.fields.get(name)
        spec = kind.fields.get(name)
        if spec is not None and spec.ref is not None:
            refs = value if isinstance(value, list | tuple) else [value]
            tails: list[str] = []
            for ref in refs:
                if ref is None:
                    continue
                url = resolver.url_of(ref) if isinstance(ref, Ref) else None
                if url is None:
                    return None
                tails.append(url_tail(url))
            values.append(tuple(sorted(tails)) if spec.many else (tails[0] if tails else None))
            continue
        shown = desired_view(value, resolver, reveal=False)
        if contains_unknown(shown):
            return None
        values.append(canonical_json(shown))
    return tuple(values)


def _natural_live(kind: KindDef, obj: LiveObject) -> tuple[Any, ...]:
    values: list[Any] = []
    for name in kind.natural_key:
        value = obj.data.get(name)
        spec = kind.fields.get(name)
        if spec is not None and spec.ref is not None:
            if spec.many:
                values.append(tuple(sorted(url_tail(str(v)) for v in value or [])))
            else:
                values.append(url_tail(value) if isinstance(value, str) else None)
            continue
        values.append(canonical_json(value))
    return tuple(values)
