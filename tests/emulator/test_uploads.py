"""Uploads, tasks and the simulated import (emulator, real HTTP on loopback)."""

from __future__ import annotations

import json

from ._docflow import datapoints_by_schema_id, imported, legacy_upload, make_queue, upload, wait_for

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_upload_task_upload_object_and_import(api, emulator):
    emulator.settings.import_delay_s = 0.3
    queue = make_queue(api)
    response = upload(
        api,
        queue,
        [("a.pdf", PDF), ("b.pdf", PDF + b"b")],
        values={"upload:document_id": "INV-1", "upload:amount_total": "1 234,50"},
        metadata={"project": "X"},
    )
    assert response.status_code == 202, response.text
    task_url = response.json()["url"]
    assert task_url.startswith(f"{emulator.base_url}/tasks/")

    task = api.get(task_url, params={"no_redirect": "True"})
    assert task.status_code == 200
    body = task.json()
    assert body["type"] == "upload_created" and body["status"] == "running"
    assert body["expires_at"].endswith("Z") and body["result_url"] is None
    upload_url = body["content"]["upload"]

    up = api.get(upload_url).json()
    assert up["queue"] == queue["url"] and len(up["documents"]) == 2 and len(up["annotations"]) == 2
    assert up["organization"] == api.get("/auth/user").json()["organization"]
    annotations = [api.get(url).json() for url in up["annotations"]]
    assert {a["status"] for a in annotations} == {"importing"}
    assert all(a["metadata"] == {"project": "X"} for a in annotations)
    counts = api.get(queue["url"]).json()["counts"]
    assert counts["importing"] == 2

    done = wait_for(
        lambda: (t := api.get(task_url, params={"no_redirect": "true"}).json())["status"] == "succeeded" and t
    )
    assert done["result_url"] == upload_url and done["content"] == {"upload": upload_url}
    redirect = api.get(task_url)
    assert redirect.status_code == 303 and redirect.headers["location"] == upload_url
    annotation = api.get(up["annotations"][0]).json()
    assert annotation["status"] == "to_review"
    counts = api.get(queue["url"]).json()["counts"]
    assert counts["importing"] == 0 and counts["to_review"] == 2

    content = api.get(annotation["content"]).json()
    assert content["content"] == content["results"]
    values = datapoints_by_schema_id(content["content"])
    assert values["document_id"][0]["content"]["value"] == "INV-1"
    assert values["amount_total"][0]["content"]["normalized_value"] == "1234.5"
    assert values["notes"][0]["content"]["value"] == "n/a"  # schema default_value
    assert values["sender_name"][0]["content"]["value"] == ""
    node = values["document_id"][0]
    assert node["url"] == f"{annotation['url']}/content/{node['id']}" and isinstance(node["id"], int)

    document = api.get(annotation["document"]).json()
    assert document["original_file_name"] == "a.pdf" and document["mime_type"] == "application/pdf"
    assert document["annotations"] == [annotation["url"]]
    original = api.get(document["content"])
    assert original.status_code == 200 and original.content == PDF
    assert original.headers["content-type"] == "application/pdf"


def test_queue_counts_catch_up_without_reading_annotations(api, emulator):
    emulator.settings.import_delay_s = 0.1
    queue = make_queue(api)
    assert upload(api, queue, [("a.pdf", PDF)]).status_code == 202
    wait_for(lambda: api.get(queue["url"]).json()["counts"]["to_review"] == 1, timeout=5)


