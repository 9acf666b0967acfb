"""relations and document_relations: CRUD, filters, integrity; annotation filters by relation."""

from __future__ import annotations

from ._docflow import legacy_upload, make_queue


def _annotations(api, emulator, count=3):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    return legacy_upload(api, queue, [(f"r{i}.pdf", f"r{i}".encode()) for i in range(count)])


def test_relations_crud_and_filters(api, emulator):
    parent, first, second = _annotations(api, emulator)
    created = api.post("/relations", json={"type": "edit", "parent": parent, "annotations": [first]})
    assert created.status_code == 201, created.text
    relation = created.json()
    assert relation["type"] == "edit" and relation["key"] is None and relation["parent"] == parent
    assert relation["annotations"] == [first] and relation["url"].endswith(f"/relations/{relation['id']}")
    attachment = api.post("/relations", json={"type": "attachment", "parent": first, "annotations": [second]}).json()
    default_type = api.post("/relations", json={"annotations": [second], "key": "k1"}).json()
    assert default_type["type"] == "edit"

    patched = api.patch(relation["url"], json={"annotations": [first, second]})
    assert patched.status_code == 200 and patched.json()["annotations"] == [first, second]
    put = api.put(relation["url"], json={"type": "edit", "key": None, "parent": parent, "annotations": [first]})
    assert put.status_code == 200 and put.json()["annotations"] == [first]

    def ids(**params):
        return [r["id"] for r in api.get("/relations", params=params).json()["results"]]

    assert ids(type="attachment") == [attachment["id"]]
    assert ids(type="edit,attachment") == [relation["id"], attachment["id"], default_type["id"]]
    assert ids(parent=parent.rsplit("/", 1)[1]) == [relation["id"]]
    assert ids(annotation=second.rsplit("/", 1)[1]) == [attachment["id"], default_type["id"]]
    assert ids(key="k1") == [default_type["id"]]
    assert ids(ordering="-type") == [default_type["id"], relation["id"], attachment["id"]]  # ties: id, same direction

    assert api.get(first).json()["relations"] == [relation["url"]]
    children = api.get("/annotations", params={"relations__parent": parent.rsplit("/", 1)[1]}).json()["results"]
    assert [a["url"] for a in children] == [first]
    by_type = api.get("/annotations", params={"relations__type": "attachment"}).json()["results"]
    assert [a["url"] for a in by_type] == [second]
    sideloaded = api.get(
        "/annotations", params={"sideload": "relations,child_relations", "id": parent.rsplit("/", 1)[1]}
    )
    assert [r["id"] for r in sideloaded.json()["child_relations"]] == [relation["id"]]

    assert api.post("/relations", json={"type": "bogus", "annotations": [first]}).status_code == 400
    bad_ref = api.post("/relations", json={"annotations": [f"{api.base_url}/annotations/1"]})
    assert bad_ref.status_code == 400 and "annotations" in bad_ref.json()
    assert api.delete(relation["url"]).status_code == 204
    assert api.get(relation["url"]).status_code == 404
    assert api.get(first).json()["relations"] == []


def test_document_relations(api, emulator):
    [annotation] = _annotations(api, emulator, count=1)
    doc = api.post("/documents", files={"content": ("export.xml", b"<x/>", "application/xml")}).json()
    doc2 = api.post("/documents", files={"content": ("export.json", b"{}", "application/json")}).json()
    created = api.post(
        "/document_relations", json={"type": "export", "annotation": annotation, "documents": [doc["url"]]}
    )
    assert created.status_code == 201, created.text
    relation = created.json()
    assert relation["key"] is None and relation["documents"] == [doc["url"]] and relation["annotation"] == annotation
    duplicate = api.post("/document_relations", json={"type": "export", "annotation": annotation})
    assert duplicate.status_code == 400 and "non_field_errors" in duplicate.json()
    keyed = api.post("/document_relations", json={"annotation": annotation, "key": "v2", "documents": [doc2["url"]]})
    assert keyed.status_code == 201 and keyed.json()["type"] == "export"
    einvoice = api.post("/document_relations", json={"type": "einvoice", "annotation": annotation}).json()

    listed = [r["id"] for r in api.get("/document_relations").json()["results"]]
    assert listed == [einvoice["id"], keyed.json()["id"], relation["id"]]  # default ordering -id
    assert [r["id"] for r in api.get("/document_relations", params={"documents": doc2["id"]}).json()["results"]] == [
        keyed.json()["id"]
    ]
    assert api.get("/document_relations", params={"type": "einvoice"}).json()["pagination"]["total"] == 1
    assert api.get("/document_relations", params={"key": "v2"}).json()["pagination"]["total"] == 1

    assert api.delete(relation["url"]).status_code == 409  # still has documents
    assert api.patch(relation["url"], json={"documents": []}).json()["documents"] == []
    assert api.delete(relation["url"]).status_code == 204
    clash = api.put(keyed.json()["url"], json={"type": "einvoice", "key": None, "annotation": annotation})
    assert clash.status_code == 400  # same (type, key, annotation) as the einvoice relation
    assert api.get(keyed.json()["url"]).json()["type"] == "export"
