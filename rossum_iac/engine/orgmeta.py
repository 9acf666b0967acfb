"""The organization's ``metadata``: one writer per process, group commits, always from a fresh read.

Several things live there (``metadata.rossum_iac``): the rule ownership records of every stack and the apply
leases. The API replaces ``metadata`` as a whole on PATCH and has no compare-and-set, so every change here reads
the organization first and writes right after, and changes requested while a write is in flight are applied
together in the next one (a group commit: twenty rules created at once cost one read and one write, not twenty).
Other stacks' entries and keys that are not ours are kept as read.

Apply waves: an apply action of a kind recorded here announces itself when it is ready to run (``expect_writer``,
from the executor); its record then waits for the other announced actions to arrive (or finish without writing),
so that the records of the actions that were ready together are one read and one write, whatever their timing.
While it waits, the action gives its parallelism slot to the next one (``on_wave_wait``). Callers that did not
announce themselves (the lease) never wait.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
from collections.abc import Callable, Mapping
from typing import Any

from rossum_iac.engine.live import APIClient

Mutation = Callable[[dict[str, Any]], bool]
"""Changes a copy of the organization's metadata in place; returns whether it changed anything."""

_WRITER: contextvars.ContextVar[object | None] = contextvars.ContextVar("rossum_iac_orgmeta_writer", default=None)
"""The announced writer the current task is (one per apply action: each runs in its own task)."""
_ON_WAIT: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "rossum_iac_orgmeta_on_wait", default=None
)


def on_wave_wait(callback: Callable[[], None]) -> None:
    """Call ``callback`` (once) if the current task's change has to wait for the rest of its wave: the executor
    gives the task's parallelism slot back then."""
    _ON_WAIT.set(callback)


def give_slot_back() -> None:
    """The current task's change waits for the rest of its wave (see ``on_wave_wait``)."""
    callback = _ON_WAIT.get()
    if callback is not None:
        callback()


class Wave:
    """The writers announced to one record holder (the organization's metadata, or one queue's marker) that have
    not written yet: a writer's change waits in ``join`` until none is left, so that the changes of the actions
    that were ready together are written at once."""

    def __init__(self) -> None:
        self._expected: set[object] = set()
        self._waiting: list[asyncio.Future[None]] = []

    def expect(self) -> object:
        """Announce a writer; returns its token."""
        token = object()
        self._expected.add(token)
        return token

    def done(self, token: object) -> None:
        """The writer finished (with or without writing)."""
        self._expected.discard(token)
        self._wake()

    def _wake(self) -> None:
        if self._expected:
            return
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            if not waiter.done():
                waiter.set_result(None)

    async def join(self, token: object, future: asyncio.Future[Any]) -> None:
        """The writer ``token`` has its change pending (``future``, set once it is written): wait for the other
        announced writers, giving the task's parallelism slot back meanwhile."""
        self.done(token)
        if self._expected and not future.done():
            give_slot_back()
        while self._expected and not future.done():
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            await waiter


class OrganizationMetadata:
    def __init__(self, client: APIClient, organization: Mapping[str, Any]) -> None:
        self.client = client
        self.tail = f"organizations/{organization.get('id')}"
        self.latest: dict[str, Any] = dict(organization)
        """The organization as last read or written."""
        self._lock = asyncio.Lock()
        self._pending: list[tuple[Mutation, asyncio.Future[dict[str, Any]]]] = []
        self._wave = Wave()

    def expect_writer(self) -> object:
        """Announce that the current task (an apply action) may write here; returns its token for
        ``writer_done``."""
        token = self._wave.expect()
        _WRITER.set(token)
        return token

    def writer_done(self, token: object) -> None:
        """The announced task finished (with or without writing)."""
        self._wave.done(token)

    async def _join_wave(self, future: asyncio.Future[dict[str, Any]]) -> None:
        """An announced writer's change waits for the other announced writers still running."""
        token = _WRITER.get()
        if token is not None:
            await self._wave.join(token, future)

    async def read(self) -> dict[str, Any]:
        self.latest = dict(await self.client.request_json("GET", self.tail))
        return self.latest

    async def update(self, mutate: Mutation) -> dict[str, Any]:
        """Apply ``mutate`` to the current metadata and write it (with any other pending changes); returns the
        organization as written."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        entry = (mutate, future)
        self._pending.append(entry)
        try:
            await self._join_wave(future)
        except BaseException:  # cancelled while waiting: the change is not made
            if entry in self._pending:
                self._pending.remove(entry)
            raise
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
