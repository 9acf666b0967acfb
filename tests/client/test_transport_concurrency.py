"""Concurrency of the async transport (in-flight bound, single-flight re-login, prefetch) and thread-safety of
the sync one."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from rossum_iac.client._async import _concurrency as async_concurrency
from rossum_iac.client._async.transport import AsyncTransport
from rossum_iac.client._sync import _concurrency as sync_concurrency
from rossum_iac.client._sync.transport import SyncTransport
from rossum_iac.client.credentials import Token, UserCredentials
from rossum_iac.client.errors import APIClientError

from ._transport_support import BASE, LOGIN, api_fixture, page_body, page_of, sleeps_fixture  # noqa: F401  (fixtures)


class Gauge:
    """Counts requests in flight inside respx side effects."""

    def __init__(self) -> None:
        self.current = 0
        self.peak = 0
        self.started = 0
        self.finished = 0
        self.lock = threading.Lock()

    def enter(self) -> None:
        with self.lock:
            self.current += 1
            self.started += 1
            self.peak = max(self.peak, self.current)

    def leave(self) -> None:
        with self.lock:
            self.current -= 1
            self.finished += 1


@pytest.fixture
async def transports() -> AsyncIterator[list[AsyncTransport]]:
    made: list[AsyncTransport] = []
    yield made
    for t in made:
        await t.aclose()


def new(made: list[AsyncTransport], credentials: Any, **kwargs: Any) -> AsyncTransport:
    kwargs.setdefault("requests_per_second", 0)  # the in-flight bound alone; pacing is tested in test_pacing.py
    t = AsyncTransport(BASE, credentials, **kwargs)
    made.append(t)
    return t


# -- single-flight login -----------------------------------------------------------------------------------------


async def test_concurrent_401s_cause_exactly_one_relogin(
    api: respx.MockRouter, transports: list[AsyncTransport]
) -> None:
    keys = iter(["k1", "k2", "k3", "k4"])
    login = api.post(LOGIN).mock(side_effect=lambda r: httpx.Response(200, json={"key": next(keys)}))

    async def answer(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)  # all 8 are in flight together
        if request.headers["authorization"] == "Bearer k1":
            return httpx.Response(401)
        return httpx.Response(200, json={"token": request.headers["authorization"]})

    route = api.get(url__regex=rf"{BASE}/queues/\d+").mock(side_effect=answer)
    t = new(transports, UserCredentials("u", "p"), max_in_flight_requests=8)
    factories = [lambda i=i: t.request_json("GET", f"queues/{i}") for i in range(8)]
    results = await t.run_concurrently(factories)
    assert results == [{"token": "Bearer k2"}] * 8
    assert login.call_count == 2  # one lazy login for 8 first requests + ONE re-login for 8 401s (SDK: 8, K5)
    assert route.call_count == 16


def test_sync_transport_single_flight_login_across_threads(api: respx.MockRouter, sleeps: list[float]) -> None:
    keys = iter(["k1", "k2", "k3", "k4"])
    login = api.post(LOGIN).mock(side_effect=lambda r: httpx.Response(200, json={"key": next(keys)}))
    barrier = threading.Barrier(6, timeout=5)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer k1":
            barrier.wait()  # all six threads got their 401 with the same old token
            return httpx.Response(401)
        return httpx.Response(200, json={})

    api.get(url__regex=rf"{BASE}/queues/\d+").mock(side_effect=answer)
    with SyncTransport(BASE, UserCredentials("u", "p"), max_in_flight_requests=6, requests_per_second=0) as t:
        t.get_token()
        errors: list[BaseException] = []

        def work(i: int) -> None:
            try:
                t.request("GET", f"queues/{i}")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert errors == []
    assert login.call_count == 2


# -- in-flight bound ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bound", [1, 3, 4])
async def test_in_flight_bound_covers_every_request(
    api: respx.MockRouter, transports: list[AsyncTransport], bound: int
) -> None:
    gauge = Gauge()

    async def answer(request: httpx.Request) -> httpx.Response:
        gauge.enter()
        await asyncio.sleep(0.005)
        gauge.leave()
        if request.url.path.endswith("/queues"):
            return httpx.Response(200, json=page_body(page_of(request), 6))
        return httpx.Response(201, json={"id": 1})

    api.get(f"{BASE}/queues").mock(side_effect=answer)
    api.post(f"{BASE}/uploads").mock(side_effect=answer)
    api.get(url__regex=rf"{BASE}/documents/\d+").mock(side_effect=answer)
    t = new(transports, Token("t"), max_in_flight_requests=bound)

    async def listing() -> int:
        return len([page async for page in t.paginate("queues")])

    factories: list[Any] = [listing, listing]
    factories += [lambda: t.request_json("POST", "uploads", files={"content": ("a.pdf", b"%PDF")})] * 5
    factories += [lambda i=i: t.request_json("GET", f"documents/{i}") for i in range(10)]
    results = await t.run_concurrently(factories)
    assert results[:2] == [6, 6]
    assert gauge.started == 12 + 5 + 10
    assert gauge.peak == bound  # reached, never exceeded: pages, uploads and plain GETs share one bound


async def test_permit_not_held_during_backoff(
    api: respx.MockRouter, transports: list[AsyncTransport], monkeypatch: pytest.MonkeyPatch
) -> None:
    api.get(f"{BASE}/flaky").mock(side_effect=[httpx.Response(503), httpx.Response(200, json={"flaky": True})])
    api.get(f"{BASE}/other").respond(200, json={"other": True})
    t = new(transports, Token("t"), max_in_flight_requests=1)
    during_sleep: list[Any] = []

    async def sleep(seconds: float) -> None:
        # with the only permit held this would time out
        during_sleep.append(await asyncio.wait_for(t.request_json("GET", "other"), 2))

    monkeypatch.setattr(async_concurrency, "sleep", sleep)
    assert await t.request_json("GET", "flaky") == {"flaky": True}
    assert during_sleep == [{"other": True}]


async def test_stream_consumer_may_make_requests_with_bound_one(
    api: respx.MockRouter, transports: list[AsyncTransport]
) -> None:
    api.get(f"{BASE}/export").respond(200, content=b"x" * 10)
    api.get(f"{BASE}/other").respond(200, json={})
    t = new(transports, Token("t"), max_in_flight_requests=1)
    async for _chunk in t.stream("GET", "export"):
        assert await asyncio.wait_for(t.request_json("GET", "other"), 2) == {}


# -- prefetching pages -------------------------------------------------------------------------------------------


async def test_pages_yielded_in_order_when_completed_out_of_order(
    api: respx.MockRouter, transports: list[AsyncTransport]
) -> None:
    gauge = Gauge()
    completed: list[int] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        page = page_of(request)
        gauge.enter()
        await asyncio.sleep(0.002 * (10 - page))  # later pages answer first
        gauge.leave()
        completed.append(page)
        return httpx.Response(200, json=page_body(page, 9))

    api.get(f"{BASE}/queues").mock(side_effect=answer)
    t = new(transports, Token("t"), max_in_flight_requests=4)
    pages = [body["results"][0]["page"] async for body in t.paginate("queues")]
    assert pages == list(range(1, 10))
    assert completed != sorted(completed)  # the test really had out-of-order completion
    assert gauge.peak == 4


async def test_early_stop_cancels_prefetch(api: respx.MockRouter, transports: list[AsyncTransport]) -> None:
    gauge = Gauge()
    cancelled: list[int] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        gauge.enter()
        try:
            await asyncio.sleep(0 if page_of(request) <= 2 else 5)
        except asyncio.CancelledError:
            cancelled.append(page_of(request))
            raise
        finally:
            gauge.leave()
        return httpx.Response(200, json=page_body(page_of(request), 100))

    api.get(f"{BASE}/queues").mock(side_effect=answer)
    t = new(transports, Token("t"), max_in_flight_requests=4)
    taken = []
    async with contextlib.aclosing(t.paginate("queues")) as pages:
        async for body in pages:
            taken.append(body["results"][0]["page"])
            if len(taken) == 2:
                break
    assert taken == [1, 2]
    assert gauge.current == 0  # outstanding page requests were cancelled, not left running
    assert sorted(cancelled) == list(range(3, gauge.started + 1)) and cancelled
    started = gauge.started
    assert started <= 2 + 4  # at most max_in_flight_requests pages fetched ahead (the SDK fetches all 100, K11)
    await asyncio.sleep(0.1)
    assert gauge.started == started  # nothing else was started afterwards


async def test_abandoned_listing_fetches_at_most_the_bound_ahead(
    api: respx.MockRouter, transports: list[AsyncTransport]
) -> None:
    route = api.get(f"{BASE}/queues").mock(side_effect=lambda r: httpx.Response(200, json=page_body(page_of(r), 100)))
    t = new(transports, Token("t"), max_in_flight_requests=3)
    pages = t.paginate("queues")
    await anext(pages)
    await anext(pages)
    await asyncio.sleep(0.05)  # not closed: prefetch tasks may finish, but no new ones start
    assert route.call_count <= 2 + 3
    await pages.aclose()


# -- run_concurrently --------------------------------------------------------------------------------------------


async def test_run_concurrently_order_and_first_error_cancels_others() -> None:
    finished: list[str] = []

    async def ok(name: str, delay: float) -> str:
        await asyncio.sleep(delay)
        finished.append(name)
        return name

    async def boom() -> str:
        await asyncio.sleep(0.01)
        raise APIClientError("POST", "u", 400, "bad")

    assert await async_concurrency.run_concurrently([lambda: ok("a", 0.02), lambda: ok("b", 0.0)]) == ["a", "b"]
    finished.clear()
    with pytest.raises(APIClientError) as info:  # the error itself, not an ExceptionGroup
        await async_concurrency.run_concurrently([lambda: ok("slow", 0.5), boom, lambda: ok("fast", 0.0)])
    assert info.value.status_code == 400
    assert finished == ["fast"]  # "slow" was cancelled


def test_sync_run_concurrently_is_sequential_and_stops_at_first_error() -> None:
    calls: list[int] = []

    def make(i: int) -> Any:
        def call() -> int:
            calls.append(i)
            if i == 1:
                raise ValueError("boom")
            return i

        return call

    assert sync_concurrency.run_concurrently([make(0), make(2)]) == [0, 2]
    calls.clear()
    with pytest.raises(ValueError, match="boom"):
        sync_concurrency.run_concurrently([make(0), make(1), make(2)])
    assert calls == [0, 1]


def test_sync_prefetcher_is_lazy() -> None:
    calls: list[int] = []

    def factory(i: int) -> Any:
        def call() -> int:
            calls.append(i)
            return i

        return call

    prefetcher = sync_concurrency.Prefetcher((factory(i) for i in range(5)), window=4)
    it: Iterator[int] = iter(prefetcher)
    assert next(it) == 0
    assert calls == [0]
    prefetcher.close()
    assert list(it) == []


def test_sync_semaphore_bounds_threads() -> None:
    semaphore = sync_concurrency.Semaphore(2)
    gauge = Gauge()

    def work() -> None:
        with semaphore:
            gauge.enter()
            time.sleep(0.01)
            gauge.leave()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gauge.peak == 2
