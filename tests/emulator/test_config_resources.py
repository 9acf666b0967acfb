"""email templates, schemas, connectors, inboxes, rules, labels, engines: CRUD and documented rules."""

from __future__ import annotations

import json
from pathlib import Path

REAL_SCHEMA = Path("/work/shared/fixtures/real-samples/schema.json")


# ------------------------------------------------------------------------------ email templates
def test_email_template_create_update_delete(api, make):
    q = make.queue()
    body = {"queue": q["url"], "name": "My Email Template", "subject": "Subj", "message": "<p>M</p>", "type": "custom"}
    r = api.post("/email_templates", json=body)
    assert r.status_code == 201
    t = r.json()
    assert t["organization"] == api.get("/auth/user").json()["organization"]
    assert t["enabled"] is True and t["automate"] is True and t["to"] == [] and t["triggers"] == []
    assert api.patch(t["url"], json={"type": "rejection"}).json()["type"] == "rejection"
    assert api.patch(t["url"], json={"type": "rejection_default"}).status_code == 400
    assert api.delete(t["url"]).status_code == 204
    assert api.post("/email_templates", json={"name": "x"}).json() == {"queue": ["This field is required."]}


def test_email_template_type_rules(api, make):
    q = make.queue()
    for ttype in ("rejection_default", "email_with_no_processable_attachments"):
        r = api.post("/email_templates", json={"queue": q["url"], "name": "n", "type": ttype})
        assert r.status_code == 400 and "type" in r.json()
    defaults = api.get("/email_templates", params={"queue": q["id"], "type": "rejection_default"}).json()["results"]
    assert len(defaults) == 1
    r = api.delete(defaults[0]["url"])
    assert r.status_code == 400 and "type" in r.json()
    no_att = api.get(
        "/email_templates", params={"queue": q["id"], "type": "email_with_no_processable_attachments"}
    ).json()["results"][0]
    assert api.patch(no_att["url"], json={"triggers": []}).status_code == 400
    assert api.patch(no_att["url"], json={"automate": True}).json()["automate"] is True


def test_email_template_recipients_and_triggers(api, make):
    q = make.queue()
    many = [{"email": f"u{i}@example.com"} for i in range(41)]
    r = api.post("/email_templates", json={"queue": q["url"], "name": "n", "to": many})
    assert r.status_code == 400
    r = api.post("/email_templates", json={"queue": q["url"], "name": "n", "to": [{"name": "no email"}]})
    assert r.status_code == 400 and "to" in r.json()
    imported = api.post("/triggers", json={"queue": q["url"], "event": "annotation_imported"}).json()
    confirmed = api.post("/triggers", json={"queue": q["url"], "event": "annotation_confirmed"}).json()
    r = api.post(
        "/email_templates", json={"queue": q["url"], "name": "rej", "type": "rejection", "triggers": [confirmed["url"]]}
    )
    assert r.status_code == 400 and "triggers" in r.json()
    r = api.post(
        "/email_templates", json={"queue": q["url"], "name": "rej", "type": "rejection", "triggers": [imported["url"]]}
    )
    assert r.status_code == 201
    assert api.get(imported["url"]).json()["email_templates"] == [r.json()["url"]]


def test_email_template_render(api, make):
    q = make.queue()
    t = api.post(
        "/email_templates",
        json={"queue": q["url"], "name": "n", "subject": "Hello {{ name }}", "message": "<p>{{ name }}!</p>",
              "to": [{"email": "{{ current_user_email }}"}]},
    ).json()  # fmt: skip
    r = api.post(f"{t['url']}/render", json={"template_values": {"name": "Ada"}})
    assert r.status_code == 200
    assert r.json() == {"to": [{"email": "admin@example.com"}], "cc": [], "bcc": [], "subject": "Hello Ada",
                        "message": "<p>Ada!</p>"}  # fmt: skip
    stats = api.get("/email_templates/stats", params={"queue": q["id"]}).json()
    assert stats["pagination"]["total"] == 6 and stats["results"][0]["manual_count"] == 0


