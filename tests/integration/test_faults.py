"""Injected faults against both clients (emulator ``fault_rate`` with one ``fault_kinds`` entry at a time).

A fault is decided by the emulator before routing, so a faulted request changes nothing. To fault exactly the
first N requests of a client, an httpx request hook sets ``fault_rate`` to 1.0 for the first N requests it sends
and to 0.0 afterwards ("the faults stop"); the client gets that httpx client through its ``http_client`` option.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from rossum_iac.client import APIClientError, APIThrottledError, APITransportError, Token
from rossum_iac.client._async import _concurrency as async_concurrency
from rossum_iac.client._sync import _concurrency as sync_concurrency

from ._support import FAST_RETRIES, ClientAPI, drain, make_client

STATUS_KINDS = ("429", "500", "502", "503")
ALL_KINDS = (*STATUS_KINDS, "drop")
DROPPED = 0  # status of a dropped connection in the emulator's request log


def logged_status(kind: str) -> int:
    return DROPPED if kind == "drop" else int(kind)


@contextlib.asynccontextmanager
async def faulty_client(api: ClientAPI, kind: str, faults: int | None, **kwargs: Any) -> AsyncIterator[ClientAPI]:
    """A Token client of ``api.flavour`` whose first ``faults`` requests (all of them when ``None``) get fault
    ``kind``; fast backoff so retries do not slow the suite (``Retry-After`` still applies)."""
    emu = api.emu
    emu.settings.fault_kinds = (kind,)
    sent = 0

    def before_send() -> None:
        nonlocal sent
        emu.settings.fault_rate = 1.0 if faults is None or sent < faults else 0.0
        sent += 1

    http: httpx.AsyncClient | httpx.Client
    if api.flavour == "async":

        async def async_hook(request: httpx.Request) -> None:
            before_send()

        http = httpx.AsyncClient(timeout=10, event_hooks={"request": [async_hook]})
    else:

        def sync_hook(request: httpx.Request) -> None:
            before_send()

        http = httpx.Client(timeout=10, event_hooks={"request": [sync_hook]})
    options = {**FAST_RETRIES, **kwargs}
    client = make_client(api.flavour, emu, Token(emu.token), http_client=http, **options)
    try:
        yield ClientAPI(api.flavour, client, emu, api.tmp_path)
    finally:
        emu.settings.fault_rate = 0.0
        await drain(client.close())
        if isinstance(http, httpx.AsyncClient):
            await http.aclose()
        else:
            http.close()


def statuses(api: ClientAPI, method: str, path: str, since: int = 0) -> list[int]:
    return [s for m, p, s in api.emu.request_log[since:] if m == method and p.split("?")[0] == f"/api/v1/{path}"]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the retry waits of both flavours (and still wait them)."""
    recorded: list[float] = []
    real_async, real_sync = async_concurrency.sleep, sync_concurrency.sleep

    async def async_sleep(seconds: float) -> None:
        recorded.append(seconds)
        await real_async(seconds)

    def sync_sleep(seconds: float) -> None:
        recorded.append(seconds)
        real_sync(seconds)

    monkeypatch.setattr(async_concurrency, "sleep", async_sleep)
    monkeypatch.setattr(sync_concurrency, "sleep", sync_sleep)
    return recorded


@pytest.mark.parametrize("kind", ALL_KINDS)
async def test_get_is_retried_until_the_faults_stop(api: ClientAPI, kind: str, sleeps: list[float]) -> None:
    org = await api.retrieve_own_organization()
    workspace = await api.create_new_workspace({"name": "W", "organization": org.url})
    since = len(api.emu.request_log)
    async with faulty_client(api, kind, faults=2) as faulty:
        started = time.monotonic()
        assert (await faulty.retrieve_workspace(workspace.id)).name == "W"
        elapsed = time.monotonic() - started
        assert [w.id for w in await faulty.list_workspaces()] == [workspace.id]
    fault = logged_status(kind)
    assert statuses(api, "GET", f"workspaces/{workspace.id}", since) == [fault, fault, 200]
    if kind == "429":  # the emulator's injected 429 says Retry-After: 1; the client waits that, not its backoff
        assert sleeps == [1.0, 1.0] and elapsed >= 2.0
    else:
        assert sleeps == [0.01, 0.02] and elapsed < 2.0


@pytest.mark.parametrize("kind", ("500", "502", "503", "drop"))  # 429: a time budget, see the next test
async def test_get_gives_up_after_n_attempts(api: ClientAPI, kind: str) -> None:
    since = len(api.emu.request_log)
    async with faulty_client(api, kind, faults=None, n_retries=2) as faulty:
        with pytest.raises(APIClientError) as caught:
            await faulty.list_queues()
    error = caught.value
    assert statuses(api, "GET", "queues", since) == [logged_status(kind)] * 2, "n_retries counts attempts"
    if kind == "drop":
        assert isinstance(error, APITransportError) and error.status_code is None
        assert error.method == "GET" and "/queues" in error.url and str(error).startswith("[GET] ")
    else:
        assert not isinstance(error, APITransportError) and error.status_code == int(kind)
        assert "injected fault" in error.detail.lower()


