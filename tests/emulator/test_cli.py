"""``rossum-iac emulator serve`` as a subprocess: prints its URL and credentials, serves, stops on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import httpx
from click.testing import CliRunner

from rossum_iac.cli.main import main

RUN = [sys.executable, "-c", "from rossum_iac.cli.main import main; main()"]


def _start(*args: str) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen(
        [*RUN, "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = token = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (url and token):
        line = proc.stdout.readline()
        if not line:
            break
        if m := re.search(r"listening on (http://\S+)", line):
            url = m.group(1)
        if m := re.search(r"token:\s+([0-9a-f]{40})", line):
            token = m.group(1)
    if not (url and token):
        proc.kill()
        raise AssertionError(f"emulator did not start: {proc.stderr.read() if proc.stderr else ''}")
    return proc, url, token


def test_serve_prints_url_and_credentials_and_serves(tmp_path):
    db = tmp_path / "cli.db"
    proc, url, token = _start("--db", str(db), "--username", "cli@example.com", "--password", "pw")
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/v1")
        r = httpx.get(f"{url}/auth/user", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 200 and r.json()["username"] == "cli@example.com"
        login = httpx.post(f"{url}/auth/login", data={"username": "cli@example.com", "password": "pw"}, timeout=10)
        assert login.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert db.exists()


def test_serve_warns_when_not_on_loopback():
    proc, url, token = _start("--host", "0.0.0.0")
    try:
        r = httpx.get(f"{url}/queues", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert "Warning" in err and "0.0.0.0" in err


def test_serve_rejects_bad_arguments():
    runner = CliRunner()
    r = runner.invoke(main, ["emulator", "serve", "--fault-rate", "2"])
    assert r.exit_code == 1 and "--fault-rate" in r.output  # usage errors exit 1 (2 means changes/drift)
    r = runner.invoke(main, ["emulator", "serve", "--db", "/nonexistent-dir/x.db"])
    assert r.exit_code == 1 and "does not exist" in r.output
    assert "Traceback" not in r.output
