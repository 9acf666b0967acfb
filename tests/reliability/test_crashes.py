"""Crashes (issue 11 §4.2): a real ``apply`` process of the example stack is killed with SIGKILL right after its
k-th write request took effect on the server (before the answer reaches it), for every k from 1 to the number of
writes a whole apply makes.

The emulator runs in this process: its request log is watched as requests are served, and the process is killed
from there, so the kill lands exactly after write k (the worst moment: the server acted, the client never knew).
Then: a run without ``--force-unlock`` stops naming the killed run as the lease holder (the lease stays until it
expires; ``--force-unlock`` is the documented recovery), a run with it converges, the plan after it is empty, every
object exists exactly once and the objects made by hand are unchanged. The odd and the even k are two tests, so
that parallel test workers share them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rossum_iac.engine.lease import leases
from tests.qa.qa_helpers import COMMAND, cli, copy_examples, process_env
from tests.reliability.rel_helpers import (
    client_for,
    create_unmanaged,
    inventory,
    live_copies,
    run_cli,
    snapshot,
    writes,
)

CONCURRENT = 4


@dataclass
class Killed:
    k: int
    emulator: Any
    pid: int
    returncode: int
    writes_seen: int
    """Writes the server answered for the killed process (requests already in flight may add some after k)."""
    unmanaged: dict[str, str]


class KillAfterWrites:
    """Wraps an emulator's request log: once ``k`` write requests (not GET/HEAD) are recorded -- the handler has run
    and committed, the answer is not sent yet -- the process ``pid`` gets SIGKILL."""

    def __init__(self, emulator: Any, k: int) -> None:
        self.k = k
        self.count = 0
        self.pid: int | None = None
        self._lock = threading.Lock()
        log = emulator.request_log
        record = log.record

        def watched(method: str, target: str, status: int) -> None:
            record(method, target, status)
            if method in ("GET", "HEAD"):
                return
            with self._lock:
                self.count += 1
                if self.count == self.k and self.pid is not None:
                    os.kill(self.pid, signal.SIGKILL)

        log.record = watched


def _lease_holder(emulator: Any) -> str:
    with client_for(emulator) as client:
        organization = client.request_json("GET", f"organizations/{emulator.organization_id}")
    held = leases(organization.get("metadata") or {})
    return str(held.get("ap-automation", {}).get("holder", "(no lease)"))


def _env(emulator: Any) -> dict[str, str]:
    return process_env(ROSSUM_API_TOKEN=emulator.token, ROSSUM_IAC_RATE_LIMIT="0")


def _kill_at(k: int, emulator: Any, root: Path, cwd: Path) -> Killed:
    urls = create_unmanaged(emulator)
    before = snapshot(emulator, urls)
    watch = KillAfterWrites(emulator, k)
    process = subprocess.Popen(
        [*COMMAND, "apply", str(root), "--base-url", emulator.base_url, "--auto-approve"],
        cwd=cwd,
        env=_env(emulator),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watch.pid = process.pid
    try:
        code = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return Killed(k, emulator, process.pid, code, watch.count, before)


def _counting_run(emulator: Any, root: Path, cwd: Path) -> int:
    """Writes one whole apply of the stack makes (against an organization where nothing exists yet)."""
    run = run_cli("apply", str(root), "--base-url", emulator.base_url, "--auto-approve", cwd=cwd, env=_env(emulator))
    assert run.code == 0, run.output[-3000:]
    return len(writes(emulator))


def _killed_runs(emulator_factory: Any, root: Path, cwd: Path, ks: list[int]) -> Iterator[Killed]:
    emulators = {k: emulator_factory() for k in ks}
    with ThreadPoolExecutor(CONCURRENT) as pool:
        futures = [pool.submit(_kill_at, k, emulators[k], root, cwd) for k in emulators]
        for future in as_completed(futures):
            yield future.result()


@pytest.mark.parametrize("parity", [1, 0], ids=["odd k", "even k"])  # two halves: parallel test workers share them
def test_apply_killed_after_each_write_recovers_with_force_unlock(
    emulator_factory: Any, tmp_path: Path, parity: int
) -> None:
    root = copy_examples(tmp_path / "examples")
    stock = inventory(root, process_env())
    n = _counting_run(emulator_factory(), root, tmp_path)
    assert n >= len(stock.addresses) + 2  # the lease is written and released around the creates
    ks = [k for k in range(1, n + 1) if k % 2 == parity]
    kills = blocked_runs = 0
    for killed in _killed_runs(emulator_factory, root, tmp_path, ks):
        emulator, k = killed.emulator, killed.k
        env = {"ROSSUM_API_TOKEN": emulator.token}
        base = ["--base-url", emulator.base_url]
        assert killed.returncode == -signal.SIGKILL, f"k={k}: the apply was not killed ({killed.returncode})"
        assert killed.writes_seen >= k
        kills += 1
        if k < n:  # the release (the last write) did not happen: the lease names the killed run
            assert f"pid {killed.pid} " in _lease_holder(emulator), f"k={k}"
            blocked = cli("apply", str(root), *base, "--auto-approve", env=env)
            assert "Traceback" not in blocked.output
            if blocked.exit_code == 0:  # nothing left to change: no lease is needed
                assert "No changes." in blocked.stdout, f"k={k}: {blocked.output[-2000:]}"
            else:
                blocked_runs += 1
                assert blocked.exit_code == 1, f"k={k}: {blocked.output[-2000:]}"
                assert f"pid {killed.pid} " in blocked.stderr and "--force-unlock" in blocked.stderr, blocked.stderr
        recovered = cli("apply", str(root), *base, "--auto-approve", "--force-unlock", env=env)
        assert recovered.exit_code == 0, f"k={k}: {recovered.output[-3000:]}"
        plan = cli("plan", str(root), *base, "--detailed-exitcode", env=env)
        assert plan.exit_code == 0, f"k={k}: {plan.output[-3000:]}"
        copies = live_copies(emulator, stock)
        assert copies == stock.expected, f"k={k}: {copies - stock.expected} extra, {stock.expected - copies} missing"
        assert snapshot(emulator, killed.unmanaged) == killed.unmanaged, f"k={k}: an unmanaged object changed"
        emulator.stop()
    print(
        f"\ncrashes: {n} writes in a whole apply, {kills} processes killed (after write k = {ks[0]}, {ks[1]} ... "
        f"{ks[-1]}), {blocked_runs} re-runs stopped by the lease naming the killed run, duplicates 0"
    )
    assert kills == len(ks) and blocked_runs >= len(ks) // 2