async def test_429_gives_up_when_its_time_budget_runs_out(api: ClientAPI, sleeps: list[float]) -> None:
    """429s use no attempts (n_retries=1 here) but time: past ``throttle_timeout`` the client stops."""
    since = len(api.emu.request_log)
    async with faulty_client(api, "429", faults=None, n_retries=1, throttle_timeout=2.5) as faulty:
        with pytest.raises(APIThrottledError) as caught:
            await faulty.list_queues()
    # Retry-After: 1 each: 429s at about 0, 1 and 2 s; the wait after the third would end past 2.5 s
    assert statuses(api, "GET", "queues", since) == [429, 429, 429]
    assert sleeps == [1.0, 1.0]
    error = caught.value
    assert error.status_code == 429 and error.throttled == 3
    assert "gave up after throttle_timeout=2.5s" in error.detail


@pytest.mark.parametrize("kind", ("500", "502", "503", "drop"))
async def test_post_create_is_never_repeated(api: ClientAPI, kind: str) -> None:
    """A create answered 500/502/503 (without Retry-After) or cut off may have been processed by a real server:
    the client must not send it again, so no duplicate can appear."""
    org = await api.retrieve_own_organization()
    since = len(api.emu.request_log)
    async with faulty_client(api, kind, faults=1) as faulty:
        with pytest.raises(APIClientError) as caught:
            await faulty.create_new_workspace({"name": "once", "organization": org.url})
        assert isinstance(caught.value, APITransportError) == (kind == "drop")
        assert await faulty.list_workspaces(name="once") == []
        created = await faulty.create_new_workspace({"name": "once", "organization": org.url})
    assert statuses(api, "POST", "workspaces", since) == [logged_status(kind), 201]
    assert [w.id for w in await api.list_workspaces(name="once")] == [created.id]


async def test_post_create_is_retried_on_429_exactly_once_created(api: ClientAPI, sleeps: list[float]) -> None:
    """A 429 proves the request was not processed: the create is retried after Retry-After, one object results."""
    org = await api.retrieve_own_organization()
    since = len(api.emu.request_log)
    async with faulty_client(api, "429", faults=1) as faulty:
        created = await faulty.create_new_workspace({"name": "throttled", "organization": org.url})
    assert statuses(api, "POST", "workspaces", since) == [429, 201]
    assert sleeps == [1.0]
    assert [w.id for w in await api.list_workspaces(name="throttled")] == [created.id]


async def test_idempotent_put_is_retried_on_500(api: ClientAPI) -> None:
    org = await api.retrieve_own_organization()
    workspace = await api.create_new_workspace({"name": "before", "organization": org.url})
    since = len(api.emu.request_log)
    async with faulty_client(api, "500", faults=2) as faulty:
        updated = await faulty.update_workspace(workspace.id, {"name": "after", "organization": org.url})
    assert updated.name == "after"
    assert statuses(api, "PUT", f"workspaces/{workspace.id}", since) == [500, 500, 200]


async def test_rate_limiter_retry_after_is_honoured(api: ClientAPI, sleeps: list[float]) -> None:
    """With ``rate_limit`` the emulator answers 429 with the seconds until the window frees up; the client waits
    exactly that (not its 0.01 s backoff) and every call, creates included, succeeds once."""
    org = await api.retrieve_own_organization()
    retry_afters: list[float] = []

    def remember(response: httpx.Response) -> None:
        if response.status_code == 429:
            retry_afters.append(float(response.headers["Retry-After"]))

    client = make_client(
        api.flavour, api.emu, Token(api.emu.token), response_post_processor=remember, n_retries=5, **FAST_RETRIES
    )
    throttled = ClientAPI(api.flavour, client, api.emu, api.tmp_path)
    api.emu.settings.rate_limit = 3
    since = len(api.emu.request_log)
    try:
        started = time.monotonic()
        names = [f"rl-{n}" for n in range(8)]
        for name in names:
            await throttled.create_new_workspace({"name": name, "organization": org.url})
        listed = await throttled.list_workspaces(ordering=["name"])
        elapsed = time.monotonic() - started
    finally:
        api.emu.settings.rate_limit = None
        await drain(client.close())
    assert [w.name for w in listed] == names
    posts = statuses(api, "POST", "workspaces", since)
    assert posts.count(201) == 8 and posts.count(429) == len(posts) - 8 >= 1
    assert retry_afters and all(value >= 1 for value in retry_afters)
    assert sleeps == retry_afters, "each retry waits the Retry-After of the 429 it answers"
    assert elapsed >= sum(retry_afters) - 0.05
