"""Writing ownership records of kinds without ``metadata`` (see ``identity``): email templates in their queue's
marker, rules in the organization's metadata. Each holder is read-modify-written under its own lock, starting from
the latest state this process has seen of it."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import MutableMapping
from typing import Any

from rossum_iac.engine.identity import Marker, RegistryEntry, rule_registries, with_rule_registry
from rossum_iac.engine.live import APIClient
from rossum_iac.engine.resolve import Resolver
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import MARKER_KEY


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
    ) -> None:
        self.client = client
        self.stack = stack
        self.resolver = resolver
        self.current = current
        """Latest known data of objects by URL tail (shared with the executor)."""
        self.organization: dict[str, Any] = dict(organization)
        self.rules: dict[str, RegistryEntry] | None = None
        self._locks: dict[str, asyncio.Lock] = {}

    def lock(self, name: str) -> asyncio.Lock:
        """The lock of one registry holder (a queue's URL tail, or the organization's)."""
        if name not in self._locks:
            self._locks[name] = asyncio.Lock()
        return self._locks[name]

    def template_records(self, holder: str) -> dict[str, RegistryEntry]:
        """The email template records currently held by a queue (by its address)."""
        found = self.resolver.by_address.get(holder)
        queue = self.current.get(url_tail(found[1])) if found else None
        marker = Marker.parse(queue.get("metadata") or {}) if queue else None
        return dict(marker.registry) if marker else {}

    async def record(self, kind: str, key: str, entry: RegistryEntry | None, *, holder: str | None = None) -> None:
        """Set (or with ``None`` remove) the record of a rule or an email template (``holder``: its queue)."""
        if kind == "Rule":
            await self._record_rule(key, entry)
        else:
            await self._record_template(key, entry, holder)

    async def _record_template(self, key: str, entry: RegistryEntry | None, holder: str | None) -> None:
        if holder is None:
            raise ActionFailed(f"EmailTemplate/{key}: no queue to record it in")
        found = self.resolver.by_address.get(holder)
        if found is None:
            if entry is None:
                return  # the queue itself is gone, and its records with it
            raise ActionFailed(f"EmailTemplate/{key}: its queue {holder} does not exist")
        tail = url_tail(found[1])
        async with self.lock(tail):
            queue = self.current.get(tail)
            if queue is None:
                queue = dict(await self.client.request_json("GET", tail))
            metadata = dict(queue.get("metadata") or {})
            marker = Marker.parse(metadata)
            if marker is None or marker.stack != self.stack:
                raise ActionFailed(f"{holder} ({tail}) is not owned by stack {self.stack!r}")
            registry = dict(marker.registry)
            if not _apply(registry, key, entry):
                return
            metadata[MARKER_KEY] = dataclasses.replace(marker, registry=registry).to_json()
            updated = await self.client.request_json("PATCH", tail, json={"metadata": metadata})
            self.current[tail] = dict(updated) if updated else {**queue, "metadata": metadata}

    async def _record_rule(self, key: str, entry: RegistryEntry | None) -> None:
        tail = f"organizations/{self.organization.get('id')}"
        async with self.lock(tail):
            if self.rules is None:
                # First write in this process: start from the organization as it is now (another stack may have
                # recorded its rules since the plan read it).
                self.organization = dict(await self.client.request_json("GET", tail))
                self.rules = dict(rule_registries(self.organization).get(self.stack, {}))
            if not _apply(self.rules, key, entry):
                return
            metadata = with_rule_registry(self.organization.get("metadata") or {}, self.stack, self.rules)
            updated = await self.client.request_json("PATCH", tail, json={"metadata": metadata})
            self.organization = dict(updated) if updated else {**self.organization, "metadata": metadata}


def _apply(registry: dict[str, RegistryEntry], key: str, entry: RegistryEntry | None) -> bool:
    """Change ``registry``; ``False`` if it already says so (nothing to write)."""
    if entry is None:
        return registry.pop(key, None) is not None
    if registry.get(key) == entry:
        return False
    registry[key] = entry
    return True
