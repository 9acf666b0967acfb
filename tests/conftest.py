"""Shared test fixtures."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Any]]:
    """Start emulators with custom options: ``emu = emulator_factory(db=tmp_path / "e.db", latency_ms=5)``.

    Every emulator started through the factory is stopped at the end of the test.
    """
    from rossum_iac.emulator import serve_in_thread

    with ExitStack() as stack:

        def start(**kwargs: Any) -> Any:
            return stack.enter_context(serve_in_thread(**kwargs))

        yield start


@pytest.fixture
def emulator(emulator_factory: Callable[..., Any]) -> Any:
    """A fresh emulator (":memory:" DB, free port) for one test; yields its EmulatorHandle."""
    return emulator_factory()
