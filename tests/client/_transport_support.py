"""Shared helpers of the transport tests: one test body drives both flavours.

``Flavoured`` wraps an ``AsyncTransport`` or a ``SyncTransport`` so a test can ``await`` every call either way;
iterators are drained with ``collect``. Sleeps of both concurrency modules are recorded, never slept.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from rossum_iac.client._async import _concurrency as async_concurrency
from rossum_iac.client._async.transport import AsyncTransport
from rossum_iac.client._sync import _concurrency as sync_concurrency
from rossum_iac.client._sync.transport import SyncTransport

BASE = "http://localhost/api/v1"
LOGIN = f"{BASE}/auth/login"


class Flavoured:
    def __init__(self, transport: AsyncTransport | SyncTransport) -> None:
        self.transport = transport
        self.is_async = isinstance(transport, AsyncTransport)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.transport, name)
        if not callable(attr) or name in ("paginate", "cursor_paginate", "stream"):
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result

        return call

    async def close(self) -> None:
        if isinstance(self.transport, AsyncTransport):
            await self.transport.aclose()
        else:
            self.transport.close()


async def collect(iterator: AsyncIterator[Any] | Iterator[Any], limit: int | None = None) -> list[Any]:
    """Drain (or take ``limit`` items of) a sync or async iterator, then close it."""
    items: list[Any] = []
    if isinstance(iterator, AsyncIterator):
        try:
            async for item in iterator:
                items.append(item)
                if limit is not None and len(items) >= limit:
                    break
        finally:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()
        return items
    try:
        for item in iterator:
            items.append(item)
            if limit is not None and len(items) >= limit:
                break
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    return items


def page_body(page: int, total: int | None, **extra: Any) -> dict[str, Any]:
    pagination: dict[str, Any] = {"next": None if total is not None and page >= total else f"{BASE}/x?page={page + 1}"}
    if total is not None:
        pagination["total_pages"] = total
    return {"pagination": pagination, "results": [{"page": page}], **extra}


def page_of(request: httpx.Request) -> int:
    return int(request.url.params.get("page", "1"))


class ChunkStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body yielding ``chunks`` and then raising ``error`` (if any), for both client flavours."""

    def __init__(self, chunks: list[bytes], error: Exception | None = None) -> None:
        self.chunks = chunks
        self.error = error

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.error is not None:
            raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.error is not None:
            raise self.error


# -- fixtures: test modules import the *_fixture functions and ask for them by name ----------------------------


@pytest.fixture(name="api")
def api_fixture() -> Iterator[respx.MockRouter]:
    """respx router for both flavours; any unmocked request fails the test."""
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture(name="sleeps")
def sleeps_fixture(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff waits requested by either transport, recorded instead of slept."""
    waits: list[float] = []

    async def async_sleep(seconds: float) -> None:
        waits.append(seconds)

    def sync_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(async_concurrency, "sleep", async_sleep)
    monkeypatch.setattr(sync_concurrency, "sleep", sync_sleep)
    return waits


@pytest.fixture(name="flavour", params=["async", "sync"])
def flavour_fixture(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(name="make")
async def make_fixture(flavour: str, sleeps: list[float]) -> AsyncIterator[Any]:
    """``make(credentials, **kwargs)`` -> a ``Flavoured`` transport of the current flavour, closed afterwards;
    no pacing unless ``requests_per_second`` is given (pacing has its own tests, with a virtual clock)."""
    made: list[Flavoured] = []

    def factory(credentials: Any, **kwargs: Any) -> Flavoured:
        kwargs.setdefault("requests_per_second", 0)
        cls = AsyncTransport if flavour == "async" else SyncTransport
        transport = Flavoured(cls(kwargs.pop("base_url", BASE), credentials, **kwargs))
        made.append(transport)
        return transport

    yield factory
    for transport in made:
        await transport.close()
