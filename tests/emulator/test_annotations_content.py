"""Annotation data: tree shape, node PATCH, bulk operations, whole-content PATCH, edit conflicts."""

from __future__ import annotations

import httpx

from ._docflow import datapoints_by_schema_id, imported, legacy_upload, make_queue


def _annotation(api, emulator, **kw):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    [url] = legacy_upload(api, queue, [("inv.pdf", b"%PDF inv")], **kw)
    return imported(api, url)


def _tree(api, annotation):
    return api.get(annotation["content"]).json()["content"]


def _line_items(tree):
    [multivalue] = [c for c in tree[1]["children"] if c["schema_id"] == "line_items"]
    return multivalue


def test_content_tree_shape(api, emulator):
    annotation = _annotation(api, emulator, values={"upload:date_issue": "23/1/2019"})
    tree = _tree(api, annotation)
    assert [s["schema_id"] for s in tree] == ["invoice_info", "line_items_section"]
    section = tree[0]
    assert section["category"] == "section" and section["url"] == f"{annotation['url']}/content/{section['id']}"
    date = datapoints_by_schema_id(tree)["date_issue"][0]
    assert date["content"]["value"] == "23/1/2019" and date["content"]["normalized_value"] == "2019-01-23"
    assert {"page", "position", "rir_confidence", "rir_text"} <= set(date["content"])
    assert date["validation_sources"] == [] and date["hidden"] is False
    multivalue = _line_items(tree)
    assert multivalue["category"] == "multivalue" and multivalue["children"] == []
    all_ids = [n["id"] for nodes in datapoints_by_schema_id(tree).values() for n in nodes]
    assert len(all_ids) == len(set(all_ids))


def test_patch_single_node(api, emulator):
    annotation = _annotation(api, emulator)
    node = datapoints_by_schema_id(_tree(api, annotation))["document_id"][0]
    url = f"{annotation['url']}/content/{node['id']}"
    response = api.patch(url, json={"content": {"value": "#INV00011", "position": [302, 91, 554, 56]}})
    assert response.status_code == 200
    updated = response.json()
    assert updated["id"] == node["id"] and updated["url"] == url
    assert updated["content"]["value"] == "#INV00011" and updated["content"]["position"] == [302, 91, 554, 56]
    assert api.get(url).json()["content"]["value"] == "#INV00011"
    assert api.patch(f"{annotation['url']}/content/1", json={"content": {"value": "x"}}).status_code == 404


def test_bulk_operations_replace_add_remove(api, emulator):
    annotation = _annotation(api, emulator)
    tree = _tree(api, annotation)
    vendor = datapoints_by_schema_id(tree)["sender_name"][0]
    multivalue = _line_items(tree)
    operations = [
        {
            "op": "replace",
            "id": str(vendor["id"]),
            "value": {
                "content": {"value": "John", "position": [1, 2, 3, 4], "page": 1},
                "validation_sources": ["human"],
            },
        },
        {
            "op": "add",
            "id": multivalue["id"],
            "value": [
                {"schema_id": "item_description", "content": {"value": "Bottle"}},
                {"schema_id": "item_amount", "content": {"value": "12.50"}},
            ],
            "validation_sources": ["human"],
        },
        {
            "op": "add",
            "id": multivalue["id"],
            "value": [{"schema_id": "item_description", "content": {"value": "Cap"}}],
        },
    ]
    response = api.post(f"{annotation['url']}/content/operations", json={"operations": operations})
    assert response.status_code == 200, response.text
    tree = response.json()["content"]
    values = datapoints_by_schema_id(tree)
    assert values["sender_name"][0]["content"]["value"] == "John"
    assert values["sender_name"][0]["validation_sources"] == ["human"]
    rows = _line_items(tree)["children"]
    assert [r["category"] for r in rows] == ["tuple", "tuple"]
    assert [c["content"]["value"] for c in rows[0]["children"]] == ["Bottle", "12.50"]
    assert rows[0]["children"][1]["content"]["normalized_value"] == "12.5"
    assert all(c["validation_sources"] == ["human"] for c in rows[0]["children"])
    assert rows[1]["children"][1]["content"]["value"] == ""

    removed = api.post(
        f"{annotation['url']}/content/operations", json={"operations": [{"op": "remove", "id": rows[0]["id"]}]}
    )
    assert removed.status_code == 200
    remaining = _line_items(removed.json()["content"])["children"]
    assert [r["id"] for r in remaining] == [rows[1]["id"]]
    assert _line_items(_tree(api, annotation))["children"] == remaining


