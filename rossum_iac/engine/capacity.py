"""Will this stack's records fit in the organization's metadata?

Kinds without a ``metadata`` of their own (rules, labels, engines...: ``Identity.ORGANIZATION_RECORD``) are recorded
in the organization's metadata, which the API limits to 4 kB like every object's, and which also holds the other
stacks' records, the apply leases and the organization's own metadata. Past the limit the API refuses the record
after the object was created: every later apply adopts the object again and fails again. So the plan counts the
records the apply would leave (ids of objects still to create counted one digit longer than the longest live id)
and refuses a stack that cannot fit, before anything is written.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rossum_iac.engine.identity import RegistryEntry, organization_registries, with_organization_registry
from rossum_iac.engine.lease import LeaseInfo, default_holder, set_lease
from rossum_iac.kinds import KINDS, MARKER_KEY
from rossum_iac.kinds.base import Identity
from rossum_iac.manifest.limits import METADATA_MAX_BYTES, json_size
from rossum_iac.manifest.model import DesiredObject

MIN_NEW_ID_DIGITS = 8
"""An object still to create is counted with an id one digit longer than the longest live one, at least this long."""


def projected_metadata(
    organization: Mapping[str, Any],
    stack: str,
    desired: Mapping[str, DesiredObject],
    owned_ids: Mapping[str, int],
    new_id: int = 10 ** (MIN_NEW_ID_DIGITS - 1),
) -> dict[str, Any]:
    """The organization's metadata once ``stack``'s records say exactly ``desired`` and its lease is held.

    ``owned_ids``: address -> id of the objects the stack already owns; the others are counted as ``new_id``."""
    raw = organization.get("metadata")
    metadata: dict[str, Any] = copy.deepcopy(dict(raw)) if isinstance(raw, Mapping) else {}
    declared = next((o for o in desired.values() if KINDS[o.kind].singleton), None)
    if declared is not None and isinstance(declared.fields.get("metadata"), Mapping):
        metadata = {**copy.deepcopy(dict(declared.fields["metadata"])), MARKER_KEY: metadata.get(MARKER_KEY, {})}
    for kind in KINDS.values():  # the records as the registry writer would leave them
        if kind.identity is not Identity.ORGANIZATION_RECORD:
            continue
        entries = {
            obj.key: RegistryEntry(owned_ids.get(address, new_id), bool(obj.protect))
            for address, obj in desired.items()
            if obj.kind == kind.name
        }
        if entries or stack in organization_registries({"metadata": metadata}, kind.collection):
            metadata = with_organization_registry(metadata, kind.collection, stack, entries)
    now = datetime.now(UTC)
    set_lease(metadata, stack, LeaseInfo(default_holder(), "0" * 32, now, now))
    return metadata


def capacity_problem(
    organization: Mapping[str, Any],
    stack: str,
    desired: Mapping[str, DesiredObject],
    owned_ids: Mapping[str, int],
    longest_id: int = 0,
) -> str | None:
    """Why the stack's records would not fit in the organization's metadata, or ``None``. ``longest_id``: the
    largest id of a live object (new ids are counted one digit longer)."""
    digits = max(MIN_NEW_ID_DIGITS, len(str(longest_id)) + 1)
    metadata = projected_metadata(organization, stack, desired, owned_ids, new_id=10 ** (digits - 1))
    size = json_size(metadata)
    if size <= METADATA_MAX_BYTES:
        return None
    counts: dict[str, int] = {}
    for obj in desired.values():
        if KINDS[obj.kind].identity is Identity.ORGANIZATION_RECORD and not KINDS[obj.kind].singleton:
            counts[obj.kind] = counts.get(obj.kind, 0) + 1
    records = metadata[MARKER_KEY]
    mine = json_size({k: v.get(stack) for k, v in records.items() if k != "leases" and isinstance(v, Mapping)})
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    return (
        f"the organization's metadata would need {size:,} bytes, and the API stores at most 4 kB "
        f"({METADATA_MAX_BYTES:,} bytes): objects without metadata of their own ({listed or 'none'}) are recorded "
        f"there, and this stack's records take about {mine:,} bytes of it (other stacks' records, the apply lease "
        "and the organization's own metadata the rest). Manage fewer of these objects with this stack (those left "
        "out stay in the organization, unmanaged); nothing was changed"
    )
