"""workspaces CRUD, validation and derived fields; generic framework behaviour through them."""

from __future__ import annotations


def test_workspace_crud_cycle(api, emulator):
    org = api.get("/auth/user").json()["organization"]
    r = api.post("/workspaces", json={"name": "Test Workspace", "organization": org})
    assert r.status_code == 201
    ws = r.json()
    assert ws["name"] == "Test Workspace"
    assert ws["url"] == f"{emulator.base_url}/workspaces/{ws['id']}"
    assert ws["organization"] == org
    assert ws["queues"] == [] and ws["metadata"] == {} and ws["autopilot"] is False
    assert api.get(f"/workspaces/{ws['id']}").json() == ws
    r = api.put(f"/workspaces/{ws['id']}", json={"name": "My Workspace", "organization": org})
    assert r.status_code == 200 and r.json()["name"] == "My Workspace"
    r = api.patch(f"/workspaces/{ws['id']}", json={"metadata": {"k": 1}})
    assert r.status_code == 200 and r.json()["metadata"] == {"k": 1} and r.json()["name"] == "My Workspace"
    assert ws["url"] in api.get(org).json()["workspaces"]
    r = api.delete(f"/workspaces/{ws['id']}")
    assert r.status_code == 204 and r.content == b""
    r = api.get(f"/workspaces/{ws['id']}")
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}
    assert api.delete(f"/workspaces/{ws['id']}").status_code == 404


def test_workspace_validation_errors_are_field_level(api):
    r = api.post("/workspaces", json={})
    assert r.status_code == 400 and r.json() == {"name": ["This field is required."]}
    r = api.post("/workspaces", json={"name": 5.5, "metadata": [], "organization": "not a url"})
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"metadata", "organization"}
    r = api.post("/workspaces", json={"name": "x", "organization": "http://127.0.0.1/api/v1/organizations/1"})
    assert r.status_code == 400 and r.json() == {"organization": ["Invalid hyperlink - Object does not exist."]}
    r = api.post("/workspaces", json={"name": "x", "organization": "http://127.0.0.1/api/v1/workspaces/1"})
    assert r.status_code == 400 and r.json() == {"organization": ["Invalid hyperlink - Incorrect URL match."]}
    r = api.post("/workspaces", json=[1, 2])
    assert r.status_code == 400 and "non_field_errors" in r.json()
    r = api.post("/workspaces", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "detail" in r.json()
    r = api.post("/workspaces", json={"name": "x", "metadata": {"big": "x" * 5000}})
    assert r.status_code == 400 and "metadata" in r.json()
    r = api.put(f"/workspaces/{api.post('/workspaces', json={'name': 'y'}).json()['id']}", json={"metadata": {}})
    assert r.status_code == 400 and r.json() == {"name": ["This field is required."]}


def test_read_only_and_unknown_fields_are_ignored(api):
    r = api.post(
        "/workspaces",
        json={"name": "w", "id": 1, "url": "http://evil/1", "queues": ["http://x/api/v1/queues/1"], "autopilot": True,
              "unknown": 1},
    )  # fmt: skip
    assert r.status_code == 201
    ws = r.json()
    assert ws["id"] != 1 and ws["queues"] == [] and ws["autopilot"] is False and "unknown" not in ws


def test_failed_write_changes_nothing(api):
    ws = api.post("/workspaces", json={"name": "before"}).json()
    r = api.patch(f"/workspaces/{ws['id']}", json={"name": "after", "organization": "http://h/api/v1/organizations/1"})
    assert r.status_code == 400
    assert api.get(f"/workspaces/{ws['id']}").json()["name"] == "before"


def test_form_encoded_writes_are_accepted(api):
    r = api.post("/workspaces", data={"name": "from form"})
    assert r.status_code == 201 and r.json()["name"] == "from form"
