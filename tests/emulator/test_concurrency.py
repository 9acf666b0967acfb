"""Eight clients writing at once over real HTTP: no 5xx, no lost links, state consistent afterwards."""

from __future__ import annotations

import random
import threading
from typing import Any

import httpx
import pytest

from tests.emulator.helpers import id_of

THREADS = 8
ROUNDS = 12


@pytest.fixture(params=["memory", "file"])
def emu(request: pytest.FixtureRequest, emulator_factory: Any, tmp_path: Any) -> Any:
    return emulator_factory(db=":memory:" if request.param == "memory" else tmp_path / "concurrent.db")


def _client(emu: Any) -> httpx.Client:
    return httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=30)


def _all(api: httpx.Client, path: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    url: str | None = f"{path}?page_size=100"
    while url:
        body = api.get(url).json()
        out += body["results"]
        url = body["pagination"]["next"]
    return out


def test_concurrent_writers_keep_state_consistent(emu, capfd):
    with _client(emu) as api:
        schema = api.post("/schemas", json={"name": "shared", "content": []}).json()
        shared_ws = [api.post("/workspaces", json={"name": f"shared-{i}"}).json() for i in range(2)]
        shared_queues = [
            api.post(
                "/queues", json={"name": f"sq-{i}", "workspace": shared_ws[0]["url"], "schema": schema["url"]}
            ).json()
            for i in range(3)
        ]
    statuses: list[tuple[str, int]] = []
    unexpected: list[str] = []
    kept: dict[str, set[int]] = {"workspaces": set(), "queues": set(), "hooks": set()}
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        rng = random.Random(n)
        mine: dict[str, set[int]] = {"workspaces": set(), "queues": set(), "hooks": set()}

        def call(method: str, path: str, ok: tuple[int, ...], **kw: Any) -> httpx.Response:
            r = api.request(method, path, **kw)
            with lock:
                statuses.append((f"{method} {path}", r.status_code))
                if r.status_code not in ok:
                    unexpected.append(f"{method} {path} -> {r.status_code} {r.text[:200]}")
            return r

        with _client(emu) as api:
            barrier.wait(timeout=30)
            for i in range(ROUNDS):
                ws = call("POST", "/workspaces", (201,), json={"name": f"w{n}-{i}"}).json()
                mine["workspaces"].add(ws["id"])
                q = call(
                    "POST",
                    "/queues",
                    (201,),
                    json={"name": f"q{n}-{i}", "workspace": ws["url"], "schema": schema["url"]},
                ).json()
                mine["queues"].add(q["id"])
                targets = [q["url"], *(sq["url"] for sq in rng.sample(shared_queues, 2))]
                hook = call(
                    "POST",
                    "/hooks",
                    (201,),
                    json={
                        "name": f"h{n}-{i}",
                        "events": [],
                        "queues": targets,
                        "config": {"url": "http://127.0.0.1:9/h"},
                    },
                ).json()
                mine["hooks"].add(hook["id"])
                # move the queue to a shared workspace and back, rename, relink the hook
                call("PATCH", f"/queues/{q['id']}", (200,), json={"workspace": rng.choice(shared_ws)["url"]})
                call("PATCH", f"/hooks/{hook['id']}", (200,), json={"queues": [q["url"], shared_queues[0]["url"]]})
                call("PATCH", f"/workspaces/{ws['id']}", (200,), json={"name": f"w{n}-{i}-renamed"})
                if i % 3 == 2:  # delete some of what this thread made
                    call("DELETE", f"/hooks/{hook['id']}", (204,))
                    mine["hooks"].discard(hook["id"])
                    call("DELETE", f"/workspaces/{ws['id']}", (204,))
                    mine["workspaces"].discard(ws["id"])
                call("GET", "/queues", (200,), params={"workspace": shared_ws[0]["id"]})
        with lock:
            for key, ids in mine.items():
                kept[key] |= ids

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "writers did not finish in time"
    assert not unexpected, unexpected[:5]
    assert len(statuses) == THREADS * ROUNDS * 7 + THREADS * (ROUNDS // 3) * 2
    assert all(status < 500 for _, status in statuses)
    assert "Traceback" not in capfd.readouterr().err

    with _client(emu) as api:
        workspaces = {w["id"]: w for w in _all(api, "/workspaces")}
        queues = {q["id"]: q for q in _all(api, "/queues")}
        hooks = {h["id"]: h for h in _all(api, "/hooks")}
    assert kept["workspaces"] <= set(workspaces)
    assert kept["queues"] <= set(queues)
    assert set(hooks) == kept["hooks"]
    assert len(workspaces) == len(kept["workspaces"]) + len(shared_ws)
    # every queue's workspace exists and lists it back; no workspace lists a queue that points elsewhere
    for q in queues.values():
        ws_id = id_of(q["workspace"])
        assert ws_id in workspaces, q
        assert q["url"] in workspaces[ws_id]["queues"]
    for w in workspaces.values():
        for url in w["queues"]:
            assert id_of(queues[id_of(url)]["workspace"]) == w["id"]
    # hooks link only existing queues, and each queue's hooks are exactly the hooks linking it
    for h in hooks.values():
        assert len(h["queues"]) == 2, h
        for url in h["queues"]:
            assert id_of(url) in queues
    for q in queues.values():
        linking = {h["url"] for h in hooks.values() if q["url"] in h["queues"]}
        assert set(q["hooks"]) == linking, q["id"]
    assert len(queues) == len(shared_queues) + THREADS * ROUNDS