# -------------------------------------------------------------------------------------- schemas
def test_real_schema_content_is_accepted(api):
    sample = json.loads(REAL_SCHEMA.read_text())
    r = api.post("/schemas", json={"name": sample["name"], "content": sample["content"], "queues": ["ignored"]})
    assert r.status_code == 201, r.text
    assert r.json()["content"] == sample["content"] and r.json()["queues"] == []


def test_schema_content_validation(api):
    dp = {"category": "datapoint", "id": "a", "label": "A", "type": "string"}
    section = {"category": "section", "id": "s", "label": "S", "children": [dp]}
    invalid = [
        {"not": "a list"},
        [dp],  # datapoint at top level
        [{**section, "children": [{**dp, "type": "text"}]}],
        [{**section, "children": [{**dp, "id": "x" * 51}]}],
        [{**section, "children": [dp, dp]}],  # duplicate id
        [{**section, "children": [{**dp, "hidden": None}]}],
        [{**section, "children": [{**dp, "width": 10}]}],  # width outside a tuple
        [{**section, "children": [{**dp, "type": "enum"}]}],  # enum without options
        [{**section, "children": [{"category": "multivalue", "id": "m", "label": "M", "children": [dp]}]}],
        [{**section, "children": [{"category": "tuple", "id": "t", "label": "T", "children": [dp]}]}],
    ]
    for content in invalid:
        r = api.post("/schemas", json={"name": "s", "content": content})
        assert r.status_code == 400 and "content" in r.json(), content
        assert api.post("/schemas/validate", json={"content": content}).status_code == 400
    table = {"category": "multivalue", "id": "m", "label": "M", "children": {
        "category": "tuple", "id": "t", "label": "T", "children": [{**dp, "id": "c", "width": 10, "stretch": True}]}}
    good = [{**section, "children": [dp, table]}]  # fmt: skip
    assert api.post("/schemas/validate", json={"content": good}).json() == {}
    r = api.post("/schemas", json={"name": "ok", "content": good})
    assert r.status_code == 201
    assert api.get("/schemas", params={"name": "ok"}).json()["results"][0]["content"] == good


def test_schema_from_template_and_queue_filter(api, make):
    r = api.post("/schemas/from_template", json={"name": "T", "template_name": "Tax Invoice EU Demo Template"})
    assert r.status_code == 201 and r.json()["content"]
    assert api.post("/schemas/from_template", json={"name": "T", "template_name": "Nope"}).status_code == 400
    q = make.queue(schema=r.json()["url"])
    assert [s["id"] for s in api.get("/schemas", params={"queue": q["id"]}).json()["results"]] == [r.json()["id"]]


# -------------------------------------------------------------------------- connectors, inboxes
def test_connector_write_only_key_and_token(api, make):
    r = api.post(
        "/connectors",
        json={"name": "MyQ Connector", "service_url": "http://127.0.0.1:9/c", "authorization_token": "tok-1",
              "client_ssl_key": "KEY-1"},
    )  # fmt: skip
    assert r.status_code == 201
    c = r.json()
    assert c["authorization_token"] == "tok-1" and "client_ssl_key" not in c and "KEY-1" not in r.text
    assert c["asynchronous"] is True and c["params"] is None and c["authorization_type"] == "secret_key"
    assert api.post("/connectors", json={"name": "x"}).json() == {"service_url": ["This field is required."]}
    assert api.patch(c["url"], json={"authorization_type": "Bearer"}).status_code == 400


