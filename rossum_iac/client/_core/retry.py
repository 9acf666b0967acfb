"""Retry decisions and backoff, shared by both transports.

* ``attempts`` is the total number of attempts (the SDK's ``n_retries``; default 3 = 1 try + 2 retries).
* Retried: transport failures (connect errors, timeouts, dropped connections) and HTTP 408/429/500/502/503/504.
* Idempotent methods (GET/HEAD/PUT/DELETE/OPTIONS) retry on all of these. POST and PATCH retry only when the
  request provably was not processed, so a retry cannot create a duplicate (K7): connect errors/timeouts,
  pool timeouts (nothing was sent), 429, and 503 carrying ``Retry-After``.
* Wait after failed attempt ``n``: ``backoff_factor * 2**(n-1) + U(0, max_jitter)`` capped at ``max_backoff``;
  a ``Retry-After`` header (seconds or HTTP date) replaces it, capped at ``max_retry_after`` (K8).
* 429 is a signal, not a failure (``wait_after_throttle``): any method is retried (the server did nothing), no
  attempt is used up; the budget is time instead: the request gives up when the next wait would end more than
  ``throttle_timeout`` seconds after its first 429 (``0``: a 429 is never retried). The wait is ``Retry-After``
  (capped) plus ``U(0, max_jitter)`` so throttled requests do not all come back at the same instant; without the
  header it is the backoff above, counted in 429s of this request.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

RETRYABLE_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
DEFAULT_MAX_BACKOFF = 30.0
DEFAULT_MAX_RETRY_AFTER = 60.0
DEFAULT_THROTTLE_TIMEOUT = 300.0

# Failures that prove the request never reached the server: safe to retry for any method.
_NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures worth retrying for idempotent requests (the request may or may not have been processed).
_TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
)


def is_idempotent(method: str) -> bool:
    return method.upper() in IDEMPOTENT_METHODS


def retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` of ``headers`` (case-insensitive for plain dicts too), in seconds."""
    if isinstance(headers, httpx.Headers):
        return parse_retry_after(headers.get("retry-after"))
    for key, value in headers.items():
        if key.lower() == "retry-after":
            return parse_retry_after(value)
    return None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date); ``None`` if absent/invalid."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    backoff_factor: float = 1.0
    max_jitter: float = 1.0
    max_backoff: float = DEFAULT_MAX_BACKOFF
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    throttle_timeout: float = DEFAULT_THROTTLE_TIMEOUT

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or self.attempts < 1:
            raise ValueError(f"n_retries must be an integer >= 1 (total attempts), got {self.attempts!r}")
        for name in ("backoff_factor", "max_jitter", "max_backoff", "max_retry_after", "throttle_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")

    def backoff(
        self, attempt: int, retry_after: float | None = None, rand: Callable[[], float] = random.random
    ) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        wait = self.backoff_factor * 2.0 ** min(attempt - 1, 64) + rand() * self.max_jitter
        return min(wait, self.max_backoff)

    def status_is_retryable(self, method: str, status_code: int, headers: Mapping[str, str], idempotent: bool) -> bool:
        if status_code not in RETRYABLE_STATUS_CODES:
            return False
        if idempotent:
            return True
        return status_code == 429 or (status_code == 503 and retry_after(headers) is not None)

    @staticmethod
    def exception_is_retryable(exc: Exception, idempotent: bool) -> bool:
        if isinstance(exc, _NOT_SENT_ERRORS):
            return True
        return idempotent and isinstance(exc, _TRANSIENT_ERRORS)

    def wait_after_status(
        self,
        method: str,
        status_code: int,
        headers: Mapping[str, str],
        attempt: int,
        *,
        idempotent: bool | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retrying a response with ``status_code``, or ``None`` for "do not retry"."""
        idem = is_idempotent(method) if idempotent is None else idempotent
        if attempt >= self.attempts or not self.status_is_retryable(method, status_code, headers, idem):
            return None
        return self.backoff(attempt, retry_after(headers), rand)

    def wait_after_exception(
        self,
        method: str,
        exc: Exception,
        attempt: int,
        *,
        idempotent: bool | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retrying after a transport failure, or ``None`` for "do not retry"."""
        idem = is_idempotent(method) if idempotent is None else idempotent
        if attempt >= self.attempts or not self.exception_is_retryable(exc, idem):
            return None
        return self.backoff(attempt, None, rand)

    def wait_after_throttle(
        self,
        headers: Mapping[str, str],
        throttled: int,
        elapsed: float,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait after the ``throttled``-th 429 of a request, ``elapsed`` seconds after its first 429,
        or ``None`` when that wait would overrun ``throttle_timeout``."""
        after = retry_after(headers)
        if after is None:
            wait = self.backoff(throttled, None, rand)
        else:
            wait = min(after, self.max_retry_after) + rand() * self.max_jitter
        if self.throttle_timeout == 0 or elapsed + wait > self.throttle_timeout:
            return None
        return wait
