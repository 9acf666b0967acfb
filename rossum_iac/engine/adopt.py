"""``import KIND/KEY ID``: record that an existing object is the manifest object ``KIND/KEY``.

Only the ownership record is written (the marker in the object's metadata, or the registry entry for rules and
email templates); the object itself is not changed, so the next plan shows exactly the real differences.
Write-only values cannot be read back: the next plan shows them as "cannot be verified; will be written".
"""

from __future__ import annotations

from dataclasses import dataclass

from rossum_iac.engine.errors import AdoptError
from rossum_iac.engine.identity import Marker, RegistryEntry, match
from rossum_iac.engine.live import APIClient, LiveObject, read_live
from rossum_iac.engine.registry import ActionFailed, RegistryWriter
from rossum_iac.kinds import KINDS, MARKER_KEY
from rossum_iac.kinds.email_template import is_queue_default
from rossum_iac.manifest.model import Ref, Stack


@dataclass(frozen=True)
class AdoptResult:
    address: str
    id: int
    changed: bool
    message: str


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

    if spec.has_metadata:
        await _write_marker(client, stack.name, key, target, desired.protect)
    else:
        writer = RegistryWriter(client, stack.name, ownership.resolver(), {o.tail: dict(o.data) for o in live},
                                live.organization)
        holder = None
        if kind == "EmailTemplate":
            queue = desired.fields.get("queue")
            holder = str(queue) if isinstance(queue, Ref) else None
            if holder is None or holder not in ownership.owned:
                raise AdoptError(f"{address}: import its queue ({holder or 'unknown'}) first")
        default = kind == "EmailTemplate" and is_queue_default(target.data.get("type"), target.name)
        try:
            await writer.record(kind, key, RegistryEntry(obj_id, desired.protect, default), holder=holder)
        except ActionFailed as exc:
            raise AdoptError(str(exc)) from None
    return AdoptResult(address, obj_id, True, f"{target.describe()} is now managed as {address}")


async def _write_marker(client: APIClient, stack: str, key: str, target: LiveObject, protect: bool) -> None:
    metadata = dict(target.metadata)
    existing = Marker.parse(metadata)
    previous_registry = existing.registry if existing is not None and existing.stack == stack else {}
    metadata[MARKER_KEY] = Marker(stack, key, protect, registry=previous_registry).to_json()
    await client.request_json("PATCH", target.tail, json={"metadata": metadata})
