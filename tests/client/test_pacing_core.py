"""The pure pacing logic (``_core/pacing.py``) and the 429 decisions of the retry policy, on an injected clock."""

from __future__ import annotations

import itertools
import math

import pytest

from rossum_iac.client._core.pacing import WINDOW_S, Pacer, check_rate
from rossum_iac.client._core.retry import RetryPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def send_greedily(pacer: Pacer, clock: Clock, n: int) -> list[float]:
    """Send ``n`` requests as soon as the pacer allows each; the send times."""
    sent = []
    for _ in range(n):
        while (wait := pacer.try_acquire()) > 0:
            clock.now += wait
        sent.append(clock.now)
    return sent


def most_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_a_burst_then_one_request_per_interval() -> None:
    clock = Clock()
    pacer = Pacer(10, burst=3, clock=clock)
    assert [pacer.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pacer.try_acquire() == pytest.approx(0.1)
    clock.now += 0.05
    assert pacer.try_acquire() == pytest.approx(0.05)  # asking again reserves nothing
    clock.now += 0.05
    assert pacer.try_acquire() == 0.0
    assert pacer.try_acquire() == pytest.approx(0.1)


def test_saved_up_tokens_are_capped_at_the_burst() -> None:
    clock = Clock()
    pacer = Pacer(10, burst=3, clock=clock)
    send_greedily(pacer, clock, 3)
    clock.now += 60  # a long pause saves up no more than the burst
    assert [pacer.try_acquire() == 0.0 for _ in range(4)] == [True, True, True, False]


def test_no_second_has_more_than_the_rate_and_the_long_run_rate_keeps_the_margin() -> None:
    clock = Clock()
    pacer = Pacer(10, burst=3, clock=clock)
    sent = send_greedily(pacer, clock, 200)
    # A bare bucket would send burst + rate - 1 = 12 within the first second; the window guard keeps any second
    # (as the server counts it, sliding) at the rate, with the margin for arrival jitter.
    assert most_in_any_window(sent, 1.0) == 10
    assert most_in_any_window(sent, WINDOW_S - 1e-6) == 10
    assert most_in_any_window(sent, 10 * WINDOW_S - 1e-6) == 100  # long run: rate / 1.05 requests per second
    assert sent[-1] - sent[0] < 200 / 10 * WINDOW_S
    assert all(b >= a for a, b in itertools.pairwise(sent))


def test_a_fractional_rate_spaces_requests_by_its_interval() -> None:
    clock = Clock()
    pacer = Pacer(0.5, burst=1, clock=clock)
    sent = send_greedily(pacer, clock, 4)
    assert [round(b - a, 6) for a, b in itertools.pairwise(sent)] == [2.0, 2.0, 2.0]


def test_a_429_halves_the_rate_once_per_round_down_to_a_floor() -> None:
    clock = Clock()
    pacer = Pacer(10, clock=clock)
    first_sent = clock.now
    clock.now += 0.5
    pacer.throttled(first_sent)
    assert pacer.rate == 5
    pacer.throttled(first_sent)  # sent before the decrease: the same congestion, no news
    assert pacer.rate == 5
    clock.now += 0.1
    pacer.throttled(clock.now)  # sent after it: slow down again
    assert pacer.rate == 2.5
    for _ in range(20):
        clock.now += 0.1
        pacer.throttled(clock.now)
    assert pacer.rate == pacer.min_rate == 10 / 16
    assert pacer.throttle_count == 23


def test_successes_recover_additively_to_the_configured_rate() -> None:
    clock = Clock()
    pacer = Pacer(10, clock=clock)
    pacer.throttled(clock.now)
    rates = []
    for _ in range(30):
        pacer.succeeded()
        rates.append(round(pacer.rate, 6))
    assert rates[0] == 5.2 and rates[1] == 5.4  # + configured/50 per success
    assert rates[24] == 10.0 and rates[-1] == 10.0  # ~25 successes after one halving; never above


def test_retry_after_pauses_everyone_then_resumes_at_the_slower_rate() -> None:
    clock = Clock()
    pacer = Pacer(10, burst=3, clock=clock)
    send_greedily(pacer, clock, 3)
    pacer.throttled(clock.now, retry_after=2.0)
    assert pacer.try_acquire() == pytest.approx(2.0)
    clock.now += 1.5
    assert pacer.try_acquire() == pytest.approx(0.5)
    clock.now += 0.5
    sent = send_greedily(pacer, clock, 3)
    # one request when the pause ends, then the halved rate: no burst saved up during the pause
    assert [round(t - sent[0], 6) for t in sent] == [0.0, 0.2, 0.4]


def test_a_429_without_retry_after_empties_the_bucket() -> None:
    clock = Clock()
    pacer = Pacer(10, burst=3, clock=clock)
    pacer.try_acquire()
    pacer.throttled(clock.now)
    assert pacer.try_acquire() == pytest.approx(0.2)  # one interval at the halved rate


@pytest.mark.parametrize("value", [None, 0, 0.0])
def test_zero_or_none_means_no_pacing(value: float | None) -> None:
    assert check_rate(value) is None


@pytest.mark.parametrize("value", [-1, -0.5, math.nan, math.inf, "10", True])
def test_invalid_rates_are_rejected_by_name(value: object) -> None:
    with pytest.raises(ValueError, match=r"requests_per_second must be a .*number >= 0"):
        check_rate(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("burst", [0, -1, 1.5, True])
def test_invalid_burst(burst: object) -> None:
    with pytest.raises(ValueError, match="burst must be an integer >= 1"):
        Pacer(10, burst=burst)  # type: ignore[arg-type]


def test_a_pacer_needs_a_rate() -> None:
    with pytest.raises(ValueError, match="no pacing means no Pacer"):
        Pacer(0)


# -- 429 decisions of the retry policy ---------------------------------------------------------------------------


def test_throttle_wait_is_retry_after_plus_jitter() -> None:
    policy = RetryPolicy(max_jitter=1.0)
    assert policy.wait_after_throttle({"Retry-After": "3"}, 1, 0.0, rand=lambda: 0.25) == 3.25
    assert policy.wait_after_throttle({"retry-after": "3"}, 9, 0.0, rand=lambda: 0.0) == 3.0  # not exponential
    assert policy.wait_after_throttle({"Retry-After": "3600"}, 1, 0.0, rand=lambda: 0.5) == 60.5  # capped (K8)


def test_throttle_wait_without_retry_after_backs_off_exponentially() -> None:
    policy = RetryPolicy(backoff_factor=0.5, max_jitter=0.1)
    waits = [policy.wait_after_throttle({}, n, 0.0, rand=lambda: 1.0) for n in (1, 2, 3, 10)]
    assert waits == [0.6, 1.1, 2.1, 30.0]  # factor * 2**(n-1) + jitter, capped at max_backoff


def test_throttle_budget_is_time_not_attempts() -> None:
    policy = RetryPolicy(attempts=1, throttle_timeout=60.0, max_jitter=0.0)
    assert policy.wait_after_throttle({"Retry-After": "10"}, 500, 50.0) == 10.0  # 500th 429, still in budget
    assert policy.wait_after_throttle({"Retry-After": "10"}, 2, 50.5) is None  # would end past 60 s
    assert RetryPolicy(throttle_timeout=0).wait_after_throttle({"Retry-After": "0"}, 1, 0.0, rand=lambda: 0) is None


@pytest.mark.parametrize("value", [-1, math.nan, "5"])
def test_invalid_throttle_timeout(value: object) -> None:
    with pytest.raises(ValueError, match="throttle_timeout must be >= 0"):
        RetryPolicy(throttle_timeout=value)  # type: ignore[arg-type]
