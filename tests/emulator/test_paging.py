"""Pages in SQL: column fields, the paging memo, and a page's cost staying flat as the list grows.

Cost is measured in SQLite virtual-machine steps (``set_progress_handler``), not wall-clock time."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from rossum_iac.emulator.resource import RESOURCES
from rossum_iac.emulator.store import COLUMN_FIELDS, INDEXED_FIELDS, Store, column_name, field_sql

STEP = 20


def _seed_annotations(emu: Any, queue: dict[str, Any], count: int, *, status: str = "to_review") -> list[int]:
    """Bare annotations of ``queue`` inserted straight into the store (the export tolerates no document)."""
    with emu.app.store.transaction() as tx:
        return [
            tx.insert("annotations", {"queue": queue["id"], "schema": None, "status": status, "metadata": {"n": i}})[
                "id"
            ]
            for i in range(count)
        ]


@contextmanager
def _vm_steps(emu: Any) -> Iterator[list[int]]:
    counter = [0]

    def tick() -> int:
        counter[0] += STEP
        return 0

    conn = emu.app.store._conn
    conn.set_progress_handler(tick, STEP)
    try:
        yield counter
    finally:
        conn.set_progress_handler(None, STEP)


def _walk(api: httpx.Client, url: str | None) -> tuple[list[int], list[dict[str, Any]]]:
    ids: list[int] = []
    paginations = []
    while url:
        r = api.get(url)
        assert r.status_code == 200, r.text
        body = r.json()
        paginations.append(body["pagination"])
        ids += [int(item["url"].rsplit("/", 1)[1]) for item in body["results"]]
        url = body["pagination"]["next"]
    return ids, paginations


# ------------------------------------------------------------------------------------------ columns


def test_column_fields_cover_every_reference_field():
    refs = {f.name for res in RESOURCES.values() for f in res.fields if f.kind == "ref" and not f.virtual}
    assert refs <= set(INDEXED_FIELDS)
    assert field_sql("queue") == "f_queue" and field_sql("config.url") == "json_extract(data, '$.config.url')"


def test_columns_hold_what_json_extract_gives():
    store = Store(":memory:")
    values: list[dict[str, Any]] = [
        {"queue": 7, "status": "to_review", "name": "Ünïcode", "created_at": "2024-01-01T00:00:00.000000Z"},
        {"queue": None, "status": True, "name": 1.5, "type": {"a": [1, None]}, "_md5": ["x", 2]},
        {"queue": 2**70, "name": False},
        {},
    ]
    with store.transaction() as tx:
        for data in values:
            tx.insert("things", data)
        first = tx.select("things")[0]
        tx.save("things", {**first, "queue": 8, "status": None})
    columns = ", ".join(column_name(f) for f in COLUMN_FIELDS)
    extracts = ", ".join(f"json_extract(data, '$.{f}')" for f in COLUMN_FIELDS)
    with store.transaction() as tx:
        rows = tx.conn.execute(f"SELECT {columns}, {extracts} FROM objects WHERE collection = 'things'").fetchall()
        assert [r[: len(COLUMN_FIELDS)] for r in rows] == [r[len(COLUMN_FIELDS) :] for r in rows]
        assert tx.ids_where("things", "queue", 8) == [first["id"]]
        assert [o["id"] for o in tx.find("things", status=None)] != []
    store.close()


def test_an_older_database_file_gets_its_columns(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE objects (collection TEXT NOT NULL, id INTEGER NOT NULL, data TEXT NOT NULL, "
        "PRIMARY KEY (collection, id)) WITHOUT ROWID;"
        "CREATE INDEX objects_f_queue ON objects (collection, json_extract(data, '$.queue'));"
    )
    conn.executemany(
        "INSERT INTO objects VALUES ('annotations', ?, ?)",
        [(i, json.dumps({"queue": i % 3, "status": "to_review", "created_at": f"2024-01-0{i + 1}"})) for i in range(6)],
    )
    conn.commit()
    conn.close()
    store = Store(db)
    with store.transaction() as tx:
        assert tx.ids_where("annotations", "queue", 1) == [1, 4]
        assert tx.count("annotations", f"{field_sql('status')} = ?", ["to_review"]) == 6
        indexes = {r[0] for r in tx.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "objects_f_queue" not in indexes and "objects_by_queue" in indexes
        sql = f"SELECT COUNT(*) FROM objects WHERE collection = 'annotations' AND {field_sql('queue')} = 1"
        plan = tx.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        assert "COVERING INDEX objects_by_queue" in plan[0][3]
    store.close()
    assert Store(db).path == str(db)  # opening it again adds nothing and fails on nothing


# ------------------------------------------------------------------------------------------ memo


def test_memo_is_never_used_by_a_transaction_that_wrote():
    store = Store(":memory:")
    with store.transaction() as tx:
        for _ in range(3):
            tx.insert("things", {"queue": 1})
    with store.transaction() as tx:
        assert tx.count("things", "f_queue = 1", memo=True) == 3
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.insert("things", {"queue": 1})
        assert tx.count("things", "f_queue = 1", memo=True) == 4  # sees its own write
        assert tx.select_ids("things", "f_queue = 1", (), "id", 2, 2, memo=True) == tx.select_ids(
            "things", "f_queue = 1", (), "id", 2, 2
        )
        raise RuntimeError("roll back")
    with store.transaction() as tx:
        assert tx.count("things", "f_queue = 1", memo=True) == 3  # nothing remembered from the rolled-back one
    store.close()


def test_memo_sees_writes_of_another_process(tmp_path):
    db = tmp_path / "shared.db"
    store = Store(db)
    with store.transaction() as tx:
        tx.insert("things", {"queue": 1})
    with store.transaction() as tx:
        assert tx.count("things", "f_queue = 1", memo=True) == 1
    other = sqlite3.connect(db)
    other.execute("INSERT INTO objects (collection, id, data, f_queue) VALUES ('things', 99, '{\"queue\":1}', 1)")
    other.commit()
    other.close()
    with store.transaction() as tx:
        assert tx.count("things", "f_queue = 1", memo=True) == 2
    store.close()


@pytest.mark.parametrize("ordering", ["", "-id", "id", "-created_at", "status,-id"])
def test_walking_a_list_gives_every_object_once_in_order(api, make, emulator, ordering):
    queue = make.queue()
    ids = _seed_annotations(emulator, queue, 95)
    suffix = f"&ordering={ordering}" if ordering else ""
    walked, paginations = _walk(api, f"/annotations?queue={queue['id']}&page_size=10{suffix}")
    assert sorted(walked) == sorted(ids) and len(walked) == len(set(walked))
    if ordering in ("", "id"):
        assert walked == sorted(ids)
    if ordering == "-id":
        assert walked == sorted(ids, reverse=True)
    assert [p["total"] for p in paginations] == [95] * 10
    # a direct jump (no previous page to continue from) gives the same page
    jumped = api.get(f"/annotations?queue={queue['id']}&page_size=10&page=7{suffix}").json()["results"]
    assert [int(a["url"].rsplit("/", 1)[1]) for a in jumped] == walked[60:70]


def test_pages_follow_writes_made_between_them(api, make, emulator):
    queue = make.queue()
    ids = _seed_annotations(emulator, queue, 30)
    base = f"/queues/{queue['id']}/export?format=json&page_size=10"
    first = api.get(base + "&page=1").json()
    assert first["pagination"]["total"] == 30
    second = api.get(base + "&page=2").json()
    assert second["results"][0]["url"].endswith(f"/annotations/{ids[10]}")
    with emulator.app.store.transaction() as tx:  # page 3 was remembered to start after ids[19]...
        tx.delete("annotations", ids[5])  # ...but an earlier annotation goes away
    extra = _seed_annotations(emulator, queue, 1)
    third = api.get(base + "&page=3").json()
    assert third["pagination"]["total"] == 30
    expected = [i for i in ids if i != ids[5]] + extra
    assert [int(r["url"].rsplit("/", 1)[1]) for r in third["results"]] == expected[20:30]


# ------------------------------------------------------------------------------------------ flat cost


def _last_page_steps(api: httpx.Client, emu: Any, url: str, pages: int) -> int:
    for page in range(1, pages):
        assert api.get(f"{url}&page={page}").status_code == 200
    with _vm_steps(emu) as steps:
        assert api.get(f"{url}&page={pages}").status_code == 200
    return steps[0]


@pytest.mark.parametrize("path", ["/queues/{queue}/export?format=json", "/annotations?queue={queue}"])
def test_a_page_costs_the_same_in_a_long_list(emulator_factory, path):
    """The last page of a walk through 2,000 annotations costs about what it costs through 200."""
    costs = {}
    for count in (200, 2000):
        emu = emulator_factory()
        with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=30) as api:
            ws = api.post("/workspaces", json={"name": "w"}).json()
            schema = api.post("/schemas", json={"name": "s", "content": []}).json()
            queue = api.post("/queues", json={"name": "q", "workspace": ws["url"], "schema": schema["url"]}).json()
            _seed_annotations(emu, queue, count)
            costs[count] = _last_page_steps(api, emu, path.format(queue=queue["id"]) + "&page_size=100", count // 100)
    assert costs[2000] < 1.3 * costs[200], costs


@pytest.mark.parametrize(
    ("where", "order"),
    [
        ("f_queue = 5", "id"),
        ("f_queue = 5", "id DESC"),
        ("f_queue = 5 AND f_status = 'to_review'", "id"),
        ("f_workspace = 5", "id"),
    ],
)
def test_a_page_without_memo_is_counted_and_cut_in_an_index(where, order):
    """A direct jump to page N (nothing remembered) reads index entries only: no row, no JSON document."""
    store = Store(":memory:")
    base = f"FROM objects WHERE collection = 'annotations' AND ({where})"
    with store.transaction() as tx:
        for sql in (f"SELECT COUNT(*) {base}", f"SELECT id {base} ORDER BY {order} LIMIT 100 OFFSET 900"):
            plan = " / ".join(row[3] for row in tx.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, plan
    store.close()


def test_ordering_by_a_users_username(api, make, emulator):
    queue = make.queue()
    users = [api.post("/users", json={"username": name, "email": f"{name}@example.com"}).json() for name in "cab"]
    assert all("id" in u for u in users), users
    with emulator.app.store.transaction() as tx:
        for user in users:
            tx.insert("annotations", {"queue": queue["id"], "status": "to_review", "modifier": user["id"]})
    for ordering, expected in (("modifier__username", "abc"), ("-modifier__username", "cba")):
        body = api.get("/annotations", params={"queue": queue["id"], "ordering": ordering}).json()
        by_id = {u["url"]: u["username"] for u in users}
        assert "".join(by_id[a["modifier"]] for a in body["results"]) == expected
