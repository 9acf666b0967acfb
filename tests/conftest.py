"""Shared test fixtures."""

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

# Tests talk to emulators on loopback: the CLI does not pace its requests unless a test asks for it (the client's
# own default of 10 requests/s is for real organizations; tests of pacing set the variable or the flag themselves).
os.environ.setdefault("ROSSUM_IAC_RATE_LIMIT", "0")


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
