"""``verbose``: one stderr line per request (client, method, path, status, duration), never credentials."""

from __future__ import annotations

import contextlib
import re
import signal

import httpx

from tests.emulator.test_cli import _start

LINE = re.compile(r"^127\.0\.0\.1 (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}|dropped) (?P<ms>\d+\.\d)ms$")


def _lines(err: str) -> list[re.Match[str]]:
    return [m for line in err.splitlines() if (m := LINE.match(line))]


def test_verbose_logs_every_request(emulator_factory, capfd):
    emu = emulator_factory(verbose=True)
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=10) as api:
        assert api.get("/queues", params={"page_size": 5}).status_code == 200
        assert api.post("/workspaces", json={"name": "v"}).status_code == 201
        assert api.get("/workspaces/99999999999999999999999").status_code == 404
        assert api.delete("/workspaces").status_code == 405
        assert httpx.get(emu.base_url.replace("/api/v1", "/elsewhere"), timeout=10).status_code == 404
        emu.settings.fault_rate, emu.settings.fault_kinds = 1.0, ("drop",)
        with contextlib.suppress(httpx.HTTPError):
            api.get("/queues")
        emu.settings.fault_rate = 0.0
    err = capfd.readouterr().err
    seen = [(m["method"], m["path"], m["status"]) for m in _lines(err)]
    assert seen == [
        ("GET", "/api/v1/queues?page_size=5", "200"),
        ("POST", "/api/v1/workspaces", "201"),
        ("GET", "/api/v1/workspaces/99999999999999999999999", "404"),
        ("DELETE", "/api/v1/workspaces", "405"),
        ("GET", "/elsewhere", "404"),
        *[("GET", "/api/v1/queues", "dropped")] * (len(seen) - 5),
    ]
    assert len(seen) >= 6  # httpx may retry the dropped request once on a fresh connection
    assert emu.token not in err and "Traceback" not in err


def test_quiet_by_default(emulator, capfd):
    httpx.get(f"{emulator.base_url}/queues", headers={"Authorization": f"Bearer {emulator.token}"}, timeout=10)
    assert not _lines(capfd.readouterr().err)


def test_cli_verbose_logs_requests_on_stderr():
    proc, url, token = _start("--verbose")
    try:
        r = httpx.get(f"{url}/workspaces", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 200
        r = httpx.get(f"{url}/nope", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    seen = [(m["method"], m["path"], m["status"]) for m in _lines(err)]
    assert seen == [("GET", "/api/v1/workspaces", "200"), ("GET", "/api/v1/nope", "404")]
    assert token not in err
