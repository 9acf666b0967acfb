"""hooks and hook templates: validation, write-only secrets, private config, custom endpoints."""

from __future__ import annotations


def test_hook_defaults_and_visible_config_secret(api, make, emulator):
    q = make.queue()
    r = api.post(
        "/hooks",
        json={"name": "MyQ Hook", "queues": [q["url"]], "config": {"url": "http://127.0.0.1:9/x", "secret": "s3"},
              "events": ["annotation_status.changed", "annotation_content"]},
    )  # fmt: skip
    assert r.status_code == 201
    hook = r.json()
    assert hook["type"] == "webhook" and hook["active"] is True and hook["extension_source"] == "custom"
    assert hook["config"] == {"url": "http://127.0.0.1:9/x", "secret": "s3"}
    assert hook["test"] == {} and hook["settings"] == {} and hook["sideload"] == [] and hook["run_after"] == []
    assert hook["secrets_schema"] == {"type": "object", "additionalProperties": {"type": "string"}}
    assert "secrets" not in hook and "status" not in hook
    me = api.get("/auth/user").json()["url"]
    assert hook["created_by"] == me and hook["created_at"] and hook["modified_by"] == me


def test_hook_validation(api):
    base = {"name": "h", "config": {"url": "http://127.0.0.1:9"}}
    bad = [
        ({"events": ["annotation_status.exploded"]}, "events"),
        ({"type": "lambda"}, "type"),
        ({"config": {}}, "config"),
        ({"config": {"url": "http://127.0.0.1:9", "timeout_s": 61}}, "config"),
        ({"config": {"url": "http://127.0.0.1:9", "retry_count": -1}}, "config"),
        ({"type": "function", "config": {"runtime": "cobol", "code": "x"}}, "config"),
        ({"type": "function", "config": {"runtime": "python3.12"}}, "config"),
        ({"token_lifetime_s": 9000}, "token_lifetime_s"),
        ({"secrets_schema": {"type": "object"}}, "secrets_schema"),
        ({"queues": "not-a-list"}, "queues"),
    ]
    for patch, field in bad:
        r = api.post("/hooks", json={**base, **patch})
        assert r.status_code == 400, patch
        assert field in r.json(), (patch, r.json())
    assert api.post("/hooks", json={"name": "h"}).json() == {"config": ["This field is required."]}
    r = api.post("/hooks", json={"name": "f", "type": "function", "config": {"runtime": "python3.12", "code": "x=1"}})
    assert r.status_code == 201 and r.json()["status"] == "ready"


def test_hook_secrets_are_write_only_and_merged(api, make):
    hook = make.hook(secrets={"user": "u-Zq81", "password": "pw-Xk27"})
    assert "secrets" not in hook
    keys_url = f"{hook['url']}/secrets_keys"
    assert api.get(keys_url).json() == ["password", "user"]
    assert "pw-Xk27" not in api.get(hook["url"]).text and "u-Zq81" not in api.get("/hooks").text
    api.patch(hook["url"], json={"secrets": {}})  # no-op
    assert api.get(keys_url).json() == ["password", "user"]
    api.patch(hook["url"], json={"secrets": {"token": "t", "user": None}})
    assert api.get(keys_url).json() == ["password", "token"]
    r = api.patch(hook["url"], json={"secrets": {"n": 5}})
    assert r.status_code == 400 and "secrets" in r.json()
    strict = make.hook(secrets_schema={"type": "object", "properties": {"a": {"type": "string"}},
                                       "additionalProperties": False})  # fmt: skip
    assert api.patch(strict["url"], json={"secrets": {"a": "x"}}).status_code == 200
    assert api.patch(strict["url"], json={"secrets": {"b": "x"}}).status_code == 400


def test_private_hook_hides_and_freezes_url_and_secret(api, make):
    hook = make.hook(config={"url": "http://127.0.0.1:9/p", "secret": "s", "private": True, "timeout_s": 5})
    assert hook["config"] == {"private": True, "timeout_s": 5}
    r = api.patch(hook["url"], json={"config": {"private": True, "timeout_s": 10}})
    assert r.status_code == 200 and r.json()["config"] == {"private": True, "timeout_s": 10}
    assert api.patch(hook["url"], json={"config": {"private": False}}).status_code == 400
    assert (
        api.patch(hook["url"], json={"config": {"private": True, "url": "http://127.0.0.1:9/other"}}).status_code == 400
    )