def test_legacy_queue_upload_and_raw_body_upload(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    parts = [("content", ("one.pdf", PDF, "application/pdf")), ("content", ("two.png", b"\x89PNG..", "image/png"))]
    response = api.post(f"/queues/{queue['id']}/upload", files=parts)
    assert response.status_code == 201
    body = response.json()
    assert len(body["results"]) == 2
    assert body["annotation"] == body["results"][0]["annotation"] and body["document"] == body["results"][0]["document"]
    assert api.get(body["results"][1]["document"]).json()["mime_type"] == "image/png"
    assert imported(api, body["results"][0]["annotation"])["status"] == "to_review"

    raw = api.post(
        "/uploads",
        params={"queue": queue["id"]},
        content=PDF,
        headers={
            "Content-Disposition": "attachment; filename*=utf-8''d%C3%A9j%C3%A0.pdf",
            "Content-Type": "application/pdf",
        },
    )
    assert raw.status_code == 202
    task = wait_for(lambda: (t := api.get(raw.json()["url"], params={"no_redirect": True}).json())["result_url"] and t)
    up = api.get(task["result_url"]).json()
    assert api.get(up["documents"][0]).json()["original_file_name"] == "déjà.pdf"

    by_path = api.post(
        f"/queues/{queue['id']}/upload/na%C3%AFve.pdf", content=PDF, headers={"Content-Type": "application/pdf"}
    )
    assert by_path.status_code == 201
    assert api.get(by_path.json()["document"]).json()["original_file_name"] == "naïve.pdf"
    assert legacy_upload(api, queue, [("x.pdf", PDF)], values={"upload:document_id": "L-9"})


def test_upload_errors(api, emulator):
    queue = make_queue(api)
    no_file = api.post("/uploads", params={"queue": queue["id"]}, files=[("metadata", ("", b"{}", "application/json"))])
    assert no_file.status_code == 400 and "content" in no_file.json()
    missing_queue = upload(api, {"id": ""}, [("a.pdf", PDF)])
    assert missing_queue.status_code == 400 and missing_queue.json() == {"queue": ["This field is required."]}
    unknown_queue = upload(api, {"id": 1}, [("a.pdf", PDF)])
    assert unknown_queue.status_code == 400 and "queue" in unknown_queue.json()
    as_file = api.post(
        "/uploads",
        params={"queue": queue["id"]},
        files=[("content", ("a.pdf", PDF, "application/pdf")), ("values", ("values.json", b"{}", "application/json"))],
    )
    assert as_file.status_code == 400 and as_file.json() == {"values": ["Value must be valid JSON."]}
    bad_json = api.post(
        "/uploads",
        params={"queue": queue["id"]},
        files=[("content", ("a.pdf", PDF, "application/pdf")), ("metadata", ("", b"{nope", "application/json"))],
    )
    assert bad_json.status_code == 400 and "metadata" in bad_json.json()
    assert api.post("/queues/999999999/upload", files=[("content", ("a.pdf", PDF))]).status_code == 404
    # nothing was half-created by the failed requests
    assert api.get("/documents").json()["pagination"]["total"] == 0


def test_reject_identical(api, emulator):
    queue = make_queue(api)
    assert upload(api, queue, [("same.pdf", PDF)], params={"reject_identical": "true"}).status_code == 202
    clash = upload(api, queue, [("same.pdf", PDF)], params={"reject_identical": "true"})
    assert clash.status_code == 409 and "detail" in clash.json()
    assert upload(api, queue, [("other-name.pdf", PDF)], params={"reject_identical": "true"}).status_code == 202
    assert upload(api, queue, [("same.pdf", PDF + b"x")], params={"reject_identical": "true"}).status_code == 202
    two = upload(api, queue, [("p.pdf", PDF), ("q.pdf", PDF)], params={"reject_identical": "true"})
    assert two.status_code == 400
    # identical content without reject_identical: accepted, and a duplicate relation keyed by the MD5 appears
    assert upload(api, queue, [("same.pdf", PDF)]).status_code == 202
    relations = api.get("/relations", params={"type": "duplicate"}).json()["results"]
    assert len(relations) == 1 and len(relations[0]["annotations"]) == 3


def test_upload_to_queue_scheduled_for_deletion_is_refused(api, emulator):
    queue = make_queue(api)
    assert api.delete(queue["url"]).status_code == 202
    response = upload(api, queue, [("a.pdf", PDF)])
    assert response.status_code == 400 and "queue" in response.json()
    legacy = api.post(f"/queues/{queue['id']}/upload", files=[("content", ("a.pdf", PDF))])
    assert legacy.status_code == 400


def test_automation_level_always_exports_on_import(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api, automation_enabled=True, automation_level="always")
    [url] = legacy_upload(api, queue, [("a.pdf", PDF)])
    annotation = imported(api, url)
    assert annotation["status"] == "exported" and annotation["automated"] is True
    assert annotation["exported_at"] is not None


def test_sdk_style_json_parts_are_accepted(api, emulator):
    queue = make_queue(api)
    parts = [
        ("content", ("a.pdf", PDF, "application/octet-stream")),
        ("values", ("", json.dumps({"upload:sender_name": "ACME"}).encode(), "application/json")),
    ]
    response = api.post(f"/uploads?queue={queue['id']}", files=parts)
    assert response.status_code == 202


def test_imports_resume_after_restart_of_a_persisted_emulator(emulator_factory, tmp_path):
    import time

    import httpx

    db = tmp_path / "emulator.db"
    first = emulator_factory(db=db, import_delay_s=0.3)
    with httpx.Client(base_url=first.base_url, headers={"Authorization": f"Bearer {first.token}"}) as api:
        queue = make_queue(api)
        assert upload(api, queue, [("a.pdf", PDF)]).status_code == 202
        assert api.get(queue["url"]).json()["counts"]["importing"] == 1
    first.stop()
    time.sleep(0.4)
    second = emulator_factory(db=db)
    with httpx.Client(base_url=second.base_url, headers={"Authorization": f"Bearer {second.token}"}) as api:
        queue_url = f"{second.base_url}/queues/{queue['id']}"
        wait_for(lambda: api.get(queue_url).json()["counts"]["to_review"] == 1, timeout=5)
        [annotation] = api.get("/annotations").json()["results"]
        assert api.get(f"{annotation['document']}/content").content == PDF
