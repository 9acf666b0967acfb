"""A request through the client imports nothing: once the first request has loaded what it needs, later ones
never search ``sys.path``. httpcore tries ``import sniffio`` on every request, and without the package installed
each try walked the whole path and failed (sniffio is a dependency for that reason)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

from rossum_iac.client import AsyncRossumAPIClient, Token


class _Recorder:
    """A finder that finds nothing and counts what it was asked for (reached only by imports that miss
    ``sys.modules``)."""

    def __init__(self) -> None:
        self.asked: Counter[str] = Counter()

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        self.asked[name] += 1
        return None


async def test_requests_after_the_first_import_nothing(emulator: Any) -> None:
    client = AsyncRossumAPIClient(emulator.base_url, Token(emulator.token), requests_per_second=0)
    recorder = _Recorder()
    try:
        await client.request_json("GET", "auth/user")
        _ = [ws async for ws in client.list_workspaces()]
        sys.meta_path.insert(0, recorder)
        try:
            for _ in range(10):
                await client.request_json("GET", "auth/user")
                _ = [ws async for ws in client.list_workspaces()]
        finally:
            sys.meta_path.remove(recorder)
    finally:
        await client.close()
    assert recorder.asked == Counter()
