"""The organization's ``metadata``: one writer per process, group commits, always from a fresh read.

Several things live there (``metadata.rossum_iac``): the rule ownership records of every stack and the apply
leases. The API replaces ``metadata`` as a whole on PATCH and has no compare-and-set, so every change here reads
the organization first and writes right after, and changes requested while a write is in flight are applied
together in the next one (a group commit: twenty rules created at once cost one read and one write, not twenty).
Other stacks' entries and keys that are not ours are kept as read.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Mapping
from typing import Any

from rossum_iac.engine.live import APIClient

Mutation = Callable[[dict[str, Any]], bool]
"""Changes a copy of the organization's metadata in place; returns whether it changed anything."""


class OrganizationMetadata:
    def __init__(self, client: APIClient, organization: Mapping[str, Any]) -> None:
        self.client = client
        self.tail = f"organizations/{organization.get('id')}"
        self.latest: dict[str, Any] = dict(organization)
        """The organization as last read or written."""
        self._lock = asyncio.Lock()
        self._pending: list[tuple[Mutation, asyncio.Future[dict[str, Any]]]] = []

    async def read(self) -> dict[str, Any]:
        self.latest = dict(await self.client.request_json("GET", self.tail))
        return self.latest

    async def update(self, mutate: Mutation) -> dict[str, Any]:
        """Apply ``mutate`` to the current metadata and write it (with any other pending changes); returns the
        organization as written."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending.append((mutate, future))
        async with self._lock:
            if not future.done():
                batch, self._pending = self._pending, []
                try:
                    result = await self._commit([m for m, _ in batch])
                except BaseException as exc:
                    for _, waiting in batch:  # this caller's own future is not awaited: it gets the raise
                        if waiting is not future and not waiting.done():
                            waiting.set_exception(exc)
                    raise
                for _, waiting in batch:
                    if not waiting.done():
                        waiting.set_result(result)
        return await future

    async def _commit(self, mutations: list[Mutation]) -> dict[str, Any]:
        organization = await self.read()
        metadata = _copy(organization.get("metadata"))
        changed = False
        for mutate in mutations:
            changed = mutate(metadata) or changed
        if not changed:
            return organization
        written = await self.client.request_json("PATCH", self.tail, json={"metadata": metadata})
        self.latest = (
            dict(written) if isinstance(written, Mapping) and written else {**organization, "metadata": metadata}
        )
        return self.latest


def _copy(value: Any) -> dict[str, Any]:
    return copy.deepcopy(dict(value)) if isinstance(value, Mapping) else {}
