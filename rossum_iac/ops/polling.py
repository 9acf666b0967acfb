"""Waiting for the server: re-fetch until a condition holds, with a growing interval and a deadline.

The client's ``poll_*`` helpers take whole-second intervals (the SDK's signature); waiting for a 0.2 s import
with them costs a full second per file. This loop starts at ``first_s`` and grows by half each round up to
``max_s``, so short waits stay short and long waits do not flood the API.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from rossum_iac.errors import RossumIacError

T = TypeVar("T")

FIRST_INTERVAL_S = 0.1
MAX_INTERVAL_S = 2.0


class WaitTimeoutError(RossumIacError):
    """The awaited state was not reached within the timeout."""


class Deadline:
    """A point in time (or none); ``remaining()`` is ``None`` for no limit."""

    def __init__(self, timeout_s: float | None) -> None:
        self.timeout_s = timeout_s
        self._end = None if timeout_s is None else time.monotonic() + timeout_s

    def remaining(self) -> float | None:
        return None if self._end is None else self._end - time.monotonic()

    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0


async def poll(
    fetch: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    deadline: Deadline,
    what: str,
    first_s: float = FIRST_INTERVAL_S,
    max_s: float = MAX_INTERVAL_S,
    describe: Callable[[T], str] | None = None,
) -> T:
    """``await fetch()`` until ``done(result)``; ``WaitTimeoutError`` (naming ``what`` and, via ``describe``,
    the last state seen) once ``deadline`` passes."""
    interval = first_s
    while True:
        value = await fetch()
        if done(value):
            return value
        remaining = deadline.remaining()
        if remaining is not None and remaining <= 0:
            last = f" (last seen: {describe(value)})" if describe is not None else ""
            raise WaitTimeoutError(f"{what} did not finish within {deadline.timeout_s:g} s{last}")
        await asyncio.sleep(interval if remaining is None else min(interval, remaining))
        interval = min(interval * 1.5, max_s)