def test_inbox_generated_email_and_validation(api, make):
    q = make.queue()
    r = api.post("/inboxes", json={"name": "Test Inbox", "email_prefix": "east-west", "queues": [q["url"]],
                                   "filters": {"allowed_senders": ["*@example.com"]}})  # fmt: skip
    assert r.status_code == 201
    inbox = r.json()
    local, domain = inbox["email"].split("@")
    assert local.startswith("east-west-") and len(local) == len("east-west-") + 6
    int(local[-6:], 16)
    assert inbox["dmarc_check_action"] == "accept" and inbox["bounce_email_with_no_attachments"] is True
    assert inbox["filters"] == {"allowed_senders": ["*@example.com"]}
    r = api.patch(inbox["url"], json={"email": "changed@" + domain, "name": "renamed"})
    assert r.json()["email"] == inbox["email"] and r.json()["name"] == "renamed"
    q2 = make.queue()
    assert api.post("/inboxes", json={"name": "n", "queues": [q2["url"]]}).status_code == 400  # no prefix/email
    assert api.post("/inboxes", json={"name": "n", "email_prefix": "p"}).status_code == 400  # no queue
    r = api.post("/inboxes", json={"name": "n", "email": "x@elsewhere.example", "queues": [q2["url"]]})
    assert r.status_code == 400 and "email" in r.json()
    r = api.post("/inboxes", json={"name": "n", "email": f"fixed@{domain}", "queues": [q2["url"]]})
    assert r.status_code == 201 and r.json()["email"] == f"fixed@{domain}"
    assert api.get("/inboxes", params={"email": f"fixed@{domain}"}).json()["pagination"]["total"] == 1


# ---------------------------------------------------------------------------------------- rules
def test_rules_crud_validation_and_filters(api, make):
    q = make.queue()
    action = {"id": "a1", "enabled": True, "type": "show_message", "event": "validation",
              "payload": {"type": "error", "content": "Error!", "schema_id": "invoice_id"}}  # fmt: skip
    r = api.post("/rules", json={"name": "rule", "queues": [q["url"]], "actions": [action], "organization": "x"})
    assert r.status_code == 201
    rule = r.json()
    assert rule["organization"] == api.get("/auth/user").json()["organization"]
    assert rule["trigger_condition"] == "True" and rule["enabled"] is True and rule["description"] == ""
    assert rule["created_by"] and rule["created_at"]
    bad_actions = [
        [{**action, "type": "explode"}],
        [{**action, "event": "annotation_imported"}],
        [action, {**action}],  # duplicate id
        [{**action, "id": "b", "type": "change_status", "event": "annotation_imported", "payload": {}},
         {**action, "id": "c", "type": "change_status", "event": "annotation_imported", "payload": {}}],
    ]  # fmt: skip
    for actions in bad_actions:
        r = api.patch(rule["url"], json={"actions": actions})
        assert r.status_code == 400 and "actions" in r.json(), actions
    other = api.post("/rules", json={"name": "unlinked", "enabled": False}).json()
    ids = lambda **p: [x["id"] for x in api.get("/rules", params=p).json()["results"]]  # noqa: E731
    assert ids(queue=q["id"]) == [rule["id"]]
    assert ids(enabled="false") == [other["id"]]
    assert ids(linked="true") == [rule["id"]] and ids(linked="false") == [other["id"]]
    assert ids(actions="show_message") == [rule["id"]]
    assert api.put(rule["url"], json={"name": "renamed"}).json()["queues"] == [q["url"]]


# ----------------------------------------------------------------------------- labels, engines
def test_labels_and_apply(api, emulator):
    r = api.post("/labels", json={"name": "expedite", "color": "#FF5733"})
    assert r.status_code == 201
    label = r.json()
    assert label["organization"] == api.get("/auth/user").json()["organization"]
    assert api.post("/labels", json={"name": "x", "color": "red"}).status_code == 400
    with emulator.app.store.transaction() as tx:
        annotation = tx.insert("annotations", {"status": "to_review", "labels": []})
    ann_url = f"{emulator.base_url}/annotations/{annotation['id']}"
    body = {"operations": {"add": [label["url"]], "remove": []}, "objects": {"annotations": [ann_url]}}
    assert api.post("/labels/apply", json=body).status_code == 204
    with emulator.app.store.transaction() as tx:
        assert tx.get("annotations", annotation["id"])["labels"] == [label["id"]]
    bad = {"operations": {"add": [f"{emulator.base_url}/labels/1"]}, "objects": {"annotations": [ann_url]}}
    assert api.post("/labels/apply", json=bad).status_code == 400
    assert api.delete(label["url"]).status_code == 204


