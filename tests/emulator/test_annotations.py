"""Annotations: lifecycle actions, writes, list filters/orderings/sideloads, pagination."""

from __future__ import annotations

from ._docflow import imported, legacy_upload, make_queue

PDF = b"%PDF-1.4 test\n%%EOF\n"


def _imported_annotation(api, emulator, queue=None, name="a.pdf", **kw):
    emulator.settings.import_delay_s = 0
    queue = queue or make_queue(api)
    [url] = legacy_upload(api, queue, [(name, PDF + name.encode())], **kw)
    return queue, imported(api, url)


def test_start_confirm_and_counts(api, emulator):
    queue, annotation = _imported_annotation(api, emulator)
    url = annotation["url"]
    assert annotation["status"] == "to_review"
    started = api.post(f"{url}/start")
    assert started.status_code == 200
    assert started.json() == {"annotation": url, "session_timeout": "01:00:00"}
    after_start = api.get(url).json()
    me = api.get("/auth/user").json()["url"]
    assert after_start["status"] == "reviewing" and after_start["modifier"] == me
    assert after_start["assigned_at"] is not None
    assert api.get(queue["url"]).json()["counts"]["reviewing"] == 1

    confirmed = api.post(f"{url}/confirm")
    assert confirmed.status_code == 204 and confirmed.content == b""
    final = api.get(url).json()
    assert final["status"] == "exported" and final["exported_at"] and final["confirmed_at"]
    assert final["exported_by"] == me and final["confirmed_by"] == me
    counts = api.get(queue["url"]).json()["counts"]
    assert counts["exported"] == 1 and counts["reviewing"] == 0 and counts["to_review"] == 0

    conflict = api.post(f"{url}/start")
    assert conflict.status_code == 409 and "detail" in conflict.json()
    assert api.post(f"{url}/start", json={"statuses": ["exported"]}).status_code == 200
    assert api.post(f"{url}/confirm").status_code == 204


def test_use_confirmed_state_and_cancel_postpone_delete(api, emulator):
    queue = make_queue(api, use_confirmed_state=True)
    _, annotation = _imported_annotation(api, emulator, queue)
    url = annotation["url"]
    assert api.post(f"{url}/confirm").status_code == 204
    assert api.get(url).json()["status"] == "confirmed"
    assert api.post(f"{url}/confirm").status_code == 204
    assert api.get(url).json()["status"] == "exported"

    _, other = _imported_annotation(api, emulator, queue, name="b.pdf")
    url = other["url"]
    assert api.post(f"{url}/postpone").status_code == 204
    assert api.get(url).json()["status"] == "postponed"
    assert api.post(f"{url}/start").status_code == 200
    assert api.post(f"{url}/cancel").status_code == 204
    assert api.get(url).json()["status"] == "postponed"  # cancel returns to the status before start
    assert api.post(f"{url}/start").status_code == 200
    assert api.post(f"{url}/cancel", json={"processing_duration": {"time_spent_overall": 12.5}}).status_code == 204
    duration = api.get(f"{url}/processing_duration").json()
    assert duration["annotation"] == url and duration["time_spent_overall"] == 12.5
    assert duration["time_spent_active"] == 0.0
    patched = api.patch(f"{url}/processing_duration", json={"time_spent_active": 3})
    assert patched.status_code == 200 and patched.json()["time_spent_active"] == 3.0
    assert api.post(f"{url}/delete").status_code == 204
    deleted = api.get(url).json()
    assert deleted["status"] == "deleted" and deleted["deleted_at"] and deleted["deleted_by"]
    assert api.post(f"{url}/confirm").status_code == 409
    assert api.post(f"{url}/approve").status_code == 409


def test_reject_and_purge(api, emulator):
    queue, annotation = _imported_annotation(api, emulator)
    url = annotation["url"]
    rejected = api.post(f"{url}/reject", json={"note_content": "Invalid due date."})
    assert rejected.status_code == 200
    body = rejected.json()
    assert body["status"] == "rejected" and "/notes/" in body["note"]
    assert api.get(url).json()["rejected_at"] is not None
    assert api.get(queue["url"]).json()["counts"]["rejected"] == 1
    assert api.post(f"{url}/delete").status_code == 204
    purge = api.post("/annotations/purge_deleted", json={"queue": queue["url"]})
    assert purge.status_code == 202
    purged = api.get(url).json()
    assert purged["status"] == "purged" and purged["purged_at"]
    assert api.get(f"{url}/content").json()["content"] == []
    assert api.patch(url, json={"status": "to_review"}).status_code == 409
    assert api.post("/annotations/purge_deleted", json={}).status_code == 400


