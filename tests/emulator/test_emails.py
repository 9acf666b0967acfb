"""POST /emails/import, emails list/retrieve/update, email content and counts."""

from __future__ import annotations

import json
from email.message import EmailMessage

import httpx

from ._docflow import datapoints_by_schema_id, make_queue, wait_for

PDF = b"%PDF-1.4 invoice attachment\n%%EOF\n"


def _message(subject="Invoice 42", attachments=(("invoice.pdf", PDF, "application", "pdf"),)):
    message = EmailMessage()
    message["From"] = "Company East <company@east-west.com>"
    message["To"] = "Inbox <placeholder@example.com>"
    message["Cc"] = "cc@example.com"
    message["Subject"] = subject
    message.set_content("Please find the invoice attached.")
    message.add_alternative("<p>Please find the invoice attached.</p>", subtype="html")
    for name, data, maintype, subtype in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def _inbox_queue(api):
    queue = make_queue(api)
    inbox = api.post("/inboxes", json={"name": "Inbox", "email_prefix": "east-west", "queues": [queue["url"]]})
    assert inbox.status_code == 201, inbox.text
    return queue, inbox.json()


def _import(api, raw, recipient, **fields):
    files = [("raw_message", ("email.eml", raw, "message/rfc822")), ("recipient", (None, recipient))]
    for key, value in fields.items():
        files.append((key, ("", json.dumps(value).encode(), "application/json")))
    return api.post("/emails/import", files=files)


def test_import_email_creates_email_documents_and_annotations(api, emulator):
    emulator.settings.import_delay_s = 0.05
    queue, inbox = _inbox_queue(api)
    raw = _message(attachments=[("invoice.pdf", PDF, "application", "pdf"), ("notes.txt", b"hello", "text", "plain")])
    response = _import(
        api, raw, inbox["email"], values={"emails_import:sender_name": "From values"}, metadata={"batch": "7"}
    )
    assert response.status_code == 202, response.text
    task_url = response.json()["url"]
    task = api.get(task_url, params={"no_redirect": "True"}).json()
    assert task["type"] == "email_imported"
    done = wait_for(
        lambda: (t := api.get(task_url, params={"no_redirect": "true"}).json())["status"] == "succeeded" and t
    )
    email_url = done["result_url"]
    assert api.get(task_url).status_code == 303

    email = api.get(email_url).json()
    assert email["queue"] == queue["url"] and email["inbox"] == inbox["url"] and email["type"] == "incoming"
    assert email["subject"] == "Invoice 42"
    assert email["from"] == {"email": "company@east-west.com", "name": "Company East"}
    assert [t["email"] for t in email["to"]] == ["placeholder@example.com"] and email["cc"][0][
        "email"
    ] == "cc@example.com"
    assert email["body_text_plain"].strip() == "Please find the invoice attached."
    assert "<p>" in email["body_text_html"]
    assert len(email["documents"]) == 2 and len(email["annotations"]) == 1
    assert email["filtered_out_document_count"] == 1
    assert email["annotation_counts"]["annotations"] == 1 and email["annotation_counts"]["annotations_unprocessed"] == 1
    documents = {d["original_file_name"]: d for d in (api.get(url).json() for url in email["documents"])}
    assert documents["notes.txt"]["attachment_status"] == "filtered_by_inbox_mime_type"
    assert documents["notes.txt"]["annotations"] == []
    assert api.get(documents["invoice.pdf"]["content"]).content == PDF
    assert documents["invoice.pdf"]["email"] == email_url

    annotation = api.get(email["annotations"][0]).json()
    assert annotation["email"] == email_url and annotation["metadata"] == {"batch": "7"}
    assert annotation["status"] == "to_review"
    values = datapoints_by_schema_id(api.get(annotation["content"]).json()["content"])
    assert values["sender_name"][0]["content"]["value"] == "From values"  # emails_import: wins over email_header:from

    assert api.get(email["content"]).content == raw
    listed = api.get("/emails", params={"queue": queue["id"], "from__email": "company@east-west.com"}).json()
    assert [e["url"] for e in listed["results"]] == [email_url]
    assert api.get("/emails", params={"has_documents": "false"}).json()["pagination"]["total"] == 0
    patched = api.patch(email_url, json={"subject": "Renamed", "labels": ["rejected"], "from": {"email": "x@y.z"}})
    assert patched.status_code == 200
    assert patched.json()["subject"] == "Renamed" and patched.json()["from"]["email"] == "company@east-west.com"
    assert api.patch(email_url, json={"labels": ["bogus"]}).status_code == 400
    counts = api.get("/emails/counts").json()["incoming"]
    assert counts["total"] == 1 and counts["rejected"] == 1


def test_email_header_values_and_errors(api, emulator):
    emulator.settings.import_delay_s = 0
    _queue, inbox = _inbox_queue(api)
    response = _import(api, _message(), inbox["email"].upper())  # addresses are case-insensitive
    assert response.status_code == 202
    task = wait_for(
        lambda: (t := api.get(response.json()["url"], params={"no_redirect": True}).json())["result_url"] and t
    )
    email = api.get(task["result_url"]).json()
    annotation = api.get(email["annotations"][0]).json()
    values = datapoints_by_schema_id(api.get(annotation["content"]).json()["content"])
    assert values["sender_name"][0]["content"]["value"] == "company@east-west.com"  # email_header:from

    assert _import(api, _message(), "nobody@example.com").status_code == 400
    wrong_values = _import(api, _message(), inbox["email"], values={"customer": "x"})
    assert wrong_values.status_code == 400 and "values" in wrong_values.json()
    missing = api.post("/emails/import", files=[("recipient", (None, inbox["email"]))])
    assert missing.status_code == 400 and "raw_message" in missing.json()
    assert api.get("/emails").json()["pagination"]["total"] == 1


def test_email_import_requires_admin(api, emulator):
    _queue, inbox = _inbox_queue(api)
    org = api.get("/auth/user").json()["organization"]
    created = api.post(
        "/users",
        json={
            "username": "annotator@example.com",
            "organization": org,
            "password": "annot-pass-1",
            "groups": [f"{emulator.base_url}/groups/2"],
        },
    )
    assert created.status_code == 201, created.text
    key = httpx.post(
        f"{emulator.base_url}/auth/login", json={"username": "annotator@example.com", "password": "annot-pass-1"}
    ).json()["key"]
    with httpx.Client(base_url=emulator.base_url, headers={"Authorization": f"Bearer {key}"}) as annotator:
        assert _import(annotator, _message(), inbox["email"]).status_code == 403