def test_engines_and_engine_fields(api, make):
    seeded = api.get("/engines").json()
    assert seeded["pagination"]["total"] >= 1
    engine = seeded["results"][0]
    for key in ("name", "type", "learning_enabled", "training_queues", "description", "agenda_id", "organization"):
        assert key in engine
    fields = api.get("/engine_fields", params={"engine": engine["id"]}).json()
    assert fields["pagination"]["total"] >= 1
    q = make.queue()
    r = api.post("/engines", json={"name": "E", "type": "splitter", "training_queues": [q["url"]]})
    assert r.status_code == 201 and r.json()["agenda_id"] and r.json()["training_queues"] == [q["url"]]
    new = r.json()
    assert api.post("/engines", json={"name": "E", "type": "other"}).status_code == 400
    schema = make.schema()
    r = api.post("/engine_fields", json={"engine": new["url"], "name": "f", "label": "F", "type": "number"})
    assert r.status_code == 400 and "schemas" in r.json()
    r = api.post("/engine_fields", json={"engine": new["url"], "name": "f", "label": "F", "schemas": [schema["url"]]})
    assert r.status_code == 201
    api.patch(q["url"], json={"engine": new["url"]})
    assert [x["id"] for x in api.get("/queues", params={"engine": new["id"]}).json()["results"]] == [q["id"]]
    assert api.get("/engines", params={"type": "splitter"}).json()["results"][0]["id"] == new["id"]
    assert api.delete(new["url"]).status_code == 204
    assert api.get(r.json()["url"]).status_code == 404  # fields go with their engine
    assert api.get(q["url"]).json()["engine"] is None


def test_real_queue_and_inbox_dumps_round_trip(api, make):
    sample = json.loads((REAL_SCHEMA.parent / "queue.json").read_text())
    body = {**sample, "workspace": make.workspace()["url"], "schema": make.schema()["url"], "inbox": None}
    body["generic_engine"] = None  # the sample's engine does not exist here; a default one is set
    r = api.post("/queues", json=body)
    assert r.status_code == 201, r.text
    q = r.json()
    for key in ("settings", "metadata", "locale", "default_score_threshold", "use_confirmed_state", "session_timeout"):
        assert q[key] == sample[key], key
    inbox_sample = json.loads((REAL_SCHEMA.parent / "inbox.json").read_text())
    r = api.post("/inboxes", json={**inbox_sample, "email": None, "queues": [q["url"]]})
    assert r.status_code == 400  # email may not be null
    body = {k: v for k, v in inbox_sample.items() if k != "email"}
    r = api.post("/inboxes", json={**body, "queues": [q["url"]]})
    assert r.status_code == 201, r.text
    assert r.json()["filters"] == inbox_sample["filters"]
    assert r.json()["email"].startswith(inbox_sample["email_prefix"] + "-")
    ws_sample = json.loads((REAL_SCHEMA.parent / "workspace.json").read_text())
    r = api.patch(q["workspace"], json=ws_sample)  # a full pulled object sent back: read-only keys ignored
    assert r.status_code == 400 and list(r.json()) == ["organization"]  # its organization does not exist here
    r = api.patch(q["workspace"], json={k: v for k, v in ws_sample.items() if k != "organization"})
    assert r.status_code == 200 and r.json()["name"] == ws_sample["name"] and r.json()["queues"] == [q["url"]]
