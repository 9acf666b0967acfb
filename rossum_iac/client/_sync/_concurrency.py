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

T = TypeVar("T")

#: A zero-argument call producing a result.
Factory: TypeAlias = Callable[[], T]


def sleep(seconds: float) -> None:
    time.sleep(seconds)


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