def test_put_patch_and_create(api, emulator):
    queue, annotation = _imported_annotation(api, emulator)
    url = annotation["url"]
    patched = api.patch(url, json={"status": "postponed", "metadata": {"k": "v"}, "id": 1, "counts": {}})
    assert patched.status_code == 200
    assert patched.json()["status"] == "postponed" and patched.json()["metadata"] == {"k": "v"}
    assert patched.json()["id"] == annotation["id"]
    put = api.put(url, json={"document": annotation["document"], "queue": queue["url"], "status": "deleted"})
    assert put.status_code == 200 and put.json()["status"] == "deleted" and put.json()["deleted_at"]
    bad = api.patch(url, json={"status": "nonsense"})
    assert bad.status_code == 400 and "status" in bad.json()

    document = api.post("/documents", files={"content": ("c.pdf", PDF, "application/pdf")}).json()
    created = api.post(
        "/annotations",
        json={
            "status": "created",
            "document": document["url"],
            "queue": queue["url"],
            "content_data": [{"category": "datapoint", "schema_id": "document_id", "content": {"value": "122"}}],
            "values": {"upload:sender_name": "ACME"},
            "metadata": {"m": 1},
        },
    )
    assert created.status_code == 201, created.text
    new = created.json()
    assert new["status"] == "created" and new["metadata"] == {"m": 1} and new["schema"] == queue["schema"]
    values = {
        node["schema_id"]: node["content"]["value"] for node in api.get(new["content"]).json()["content"][0]["children"]
    }
    assert values["document_id"] == "122" and values["sender_name"] == "ACME"
    wrong = api.post("/annotations", json={"status": "to_review", "document": document["url"], "queue": queue["url"]})
    assert wrong.status_code == 400 and "status" in wrong.json()
    missing = api.post("/annotations", json={"status": "created"})
    assert missing.status_code == 400 and set(missing.json()) == {"document", "queue"}
    # "created" -> "importing" restarts the (simulated) import pipeline
    assert api.patch(new["url"], json={"status": "importing"}).json()["status"] in ("importing", "to_review")
    assert imported(api, new["url"])["status"] == "to_review"
    assert api.delete(new["url"]).status_code == 204
    assert api.get(new["url"]).status_code == 404
    assert api.get(new["content"]).status_code == 404


