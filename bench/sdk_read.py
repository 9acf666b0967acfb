"""The script a user would write with the public SDK to read what ``rossum-iac plan`` reads.

    /tmp/sdkvenv/bin/python bench/sdk_read.py BASE_URL          # rossum-api (the public SDK), token in ROSSUM_API_TOKEN
    python bench/sdk_read.py BASE_URL --like                    # no SDK: an httpx script that behaves like it

The organization (``retrieve_own_organization``: auth/user, then the organization) and every object of the
collections ``rossum-iac plan`` lists for the benchmark's stack (``COLLECTIONS``: the kinds' collections and the
catalogues they name entries of; until the kinds of issue 14 these were eight), all listings run concurrently with
``asyncio.gather``, the fastest way the SDK offers (``request_paginated`` where the SDK has no ``list_*`` method);
each listing fetches its pages 4 at a time, the SDK's ``max_in_flight_requests`` default. It compares nothing: it
only reads. Prints one JSON line: objects read per collection. ``bench/scale.py`` times the whole process next to
``rossum-iac plan``.

``--like`` (when ``rossum_api`` is not installed): page 1, then the other pages with at most 4 in flight, JSON
parsed into dicts, no models. Only the standard library and httpx are imported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import AsyncIterator
from typing import Any

COLLECTIONS = (
    "workspaces", "schemas", "connectors", "queues", "inboxes", "hooks", "email_templates", "rules", "users",
    "hook_templates", "generic_engines",
)
"""What ``rossum-iac plan`` lists for the benchmark's stack (no triggers, labels, engines or users declared): the
collections of the kinds it must always list (those that carry their ownership in their own metadata) and of those
it declares, and the catalogues its kinds name entries of (hook templates, generic engines)."""


async def read_with_sdk(base_url: str, token: str) -> dict[str, int]:
    from rossum_api import AsyncRossumAPIClient  # type: ignore[import-not-found]
    from rossum_api.dtos import Token  # type: ignore[import-not-found]

    client = AsyncRossumAPIClient(base_url, Token(token))

    async def collect(items: AsyncIterator[Any]) -> int:
        return len([item async for item in items])

    organization, *counts = await asyncio.gather(
        client.retrieve_own_organization(),
        collect(client.list_workspaces()),
        collect(client.list_schemas()),
        collect(client.list_connectors()),
        collect(client.list_queues()),
        collect(client.request_paginated("inboxes")),  # the SDK has no list_inboxes
        collect(client.list_hooks()),
        collect(client.list_email_templates()),
        collect(client.list_rules()),
        collect(client.list_users()),
        collect(client.list_hook_templates()),
        collect(client.request_paginated("generic_engines")),  # no list_generic_engines
    )
    await client._http_client.client.aclose()
    assert organization.id
    return dict(zip(COLLECTIONS, counts, strict=True))


async def read_like_sdk(base_url: str, token: str) -> dict[str, int]:
    import httpx

    base = base_url.rstrip("/")
    async with httpx.AsyncClient(timeout=None, headers={"Authorization": f"Bearer {token}"}) as http:

        async def get(url: str, params: dict[str, Any] | None = None) -> Any:
            response = await http.get(url, params=params)
            response.raise_for_status()
            return response.json()

        async def listing(collection: str) -> int:
            url = f"{base}/{collection}"
            first = await get(url, {"page_size": 100})
            items = list(first["results"])
            total = first["pagination"].get("total_pages") or 1
            guard = asyncio.Semaphore(4)

            async def page(number: int) -> Any:
                async with guard:
                    return await get(url, {"page_size": 100, "page": number})

            for body in await asyncio.gather(*(page(n) for n in range(2, total + 1))):
                items.extend(body["results"])
            return len(items)

        async def organization() -> Any:
            user = await get(f"{base}/auth/user")
            return await get(user["organization"])

        _, *counts = await asyncio.gather(organization(), *(listing(c) for c in COLLECTIONS))
    return dict(zip(COLLECTIONS, counts, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--like", action="store_true", help="httpx only (no rossum_api)")
    args = parser.parse_args()
    token = os.environ["ROSSUM_API_TOKEN"]
    reader = read_like_sdk if args.like else read_with_sdk
    print(json.dumps(asyncio.run(reader(args.base_url, token))))


if __name__ == "__main__":
    main()
