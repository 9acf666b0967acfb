"""Fixtures of the integration suite: a fresh emulator per test and a client of each flavour."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from ._support import FLAVOURS, IMPORT_DELAY_S, ClientAPI, drain, make_client

COVERAGE_MODULE = "tests/integration/test_method_coverage.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the method-coverage test after the scenarios (it reuses their records when they ran here)."""
    coverage = [item for item in items if item.nodeid.startswith(COVERAGE_MODULE)]
    if coverage:
        rest = [item for item in items if not item.nodeid.startswith(COVERAGE_MODULE)]
        items[:] = rest + coverage


@pytest.fixture
def emu(emulator_factory: Callable[..., Any]) -> Any:
    """A fresh emulator (":memory:", free port) whose imports settle quickly."""
    return emulator_factory(import_delay_s=IMPORT_DELAY_S)


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def api(flavour: str, emu: Any, tmp_path: Path) -> AsyncIterator[ClientAPI]:
    """A client of ``flavour`` logged in as the seeded admin (``UserCredentials``), closed afterwards."""
    client = make_client(flavour, emu)
    try:
        yield ClientAPI(flavour, client, emu, tmp_path)
    finally:
        await drain(client.close())
