"""Writing ownership records of kinds without ``metadata`` (see ``identity``): ``QUEUE_RECORD`` kinds (email
templates, triggers) in their queue's marker, ``ORGANIZATION_RECORD`` kinds (rules, labels, engines, the
organization itself) in the organization's metadata. A queue's marker is read-modify-written under its own lock
from the latest state this process has seen of it; the organization's metadata goes through ``orgmeta`` (a fresh
read before every write, concurrent records grouped into one write)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import MutableMapping
from typing import Any

from rossum_iac.engine.identity import Marker, RegistryEntry, organization_registries, with_organization_registry
from rossum_iac.engine.live import APIClient
from rossum_iac.engine.orgmeta import OrganizationMetadata
from rossum_iac.engine.resolve import Resolver
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KINDS, MARKER_KEY, Identity


class ActionFailed(Exception):
    """An action failed; the message is shown in the result table."""


class RegistryWriter:
    def __init__(
        self,
        client: APIClient,
        stack: str,
        resolver: Resolver,
        current: MutableMapping[str, dict[str, Any]],
        organization: Any,
        org_metadata: OrganizationMetadata | None = None,
    ) -> None:
        self.client = client
        self.stack = stack
        self.resolver = resolver
        self.current = current
        """Latest known data of objects by URL tail (shared with the executor)."""
        self.organization: dict[str, Any] = dict(organization)
        self.org_metadata = org_metadata or OrganizationMetadata(client, organization)
        self._locks: dict[str, asyncio.Lock] = {}

    def lock(self, name: str) -> asyncio.Lock:
        """The lock of one registry holder (a queue's URL tail, or the organization's)."""
        if name not in self._locks:
            self._locks[name] = asyncio.Lock()
        return self._locks[name]

    def queue_records(self, holder: str, collection: str) -> dict[str, RegistryEntry]:
        """The records of one collection (``email_templates``) currently held by a queue (by its address)."""
        found = self.resolver.by_address.get(holder)
        queue = self.current.get(url_tail(found[1])) if found else None
        marker = Marker.parse(queue.get("metadata") or {}) if queue else None
        return marker.records_of(collection) if marker else {}

    async def record(self, kind: str, key: str, entry: RegistryEntry | None, *, holder: str | None = None) -> None:
        """Set (or with ``None`` remove) the record of an object of a kind without metadata (``holder``: its queue,
        for ``QUEUE_RECORD`` kinds)."""
        spec = KINDS[kind]
        if spec.identity is Identity.ORGANIZATION_RECORD:
            await self._record_in_organization(spec.collection, key, entry)
        else:
            await self._record_in_queue(kind, spec.collection, key, entry, holder)

    async def _record_in_queue(
        self, kind: str, collection: str, key: str, entry: RegistryEntry | None, holder: str | None
    ) -> None:
        if holder is None:
            raise ActionFailed(f"{kind}/{key}: no queue to record it in")
        found = self.resolver.by_address.get(holder)
        if found is None:
            if entry is None:
                return  # the queue itself is gone, and its records with it
            raise ActionFailed(f"{kind}/{key}: its queue {holder} does not exist")
        tail = url_tail(found[1])
        async with self.lock(tail):
            queue = self.current.get(tail)
            if queue is None:
                queue = dict(await self.client.request_json("GET", tail))
            metadata = dict(queue.get("metadata") or {})
            marker = Marker.parse(metadata)
            if marker is None or marker.stack != self.stack:
                raise ActionFailed(f"{holder} ({tail}) is not owned by stack {self.stack!r}")
            registry = marker.records_of(collection)
            if not _apply(registry, key, entry):
                return
            records = {**marker.records, collection: registry}
            metadata[MARKER_KEY] = dataclasses.replace(marker, records=records).to_json()
            updated = await self.client.request_json("PATCH", tail, json={"metadata": metadata})
            self.current[tail] = dict(updated) if updated else {**queue, "metadata": metadata}

    async def _record_in_organization(self, collection: str, key: str, entry: RegistryEntry | None) -> None:
        def change(metadata: dict[str, Any]) -> bool:
            """On a fresh copy of the organization's metadata (other stacks may have written since)."""
            registry = dict(organization_registries({"metadata": metadata}, collection).get(self.stack, {}))
            if not _apply(registry, key, entry):
                return False
            updated = with_organization_registry(metadata, collection, self.stack, registry)
            metadata.clear()
            metadata.update(updated)
            return True

        self.organization = await self.org_metadata.update(change)


def _apply(registry: dict[str, RegistryEntry], key: str, entry: RegistryEntry | None) -> bool:
    """Change ``registry``; ``False`` if it already says so (nothing to write)."""
    if entry is None:
        return registry.pop(key, None) is not None
    if registry.get(key) == entry:
        return False
    registry[key] = entry
    return True
