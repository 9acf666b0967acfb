"""Failures as a user sees them in a real process: what reaches stderr, exit codes, Ctrl-C in the middle of apply."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from qa_helpers import INTERRUPTIBLE_COMMAND, SECRET, copy_examples, process_env, run

from rossum_iac.client import SyncRossumAPIClient, Token

EXAMPLE_COUNTS = {"workspaces": 2, "schemas": 2, "connectors": 1, "queues": 3, "inboxes": 1, "hooks": 2, "rules": 1}


def test_rejected_login_is_one_line_and_nothing_else(emulator: Any, tmp_path: Path) -> None:
    """A failed login cancels the other concurrent reads cleanly: no 'coroutine was never awaited' noise."""
    root = copy_examples(tmp_path / "m")
    env = process_env(ROSSUM_USERNAME=emulator.username, ROSSUM_PASSWORD="wrong-password-91c2")
    for command in ("plan", "drift"):
        result = run(command, str(root), "--base-url", emulator.base_url, cwd=tmp_path, env=env)
        assert result.returncode == 1, result.stderr
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Error: the API rejected the credentials (HTTP 401); check ROSSUM_API_TOKEN")
        assert "wrong-password-91c2" not in result.stderr


def test_rejected_token_and_unreachable_api_are_one_line(emulator: Any, tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    result = run("plan", str(root), "--base-url", emulator.base_url, cwd=tmp_path,
                 env=process_env(ROSSUM_API_TOKEN="not-the-token-5d1e"))
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "HTTP 401" in result.stderr and "not-the-token-5d1e" not in result.stderr
    result = run("plan", str(root), "--base-url", f"http://127.0.0.1:{closed_port()}/api/v1", cwd=tmp_path,
                 env=process_env(ROSSUM_API_TOKEN="a-token-8b2f"))
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: cannot reach the API") and "a-token-8b2f" not in result.stderr


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ctrl_c_during_apply_says_what_to_do_and_a_rerun_converges(
    emulator_factory: Any, tmp_path: Path
) -> None:
    emu = emulator_factory(latency_ms=150)  # slow enough to interrupt between two creates
    root = copy_examples(tmp_path / "m")
    env = process_env(ROSSUM_API_TOKEN=emu.token)
    proc = subprocess.Popen(
        [*INTERRUPTIBLE_COMMAND, "apply", str(root), "--base-url", emu.base_url, "--auto-approve"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # progress lines go to stderr as objects are done
    assert ": created (id " in first, first
    proc.send_signal(signal.SIGINT)
    out, rest = proc.communicate(timeout=60)
    err = first + rest
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "Interrupted: apply stopped part-way" in err and "rossum-iac plan" in err, err
    assert "Apply complete" not in out
    time.sleep(0.2)  # requests that were in flight settle in the emulator
    again = run("apply", str(root), "--base-url", emu.base_url, "--auto-approve", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    check = run("drift", str(root), "--base-url", emu.base_url, "--json", cwd=tmp_path, env=env)
    assert check.returncode == 0, check.stdout  # nothing left to do
    # and every object exactly once
    with SyncRossumAPIClient(emu.base_url, Token(emu.token), requests_per_second=0) as client:
        counts = {c: len(list(client.request_paginated(c))) for c in EXAMPLE_COUNTS}
    assert counts == EXAMPLE_COUNTS
    for text in (out, err, again.stdout, again.stderr):
        assert SECRET not in text and emu.token not in text
