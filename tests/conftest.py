"""Shared test fixtures."""

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

# Tests talk to emulators on loopback: the CLI does not pace its requests unless a test asks for it (the client's
# own default of 10 requests/s is for real organizations; tests of pacing set the variable or the flag themselves).
os.environ.setdefault("ROSSUM_IAC_RATE_LIMIT", "0")

# Compiled schema checks (manifest/check_cache.py) go to a directory of this test run, removed at its end, not to
# the user's cache directory; processes the tests start inherit it.
_CHECK_CACHE = tempfile.mkdtemp(prefix="rossum-iac-test-checks-")
os.environ["ROSSUM_IAC_CACHE_DIR"] = _CHECK_CACHE
atexit.register(shutil.rmtree, _CHECK_CACHE, ignore_errors=True)


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
