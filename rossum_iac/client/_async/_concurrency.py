"""Async I/O primitives used by the transport (hand-written; the sync twin is ``_sync/_concurrency.py``).

``tools/unasync.py`` maps ``AsyncLock`` -> ``Lock``, ``AsyncSemaphore`` -> ``Semaphore``, ``AsyncPrefetcher`` ->
``Prefetcher``, ``AsyncRateLimiter`` -> ``RateLimiter`` and ``await _concurrency.sleep(...)`` ->
``_concurrency.sleep(...)``, so both modules must keep the same public names. The transport calls
``_concurrency.sleep`` and ``_concurrency.monotonic`` through the module, so tests can patch both (a virtual clock).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from types import TracebackType
from typing import Generic, TypeAlias, TypeVar

from rossum_iac.client._core.pacing import Pacer

T = TypeVar("T")

#: A zero-argument call producing a result (a coroutine function here, a plain function in ``_sync``).
Factory: TypeAlias = Callable[[], Awaitable[T]]


async def sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def monotonic() -> float:
    return time.monotonic()


class AsyncLock:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> None:
        await self._lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()


class AsyncSemaphore:
    def __init__(self, value: int) -> None:
        self._semaphore = asyncio.Semaphore(value)

    async def __aenter__(self) -> None:
        await self._semaphore.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self._semaphore.release()


class AsyncRateLimiter:
    """Waits for the turn of each request under a shared ``Pacer`` (``None``: no pacing, never waits).

    One waiter at a time asks the pacer and sleeps (the others queue on a FIFO lock behind it), so a rate change
    or a ``Retry-After`` pause applies to the next request at once and no two waiters wake for the same turn.
    """

    def __init__(self, pacer: Pacer | None) -> None:
        self.pacer = pacer
        self._turn = asyncio.Lock()

    async def wait(self) -> None:
        if self.pacer is None:
            return
        async with self._turn:
            while (delay := self.pacer.try_acquire()) > 0:
                await sleep(delay)

    def now(self) -> float:
        return self.pacer.now() if self.pacer is not None else monotonic()

    def throttled(self, sent_at: float, retry_after: float | None) -> None:
        if self.pacer is not None:
            self.pacer.throttled(sent_at, retry_after)

    def succeeded(self) -> None:
        if self.pacer is not None:
            self.pacer.succeeded()


async def run_concurrently(factories: Sequence[Factory[T]]) -> list[T]:
    """Run all calls concurrently; results in input order. The first failure cancels the others and is
    raised as-is (not as an ``ExceptionGroup``)."""
    slots: dict[int, T] = {}

    async def run(index: int, factory: Factory[T]) -> None:
        slots[index] = await factory()

    try:
        async with asyncio.TaskGroup() as group:
            for index, factory in enumerate(factories):
                group.create_task(run(index, factory))
    except BaseExceptionGroup as errors:
        raise errors.exceptions[0] from None
    return [slots[i] for i in range(len(factories))]


class AsyncPrefetcher(Generic[T]):
    """Iterates the results of ``factories`` in order while running up to ``window`` of them ahead.

    Results are produced lazily: a call starts only when fewer than ``window`` calls are outstanding, so a
    consumer that stops early leaves at most ``window`` calls behind, and ``aclose()`` (also on ``async with``
    exit) cancels them (K11).
    """

    def __init__(self, factories: Iterable[Factory[T]], window: int) -> None:
        self._factories = iter(factories)
        self._window = max(1, window)
        self._pending: deque[asyncio.Future[T]] = deque()

    def _fill(self) -> None:
        while len(self._pending) < self._window:
            factory = next(self._factories, None)
            if factory is None:
                return
            self._pending.append(asyncio.ensure_future(factory()))

    def __aiter__(self) -> AsyncPrefetcher[T]:
        return self

    async def __anext__(self) -> T:
        self._fill()
        if not self._pending:
            raise StopAsyncIteration
        future = self._pending.popleft()
        try:
            result = await future
        except BaseException:
            await self.aclose()
            raise
        self._fill()
        return result

    async def aclose(self) -> None:
        self._factories = iter(())
        pending = list(self._pending)
        self._pending.clear()
        for future in pending:
            future.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def __aenter__(self) -> AsyncPrefetcher[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
