"""The organization-metadata writer when its write fails: every caller of the failed batch gets the error, and no
future is left holding an exception nobody reads (asyncio would print "Future exception was never retrieved" with a
traceback on the user's terminal)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from rossum_iac.engine.orgmeta import OrganizationMetadata


async def collect_garbage() -> None:
    """Unread futures report themselves when collected; the collection may take a few rounds of the loop."""
    for _ in range(3):
        gc.collect()
        await asyncio.sleep(0.01)


class FailingWrites:
    """Reads answer the organization; every PATCH fails after a moment (so other updates queue up behind it)."""

    def __init__(self) -> None:
        self.patches = 0

    async def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        if method == "GET":
            return {"id": 1, "metadata": {}}
        self.patches += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("HTTP 503 from the organization")


async def test_a_failed_write_reaches_every_caller_and_leaves_no_unread_future() -> None:
    unread: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: unread.append(context))
    client = FailingWrites()
    org = OrganizationMetadata(client, {"id": 1})  # type: ignore[arg-type]

    def mutate(metadata: dict[str, Any]) -> bool:
        metadata["x"] = 1
        return True

    outcomes = await asyncio.gather(*(org.update(mutate) for _ in range(3)), return_exceptions=True)
    assert [type(o) for o in outcomes] == [RuntimeError] * 3
    assert client.patches == 2  # the first alone, then the two that waited, together
    del outcomes  # their tracebacks hold the futures
    await collect_garbage()
    assert unread == [], [c.get("message") for c in unread]


async def test_a_single_failed_write_raises_once() -> None:
    unread: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: unread.append(context))
    org = OrganizationMetadata(FailingWrites(), {"id": 1})  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        await org.update(lambda metadata: metadata.update(x=1) is None)
    await collect_garbage()
    assert unread == []
