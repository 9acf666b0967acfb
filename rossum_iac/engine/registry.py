"""Writing ownership records of kinds without ``metadata`` (see ``identity``): ``QUEUE_RECORD`` kinds (email
templates, triggers) in their queue's marker, ``ORGANIZATION_RECORD`` kinds (rules, labels, engines, the
organization itself) in the organization's metadata. A queue's marker is read-modify-written under its own lock
from the latest state this process has seen of it; the organization's metadata goes through ``orgmeta`` (a fresh
read before every write, concurrent records grouped into one write).

Both are written once per apply wave: an action of a ``QUEUE_RECORD`` kind announces itself to its queue when it
is ready to run (``expect_queue_writer``, from the executor), and its record waits for the queue's other announced
actions to arrive (or finish without writing), giving its parallelism slot to the next action meanwhile; the
queue's marker is then written once with all of them (the organization's metadata: ``orgmeta``)."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
from collections.abc import MutableMapping
from typing import Any

from rossum_iac.engine.identity import Marker, RegistryEntry, organization_registries, with_organization_registry
from rossum_iac.engine.live import APIClient
from rossum_iac.engine.orgmeta import OrganizationMetadata, Wave
from rossum_iac.engine.resolve import Resolver
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KINDS, MARKER_KEY, Identity


class ActionFailed(Exception):
    """An action failed; the message is shown in the result table."""


_QUEUE_WRITER: contextvars.ContextVar[tuple[str, object] | None] = contextvars.ContextVar(
    "rossum_iac_queue_record_writer", default=None
)
"""(queue address, token) of the announced writer the current task (one apply action) is."""

_Change = tuple[str, str, str, RegistryEntry | None, "asyncio.Future[None]"]
"""kind, collection, key, entry (None: remove), the future its writer awaits."""


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
        self._waves: dict[str, Wave] = {}
        """Queue address -> the writers announced to its marker."""
        self._pending: dict[str, list[_Change]] = {}

    def _wave(self, holder: str) -> Wave:
        return self._waves.setdefault(holder, Wave())

    def expect_queue_writer(self, holder: str) -> object:
        """Announce that the current task (an apply action) may record into the queue ``holder``."""
        token = self._wave(holder).expect()
        _QUEUE_WRITER.set((holder, token))
        return token

    def queue_writer_done(self, holder: str, token: object) -> None:
        self._wave(holder).done(token)

    async def _join_wave(self, holder: str, future: asyncio.Future[None]) -> None:
        """An announced writer's record waits for the queue's other announced writers."""
        current = _QUEUE_WRITER.get()
        if current is not None and current[0] == holder:
            await self._wave(holder).join(current[1], future)

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
        records = marker.records_of(collection) if marker else {}
        for _, pending_collection, key, entry, _ in self._pending.get(holder, []):  # of this wave, not written yet
            if pending_collection == collection and entry is not None:
                records[key] = entry
        return records

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
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        change: _Change = (kind, collection, key, entry, future)
        self._pending.setdefault(holder, []).append(change)
        try:
            await self._join_wave(holder, future)
        except BaseException:  # cancelled while waiting: the change is not made
            if change in self._pending.get(holder, []):
                self._pending[holder].remove(change)
            raise
        async with self.lock(tail):
            if not future.done():
                batch, self._pending[holder] = self._pending.get(holder, []), []
                try:
                    await self._write_queue_records(holder, tail, batch)
                except BaseException as exc:
                    for *_, waiting in batch:  # this caller's own future is not awaited: it gets the raise
                        if waiting is not future and not waiting.done():
                            waiting.set_exception(exc)
                    raise
                for *_, waiting in batch:
                    if not waiting.done():
                        waiting.set_result(None)
        await future

    async def _write_queue_records(self, holder: str, tail: str, batch: list[_Change]) -> None:
        """One read-modify-write of a queue's marker with every change of the wave (under the queue's lock)."""
        queue = self.current.get(tail)
        if queue is None:
            queue = dict(await self.client.request_json("GET", tail))
        metadata = dict(queue.get("metadata") or {})
        marker = Marker.parse(metadata)
        if marker is None or marker.stack != self.stack:
            raise ActionFailed(f"{holder} ({tail}) is not owned by stack {self.stack!r}")
        records = dict(marker.records)
        changed = False
        for _, collection, key, entry, _ in batch:
            registry = dict(records.get(collection, {}))
            if _apply(registry, key, entry):
                records[collection] = registry
                changed = True
        if not changed:
            return
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
