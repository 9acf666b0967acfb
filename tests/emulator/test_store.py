"""Transactions (rollback on failure) and file-DB persistence across server starts."""

from __future__ import annotations

import httpx
import pytest

from rossum_iac.emulator import serve_in_thread
from rossum_iac.emulator.http import Conflict
from rossum_iac.emulator.routing import ROUTER
from rossum_iac.emulator.store import Store


@pytest.fixture
def failing_routes():
    def write_then_conflict(req):
        req.tx.insert("workspaces", {"name": "half", "organization": req.user["organization"]})
        raise Conflict("stop")

    def write_then_crash(req):
        req.tx.insert("workspaces", {"name": "half", "organization": req.user["organization"]})
        raise RuntimeError("boom")

    ROUTER.add("POST", "/_test/conflict", write_then_conflict)
    ROUTER.add("POST", "/_test/crash", write_then_crash)
    yield
    ROUTER.remove("POST", "/_test/conflict")
    ROUTER.remove("POST", "/_test/crash")


def test_failed_requests_roll_back_every_write(api, failing_routes, capsys):
    r = api.post("/_test/conflict")
    assert r.status_code == 409 and r.json() == {"detail": "stop"}
    r = api.post("/_test/crash")
    assert r.status_code == 500 and r.json() == {"detail": "Internal server error."}
    assert "boom" in capsys.readouterr().err  # traceback on the server's stderr, not in the response
    assert api.get("/workspaces", params={"name": "half"}).json()["pagination"]["total"] == 0


def test_store_transaction_rolls_back_on_exception():
    store = Store(":memory:")
    with pytest.raises(ValueError), store.transaction() as tx:
        tx.insert("things", {"a": 1})
        raise ValueError
    with store.transaction() as tx:
        assert tx.count("things") == 0
        tx.insert("things", {"a": 2})
    with store.transaction() as tx:
        assert [o["a"] for o in tx.select("things")] == [2]
    store.close()


def test_file_database_persists_across_starts(tmp_path):
    db = tmp_path / "emulator.db"
    with serve_in_thread(db) as first:
        with httpx.Client(base_url=first.base_url, headers={"Authorization": f"Bearer {first.token}"}) as c:
            ws = c.post("/workspaces", json={"name": "kept"}).json()
            schema = c.post("/schemas", json={"name": "s", "content": []}).json()
            q = c.post("/queues", json={"name": "q", "workspace": ws["url"], "schema": schema["url"]}).json()
            c.delete(q["url"], params={"delete_after": "00:00:01"})
        key = httpx.post(f"{first.base_url}/auth/login", json={"username": first.username, "password": first.password})
        key = key.json()["key"]
    with serve_in_thread(db) as second:
        assert second.base_url != "" and second.port != 0
        with httpx.Client(base_url=second.base_url, headers={"Authorization": f"Bearer {second.token}"}) as c:
            got = c.get("/workspaces", params={"name": "kept"}).json()["results"]
            assert [w["id"] for w in got] == [ws["id"]]
            assert got[0]["url"].startswith(second.base_url)  # URLs follow the new port
            assert c.get("/users").json()["pagination"]["total"] == 1  # seeding ran only once
            new_ws = c.post("/workspaces", json={"name": "next"}).json()
            assert new_ws["id"] > ws["id"]
            # the queue scheduled for deletion is removed by the restarted server
            import time

            deadline = time.monotonic() + 5
            while c.get(f"/queues/{q['id']}").status_code != 404:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert httpx.get(f"{second.base_url}/auth/user", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_configured_credentials_apply_to_existing_database(tmp_path):
    db = tmp_path / "e.db"
    with serve_in_thread(db):
        pass
    with serve_in_thread(db, password="other-password", token="f" * 40) as emu:
        assert (
            httpx.get(f"{emu.base_url}/auth/user", headers={"Authorization": "Bearer " + "f" * 40}).status_code == 200
        )
        r = httpx.post(f"{emu.base_url}/auth/login", data={"username": emu.username, "password": "other-password"})
        assert r.status_code == 200
        from rossum_iac.emulator import DEFAULT_TOKEN

        old = httpx.get(f"{emu.base_url}/auth/user", headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"})
        assert old.status_code == 401


def _index_exists(store: Store, field: str) -> bool:
    with store.transaction() as tx:
        row = tx.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (f"objects_f_{field}",)
        ).fetchone()
    return row is not None


def test_field_index_created_in_a_rolled_back_transaction_is_created_again():
    store = Store(":memory:")
    with pytest.raises(ValueError), store.transaction():
        store.ensure_field_index("colour")
        raise ValueError
    assert not _index_exists(store, "colour")  # the rollback dropped it...
    store.ensure_field_index("colour")
    assert _index_exists(store, "colour")  # ...and the cache did not claim it still exists
    with store.transaction():  # created inside a committed transaction: kept and cached
        store.ensure_field_index("size")
    assert _index_exists(store, "size")
    store.close()
