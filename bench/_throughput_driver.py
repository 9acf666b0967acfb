"""Timed listing and concurrent retrieves with one client, run in its own interpreter by ``bench/ratelimit.py``.

    python bench/_throughput_driver.py {ours,sdk,sdk-like} BASE_URL TOKEN --ids 1,2,3 [--runs 5] [--max-in-flight N]

``ours``: ``rossum_iac``'s ``AsyncRossumAPIClient`` without pacing (``requests_per_second=0``); ``sdk``: the public
SDK's ``AsyncRossumAPIClient`` (``rossum_api``, importable only in the interpreter that has it); ``sdk-like``: a
small httpx script doing what the SDK does (page 1, then the other pages with at most 4 in flight, yielded in
order; retrieves all at once on httpx's default pool, no pacing; JSON parsed, no models). Each run lists every
workspace and retrieves ``--ids`` concurrently, on one client (a first run warms it up and is not reported).
Prints one JSON object: seconds per run of each, and the counts seen. Only stdlib and httpx at import time, so
the SDK's interpreter can run it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx


class SdkLike:
    """What the public SDK's async client does for these two calls, without its models."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.AsyncClient(timeout=None, headers={"Authorization": f"Bearer {token}"})

    async def _get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        response = await self.http.get(url, params=params)
        response.raise_for_status()
        return response.json()

    async def list_workspaces(self) -> AsyncIterator[dict[str, Any]]:
        url = f"{self.base_url}/workspaces"
        first = await self._get(url, {"page_size": 100})
        for item in first["results"]:
            yield item
        total = first["pagination"].get("total_pages") or 1
        guard = asyncio.Semaphore(4)

        async def page(number: int) -> Any:
            async with guard:
                return await self._get(url, {"page_size": 100, "page": number})

        tasks = [asyncio.ensure_future(page(n)) for n in range(2, total + 1)]
        for task in tasks:
            for item in (await task)["results"]:
                yield item

    async def retrieve_workspace(self, workspace_id: int) -> Any:
        return await self._get(f"{self.base_url}/workspaces/{workspace_id}")

    async def close(self) -> None:
        await self.http.aclose()


Closer = Callable[[], Awaitable[None]]


def make_client(kind: str, base_url: str, token: str, max_in_flight: int | None) -> tuple[Any, Closer]:
    if kind == "ours":
        from rossum_iac.client import AsyncRossumAPIClient, Token

        kwargs: dict[str, Any] = {"requests_per_second": 0}
        if max_in_flight:
            kwargs["max_in_flight_requests"] = max_in_flight
        ours = AsyncRossumAPIClient(base_url, Token(token), **kwargs)
        return ours, ours.close
    if kind == "sdk":
        from rossum_api import AsyncRossumAPIClient as SdkClient  # type: ignore[import-not-found]
        from rossum_api.dtos import Token as SdkToken  # type: ignore[import-not-found]

        sdk = SdkClient(base_url, SdkToken(token))

        async def close_sdk() -> None:
            await sdk._http_client.client.aclose()

        return sdk, close_sdk
    like = SdkLike(base_url, token)
    return like, like.close


async def run(args: argparse.Namespace) -> dict[str, Any]:
    client, close = make_client(args.kind, args.base_url, args.token, args.max_in_flight)
    ids = [int(i) for i in args.ids.split(",")]
    listed: list[float] = []
    retrieved: list[float] = []
    counts: dict[str, int] = {}
    try:
        for run_number in range(1 + args.runs):
            start = time.perf_counter()
            items = [item async for item in client.list_workspaces()]
            list_s = time.perf_counter() - start
            start = time.perf_counter()
            results = await asyncio.gather(*(client.retrieve_workspace(i) for i in ids))
            retrieve_s = time.perf_counter() - start
            counts = {"listed": len(items), "retrieved": len(results)}
            if run_number:
                listed.append(round(list_s, 4))
                retrieved.append(round(retrieve_s, 4))
    finally:
        await close()
    return {"kind": args.kind, "list_s": listed, "retrieve_s": retrieved, **counts}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("ours", "sdk", "sdk-like"))
    parser.add_argument("base_url")
    parser.add_argument("token")
    parser.add_argument("--ids", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-in-flight", type=int, default=None)
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
