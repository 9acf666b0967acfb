"""The wait loop: growing interval, deadline, last state in the timeout message."""

from __future__ import annotations

import time

import pytest

from rossum_iac.ops.polling import Deadline, WaitTimeoutError, poll


async def test_poll_returns_when_done():
    values = iter(["importing", "importing", "to_review"])
    calls = []

    async def fetch() -> str:
        calls.append(time.monotonic())
        return next(values)

    result = await poll(fetch, lambda s: s == "to_review", deadline=Deadline(5), what="x", first_s=0.01)
    assert result == "to_review"
    assert len(calls) == 3


async def test_poll_times_out_with_last_state():
    async def fetch() -> str:
        return "importing"

    start = time.monotonic()
    with pytest.raises(WaitTimeoutError, match=r"^import did not finish within 0.2 s \(last seen: importing\)$"):
        await poll(fetch, lambda s: False, deadline=Deadline(0.2), what="import", first_s=0.05, describe=str)
    assert 0.15 < time.monotonic() - start < 1.0


def test_deadline_without_limit():
    assert Deadline(None).remaining() is None
    assert not Deadline(None).expired()