def test_list_filters_orderings_fields_and_search(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    other_queue = make_queue(api, name="Other")
    urls = legacy_upload(api, queue, [("alpha.pdf", b"1"), ("beta.pdf", b"2"), ("gamma.pdf", b"3")])
    [other] = legacy_upload(api, other_queue, [("delta.pdf", b"4")])
    for url in [*urls, other]:
        imported(api, url)
    ids = [int(u.rsplit("/", 1)[1]) for u in urls]
    api.post(f"{urls[0]}/postpone")
    api.post(f"{urls[1]}/delete")

    def listed(**params):
        response = api.get("/annotations", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    assert {a["id"] for a in listed(queue=queue["id"])["results"]} == set(ids)
    assert listed(queue=f"{queue['id']},{other_queue['id']}")["pagination"]["total"] == 4
    assert {a["url"] for a in listed(status="postponed,deleted")["results"]} == {urls[0], urls[1]}
    assert [a["id"] for a in listed(id=f"{ids[2]},{ids[0]}", ordering="-id")["results"]] == [ids[2], ids[0]]
    assert (
        listed(queue__workspace=api.get(queue["url"]).json()["workspace"].rsplit("/", 1)[1])["pagination"]["total"] == 3
    )
    names = [a["document"] for a in listed(queue=queue["id"], ordering="-document__original_file_name")["results"]]
    assert [api.get(d).json()["original_file_name"] for d in names] == ["gamma.pdf", "beta.pdf", "alpha.pdf"]
    me = api.get("/auth/user").json()["id"]
    assert {a["url"] for a in listed(modifier=me)["results"]} == {urls[0], urls[1]}
    assert listed(arrived_at_after="2000-01-01", arrived_at_before="2999-01-01")["pagination"]["total"] == 4
    assert listed(arrived_at_after="2999-01-01")["pagination"]["total"] == 0
    only = listed(fields="id,url", queue=queue["id"])["results"]
    assert all(set(a) == {"id", "url"} for a in only)
    without = listed(**{"fields!": "content,metadata"})["results"]
    assert all("content" not in a and "metadata" not in a and "status" in a for a in without)
    assert {a["url"] for a in listed(search="GAMMA")["results"]} == {urls[2]}
    document_id = api.get(urls[1]).json()["document"].rsplit("/", 1)[1]
    assert [a["url"] for a in listed(document=document_id)["results"]] == [urls[1]]
    # empty values the SDK always sends are ignored
    assert (
        listed(ordering="", sideload="", **{"content.schema_id": ""}, include_total="true")["pagination"]["total"] == 4
    )


def test_sideloads(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    urls = legacy_upload(api, queue, [("a.pdf", b"a"), ("b.pdf", b"b")], values={"upload:document_id": "X-1"})
    for url in urls:
        imported(api, url)
    api.post(f"{urls[0]}/start")
    response = api.get(
        "/annotations",
        params={
            "queue": queue["id"],
            "sideload": "documents,modifiers,queues,content",
            "content.schema_id": "document_id",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {d["url"] for d in body["documents"]} == {a["document"] for a in body["results"]}
    assert [u["url"] for u in body["modifiers"]] == [api.get("/auth/user").json()["url"]]
    assert [q["url"] for q in body["queues"]] == [queue["url"]]
    assert len(body["content"]) == 2
    for node in body["content"]:
        assert node["schema_id"] == "document_id" and node["category"] == "datapoint"
        assert node["content"]["value"] == "X-1"
        assert node["url"].rsplit("/content/", 1)[0] in urls
    needs_filter = api.get("/annotations", params={"sideload": "content"})
    assert needs_filter.status_code == 400 and "content.schema_id" in needs_filter.json()
    unknown = api.get("/annotations", params={"sideload": "bogus"})
    assert unknown.status_code == 400
    empty = api.get("/annotations", params={"sideload": "pages,notes"}).json()
    assert empty["pages"] == [] and empty["notes"] == []


def test_pagination_past_100(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    legacy_upload(api, queue, [(f"doc{i:03}.pdf", str(i).encode()) for i in range(130)])
    first = api.get("/annotations", params={"queue": queue["id"], "page_size": 100}).json()
    assert first["pagination"]["total"] == 130 and first["pagination"]["total_pages"] == 2
    assert len(first["results"]) == 100 and first["pagination"]["previous"] is None
    second = api.get(first["pagination"]["next"]).json()
    assert len(second["results"]) == 30 and second["pagination"]["next"] is None
    seen = [a["id"] for a in first["results"] + second["results"]]
    assert len(set(seen)) == 130 and seen == sorted(seen)
    capped = api.get("/annotations", params={"queue": queue["id"], "page_size": 1000}).json()
    assert len(capped["results"]) == 100
    assert api.get("/annotations", params={"queue": queue["id"], "page": 9}).status_code == 404
    assert api.get(queue["url"]).json()["counts"]["to_review"] == 130


def test_assign_and_copy(api, emulator):
    _queue, annotation = _imported_annotation(api, emulator, values={"upload:document_id": "C-7"})
    me = api.get("/auth/user").json()["url"]
    assigned = api.post("/annotations/assign", json={"annotations": [annotation["url"]], "assignees": [me]})
    assert assigned.status_code == 204
    assert api.get(annotation["url"]).json()["assignees"] == [me]
    target = make_queue(api, name="Target")
    copied = api.post(f"{annotation['url']}/copy", json={"target_queue": target["url"], "target_status": "postponed"})
    assert copied.status_code == 200
    copy = api.get(copied.json()["annotation"]).json()
    assert copy["queue"] == target["url"] and copy["status"] == "postponed"
    original_ids = {n["id"] for n in api.get(f"{annotation['url']}/content").json()["content"][0]["children"]}
    copy_nodes = api.get(f"{copy['url']}/content").json()["content"][0]["children"]
    assert {n["id"] for n in copy_nodes}.isdisjoint(original_ids)
    assert {n["schema_id"]: n["content"]["value"] for n in copy_nodes}["document_id"] == "C-7"


def test_deleting_a_queue_at_once_removes_its_annotations(api, emulator):
    queue, annotation = _imported_annotation(api, emulator)
    upload_task = api.post("/uploads", params={"queue": queue["id"]}, files={"content": ("u.pdf", b"u")})
    upload_url = api.get(upload_task.json()["url"], params={"no_redirect": True}).json()["content"]["upload"]
    assert api.delete(queue["url"], params={"delete_after": "0"}).status_code == 202
    assert api.get(annotation["url"]).status_code == 404
    assert api.get(annotation["content"]).status_code == 404
    assert api.get(upload_url).status_code == 404
    assert api.get("/annotations").json()["pagination"]["total"] == 0
    schema = api.delete(queue["schema"])
    assert schema.status_code == 204  # no annotation references the schema any more
