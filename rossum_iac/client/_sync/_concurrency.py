"""Sync I/O primitives used by the generated transport (hand-written twin of ``_async/_concurrency.py``).

Same public names as the async module minus the ``Async`` prefix. ``Lock``/``Semaphore`` are thread-based, so one
``SyncTransport`` may be shared by threads; ``run_concurrently`` and ``Prefetcher`` are sequential and lazy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Generic, TypeAlias, TypeVar

from rossum_iac.client._core.pacing import Pacer

T = TypeVar("T")

#: A zero-argument call producing a result.
Factory: TypeAlias = Callable[[], T]


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def monotonic() -> float:
    return time.monotonic()


class Lock:
    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


class Semaphore:
    def __init__(self, value: int) -> None:
        self._semaphore = threading.Semaphore(value)

    def __enter__(self) -> None:
        self._semaphore.acquire()

    def __exit__(self, *exc: object) -> None:
        self._semaphore.release()


class RateLimiter:
    """Waits for the turn of each request under a shared ``Pacer`` (``None``: no pacing, never waits).

    Thread-safe: one waiter at a time asks the pacer and sleeps (the others queue behind it); a second lock keeps
    the pacer's state consistent when other threads report 429s or successes meanwhile.
    """

    def __init__(self, pacer: Pacer | None) -> None:
        self.pacer = pacer
        self._turn = threading.Lock()
        self._state = threading.Lock()

    def wait(self) -> None:
        if self.pacer is None:
            return
        with self._turn:
            while True:
                with self._state:
                    delay = self.pacer.try_acquire()
                if delay <= 0:
                    return
                sleep(delay)

    def now(self) -> float:
        return self.pacer.now() if self.pacer is not None else monotonic()

    def throttled(self, sent_at: float, retry_after: float | None) -> None:
        if self.pacer is not None:
            with self._state:
                self.pacer.throttled(sent_at, retry_after)

    def succeeded(self) -> None:
        if self.pacer is not None:
            with self._state:
                self.pacer.succeeded()


def run_concurrently(factories: Sequence[Factory[T]]) -> list[T]:
    """Run the calls one after another; results in input order; the first failure stops the rest."""
    return [factory() for factory in factories]


class Prefetcher(Generic[T]):
    """Iterates the results of ``factories`` in order, calling each only when the consumer asks for it."""

    def __init__(self, factories: Iterable[Factory[T]], window: int) -> None:
        self._factories = iter(factories)

    def __iter__(self) -> Prefetcher[T]:
        return self

    def __next__(self) -> T:
        return next(self._factories)()

    def close(self) -> None:
        self._factories = iter(())

    def __enter__(self) -> Prefetcher[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
