"""``import``: record that existing objects are manifest objects.

- ``import KIND/KEY ID`` adopts one object; ``import --match`` adopts every manifest object that has exactly one
  unmanaged natural twin (``twins``), after one read of the organization, and lists the ambiguous ones.
- Only the ownership record is written (the marker in the object's metadata, or the registry entry for kinds without
  metadata: email templates in their queue's marker, rules in the organization's); the objects themselves are not
  changed, so the next plan shows exactly the real differences. Write-only values cannot be read back: the next
  plan shows them as "cannot be verified; will be written".
- Markers go first (concurrently, one request per object), then the registry records, so a template whose queue is
  adopted in the same run is recorded in that queue's fresh marker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

from rossum_iac.engine.errors import AdoptError
from rossum_iac.engine.identity import ORGANIZATION, Marker, Ownership, RegistryEntry, match
from rossum_iac.engine.lease import Lease
from rossum_iac.engine.live import APIClient, LiveObject, LiveState, read_live
from rossum_iac.engine.orgmeta import OrganizationMetadata
from rossum_iac.engine.registry import ActionFailed, RegistryWriter
from rossum_iac.engine.twins import Twins, find_twins
from rossum_iac.kinds import KINDS, MARKER_KEY, Identity
from rossum_iac.manifest.model import Ref, Stack


@dataclass(frozen=True)
class AdoptResult:
    address: str
    id: int
    changed: bool
    message: str


@dataclass
class MatchResult:
    """What ``import --match`` found (and, once applied, did)."""

    adopt: dict[str, LiveObject] = field(default_factory=dict)
    ambiguous: dict[str, list[LiveObject]] = field(default_factory=dict)
    results: list[AdoptResult] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


async def adopt(client: APIClient, stack: Stack, address: str, obj_id: int) -> AdoptResult:
    kind, _, key = address.partition("/")
    if kind not in KINDS or not key:
        raise AdoptError(f"{address!r}: expected KIND/KEY with KIND one of {', '.join(KINDS)}")
    desired = stack.get(kind, key)
    if desired is None:
        raise AdoptError(f"{address} is not in the manifests of stack {stack.name!r} (add it first, then import)")
    live = await read_live(client)
    spec = KINDS[kind]
    target = next((o for o in live.of_kind(kind) if o.id == obj_id), None)
    if target is None:
        raise AdoptError(f"there is no {kind} with id {obj_id} ({spec.collection}/{obj_id}) in the organization")
    ownership = match(stack, live)
    owned = ownership.owned.get(address)
    if owned is not None and owned.live.id == obj_id and owned.adopt is None:
        return AdoptResult(address, obj_id, False, f"{address} is already {target.describe()}; nothing to do")
    if owned is not None and owned.live.id != obj_id and owned.adopt is None:
        raise AdoptError(f"{address} is already {owned.live.describe()}; it cannot also be {spec.collection}/{obj_id}")
    for other_address, other in ownership.owned.items():
        if other.live.tail == target.tail and other_address != address and other.adopt is None:
            raise AdoptError(f"{target.describe()} is already owned by this stack as {other_address}")
    for other_stack, obj in ownership.foreign:
        if obj.tail == target.tail:
            raise AdoptError(f"{target.describe()} is owned by stack {other_stack!r}; it is not taken over")
    holder = _holder(stack, address)
    if spec.identity is Identity.QUEUE_RECORD and (holder is None or holder not in ownership.owned):
        raise AdoptError(f"{address}: import its queue ({holder or 'unknown'}) first")
    results, failed = await write_records(client, stack, live, ownership, {address: target})
    if failed:
        raise AdoptError(failed[address])
    return results[0]


async def find_matches(client: APIClient, stack: Stack) -> tuple[MatchResult, LiveState, Ownership]:
    """One read of the organization: which manifest objects ``import --match`` would adopt, and which are
    ambiguous."""
    live = await read_live(client)
    ownership = match(stack, live)
    twins: Twins = find_twins(stack, ownership, ownership.resolver())
    return MatchResult(adopt=twins.unique, ambiguous=twins.ambiguous), live, ownership


async def adopt_matches(
    client: APIClient, stack: Stack, found: MatchResult, live: LiveState, ownership: Ownership
) -> MatchResult:
    results, failed = await write_records(client, stack, live, ownership, found.adopt)
    found.results, found.failed = results, failed
    return found


async def write_records(
    client: APIClient,
    stack: Stack,
    live: LiveState,
    ownership: Ownership,
    pairs: Mapping[str, LiveObject],
) -> tuple[list[AdoptResult], dict[str, str]]:
    """Record ``address -> live object`` ownership; returns the results and ``address -> error`` of failures."""
    org_metadata = OrganizationMetadata(client, live.organization)
    async with Lease(client, stack.name, org_metadata):
        return await _write_records(client, stack, live, ownership, pairs, org_metadata)


async def _write_records(
    client: APIClient,
    stack: Stack,
    live: LiveState,
    ownership: Ownership,
    pairs: Mapping[str, LiveObject],
    org_metadata: OrganizationMetadata,
) -> tuple[list[AdoptResult], dict[str, str]]:
    resolver = ownership.resolver()
    current = {o.tail: dict(o.data) for o in live}
    results: list[AdoptResult] = []
    failed: dict[str, str] = {}

    async def mark(address: str, obj: LiveObject) -> None:
        protect = _protect(stack, address)
        metadata = dict(current[obj.tail].get("metadata") or {})
        existing = Marker.parse(metadata)
        records = existing.records if existing is not None and existing.stack == stack.name else {}
        metadata[MARKER_KEY] = Marker(stack.name, address.split("/", 1)[1], protect, records=records).to_json()
        try:
            updated = await client.request_json("PATCH", obj.tail, json={"metadata": metadata})
        except Exception as exc:
            failed[address] = _describe(exc)
            return
        current[obj.tail] = (
            dict(updated) if isinstance(updated, Mapping) and updated else {**current[obj.tail], "metadata": metadata}
        )
        resolver.bind(address, obj.id, obj.url)
        results.append(AdoptResult(address, obj.id, True, f"{obj.describe()} is now managed as {address}"))

    with_metadata = {a: o for a, o in pairs.items() if KINDS[o.kind].has_metadata}
    await asyncio.gather(*(mark(a, o) for a, o in with_metadata.items()))
    writer = RegistryWriter(client, stack.name, resolver, current, live.organization, org_metadata)
    for address, obj in pairs.items():
        kind = KINDS[obj.kind]
        if kind.has_metadata:
            continue
        holder = _holder(stack, address) if kind.identity is Identity.QUEUE_RECORD else ORGANIZATION
        default = bool(kind.is_default and kind.is_default(obj.data))
        try:
            entry = RegistryEntry(obj.id, _protect(stack, address), default)
            await writer.record(obj.kind, address.split("/", 1)[1], entry, holder=holder)
        except (ActionFailed, Exception) as exc:
            failed[address] = _describe(exc)
            continue
        results.append(AdoptResult(address, obj.id, True, f"{obj.describe()} is now managed as {address}"))
    order = {a: i for i, a in enumerate(pairs)}
    results.sort(key=lambda r: order[r.address])
    return results, failed


def _holder(stack: Stack, address: str) -> str | None:
    kind, key = address.split("/", 1)
    desired = stack.get(kind, key)
    parent = KINDS[kind].parent_field
    value = desired.fields.get(parent) if desired is not None and parent else None
    return str(value) if isinstance(value, Ref) else None


def _protect(stack: Stack, address: str) -> bool:
    desired = stack.get(*address.split("/", 1))
    return bool(desired and desired.protect)


def _describe(exc: BaseException) -> str:
    from rossum_iac.engine.runners import describe_error

    return describe_error(exc)
