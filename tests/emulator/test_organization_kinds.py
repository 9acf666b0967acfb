"""Endpoints the organization-wide kinds rely on: dedicated engines (drafts only are writable, queues refer to them),
triggers (the no-attachments one cannot be deleted), user soft delete, organization settings and roles."""

from __future__ import annotations


def test_dedicated_engine_crud_and_queue_link(api, make, emulator):
    r = api.post("/dedicated_engines", json={"name": "Trained invoices", "description": "UK"})
    assert r.status_code == 201
    engine = r.json()
    assert engine["status"] == "draft" and engine["schema"] is None and engine["queues"] == []
    assert engine["organization"] == api.get("/auth/user").json()["organization"]
    assert api.post("/dedicated_engines", json={}).json() == {"name": ["This field is required."]}
    assert api.patch(engine["url"], json={"status": "training_finished", "name": "Renamed"}).json()["status"] == "draft"

    q = make.queue()
    r = api.patch(q["url"], json={"dedicated_engine": engine["url"], "generic_engine": None})
    assert r.status_code == 200 and r.json()["dedicated_engine"] == engine["url"]
    assert api.get(engine["url"]).json()["queues"] == [q["url"]]
    assert [x["id"] for x in api.get("/queues", params={"dedicated_engine": engine["id"]}).json()["results"]] == [
        q["id"]
    ]

    # once training started, the engine is read-only
    with emulator.app.store.transaction() as tx:
        stored = tx.get("dedicated_engines", engine["id"])
        stored["status"] = "training_started"
        tx.save("dedicated_engines", stored)
    for response in (api.patch(engine["url"], json={"name": "x"}), api.delete(engine["url"])):
        assert response.status_code == 400 and "read-only" in response.json()["status"][0]
    with emulator.app.store.transaction() as tx:
        stored = tx.get("dedicated_engines", engine["id"])
        stored["status"] = "draft"
        tx.save("dedicated_engines", stored)
    assert api.delete(engine["url"]).status_code == 204
    assert api.get(q["url"]).json()["dedicated_engine"] is None


def test_the_no_attachments_trigger_cannot_be_deleted_others_can(api, make):
    q = make.queue()
    triggers = {t["event"]: t for t in api.get("/triggers", params={"queue": q["id"]}).json()["results"]}
    assert set(triggers) == {
        "annotation_confirmed", "annotation_exported", "annotation_created", "email_with_no_processable_attachments"
    }
    r = api.delete(triggers["email_with_no_processable_attachments"]["url"])
    assert r.status_code == 400 and "cannot be deleted" in r.json()["event"][0]
    assert api.delete(triggers["annotation_created"]["url"]).status_code == 204
    created = api.post("/triggers", json={"queue": q["url"], "event": "annotation_imported", "condition": {"a": 1}})
    assert created.status_code == 201 and created.json()["condition"] == {"a": 1}


def test_a_deleted_user_is_still_listed_as_deleted_and_keeps_its_username(api):
    roles = {g["name"]: g["url"] for g in api.get("/groups").json()["results"]}
    assert {"viewer", "annotator", "admin", "approver"} <= set(roles)
    user = api.post("/users", json={"username": "leaver@example.com", "groups": [roles["annotator"]]}).json()
    assert api.delete(user["url"]).status_code == 204
    again = api.get(user["url"]).json()
    assert again["deleted"] is True and again["is_active"] is False
    assert user["id"] in [u["id"] for u in api.get("/users").json()["results"]]
    r = api.post("/users", json={"username": "leaver@example.com"})
    assert r.status_code == 400 and "username" in r.json()


def test_organization_settings_and_metadata_are_writable_its_name_stays(api):
    org_url = api.get("/auth/user").json()["organization"]
    before = api.get(org_url).json()
    r = api.patch(org_url, json={"settings": {"annotation_list_table": {"columns": []}}, "metadata": {"a": 1}})
    assert r.status_code == 200
    assert r.json()["settings"] == {"annotation_list_table": {"columns": []}} and r.json()["metadata"] == {"a": 1}
    assert r.json()["name"] == before["name"]
    assert api.delete(org_url).status_code == 405 and api.post("/organizations", json={}).status_code == 405
