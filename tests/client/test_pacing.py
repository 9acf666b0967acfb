"""Pacing and 429 handling of both transports and clients (respx, a virtual clock: no test waits for real).

The ``clock`` fixture replaces ``_concurrency.sleep`` and ``_concurrency.monotonic`` of both flavours: a sleep
records its seconds and moves the clock on, without yielding to the event loop, so a request given its turn is
sent at the virtual time of that turn. Concurrent tests make the mocked server yield instead (``asyncio.sleep(0)``
in the side effect), so every request is in flight at once; only one waiter sleeps for the pacer at a time, so
the clock adding up the sleeps is the time that passes.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import httpx
import pytest
import respx

from rossum_iac.client import (
    APIClientError,
    APIThrottledError,
    AsyncRossumAPIClient,
    SyncRossumAPIClient,
    Token,
    UserCredentials,
)
from rossum_iac.client._async import _concurrency as async_concurrency
from rossum_iac.client._async.transport import AsyncTransport
from rossum_iac.client._core.pacing import WINDOW_S
from rossum_iac.client._sync import _concurrency as sync_concurrency
from rossum_iac.client._sync.transport import SyncTransport

from ._transport_support import (  # noqa: F401  (fixtures)
    BASE,
    LOGIN,
    ChunkStream,
    api_fixture,
    collect,
    flavour_fixture,
    make_fixture,
    sleeps_fixture,
)

CLIENTS = {"async": AsyncRossumAPIClient, "sync": SyncRossumAPIClient}
NO_JITTER = {"retry_max_jitter": 0.0}
WORKSPACE = {
    "id": 1, "url": f"{BASE}/workspaces/1", "name": "w", "autopilot": False, "organization": f"{BASE}/organizations/1"
}


class VirtualClock:
    def __init__(self, sleeps: list[float]) -> None:
        self.now = 5000.0
        self.sleeps = sleeps

    def monotonic(self) -> float:
        return self.now

    async def async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def sync_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> VirtualClock:
    """Virtual time for both flavours; ``clock.sleeps`` is the ``sleeps`` list (backoff and pacing waits)."""
    virtual = VirtualClock(sleeps)
    for module, sleep in ((async_concurrency, virtual.async_sleep), (sync_concurrency, virtual.sync_sleep)):
        monkeypatch.setattr(module, "sleep", sleep)
        monkeypatch.setattr(module, "monotonic", virtual.monotonic)
    return virtual


def record_sends(clock: VirtualClock, times: list[float], response: Any) -> Any:
    """A respx side effect: note the virtual time of every request, then answer ``response(request)``."""

    def answer(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        return response(request) if callable(response) else response

    return answer


def most_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def pacer_of(t: Any) -> Any:
    transport = getattr(t, "transport", t)
    return transport._pacer.pacer


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"id": 1})


def concurrent_sends(clock: VirtualClock, times: list[float], response: Any) -> Any:
    """Like ``record_sends``, then yield to the event loop so the other requests get in flight too."""

    async def answer(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        await asyncio.sleep(0)
        return response(request)

    return answer


# -- pacing ------------------------------------------------------------------------------------------------------


async def test_one_rate_is_shared_by_all_concurrent_requests(
    api: respx.MockRouter, clock: VirtualClock
) -> None:
    sent: list[float] = []
    api.get(url__regex=rf"{BASE}/queues/\d+").mock(side_effect=concurrent_sends(clock, sent, ok))
    async with AsyncTransport(BASE, Token("t"), requests_per_second=10, max_in_flight_requests=16) as t:
        start = clock.now
        await t.run_concurrently([lambda i=i: t.request_json("GET", f"queues/{i}") for i in range(40)])
    assert len(sent) == 40
    assert sent[:3] == [start] * 3  # the burst
    assert most_in_any_window(sent, 1.0) == 10  # 16 coroutines in flight, still one rate for all
    assert max(sent) - start == pytest.approx(3 * WINDOW_S + 0.7)  # 4 windows: burst of 3, then 7 at 10/s
    assert max(clock.sleeps) <= 0.35 + 1e-9 and all(s > 0 for s in clock.sleeps)


async def test_two_transports_pace_independently(api: respx.MockRouter, clock: VirtualClock) -> None:
    sent: list[float] = []
    api.get(f"{BASE}/queues").mock(side_effect=record_sends(clock, sent, ok))
    async with (
        AsyncTransport(BASE, Token("t"), requests_per_second=1) as one,
        AsyncTransport(BASE, Token("t"), requests_per_second=1) as other,
    ):
        for _ in range(3):
            await one.request("GET", "queues")
            await other.request("GET", "queues")
    # 1 request/s: one in any window of 1.05 s (a burst would be answered 429 by a per-second counter), each
    assert [round(t - sent[0], 6) for t in sent] == [0, 0, 1.05, 1.05, 2.1, 2.1]


async def test_sequential_requests_of_both_flavours_are_paced_alike(
    api: respx.MockRouter, make: Any, clock: VirtualClock
) -> None:
    sent: list[float] = []
    api.get(f"{BASE}/queues").mock(side_effect=record_sends(clock, sent, ok))
    t = make(Token("t"), requests_per_second=4)
    for _ in range(8):
        await t.request("GET", "queues")
    # burst of 3, one interval of 0.25 s, then the window guard: at most 4 in any 1.05 s
    assert [round(x - sent[0], 6) for x in sent] == [0, 0, 0, 0.25, 1.05, 1.05, 1.05, 1.3]


async def test_pacing_covers_logins_retries_pages_and_streams(
    api: respx.MockRouter, make: Any, clock: VirtualClock
) -> None:
    sent: list[float] = []
    failures = [httpx.Response(500)]
    api.post(LOGIN).mock(side_effect=record_sends(clock, sent, httpx.Response(200, json={"key": "k"})))
    api.get(f"{BASE}/queues").mock(
        side_effect=record_sends(clock, sent, lambda r: failures.pop() if failures else ok(r))
    )
    api.get(f"{BASE}/hooks").mock(
        side_effect=record_sends(
            clock, sent, lambda r: httpx.Response(200, json={"pagination": {"next": None}, "results": []})
        )
    )
    api.get(f"{BASE}/export").mock(
        side_effect=record_sends(clock, sent, lambda r: httpx.Response(200, stream=ChunkStream([b"a"])))
    )
    t = make(UserCredentials("u", "p"), requests_per_second=1, **NO_JITTER)
    await t.request("GET", "queues")  # login, 500, retry after 1 s of backoff
    await collect(t.paginate("hooks"))
    await collect(t.stream("GET", "export"))
    assert [round(x - sent[0], 6) for x in sent] == [0, 1.05, 2.1, 3.15, 4.2]


async def test_zero_or_none_disables_pacing(api: respx.MockRouter, make: Any, clock: VirtualClock) -> None:
    route = api.get(f"{BASE}/queues").respond(200, json={})
    for value in (0, None):
        t = make(Token("t"), requests_per_second=value)
        for _ in range(50):
            await t.request("GET", "queues")
        assert t.transport.requests_per_second is None and t.transport._pacer.pacer is None
    assert route.call_count == 100
    assert clock.sleeps == []


async def test_the_default_is_ten_per_second(flavour: str) -> None:
    cls = AsyncTransport if flavour == "async" else SyncTransport
    transport = cls(BASE, Token("t"))
    try:
        assert transport.requests_per_second == 10.0 and transport._pacer.pacer.configured_rate == 10.0
    finally:
        close = transport.close() if isinstance(transport, SyncTransport) else transport.aclose()
        if close is not None:
            await close


# -- 429 ---------------------------------------------------------------------------------------------------------


async def test_429_waits_retry_after_slows_the_rate_and_recovers(
    api: respx.MockRouter, make: Any, clock: VirtualClock
) -> None:
    sent: list[float] = []
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"})])
    api.get(f"{BASE}/queues").mock(side_effect=record_sends(clock, sent, lambda r: next(answers, ok(r))))
    t = make(Token("t"), requests_per_second=10, **NO_JITTER)
    pacer = pacer_of(t)
    await t.request("GET", "queues")
    assert sent[1] - sent[0] == pytest.approx(2.0)  # waited the Retry-After, not a backoff
    assert 2.0 in clock.sleeps
    assert pacer.rate == pytest.approx(5.0 + 0.2)  # halved, then one success added configured/50 back
    for _ in range(30):
        await t.request("GET", "queues")
    assert pacer.rate == 10.0


async def test_429s_of_concurrent_requests_pause_everyone_and_halve_once(
    api: respx.MockRouter, clock: VirtualClock
) -> None:
    sent: list[float] = []
    throttled = {"left": 3}

    def answer(request: httpx.Request) -> httpx.Response:
        if throttled["left"]:
            throttled["left"] -= 1
            return httpx.Response(429, headers={"Retry-After": "1"})
        return ok(request)

    api.get(url__regex=rf"{BASE}/queues/\d+").mock(side_effect=concurrent_sends(clock, sent, answer))
    async with AsyncTransport(BASE, Token("t"), requests_per_second=10, retry_max_jitter=0.0) as t:
        pacer = t._pacer.pacer
        start = clock.now
        await t.run_concurrently([lambda i=i: t.request_json("GET", f"queues/{i}") for i in range(3)])
    assert len(sent) == 6
    assert sent[:3] == [start] * 3  # the burst: all three answered 429
    assert all(s >= start + 1.0 for s in sent[3:])  # nobody went before the Retry-After had passed
    assert pacer.throttle_count == 3
    assert pacer.rate == pytest.approx(5.0 + 3 * 0.2)  # one halving for one round of 429s, then 3 successes


async def test_429_on_post_is_retried_until_it_succeeds_without_duplicates(
    api: respx.MockRouter, make: Any, clock: VirtualClock
) -> None:
    created: list[dict[str, Any]] = []
    answers = [httpx.Response(429, headers={"Retry-After": "1"})] * 5

    def create(request: httpx.Request) -> httpx.Response:
        if answers:
            return answers.pop()  # throttled: the server did nothing
        created.append({"id": len(created) + 1})
        return httpx.Response(201, json=created[-1])

    route = api.post(f"{BASE}/queues").mock(side_effect=create)
    t = make(Token("t"), n_retries=3)  # more 429s than attempts: 429s use time, not attempts
    assert await t.request_json("POST", "queues", json={"name": "q"}) == {"id": 1}
    assert route.call_count == 6 and created == [{"id": 1}]


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
async def test_429_on_patch_and_delete_is_retried(
    api: respx.MockRouter, make: Any, clock: VirtualClock, method: str
) -> None:
    route = api.route(method=method, url=f"{BASE}/queues/1").mock(
        side_effect=[httpx.Response(429), httpx.Response(429), httpx.Response(200, json={})]
    )
    await make(Token("t"), n_retries=1).request(method, "queues/1")
    assert route.call_count == 3


async def test_429s_do_not_use_attempts_of_other_failures(
    api: respx.MockRouter, make: Any, clock: VirtualClock
) -> None:
    statuses = [500, 429, 429, 429, 502, 200]
    route = api.get(f"{BASE}/queues").mock(
        side_effect=[httpx.Response(s, json={}) for s in statuses]
    )
    await make(Token("t"), n_retries=3).request("GET", "queues")
    assert route.call_count == 6
    api.get(f"{BASE}/hooks").mock(side_effect=[httpx.Response(s, json={}) for s in (500, 429, 502, 503)])
    with pytest.raises(APIClientError) as info:
        await make(Token("t"), n_retries=3).request("GET", "hooks")
    assert info.value.status_code == 503  # the third non-429 failure ends it


async def test_throttle_timeout_is_a_time_budget(api: respx.MockRouter, make: Any, clock: VirtualClock) -> None:
    route = api.get(f"{BASE}/queues").respond(
        429, json={"detail": "Request was throttled."}, headers={"Retry-After": "10"}
    )
    t = make(Token("t"), throttle_timeout=60, n_retries=1, **NO_JITTER)
    start = clock.now
    with pytest.raises(APIThrottledError) as info:
        await t.request("GET", "queues")
    # 429s at 0, 10, ..., 60 s: the wait after the 7th would end past the 60 s budget
    assert route.call_count == 7
    assert clock.now - start == pytest.approx(60.0)
    error = info.value
    assert error.status_code == 429 and error.throttled == 7 and error.timeout == 60
    assert error.detail.startswith("Request was throttled. (answered 429 7 times over 60s")
    assert "throttle_timeout=60s" in error.detail


async def test_throttle_timeout_zero_gives_up_at_the_first_429(
    api: respx.MockRouter, make: Any, clock: VirtualClock
) -> None:
    route = api.get(f"{BASE}/queues").respond(429, headers={"Retry-After": "1"})
    with pytest.raises(APIThrottledError):
        await make(Token("t"), throttle_timeout=0).request("GET", "queues")
    assert route.call_count == 1 and clock.sleeps == []


async def test_throttle_budget_holds_even_if_the_clock_stands_still(
    api: respx.MockRouter, make: Any, sleeps: list[float]
) -> None:
    """With sleeps recorded but not slept (no clock moves), the waits themselves still use up the budget."""
    route = api.get(f"{BASE}/queues").respond(429, headers={"Retry-After": "30"})
    with pytest.raises(APIThrottledError):
        await make(Token("t"), **NO_JITTER).request("GET", "queues")
    assert route.call_count == 11 and sleeps == [30.0] * 10  # 10 x 30 s = the default 300 s budget


async def test_throttled_requests_do_not_come_back_at_the_same_instant(
    api: respx.MockRouter, make: Any, clock: VirtualClock
) -> None:
    api.get(f"{BASE}/queues").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(200, json={})] * 20
    )
    t = make(Token("t"), requests_per_second=0, retry_max_jitter=1.0)
    for _ in range(20):
        await t.request("GET", "queues")
    waits = clock.sleeps
    assert len(waits) == 20 and all(1.0 <= w <= 2.0 for w in waits)
    assert len(set(waits)) == 20  # jitter: U(0, retry_max_jitter) on top of Retry-After


async def test_429_without_retry_after_backs_off_with_jitter(
    api: respx.MockRouter, make: Any, clock: VirtualClock
) -> None:
    api.get(f"{BASE}/queues").mock(side_effect=[httpx.Response(429)] * 3 + [httpx.Response(200, json={})])
    await make(Token("t"), requests_per_second=0, retry_backoff_factor=0.5, retry_max_jitter=0.0).request(
        "GET", "queues"
    )
    assert clock.sleeps == [0.5, 1.0, 2.0]


async def test_429_on_login_and_stream_is_retried(api: respx.MockRouter, make: Any, clock: VirtualClock) -> None:
    login = api.post(LOGIN).mock(side_effect=[httpx.Response(429), httpx.Response(200, json={"key": "k"})])
    export = api.get(f"{BASE}/export").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.Response(200, stream=ChunkStream([b"ab", b"c"])),
        ]
    )
    t = make(UserCredentials("u", "p"), n_retries=1, **NO_JITTER)
    assert b"".join(await collect(t.stream("GET", "export"))) == b"abc"
    assert login.call_count == 2 and export.call_count == 2
    assert 3.0 in clock.sleeps


# -- arguments ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [AsyncTransport, SyncTransport, AsyncRossumAPIClient, SyncRossumAPIClient])
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"requests_per_second": -1}, "requests_per_second must be a finite number >= 0"),
        ({"requests_per_second": math.inf}, "requests_per_second must be a finite number >= 0"),
        ({"requests_per_second": "10"}, "requests_per_second must be a number >= 0"),
        ({"throttle_timeout": -5}, "throttle_timeout must be >= 0"),
    ],
)
def test_invalid_pacing_arguments_are_named(cls: type, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cls(BASE, Token("t"), **kwargs)


@pytest.mark.parametrize("flavour_name", ["async", "sync"])
async def test_clients_pass_pacing_to_their_transport(
    api: respx.MockRouter, clock: VirtualClock, flavour_name: str
) -> None:
    sent: list[float] = []
    api.get(url__regex=rf"{BASE}/workspaces/\d+").mock(
        side_effect=record_sends(clock, sent, lambda r: httpx.Response(200, json=WORKSPACE))
    )
    client = CLIENTS[flavour_name](BASE, Token("t"), requests_per_second=2, throttle_timeout=7)
    try:
        for _ in range(5):
            result = client.retrieve_workspace(1)
            if asyncio.iscoroutine(result):
                await result
    finally:
        closing = client.close()
        if asyncio.iscoroutine(closing):
            await closing
    assert client._transport._retry.throttle_timeout == 7
    assert [round(t - sent[0], 6) for t in sent] == [0, 0, 1.05, 1.05, 2.1]  # 2/s: at most 2 in any 1.05 s
