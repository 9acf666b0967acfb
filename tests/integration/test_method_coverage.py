"""Every public method of both clients is called by the integration suite's scenarios (``@scenario`` tests).

Calls are recorded by the ``ClientAPI`` wrapper; a scenario counts only when it passed. Scenarios that already
ran in this process (serial runs: this module is ordered last) are not run again; the others (another xdist
worker ran them, or ``-k`` deselected them) are run here against fresh emulators.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ._support import (
    CLIENT_CLASSES,
    COMPLETED,
    FAILED,
    FLAVOURS,
    IMPORT_DELAY_S,
    SCENARIOS,
    ClientAPI,
    drain,
    make_client,
    public_methods,
)

HERE = Path(__file__).parent


def _load_scenarios() -> None:
    for module in sorted(HERE.glob("test_*.py")):
        importlib.import_module(f"{__package__}.{module.stem}")


def test_the_recorder_sees_the_public_surface() -> None:
    for flavour in FLAVOURS:
        methods = public_methods(CLIENT_CLASSES[flavour])
        assert {"list_queues", "upload_document", "request_cursor_paginated", "close"} <= methods
        assert "base_url" not in methods and not any(name.startswith("_") for name in methods)
    assert public_methods(CLIENT_CLASSES["async"]) - public_methods(CLIENT_CLASSES["sync"]) == {"aclose"}


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_every_public_method_is_exercised(
    flavour: str, emulator_factory: Callable[..., Any], tmp_path: Path
) -> None:
    _load_scenarios()
    assert len(SCENARIOS) >= 10
    called: set[str] = set()
    failures: dict[str, str] = {}
    for name, run in SCENARIOS.items():
        key = (name, flavour)
        if key not in COMPLETED and key not in FAILED:
            emu = emulator_factory(import_delay_s=IMPORT_DELAY_S)
            workdir = tmp_path / name.replace(":", "_")
            workdir.mkdir()
            client = make_client(flavour, emu)
            try:
                await run(ClientAPI(flavour, client, emu, workdir))
            except Exception:  # recorded in FAILED by the scenario wrapper
                pass
            finally:
                await drain(client.close())
        if key in COMPLETED:
            called |= COMPLETED[key]
        else:
            failures[name] = FAILED.get(key, "did not run")
    missing = sorted(public_methods(CLIENT_CLASSES[flavour]) - called)
    assert not missing, (
        f"{len(missing)} public {flavour} client method(s) not exercised by a passing scenario: {missing}"
        + (f"; failing scenarios: {failures}" if failures else "")
    )