def test_client_ssl_key_is_write_only_and_kept(api, make, emulator):
    hook = make.hook(config={"url": "http://127.0.0.1:9", "client_ssl_certificate": "CERT", "client_ssl_key": "KEY"})
    assert hook["config"] == {"url": "http://127.0.0.1:9", "client_ssl_certificate": "CERT"}
    api.patch(hook["url"], json={"config": {"url": "http://127.0.0.1:9/new"}})
    with emulator.app.store.transaction() as tx:
        assert tx.get("hooks", hook["id"])["config"]["client_ssl_key"] == "KEY"


def test_hook_filters(api, make):
    q = make.queue()
    a = make.hook(queues=[q["url"]], events=["upload.created"])
    b = make.hook(active=False, config={"url": "http://127.0.0.1:9/b"})
    ids = lambda **p: [h["id"] for h in api.get("/hooks", params=p).json()["results"]]  # noqa: E731
    assert ids(queue=q["id"]) == [a["id"]]
    assert ids(active="false") == [b["id"]]
    assert ids(config_url="http://127.0.0.1:9/b") == [b["id"]]
    assert ids(events="upload.created") == [a["id"]]
    assert ids(ordering="-id", id=f"{a['id']},{b['id']}") == [b["id"], a["id"]]


def test_hook_duplicate(api, make):
    q = make.queue()
    dep = make.hook()
    src = make.hook(queues=[q["url"]], run_after=[dep["url"]], secrets={"k": "v"})
    later = make.hook(run_after=[src["url"]])
    r = api.post(f"{src['url']}/duplicate", json={"name": "copy", "copy_secrets": True, "copy_dependencies": True})
    assert r.status_code == 201
    dup = r.json()
    assert dup["name"] == "copy" and dup["active"] is False and dup["queues"] == []
    assert dup["run_after"] == [dep["url"]]
    assert api.get(f"{dup['url']}/secrets_keys").json() == ["k"]
    assert dup["url"] in api.get(later["url"]).json()["run_after"]
    r = api.post(f"{src['url']}/duplicate", json={"name": "plain"})
    assert api.get(f"{r.json()['url']}/secrets_keys").json() == [] and r.json()["run_after"] == []


def test_hook_templates_and_create_from_template(api, make):
    templates = api.get("/hook_templates").json()
    assert templates["pagination"]["total"] >= 1
    template = templates["results"][0]
    assert template["name"] and template["url"].endswith(f"/hook_templates/{template['id']}")
    assert api.post("/hook_templates", json={}).status_code == 405
    q = make.queue()
    r = api.post("/hooks/create", json={"name": "from store", "hook_template": template["url"], "queues": [q["url"]]})
    assert r.status_code == 201, r.text
    hook = r.json()
    assert hook["extension_source"] == "rossum_store" and hook["hook_template"] == template["url"]
    assert hook["queues"] == [q["url"]] and hook["type"] == template["type"]
    assert api.post("/hooks/create", json={"name": "x"}).status_code == 400


def test_hook_test_invoke_and_generate_payload(api, make):
    hook = make.hook(events=["invocation.manual"])
    r = api.post(f"{hook['url']}/test", json={"payload": {"event": "annotation_content", "action": "started"}})
    assert r.status_code == 200 and r.json() == {"response": {"messages": [], "operations": []}}
    assert api.post(f"{hook['url']}/test", json={}).status_code == 400
    assert api.post(f"{hook['url']}/invoke", json={"x": 1}).status_code == 200
    assert api.post(f"{make.hook()['url']}/invoke", json={}).status_code == 400
    r = api.post(f"{hook['url']}/generate_payload", json={"event": "invocation", "action": "scheduled"})
    assert r.status_code == 200 and r.json()["hook"] == hook["url"] and r.json()["event"] == "invocation"
