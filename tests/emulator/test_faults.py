"""Fault injection, latency and rate limiting (deterministic with a seed)."""

from __future__ import annotations

import time

import httpx
import pytest


def _client(emu):
    return httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=10)


@pytest.mark.parametrize("kind", ["429", "500", "502", "503"])
def test_each_status_fault_kind(emulator, kind):
    emulator.settings.fault_kinds = (kind,)
    emulator.settings.fault_rate = 1.0
    with _client(emulator) as c:
        r = c.get("/workspaces")
        assert r.status_code == int(kind)
        assert "detail" in r.json()
        if kind == "429":
            assert r.headers["Retry-After"] == "1"
        emulator.settings.fault_rate = 0.0
        assert c.get("/workspaces").status_code == 200


def test_dropped_connection_fault(emulator):
    emulator.settings.fault_kinds = ("drop",)
    emulator.settings.fault_rate = 1.0
    with _client(emulator) as c:
        with pytest.raises(httpx.RemoteProtocolError):
            c.get("/workspaces")
        emulator.settings.fault_rate = 0.0
        assert c.get("/workspaces").status_code == 200  # the client reconnects
    assert emulator.request_log[-2] == ("GET", "/api/v1/workspaces", 0)


def test_faulted_write_changes_nothing_and_applies_to_login(emulator):
    emulator.settings.fault_kinds = ("500",)
    emulator.settings.fault_rate = 1.0
    with _client(emulator) as c:
        assert c.post("/workspaces", json={"name": "ghost"}).status_code == 500
        login = c.post("/auth/login", json={"username": emulator.username, "password": emulator.password})
        assert login.status_code == 500
        emulator.settings.fault_rate = 0.0
        assert c.get("/workspaces", params={"name": "ghost"}).json()["pagination"]["total"] == 0


def _statuses(emu, n):
    out = []
    with _client(emu) as c:
        for _ in range(n):
            try:
                out.append(c.get("/workspaces").status_code)
            except httpx.TransportError:
                out.append(0)
    return out


def test_fault_sequence_is_deterministic_for_a_seed(emulator_factory):
    a = _statuses(emulator_factory(fault_rate=0.5, seed=42), 40)
    b = _statuses(emulator_factory(fault_rate=0.5, seed=42), 40)
    c = _statuses(emulator_factory(fault_rate=0.5, seed=7), 40)
    assert a == b
    assert a != c
    assert {429, 500, 502, 503, 0} <= set(a) | set(c) and 200 in a


def test_rate_limit_answers_429_with_retry_after(emulator):
    emulator.settings.rate_limit = 5
    with _client(emulator) as c:
        statuses = [c.get("/workspaces") for _ in range(12)]
    codes = [r.status_code for r in statuses]
    assert codes[:5] == [200] * 5
    assert 429 in codes[5:]
    throttled = next(r for r in statuses if r.status_code == 429)
    assert int(throttled.headers["Retry-After"]) >= 1
    emulator.settings.rate_limit = None
    with _client(emulator) as c:
        assert c.get("/workspaces").status_code == 200


def test_latency_is_added_and_can_change_at_runtime(emulator):
    with _client(emulator) as c:
        c.get("/workspaces")
        emulator.settings.latency_ms = 600
        start = time.perf_counter()
        c.get("/workspaces")
        assert time.perf_counter() - start >= 0.59
        emulator.settings.latency_ms = 0
        start = time.perf_counter()
        c.get("/workspaces")
        assert time.perf_counter() - start < 0.59  # wide margins: the machine may be busy


def test_request_log_records_and_clears(emulator):
    emulator.request_log.clear()
    with _client(emulator) as c:
        c.get("/workspaces", params={"page_size": 5})
        c.get("/nope")
    assert emulator.request_log == [("GET", "/api/v1/workspaces?page_size=5", 200), ("GET", "/api/v1/nope", 404)]
    emulator.request_log.clear()
    assert emulator.request_log == []
