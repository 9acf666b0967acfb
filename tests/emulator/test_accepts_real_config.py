"""What the real API accepts (reference examples, live objects) is accepted; documented rules still hold."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.helpers import id_of


def _dp(node_id: str, **kw: Any) -> dict[str, Any]:
    return {"category": "datapoint", "id": node_id, "label": node_id, "type": "string", **kw}


def _section(*children: Any) -> list[dict[str, Any]]:
    return [{"category": "section", "id": "section", "label": "Section", "children": list(children)}]


# ------------------------------------------------------------------------------------------ schemas


def test_rir_field_names_null_on_every_node_kind(api):
    # the reference's multivalue example ends in "rir_field_names": null; live schemas have it on tuples too
    content = _section(
        _dp("plain", rir_field_names=None),
        {
            "category": "multivalue",
            "id": "line_items",
            "label": "Lines",
            "rir_field_names": None,
            "min_occurrences": None,
            "max_occurrences": None,
            "show_grid_by_default": False,
            "children": {
                "category": "tuple",
                "id": "line_item",
                "label": "Line",
                "rir_field_names": None,
                "children": [_dp("item_desc", rir_field_names=None, stretch=True)],
            },
        },
    )
    r = api.post("/schemas", json={"name": "rir null", "content": content})
    assert r.status_code == 201, r.text
    assert r.json()["content"] == content
    assert api.post("/schemas/validate", json={"content": content}).json() == {}


def test_enum_with_empty_options_is_accepted_and_missing_options_are_not(api):
    r = api.post("/schemas", json={"name": "enum", "content": _section(_dp("e", type="enum", options=[]))})
    assert r.status_code == 201, r.text
    r = api.post("/schemas", json={"name": "enum", "content": _section(_dp("e", type="enum"))})
    assert r.status_code == 400 and "options" in r.json()["content"][0]


def test_documented_schema_rules_still_hold(api):
    too_long = _section(_dp("x" * 51))
    r = api.post("/schemas", json={"name": "long id", "content": too_long})
    assert r.status_code == 400
    assert any("no more than 50 characters" in e for e in r.json()["content"])
    r = api.post(
        "/schemas",
        json={"name": "no label", "content": _section({"category": "datapoint", "id": "a", "type": "string"})},
    )
    assert r.status_code == 400 and any("label: This field is required." in e for e in r.json()["content"])
    r = api.post("/schemas", json={"name": "hidden null", "content": _section(_dp("a", hidden=None))})
    assert r.status_code == 400 and any("hidden: This field may not be null." in e for e in r.json()["content"])


# ------------------------------------------------------------------------------------------ URLs


@pytest.mark.parametrize("url", ["https://x/y#frag", "https://hooks.example.com/path?a=1#section-2"])
def test_url_fields_accept_fragments(api, url):
    r = api.post("/hooks", json={"name": "frag", "events": [], "config": {"url": url}, "read_more_url": url})
    assert r.status_code == 201, r.text
    assert r.json()["config"]["url"] == url and r.json()["read_more_url"] == url
    r = api.post("/connectors", json={"name": "c", "service_url": url})
    assert r.status_code == 201, r.text
    assert r.json()["service_url"] == url


def test_url_fields_still_refuse_non_urls(api):
    r = api.post("/connectors", json={"name": "c", "service_url": "not a url"})
    assert r.status_code == 400 and r.json() == {"service_url": ["Enter a valid URL."]}


def test_references_in_regional_v1_form_and_with_fragment(api, make):
    ws, schema = make.workspace(), make.schema()
    regional = ws["url"].replace("/api/v1/", "/v1/")  # live objects: https://us.api.rossum.ai/v1/queues/7
    r = api.post("/queues", json={"name": "regional", "workspace": regional, "schema": schema["url"] + "#x"})
    assert r.status_code == 201, r.text
    assert id_of(r.json()["workspace"]) == ws["id"] and id_of(r.json()["schema"]) == schema["id"]
    r = api.post(
        "/queues", json={"name": "bad", "workspace": ws["url"].replace("/api/v1/", "/v2/"), "schema": schema["url"]}
    )
    assert r.status_code == 400 and r.json() == {"workspace": ["Invalid hyperlink - No URL match."]}


# ------------------------------------------------------------------------------------------ hooks, queues


def test_hook_config_with_null_app_and_secret_and_unknown_keys(api):
    config = {
        "url": "https://x.example.com/h",
        "app": None,
        "secret": None,
        "client_ssl_certificate": None,
        "retry_count_for_polling_failure": 2,
        "future_option": {"nested": [1, None]},
    }
    r = api.post("/hooks", json={"name": "live", "events": ["annotation_content.export"], "config": config})
    assert r.status_code == 201, r.text
    assert r.json()["config"] == config
    r = api.patch(f"/hooks/{r.json()['id']}", json={"config": {**config, "app": {"url": "https://a", "settings": {}}}})
    assert r.status_code == 200 and r.json()["config"]["app"] == {"url": "https://a", "settings": {}}


@pytest.mark.parametrize(
    "runtime", ["python3.12", "nodejs22.x", "python3.8", "python3.9", "python3.11", "nodejs18.x", "nodejs12.x"]
)
def test_function_runtimes_of_older_organizations(api, runtime):
    r = api.post(
        "/hooks",
        json={
            "name": "f",
            "type": "function",
            "events": [],
            "config": {"runtime": runtime, "code": "def rossum_hook_request_handler(p): ..."},
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["config"]["runtime"] == runtime
    r = api.patch(f"/hooks/{r.json()['id']}", json={"name": "renamed", "config": r.json()["config"]})
    assert r.status_code == 200


@pytest.mark.parametrize("runtime", ["ruby3.2", "python2.7", "", None, 3.12])
def test_unknown_runtimes_are_still_refused(api, runtime):
    r = api.post(
        "/hooks", json={"name": "f", "type": "function", "events": [], "config": {"runtime": runtime, "code": "x"}}
    )
    assert r.status_code == 400
    assert r.json()["config"][0].startswith("config.runtime: must be one of python3.12, nodejs22.x")


def test_documented_hook_rules_still_hold(api):
    r = api.post("/hooks", json={"name": "h", "events": [], "config": {"url": "https://x", "timeout_s": 61}})
    assert r.status_code == 400 and r.json() == {"config": ["config.timeout_s: must be an integer between 0 and 60."]}
    r = api.post(
        "/hooks", json={"name": "h", "events": [], "config": {"url": "https://x"}, "secrets_schema": {"type": "object"}}
    )
    assert r.status_code == 400 and "secrets_schema" in r.json()
    r = api.post("/hooks", json={"name": "x" * 256, "events": [], "config": {"url": "https://x"}})
    assert r.status_code == 400 and "name" in r.json()


def test_queue_settings_with_unknown_keys_are_kept(api, make):
    settings = {"columns": [{"schema_id": "x"}], "hide_export_button": None, "not_yet_documented": {"a": [1]}}
    queue = make.queue(settings=settings)
    assert queue["settings"] == settings
    assert api.get(f"/queues/{queue['id']}").json()["settings"] == settings
