"""The generic request methods and the client life cycle, both flavours, over real HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rossum_iac.client import APIClientError
from rossum_iac.emulator.http import Request
from rossum_iac.emulator.routing import ROUTER

from ._support import ClientAPI, drain, make_client, scenario

CURSOR_PATH = "/integration-tests/cursor"
CURSOR_ITEMS = [{"n": n} for n in range(7)]


def _cursor_page(req: Request) -> dict[str, Any]:
    """A cursor-paginated listing (top-level ``next``), as some newer API endpoints answer (facts 3.1)."""
    offset = int(req.param("cursor") or 0)
    size = int(req.param("page_size") or 3)
    end = offset + size
    nxt = req.absolute(f"{CURSOR_PATH}?cursor={end}&page_size={size}") if end < len(CURSOR_ITEMS) else None
    return {"next": nxt, "results": CURSOR_ITEMS[offset:end]}


@contextlib.contextmanager
def cursor_endpoint() -> Iterator[str]:
    """A temporary cursor-paginated endpoint on the emulators of this process (no such documented endpoint)."""
    ROUTER.add("GET", CURSOR_PATH, _cursor_page)
    try:
        yield CURSOR_PATH.lstrip("/")
    finally:
        ROUTER.remove("GET", CURSOR_PATH)


@scenario
async def test_request_helpers(api: ClientAPI) -> None:
    org = await api.retrieve_own_organization()
    names = [f"ws-{n:02d}" for n in range(7)]
    for name in reversed(names):
        await api.create_new_workspace({"name": name, "organization": org.url})

    response = await api.request("GET", "workspaces", params={"name": "ws-03"})
    assert isinstance(response, httpx.Response) and response.status_code == 200
    assert [w["name"] for w in response.json()["results"]] == ["ws-03"]
    created = await api.request_json("POST", "workspaces", json={"name": "raw", "organization": org.url})
    assert created["name"] == "raw" and created["url"].endswith(f"/workspaces/{created['id']}")
    assert (await api.request_json("GET", created["url"]))["id"] == created["id"], "absolute URLs are followed"
    assert await api.request_json("DELETE", f"workspaces/{created['id']}") == {}, "204 gives {}"

    paged = await api.request_paginated("workspaces", ordering=["name"], page_size=2)
    assert [w["name"] for w in paged] == names
    page_requests = [p for m, p, _ in api.emu.request_log if m == "GET" and p.startswith("/api/v1/workspaces?")]
    assert len(page_requests) >= 5 and sum("page=" in p for p in page_requests[-4:]) == 3
    capped = await api.request_paginated("workspaces", ["-name"], page_size=2, max_pages=2)
    assert [w["name"] for w in capped] == names[::-1][:4]

    # logging out revokes the client's token: the next request gets 401, logs in again and is replayed
    assert (await api.request_json("POST", "auth/logout"))["detail"]
    assert (await api.retrieve_current_user()).username == api.emu.username
    tail = [(m, p.split("?")[0], s) for m, p, s in api.emu.request_log[-3:]]
    assert tail == [
        ("GET", "/api/v1/auth/user", 401),
        ("POST", "/api/v1/auth/login", 200),
        ("GET", "/api/v1/auth/user", 200),
    ]


@scenario
async def test_request_cursor_paginated(api: ClientAPI) -> None:
    with cursor_endpoint() as path:
        await _check_cursor_pagination(api, path)


async def _check_cursor_pagination(api: ClientAPI, cursor_endpoint: str) -> None:
    items = await api.request_cursor_paginated(cursor_endpoint, page_size=3)
    assert items == CURSOR_ITEMS
    cursor_requests = [p for _, p, _ in api.emu.request_log if p.startswith(f"/api/v1/{cursor_endpoint}")]
    assert len(cursor_requests) == 3 and "cursor=3" in cursor_requests[1] and "cursor=6" in cursor_requests[2]
    assert await api.request_cursor_paginated(cursor_endpoint, page_size=3, max_pages=2) == CURSOR_ITEMS[:6]
    # a page-number listing has no top-level "next": only its first page is read
    org = await api.retrieve_own_organization()
    for n in range(3):
        await api.create_new_workspace({"name": f"c{n}", "organization": org.url})
    assert len(await api.request_cursor_paginated("workspaces", page_size=2)) == 2


@scenario
async def test_close_and_context_managers(api: ClientAPI) -> None:
    assert api.client.base_url == api.emu.base_url
    if api.flavour == "async":
        async with make_client("async", api.emu) as client:
            assert (await client.retrieve_current_user()).username == api.emu.username
        other = make_client("async", api.emu)
        await drain(other.retrieve_current_user())
        await other.aclose()
        with pytest.raises(RuntimeError):
            await other.retrieve_current_user()
    else:
        with make_client("sync", api.emu) as client:
            assert client.retrieve_current_user().username == api.emu.username
        other = make_client("sync", api.emu)
        other.retrieve_current_user()
        other.close()
        with pytest.raises(RuntimeError):
            other.retrieve_current_user()
    await api.close()
    if api.flavour == "async":
        await api.aclose()  # the asyncio-style alias; closing twice is harmless
    with pytest.raises((RuntimeError, APIClientError)):
        await api.retrieve_current_user()
