"""Client-side request pacing shared by every request of one client (pure: the clock is injected).

The documented API allows 10 requests/s and answers 429 with ``Retry-After`` above it. ``Pacer`` decides when the
next request may go; the transports only sleep (``_concurrency.AsyncRateLimiter`` / ``RateLimiter``).

* Token bucket: tokens refill at the *current* rate, at most ``burst`` are saved up, one is spent per request.
* Window guard: at most ``floor(requests_per_second)`` requests in any window of ``WINDOW_S`` (1 s plus a 5 %
  margin). A bucket alone at the limit with a burst sends ``burst + rate - 1`` requests within one second, which
  a server counting requests per sliding second (the emulator, DRF-style throttles) answers with 429; the margin
  absorbs arrival jitter of requests sent right at the window's edge. Steady state: ``rate / 1.05`` requests/s.
* AIMD on 429 (``throttled``): the rate halves (down to 1/16 of the configured one) once per round -- 429s of
  requests sent before the last decrease are not news -- the bucket is emptied and, with ``Retry-After``, nothing
  is sent before it has passed. Every other response (``succeeded``) adds 1/50 of the configured rate back, up to
  the configured rate: about 25 requests after one halving.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

DEFAULT_REQUESTS_PER_SECOND = 10.0
DEFAULT_BURST = 3
WINDOW_S = 1.05
DECREASE_FACTOR = 0.5
MIN_RATE_FRACTION = 1 / 16
RECOVERY_FRACTION = 1 / 50
_EPSILON = 1e-9


def check_rate(requests_per_second: float | None) -> float | None:
    """The validated rate: a positive number, or ``None`` for "no pacing" (given as ``None`` or ``0``)."""
    if requests_per_second is None:
        return None
    if isinstance(requests_per_second, bool) or not isinstance(requests_per_second, int | float):
        raise ValueError(
            f"requests_per_second must be a number >= 0 (0 or None: no pacing), got {requests_per_second!r}"
        )
    if not math.isfinite(requests_per_second) or requests_per_second < 0:
        raise ValueError(
            f"requests_per_second must be a finite number >= 0 (0 or None: no pacing), got {requests_per_second!r}"
        )
    return float(requests_per_second) if requests_per_second > 0 else None


class Pacer:
    """When may the next request go? Not thread-safe: the transports serialise calls."""

    def __init__(
        self,
        requests_per_second: float,
        *,
        burst: int = DEFAULT_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        rate = check_rate(requests_per_second)
        if rate is None:
            raise ValueError("a Pacer needs requests_per_second > 0 (no pacing means no Pacer)")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError(f"burst must be an integer >= 1, got {burst!r}")
        self.configured_rate = rate
        self.rate = rate
        self.burst = burst
        self.min_rate = rate * MIN_RATE_FRACTION
        self._clock = clock
        self._window_count = max(1, math.floor(rate + _EPSILON))
        self._sent: deque[float] = deque()
        self._tokens = float(burst)
        self._refilled_at = clock()
        self._resume_at = -math.inf
        self._decreased_at = -math.inf
        self.throttle_count = 0

    def now(self) -> float:
        return self._clock()

    def _refill(self, now: float) -> None:
        if now > self._refilled_at:
            self._tokens = min(float(self.burst), self._tokens + (now - self._refilled_at) * self.rate)
            self._refilled_at = now

    def try_acquire(self) -> float:
        """Take the right to send one request now and return 0.0, or return the seconds to wait before asking
        again (nothing is reserved then, so a rate change or a pause applies to the waiting caller too)."""
        now = self._clock()
        if now < self._resume_at:
            return self._resume_at - now
        self._refill(now)
        wait = 0.0 if self._tokens >= 1.0 - _EPSILON else (1.0 - self._tokens) / self.rate
        sent = self._sent
        while sent and sent[0] <= now - WINDOW_S:
            sent.popleft()
        if len(sent) >= self._window_count:
            wait = max(wait, sent[0] + WINDOW_S - now)
        if wait > _EPSILON:
            return wait
        self._tokens = max(0.0, self._tokens - 1.0)
        sent.append(now)
        return 0.0

    def throttled(self, sent_at: float, retry_after: float | None = None) -> None:
        """A request sent at ``sent_at`` (``now()`` when it went) got 429, with ``Retry-After`` seconds if given."""
        now = self._clock()
        self.throttle_count += 1
        self._refill(now)
        if sent_at > self._decreased_at:
            self.rate = max(self.min_rate, self.rate * DECREASE_FACTOR)
            self._decreased_at = now
        if retry_after is None:
            self._tokens = 0.0  # no saved-up burst: the next request waits one interval at the new rate
            return
        resume = now + max(0.0, retry_after)
        if resume > self._resume_at:
            self._resume_at = resume
        # One request when sending may resume, then the new rate: no saved-up burst into a full server.
        self._tokens = 1.0
        self._refilled_at = self._resume_at

    def succeeded(self) -> None:
        """A request got a response other than 429: recover additively towards the configured rate."""
        if self.rate < self.configured_rate:
            self._refill(self._clock())
            self.rate = min(self.configured_rate, self.rate + self.configured_rate * RECOVERY_FRACTION)
