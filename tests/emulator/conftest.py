"""Fixtures for the emulator's own tests: an httpx client authenticated with the seeded token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.emulator.helpers import Maker


@pytest.fixture
def api(emulator: Any) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.base_url, headers={"Authorization": f"Bearer {emulator.token}"}, timeout=10
    ) as client:
        yield client


@pytest.fixture
def anon(emulator: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def make(api: httpx.Client) -> Maker:
    return Maker(api)