def test_bulk_operations_are_atomic_and_validated(api, emulator):
    annotation = _annotation(api, emulator)
    tree = _tree(api, annotation)
    vendor = datapoints_by_schema_id(tree)["sender_name"][0]
    operations = [
        {"op": "replace", "id": vendor["id"], "value": {"content": {"value": "changed"}}},
        {"op": "remove", "id": vendor["id"]},  # not a multivalue child -> whole request refused
    ]
    response = api.post(f"{annotation['url']}/content/operations", json={"operations": operations})
    assert response.status_code == 400 and "operations" in response.json()
    assert datapoints_by_schema_id(_tree(api, annotation))["sender_name"][0]["content"]["value"] == ""
    unknown = api.post(f"{annotation['url']}/content/operations", json={"operations": [{"op": "remove", "id": 5}]})
    assert unknown.status_code == 400
    bad_op = api.post(
        f"{annotation['url']}/content/operations", json={"operations": [{"op": "move", "id": vendor["id"]}]}
    )
    assert bad_op.status_code == 400
    section = tree[0]
    add_to_section = api.post(
        f"{annotation['url']}/content/operations",
        json={"operations": [{"op": "add", "id": section["id"], "value": []}]},
    )
    assert add_to_section.status_code == 400
    assert api.post(f"{annotation['url']}/content/operations", json={}).status_code == 400


def test_patch_whole_content_merges(api, emulator):
    annotation = _annotation(api, emulator, values={"upload:document_id": "KEEP"})
    patch = {
        "content": [
            {
                "category": "section",
                "schema_id": "invoice_info",
                "children": [{"category": "datapoint", "schema_id": "amount_total", "content": {"value": "900.00"}}],
            },
            {
                "category": "section",
                "schema_id": "line_items_section",
                "children": [
                    {
                        "category": "multivalue",
                        "schema_id": "line_items",
                        "children": [
                            {
                                "category": "tuple",
                                "schema_id": "line_item",
                                "children": [{"schema_id": "item_description", "content": {"value": "Row"}}],
                            }
                        ],
                    }
                ],
            },
        ]
    }
    response = api.patch(annotation["content"], json=patch)
    assert response.status_code == 200, response.text
    values = datapoints_by_schema_id(response.json()["content"])
    assert values["amount_total"][0]["content"]["value"] == "900.00"
    assert values["amount_total"][0]["content"]["normalized_value"] == "900"
    assert values["document_id"][0]["content"]["value"] == "KEEP"  # datapoints not sent are preserved
    assert values["item_description"][0]["content"]["value"] == "Row"
    bad = api.patch(annotation["content"], json={"content": [{"schema_id": "no_such_section"}]})
    assert bad.status_code == 400


def test_content_edit_conflicts(api, emulator):
    annotation = _annotation(api, emulator)
    org = api.get("/auth/user").json()["organization"]
    user = api.post(
        "/users",
        json={
            "username": "other@example.com",
            "email": "other@example.com",
            "organization": org,
            "password": "secret-pass-1",
            "groups": [f"{emulator.base_url}/groups/3"],
        },
    )
    assert user.status_code == 201, user.text
    login = httpx.post(
        f"{emulator.base_url}/auth/login", json={"username": "other@example.com", "password": "secret-pass-1"}
    )
    assert login.status_code == 200, login.text
    with httpx.Client(base_url=emulator.base_url, headers={"Authorization": f"Bearer {login.json()['key']}"}) as other:
        assert other.post(f"{annotation['url']}/start").status_code == 200
        node = datapoints_by_schema_id(_tree(api, annotation))["document_id"][0]
        blocked = api.patch(f"{annotation['url']}/content/{node['id']}", json={"content": {"value": "x"}})
        assert blocked.status_code == 409
        allowed = other.patch(f"{annotation['url']}/content/{node['id']}", json={"content": {"value": "y"}})
        assert allowed.status_code == 200
