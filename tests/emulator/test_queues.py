"""queues: CRUD, defaults, validation, default email templates, deletion semantics, counts, duplicate."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.emulator.helpers import id_of


def test_queue_create_requires_name_workspace_schema(api):
    r = api.post("/queues", json={})
    assert r.status_code == 400
    assert set(r.json()) == {"name", "workspace", "schema"}
    assert r.json()["schema"] == ["This field is required."]


def test_queue_defaults_and_round_trip(api, make, emulator):
    q = make.queue()
    assert q["url"] == f"{emulator.base_url}/queues/{q['id']}"
    assert q["status"] == "active" and q["delete_after"] is None
    assert q["session_timeout"] == "01:00:00" and q["locale"] == "en_GB"
    assert q["automation_level"] == "never" and q["default_score_threshold"] == 0.8
    assert q["hooks"] == [] and q["webhooks"] == [] and q["users"] == [] and q["rules"] == []
    assert set(q["counts"]) >= {"to_review", "importing", "exported", "deleted", "purged", "rejected"}
    assert all(v == 0 for v in q["counts"].values())
    assert "/generic_engines/" in q["generic_engine"]  # a default generic engine is set
    assert api.get(q["generic_engine"]).status_code == 200
    assert q["modified_at"].endswith("Z") and q["modified_by"].endswith(api.get("/auth/user").json()["url"][-12:])
    r = api.patch(q["url"], json={"session_timeout": "90 00:00:00", "locale": "en_US", "settings": {"a": 1}})
    assert r.status_code == 200
    assert r.json()["session_timeout"] == "90 00:00:00" and r.json()["settings"] == {"a": 1}
    r = api.put(q["url"], json={"name": "renamed", "workspace": q["workspace"], "schema": q["schema"]})
    assert r.status_code == 200 and r.json()["name"] == "renamed" and r.json()["locale"] == "en_US"


def test_queue_field_validation(api, make):
    q = make.queue()
    cases = {
        "session_timeout": "soon",
        "default_score_threshold": 1.5,
        "automation_level": "sometimes",
        "workspace": "http://127.0.0.1/api/v1/workspaces/1",
        "hooks": ["http://127.0.0.1/api/v1/hooks/1"],
        "settings": [],
    }
    for field, value in cases.items():
        r = api.patch(q["url"], json={field: value})
        assert r.status_code == 400, field
        assert list(r.json()) == [field]
    r = api.patch(q["url"], json={"dedicated_engine": "http://127.0.0.1/api/v1/dedicated_engines/1"})
    assert r.status_code == 400 and list(r.json()) == ["dedicated_engine"]  # no such dedicated engine
    engine = api.post("/dedicated_engines", json={"name": "Trained"}).json()
    r = api.patch(q["url"], json={"dedicated_engine": engine["url"]})
    assert r.status_code == 400 and "non_field_errors" in r.json()
    r = api.patch(q["url"], json={"dedicated_engine": engine["url"], "generic_engine": None})
    assert r.status_code == 200 and r.json()["generic_engine"] is None


def test_new_queue_gets_five_default_email_templates(api, make):
    q = make.queue()
    templates = api.get("/email_templates", params={"queue": q["id"], "page_size": 100}).json()["results"]
    by_name = {t["name"]: t for t in templates}
    assert set(by_name) == {
        "Annotation status change - confirmed",
        "Annotation status change - exported",
        "Annotation status change - received",
        "Default rejection template",
        "Email with no processable attachments",
    }
    expected = {
        "Annotation status change - confirmed": ("custom", False, "annotation_confirmed"),
        "Annotation status change - exported": ("custom", False, "annotation_exported"),
        "Annotation status change - received": ("custom", False, "annotation_created"),
        "Default rejection template": ("rejection_default", True, None),
        "Email with no processable attachments": (
            "email_with_no_processable_attachments",
            False,
            "email_with_no_processable_attachments",
        ),
    }
    for name, (ttype, automate, event) in expected.items():
        t = by_name[name]
        assert t["type"] == ttype and t["automate"] is automate, name
        assert t["to"] == [{"email": "{{sender_email}}"}]
        assert t["queue"] == q["url"]
        assert t["organization"] == api.get("/auth/user").json()["organization"]
        if event is None:
            assert t["triggers"] == []
        else:
            assert len(t["triggers"]) == 1
            trigger = api.get(t["triggers"][0]).json()
            assert trigger["event"] == event and trigger["queue"] == q["url"]
            assert trigger["email_templates"] == [t["url"]]


def test_queue_delete_schedules_deletion_and_unlinks_workspace(api, make):
    ws = make.workspace()
    q = make.queue(workspace=ws["url"])
    assert api.get(ws["url"]).json()["queues"] == [q["url"]]
    assert api.delete(ws["url"]).status_code == 409
    before = datetime.now(UTC)
    r = api.delete(q["url"])
    assert r.status_code == 202 and r.content == b""
    got = api.get(q["url"]).json()
    assert got["status"] == "deletion_requested" and got["workspace"] is None
    delete_after = datetime.fromisoformat(got["delete_after"].replace("Z", "+00:00"))
    assert timedelta(hours=23, minutes=59) < delete_after - before < timedelta(hours=24, minutes=1)
    assert api.get(ws["url"]).json()["queues"] == []
    assert api.get("/queues", params={"deleting": "true"}).json()["results"][0]["id"] == q["id"]
    assert api.get("/queues", params={"deleting": "false", "id": q["id"]}).json()["pagination"]["total"] == 0
    assert api.delete(ws["url"]).status_code == 204  # the workspace is empty now


def test_queue_delete_after_zero_deletes_at_once_with_related_objects(api, make):
    schema = make.schema()
    q = make.queue(schema=schema["url"])
    hook = make.hook(queues=[q["url"]])
    inbox = api.post("/inboxes", json={"name": "in", "email_prefix": "in", "queues": [q["url"]]}).json()
    assert api.delete(schema["url"]).status_code == 409
    for value in ("0", "00:00:00"):
        other = make.queue()
        assert api.delete(other["url"], params={"delete_after": value}).status_code == 202
        assert api.get(other["url"]).status_code == 404
    r = api.delete(q["url"], params={"delete_after": "0"})
    assert r.status_code == 202
    assert api.get(q["url"]).status_code == 404
    assert api.get("/email_templates", params={"queue": q["id"]}).json()["pagination"]["total"] == 0
    assert api.get("/triggers", params={"queue": q["id"]}).json()["pagination"]["total"] == 0
    assert api.get(inbox["url"]).json()["queues"] == []
    assert api.get(hook["url"]).json()["queues"] == []
    assert api.delete(schema["url"]).status_code == 204


def test_queue_delete_after_short_delay_is_carried_out(api, make):
    q = make.queue()
    assert api.delete(q["url"], params={"delete_after": "00:00:00.300000"}).status_code == 202
    assert api.get(q["url"]).json()["status"] == "deletion_requested"
    deadline = time.monotonic() + 5
    while api.get(q["url"]).status_code != 404:
        assert time.monotonic() < deadline, "queue was not deleted after delete_after"
        time.sleep(0.05)


def test_queue_delete_bad_delete_after(api, make):
    q = make.queue()
    r = api.delete(q["url"], params={"delete_after": "tomorrow"})
    assert r.status_code == 400 and "delete_after" in r.json()
    assert api.get(q["url"]).json()["status"] == "active"


def test_queue_filters_and_ordering(api, make):
    ws1, ws2 = make.workspace(), make.workspace()
    a = make.queue(workspace=ws1["url"], name="b-queue", locale="en_US")
    b = make.queue(workspace=ws1["url"], name="a-queue")
    c = make.queue(workspace=ws2["url"], name="c-queue")
    hook = make.hook(queues=[c["url"]])
    engine = api.get("/engines").json()["results"][0]
    api.patch(b["url"], json={"engine": engine["url"]})
    names = lambda **p: [q["name"] for q in api.get("/queues", params=p).json()["results"]]  # noqa: E731
    assert names(workspace=ws1["id"], ordering="name") == ["a-queue", "b-queue"]
    assert names(workspace=f"{ws1['id']},{ws2['id']}", ordering="-name") == ["c-queue", "b-queue", "a-queue"]
    assert names(hooks=hook["id"]) == ["c-queue"] == names(webhooks=hook["id"])
    assert names(locale="en_US") == ["b-queue"]
    assert names(engine=engine["id"]) == ["a-queue"]
    assert names(id=f"{a['id']},{c['id']}") == ["b-queue", "c-queue"]
    assert names(schema=id_of(a["schema"])) == ["b-queue"]


def test_queue_counts_come_from_annotations(api, make, emulator):
    q = make.queue()
    with emulator.app.store.transaction() as tx:
        for status in ("to_review", "to_review", "exported"):
            tx.insert("annotations", {"queue": q["id"], "status": status})
    counts = api.get(q["url"]).json()["counts"]
    assert counts["to_review"] == 2 and counts["exported"] == 1 and counts["importing"] == 0
    assert api.get(f"{q['url']}/related_objects_counts").json()["annotations"] == 3


def test_queue_duplicate(api, make):
    hook = make.hook()
    q = make.queue(hooks=[hook["url"]], automation_level="always", settings={"x": 1})
    r = api.post(f"{q['url']}/duplicate", json={"name": "copy", "copy_extensions_settings": True})
    assert r.status_code == 201
    dup = r.json()
    assert dup["id"] != q["id"] and dup["name"] == "copy"
    assert dup["schema"] == q["schema"] and dup["workspace"] == q["workspace"]
    assert dup["hooks"] == [hook["url"]] and dup["settings"] == {"x": 1} and dup["automation_level"] == "always"
    assert api.get("/email_templates", params={"queue": dup["id"]}).json()["pagination"]["total"] == 5
    assert api.post(f"{q['url']}/duplicate", json={}).status_code == 400
