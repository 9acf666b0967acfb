"""Pagination, filters and ordering (through workspaces and users)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def _make(api, n, prefix="ws"):
    return [api.post("/workspaces", json={"name": f"{prefix}-{i:03d}"}).json() for i in range(n)]


def test_pagination_past_100_objects_following_next_links(api, emulator):
    created = _make(api, 130)
    url = f"{emulator.base_url}/workspaces?page_size=100&ordering=&sideload=&content.schema_id=&include_total=true"
    seen = []
    pages = 0
    while url:
        r = api.get(url)
        assert r.status_code == 200
        body = r.json()
        assert body["pagination"]["total"] == 130
        assert body["pagination"]["total_pages"] == 2
        seen += [w["id"] for w in body["results"]]
        nxt = body["pagination"]["next"]
        if nxt:
            query = parse_qs(urlsplit(nxt).query, keep_blank_values=True)
            # every original parameter is carried over, page replaced
            assert query["page_size"] == ["100"] and query["ordering"] == [""] and query["sideload"] == [""]
            assert query["content.schema_id"] == [""] and query["include_total"] == ["true"]
            assert query["page"] == ["2"]
            assert nxt.startswith(emulator.base_url + "/workspaces?")
        url = nxt
        pages += 1
    assert pages == 2
    assert seen == [w["id"] for w in created]
    last = api.get("/workspaces", params={"page": 2, "page_size": 100}).json()
    assert last["pagination"]["previous"].endswith("page=1&page_size=100")
    assert last["pagination"]["next"] is None


def test_page_size_default_max_and_bad_page(api):
    _make(api, 25)
    body = api.get("/workspaces").json()
    assert len(body["results"]) == 20 and body["pagination"]["total_pages"] == 2
    assert len(api.get("/workspaces", params={"page_size": 1000}).json()["results"]) == 25  # capped at 100
    assert len(api.get("/workspaces", params={"page_size": "abc"}).json()["results"]) == 20
    r = api.get("/workspaces", params={"page": 9})
    assert r.status_code == 404 and r.json() == {"detail": "Invalid page."}
    assert api.get("/workspaces", params={"page": "x"}).status_code == 404


def test_filters_ids_names_and_ordering(api):
    made = _make(api, 5)
    ids = [w["id"] for w in made]
    r = api.get("/workspaces", params={"id": f"{ids[1]},{ids[3]}"}).json()
    assert [w["id"] for w in r["results"]] == [ids[1], ids[3]]
    r = api.get("/workspaces", params={"name": "ws-002"}).json()
    assert [w["id"] for w in r["results"]] == [ids[2]]
    r = api.get("/workspaces", params={"ordering": "-name"}).json()
    assert [w["name"] for w in r["results"]] == sorted((w["name"] for w in made), reverse=True)
    r = api.get("/workspaces", params={"ordering": "-id,name", "unknown_param": "1"}).json()
    assert [w["id"] for w in r["results"]] == sorted(ids, reverse=True)
    r = api.get("/workspaces", params={"ordering": "bogus"}).json()  # unknown keys ignored
    assert [w["id"] for w in r["results"]] == ids
    org_id = made[0]["organization"].rsplit("/", 1)[1]
    assert api.get("/workspaces", params={"organization": org_id}).json()["pagination"]["total"] == 5
    assert api.get("/workspaces", params={"organization": "123"}).json()["pagination"]["total"] == 0
    assert api.get("/workspaces", params={"id": "abc"}).status_code == 400


def test_boolean_filters(api):
    users = api.get("/users", params={"is_active": "true"}).json()
    assert users["pagination"]["total"] == 1
    assert api.get("/users", params={"is_active": "false"}).json()["pagination"]["total"] == 0
    assert api.get("/users", params={"deleted": "False"}).json()["pagination"]["total"] == 1
    assert api.get("/users", params={"is_active": "maybe"}).status_code == 400
