"""Pacing against the real emulator with a rate limit: concurrent retrieves of both clients all succeed.

The emulator answers 429 above ``rate_limit`` requests in any sliding second. Without pacing, 20 requests at once
get at least 15 of those (only 5 fit in the first second); a client pacing itself at the limit gets few or none
(a 429 can still happen when the machine delays some requests more than others, and is then retried).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from rossum_iac.client import Token

from ._support import FLAVOURS, make_client

LIMIT = 5
N = 20


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_concurrent_retrieves_under_a_rate_limit_all_succeed(emulator_factory: Any, flavour: str) -> None:
    emu = emulator_factory(rate_limit=LIMIT)
    emu.settings.rate_limit = None
    setup = make_client("sync", emu, Token(emu.token))
    with setup:
        organization = setup.retrieve_own_organization()
        workspace = setup.create_new_workspace({"name": "paced", "organization": organization.url})
    await asyncio.sleep(1.1)  # an empty window for the measured requests
    emu.settings.rate_limit = LIMIT
    statuses: list[int] = []
    client = make_client(
        flavour,
        emu,
        Token(emu.token),
        requests_per_second=LIMIT,
        response_post_processor=lambda response: statuses.append(response.status_code),
    )
    if flavour == "async":
        async with client:
            results = await asyncio.gather(*(client.retrieve_workspace(workspace.id) for _ in range(N)))
    else:
        with client, ThreadPoolExecutor(4) as pool:  # the sync client shared by threads: one pace for all
            results = list(pool.map(lambda _: client.retrieve_workspace(workspace.id), range(N)))
    assert [w.name for w in results] == ["paced"] * N
    assert statuses.count(200) == N
    assert statuses.count(429) < N - LIMIT
    assert client._transport._pacer.pacer.throttle_count == statuses.count(429)
