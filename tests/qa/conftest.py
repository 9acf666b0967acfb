"""QA tests: the product used the way its users use it (CLI end to end, against the emulator on loopback).

Every test here runs with a guard that fails it if anything in this process tries to reach a host other than
127.0.0.1 / localhost (the example stack's prod environment names a real-looking API URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse (and record) any HTTP request to a non-loopback host made from this process."""
    attempts: list[str] = []
    sync_send = httpx.HTTPTransport.handle_request
    async_send = httpx.AsyncHTTPTransport.handle_async_request

    def check(request: httpx.Request) -> None:
        if request.url.host not in LOOPBACK:
            attempts.append(str(request.url))
            raise httpx.ConnectError(f"test guard: refusing to contact {request.url.host}", request=request)

    def guarded_sync(self: Any, request: httpx.Request) -> httpx.Response:
        check(request)
        return sync_send(self, request)

    async def guarded_async(self: Any, request: httpx.Request) -> httpx.Response:
        check(request)
        return await async_send(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", guarded_sync)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", guarded_async)
    yield attempts
    assert attempts == [], f"a test tried to reach non-loopback hosts: {attempts}"
