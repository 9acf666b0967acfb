"""documents: create (multipart and raw body), list filters/orderings, PATCH metadata, content, delete."""

from __future__ import annotations

import io
import os
import zipfile

from ._docflow import datapoints_by_schema_id, imported, legacy_upload, make_queue


def _create(api, name, data, **fields):
    files = [("content", (name, data, "application/octet-stream"))]
    for key, value in fields.items():
        files.append((key, ("", value.encode(), "text/plain")))
    return api.post("/documents", files=files)


def test_create_retrieve_patch_download_delete(api, emulator):
    payload = os.urandom(700_000)  # larger than one streaming chunk
    response = _create(api, "scan.png", payload, metadata='{"project": "Market ABC"}')
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["original_file_name"] == "scan.png" and document["mime_type"] == "image/png"
    assert document["metadata"] == {"project": "Market ABC"} and document["annotations"] == []
    assert document["content"] == f"{document['url']}/content"
    assert document["creator"] == api.get("/auth/user").json()["url"]
    assert document["arrived_at"] == document["created_at"] and document["parent"] is None
    assert len(document["s3_name"]) == 32
    assert api.get("/annotations").json()["pagination"]["total"] == 0  # no annotation for a plain document

    download = api.get(document["content"])
    assert download.status_code == 200 and download.content == payload
    assert download.headers["content-type"] == "image/png"
    assert api.get(f"/original/{document['s3_name']}").content == payload

    child = _create(api, "child.pdf", b"%PDF child", parent=document["url"])
    assert child.status_code == 201 and child.json()["parent"] == document["url"]
    patched = api.patch(document["url"], json={"metadata": {"translation_file_name": "Rechnung.pdf"}, "mime_type": "x"})
    assert patched.status_code == 200
    assert (
        patched.json()["metadata"] == {"translation_file_name": "Rechnung.pdf"}
        and patched.json()["mime_type"] == "image/png"
    )
    assert api.put(document["url"], json={}).status_code == 405

    assert api.delete(child.json()["url"]).status_code == 204
    assert api.get(child.json()["url"]).status_code == 404
    assert api.get(f"{child.json()['url']}/content").status_code == 404


def test_create_errors_and_raw_body(api, emulator):
    assert api.post("/documents", files=[("metadata", ("", b"{}", "application/json"))]).status_code == 400
    two = api.post("/documents", files=[("content", ("a.pdf", b"1")), ("content", ("b.pdf", b"2"))])
    assert two.status_code == 400
    bad_parent = _create(api, "a.pdf", b"x", parent="http://localhost/api/v1/documents/1")
    assert bad_parent.status_code == 400 and "parent" in bad_parent.json()
    raw = api.post(
        "/documents",
        content=b"%PDF raw",
        headers={"Content-Disposition": "attachment; filename=raw.pdf", "Content-Type": "application/pdf"},
    )
    assert raw.status_code == 201 and raw.json()["original_file_name"] == "raw.pdf"
    assert api.get("/documents").json()["pagination"]["total"] == 1


def test_list_filters_and_orderings(api, emulator):
    for name in ("b.pdf", "a.pdf", "c.pdf"):
        assert _create(api, name, name.encode()).status_code == 201
    docs = api.get("/documents").json()["results"]
    assert [d["original_file_name"] for d in docs] == ["b.pdf", "a.pdf", "c.pdf"]
    by_name = api.get("/documents", params={"ordering": "-original_file_name"}).json()["results"]
    assert [d["original_file_name"] for d in by_name] == ["c.pdf", "b.pdf", "a.pdf"]
    only = api.get("/documents", params={"original_file_name": "a.pdf"}).json()["results"]
    assert [d["original_file_name"] for d in only] == ["a.pdf"]
    ids = f"{docs[0]['id']},{docs[2]['id']}"
    assert api.get("/documents", params={"id": ids}).json()["pagination"]["total"] == 2
    me = api.get("/auth/user").json()["id"]
    assert api.get("/documents", params={"creator": me}).json()["pagination"]["total"] == 3
    assert api.get("/documents", params={"created_at_after": "2999-01-01"}).json()["pagination"]["total"] == 0
    assert api.get("/documents", params={"arrived_at_before": "2999-01-01"}).json()["pagination"]["total"] == 3


def test_delete_document_with_annotation_data_conflicts(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    empty_url, data_url = legacy_upload(api, queue, [("empty.pdf", b"e"), ("data.pdf", b"d")])
    empty = imported(api, empty_url)
    with_data = imported(api, data_url)
    node = datapoints_by_schema_id(api.get(with_data["content"]).json()["content"])["document_id"][0]
    api.patch(f"{data_url}/content/{node['id']}", json={"content": {"value": "INV-1"}})
    conflict = api.delete(with_data["document"])
    assert conflict.status_code == 409 and "detail" in conflict.json()
    assert api.get(data_url).status_code == 200
    # "notes" has a schema default value, so clear it to leave no datapoint value behind
    notes = datapoints_by_schema_id(api.get(empty["content"]).json()["content"])["notes"][0]
    api.patch(f"{empty_url}/content/{notes['id']}", json={"content": {"value": ""}})
    assert api.delete(empty["document"]).status_code == 204
    assert api.get(empty_url).status_code == 404  # the annotation went with its document
    assert api.get(queue["url"]).json()["counts"]["to_review"] == 1


def test_documents_download_archive(api, emulator):
    parent = _create(api, "source.pdf", b"%PDF source").json()
    a = _create(api, "page.pdf", b"first", parent=parent["url"]).json()
    b = _create(api, "page.pdf", b"second").json()
    response = api.post("/documents/downloads", json={"documents": [a["url"], b["url"]], "file_name": "monday.zip"})
    assert response.status_code == 202 and response.headers["location"] == response.json()["url"]
    task = api.get(response.json()["url"], params={"no_redirect": "true"}).json()
    assert task["type"] == "documents_download" and task["status"] == "succeeded"
    assert task["content"] == {"file_name": "monday.zip"}
    download = api.get(task["result_url"]).json()
    assert download["file_name"] == "monday.zip" and download["content"] == f"{task['result_url']}/content"
    assert download["expires_at"].endswith("Z")
    archive = api.get(download["content"])
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    members = zipfile.ZipFile(io.BytesIO(archive.content))
    assert members.namelist() == ["page.pdf", "page-1.pdf"]
    assert members.read("page.pdf") == b"first" and members.read("page-1.pdf") == b"second"

    source = api.post("/documents/downloads", json={"documents": [a["url"]], "type": "source_document", "zip": False})
    single = api.get(api.get(source.json()["url"], params={"no_redirect": True}).json()["result_url"]).json()
    assert single["file_name"] == "source.pdf" and api.get(single["content"]).content == b"%PDF source"
    assert api.post("/documents/downloads", json={"documents": []}).status_code == 400
    assert api.post("/documents/downloads", json={"documents": [a["url"]], "file_name": "x.tar"}).status_code == 400
    assert api.post("/documents/downloads", json={"documents": [a["url"], b["url"]], "zip": False}).status_code == 400
