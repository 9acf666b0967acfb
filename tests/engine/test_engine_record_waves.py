"""Ownership records of the actions that are ready together are written together: one read and one write of the
organization's metadata per wave of rules, whatever the order in which their creates return and whatever the
parallelism."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from rossum_iac.client import AsyncRossumAPIClient, Token
from rossum_iac.emulator import serve_in_thread
from rossum_iac.engine import execute, make_plan
from rossum_iac.engine.orgmeta import OrganizationMetadata
from rossum_iac.manifest.model import DesiredObject, SourceLocation, Stack


class Recorder:
    """An organization endpoint in memory that counts reads and writes."""

    def __init__(self) -> None:
        self.metadata: dict[str, Any] = {}
        self.calls: list[str] = []

    async def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        self.calls.append(method)
        await asyncio.sleep(0.005)
        if method == "PATCH":
            self.metadata = kwargs["json"]["metadata"]
        return {"id": 1, "metadata": self.metadata}


def setter(key: str) -> Any:
    def mutate(metadata: dict[str, Any]) -> bool:
        metadata[key] = True
        return True

    return mutate


async def announced(org: OrganizationMetadata, delay: float, key: str | None) -> None:
    token = org.expect_writer()
    try:
        await asyncio.sleep(delay)
        if key is not None:
            await org.update(setter(key))
    finally:
        org.writer_done(token)


async def test_writers_running_together_share_one_read_and_one_write() -> None:
    api = Recorder()
    org = OrganizationMetadata(api, {"id": 1})  # type: ignore[arg-type]
    await asyncio.gather(*(announced(org, 0.01 * i, f"k{i}") for i in range(6)))
    assert api.calls == ["GET", "PATCH"]
    assert api.metadata == {f"k{i}": True for i in range(6)}


async def test_a_writer_that_finishes_without_writing_releases_the_others() -> None:
    api = Recorder()
    org = OrganizationMetadata(api, {"id": 1})  # type: ignore[arg-type]
    await asyncio.wait_for(
        asyncio.gather(announced(org, 0.0, "a"), announced(org, 0.05, None), announced(org, 0.02, "b")), timeout=5
    )
    assert api.calls == ["GET", "PATCH"]
    assert api.metadata == {"a": True, "b": True}


async def test_an_unannounced_caller_does_not_wait_for_running_writers() -> None:
    api = Recorder()
    org = OrganizationMetadata(api, {"id": 1})  # type: ignore[arg-type]
    release = asyncio.Event()

    async def slow_writer() -> None:
        token = org.expect_writer()
        try:
            await release.wait()
        finally:
            org.writer_done(token)

    writer = asyncio.ensure_future(slow_writer())
    await asyncio.sleep(0)
    await asyncio.wait_for(org.update(setter("lease")), timeout=5)  # e.g. the lease: not held back
    assert api.metadata == {"lease": True}
    release.set()
    await writer


async def test_a_cancelled_waiting_writer_changes_nothing() -> None:
    api = Recorder()
    org = OrganizationMetadata(api, {"id": 1})  # type: ignore[arg-type]
    other = org.expect_writer()  # announced elsewhere and still running

    async def doomed() -> None:
        org.expect_writer()
        await org.update(setter("doomed"))

    task = asyncio.ensure_future(doomed())
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    org.writer_done(other)
    await org.update(setter("kept"))
    assert api.metadata == {"kept": True}


def _rules(count: int) -> Stack:
    source = SourceLocation(Path("rules.yaml"))
    objects = tuple(
        DesiredObject(kind="Rule", key=f"rule-{i}", fields={"name": f"Rule {i}", "trigger_condition": "True"},
                      source=source)
        for i in range(count)
    )
    return Stack(name="waves", root=Path("."), objects=objects, digest="sha256:waves")


@pytest.mark.parametrize("parallelism", [1, 4, 16])
async def test_an_apply_records_a_wave_of_rules_in_one_write(parallelism: int) -> None:
    writes: list[str] = []

    def count(response: Any) -> None:
        request = response.request
        if request.method == "PATCH" and "/organizations/" in str(request.url):
            writes.append(str(request.url))

    with serve_in_thread(latency_ms=5) as emu:
        async with AsyncRossumAPIClient(emu.base_url, Token(emu.token), requests_per_second=0,
                                        response_post_processor=count) as client:
            plan, context = await make_plan(client, _rules(12))
            posting = peak = 0
            request_json = client.request_json

            async def counted(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
                nonlocal posting, peak
                if method == "POST":
                    posting += 1
                    peak = max(peak, posting)
                try:
                    return await request_json(method, url, *args, **kwargs)
                finally:
                    if method == "POST":
                        posting -= 1

            client.request_json = counted  # type: ignore[method-assign]
            result = await execute(client, plan, context, parallelism=parallelism)
            client.request_json = request_json  # type: ignore[method-assign]
            assert peak <= parallelism  # creates stay within --parallelism
            assert result.ok, [r.to_json() for r in result.results]
            writes_of_apply = list(writes)
            again, _ = await make_plan(client, _rules(12))
    # the lease (taken, released) and the twelve rules' records, written once: an action waiting for its wave
    # gives its slot to the next one, so even one at a time the twelve are ready together
    assert len(writes_of_apply) == 3, writes_of_apply
    assert not again.has_changes
