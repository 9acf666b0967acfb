"""Two-way links stay consistent whichever side is written; derived read-only lists."""

from __future__ import annotations


def test_queue_hooks_and_hook_queues_are_one_relation(api, make):
    h1, h2 = make.hook(), make.hook()
    q = make.queue(hooks=[h1["url"]])
    assert api.get(h1["url"]).json()["queues"] == [q["url"]]
    # write from the hook side
    api.patch(h2["url"], json={"queues": [q["url"]]})
    got = api.get(q["url"]).json()
    assert got["hooks"] == sorted([h1["url"], h2["url"]], key=lambda u: int(u.rsplit("/", 1)[1]))
    assert got["webhooks"] == got["hooks"]
    # write from the queue side removes the other link
    api.patch(q["url"], json={"hooks": [h2["url"]]})
    assert api.get(h1["url"]).json()["queues"] == []
    assert api.get(h2["url"]).json()["queues"] == [q["url"]]


def test_webhooks_wins_over_hooks(api, make):
    h1, h2 = make.hook(), make.hook()
    q = make.queue()
    r = api.patch(q["url"], json={"hooks": [h1["url"]], "webhooks": [h2["url"]]})
    assert r.status_code == 200
    assert r.json()["hooks"] == [h2["url"]] and r.json()["webhooks"] == [h2["url"]]
    assert api.get(h1["url"]).json()["queues"] == []


def test_queue_users_and_user_queues(api, make):
    q1, q2 = make.queue(), make.queue()
    user = api.post("/users", json={"username": "jane@example.com", "queues": [q1["url"]]}).json()
    assert api.get(q1["url"]).json()["users"] == [user["url"]]
    api.patch(q2["url"], json={"users": [user["url"]]})
    assert api.get(user["url"]).json()["queues"] == [q1["url"], q2["url"]]
    api.patch(user["url"], json={"queues": [q2["url"]]})
    assert api.get(q1["url"]).json()["users"] == []
    assert api.get("/users", params={"queue": q2["id"]}).json()["results"][0]["id"] == user["id"]


def test_queue_connector_and_connector_queues(api, make):
    q1, q2 = make.queue(), make.queue()
    c1 = api.post("/connectors", json={"name": "c1", "service_url": "http://127.0.0.1:9", "queues": [q1["url"]]}).json()
    assert api.get(q1["url"]).json()["connector"] == c1["url"]
    c2 = api.post("/connectors", json={"name": "c2", "service_url": "http://127.0.0.1:9"}).json()
    api.patch(q1["url"], json={"connector": c2["url"]})  # queue side moves it
    assert api.get(c1["url"]).json()["queues"] == []
    assert api.get(c2["url"]).json()["queues"] == [q1["url"]]
    api.patch(c1["url"], json={"queues": [q1["url"], q2["url"]]})  # connector side takes both
    assert api.get(c2["url"]).json()["queues"] == []
    assert api.get(q2["url"]).json()["connector"] == c1["url"]
    api.patch(c1["url"], json={"queues": []})
    assert api.get(q1["url"]).json()["connector"] is None
    assert api.delete(c1["url"]).status_code == 204


def test_inbox_queue_link_set_once(api, make):
    q, other = make.queue(), make.queue()
    inbox = api.post("/inboxes", json={"name": "i", "email_prefix": "acme", "queues": [q["url"]]}).json()
    assert api.get(q["url"]).json()["inbox"] == inbox["url"]
    assert api.get("/queues", params={"inbox": inbox["id"]}).json()["results"][0]["id"] == q["id"]
    r = api.patch(inbox["url"], json={"queues": [other["url"]]})
    assert r.status_code == 400 and "queues" in r.json()
    assert api.patch(inbox["url"], json={"queues": [q["url"]], "name": "same queue ok"}).status_code == 200
    r = api.patch(q["url"], json={"inbox": None})
    assert r.status_code == 400 and "inbox" in r.json()
    assert api.patch(q["url"], json={"inbox": inbox["url"], "name": "same inbox ok"}).status_code == 200
    r = api.post("/inboxes", json={"name": "dup", "email_prefix": "x", "queues": [q["url"]]})
    assert r.status_code == 400 and "queues" in r.json()
    r = api.patch(other["url"], json={"inbox": inbox["url"]})
    assert r.status_code == 400  # the inbox already serves a queue
    assert api.delete(inbox["url"]).status_code == 204
    assert api.get(q["url"]).json()["inbox"] is None
    inbox2 = api.post("/inboxes", json={"name": "i2", "email_prefix": "again", "queues": [q["url"]]}).json()
    assert api.get(q["url"]).json()["inbox"] == inbox2["url"]


def test_rule_queues_appear_as_queue_rules(api, make):
    q = make.queue()
    rule = api.post("/rules", json={"name": "r", "queues": [q["url"]]}).json()
    assert api.get(q["url"]).json()["rules"] == [rule["url"]]
    r = api.patch(q["url"], json={"rules": []})  # read-only on the queue: ignored
    assert r.status_code == 200 and r.json()["rules"] == [rule["url"]]
    assert api.delete(rule["url"]).status_code == 204
    assert api.get(q["url"]).json()["rules"] == []


def test_derived_lists_on_workspace_schema_organization(api, make):
    ws = make.workspace()
    schema = make.schema()
    q1 = make.queue(workspace=ws["url"], schema=schema["url"])
    q2 = make.queue(workspace=ws["url"], schema=schema["url"])
    assert api.get(ws["url"]).json()["queues"] == [q1["url"], q2["url"]]
    assert api.get(schema["url"]).json()["queues"] == [q1["url"], q2["url"]]
    api.patch(q2["url"], json={"workspace": make.workspace()["url"]})
    assert api.get(ws["url"]).json()["queues"] == [q1["url"]]
    org = api.get(ws["organization"]).json()
    assert ws["url"] in org["workspaces"]
    user = api.post("/users", json={"username": "u1@example.com"}).json()
    assert user["url"] in api.get(ws["organization"]).json()["users"]


def test_hook_run_after_cleared_when_dependency_deleted(api, make):
    first = make.hook()
    second = make.hook(run_after=[first["url"]])
    assert second["run_after"] == [first["url"]]
    assert api.patch(second["url"], json={"run_after": [second["url"]]}).status_code == 400
    assert api.delete(first["url"]).status_code == 204
    assert api.get(second["url"]).json()["run_after"] == []
