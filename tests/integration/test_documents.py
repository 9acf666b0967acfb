"""Documents end to end, both flavours: upload -> task -> annotation -> validation -> export, the deprecated
queue upload, documents, relations, document relations, email import and automation."""

from __future__ import annotations

import csv
import io
import zipfile
from email.message import EmailMessage
from typing import Any

import pytest

from rossum_iac.client import APIClientError, ExportFileFormats
from rossum_iac.client.models import (
    Annotation,
    AnnotationProcessingDuration,
    AutomationProjections,
    AutomationStats,
    AutomationTarget,
    DatapointAutomationTarget,
    Document,
    DocumentRelation,
    Email,
    FieldErrorRateLimit,
    Relation,
    Task,
    Upload,
)

from ._support import PDF_BYTES, ClientAPI, find_node, id_of, scenario

POLL = {"sleep_s": 0.02, "timeout": 10}


async def upload_and_import(api: ClientAPI, queue_id: int, *names: str, **kwargs: Any) -> list[int]:
    """Upload files (``upload_document``), wait for their tasks; the annotation ids in the order of ``names``."""
    files = [(api.file(name, PDF_BYTES + name.encode()), name) for name in names]
    tasks = await api.upload_document(queue_id, files, **kwargs)
    annotation_ids: list[int] = []
    for task in tasks:
        done = await api.poll_task_until_succeeded(task.id, **POLL)
        upload = await api.retrieve_upload(id_of(done.content["upload"]))
        annotation_ids.extend(id_of(url) for url in upload.annotations)
    return annotation_ids


@scenario
async def test_upload_task_annotation_export(api: ClientAPI) -> None:
    _, _, queue = await api.make_queue()
    first = api.file("invoice-1.pdf", PDF_BYTES + b"1")
    second = api.file("invoice-2.pdf", PDF_BYTES + b"2")
    tasks = await api.upload_document(
        queue.id,
        [(first, "invoice-1.pdf"), (second, "invoice-2.pdf")],
        values={"upload:invoice_id": "INV-1"},
        metadata={"batch": "b1"},
    )
    assert len(tasks) == 2 and all(isinstance(t, Task) and t.type == "upload_created" for t in tasks)
    upload_statuses = [status for method, path, status in api.emu.request_log if path.startswith("/api/v1/uploads?")]
    assert upload_statuses == [202, 202], "POST uploads?queue= answers 202 with a task URL (facts 7.1)"

    annotation_ids: list[int] = []
    document_names: list[str] = []
    for task in tasks:
        done = await api.poll_task_until_succeeded(task.id, **POLL)
        assert done.status == "succeeded" and done.result_url == done.content["upload"]
        assert (await api.retrieve_task(task.id)).status == "succeeded"  # no_redirect: 200, not 303
        with pytest.raises(APIClientError) as redirect:  # without no_redirect a finished task redirects (facts 5.15)
            await api.request("GET", f"tasks/{task.id}")
        assert redirect.value.status_code == 303
        upload = await api.retrieve_upload(id_of(done.content["upload"]))
        assert isinstance(upload, Upload) and upload.queue == queue.url and len(upload.documents) == 1
        annotation_ids.append(id_of(upload.annotations[0]))
        document_names.append((await api.retrieve_document(id_of(upload.documents[0]))).original_file_name)
    assert document_names == ["invoice-1.pdf", "invoice-2.pdf"], "tasks come back in the order of the files"

    annotation_id = annotation_ids[0]
    imported = await api.poll_annotation_until_imported(annotation_id, **POLL)
    assert imported.status == "to_review" and imported.metadata == {"batch": "b1"}
    full = await api.retrieve_annotation(annotation_id, sideloads=["content", "document"])
    assert isinstance(full.content, list) and find_node(full.content, "invoice_id")["content"]["value"] == "INV-1"
    assert isinstance(full.document, Document) and full.document.original_file_name == "invoice-1.pdf"

    await api.start_annotation(annotation_id)
    assert (await api.retrieve_annotation(annotation_id)).status == "reviewing"
    content = (await api.retrieve_annotation_content(annotation_id))["content"]
    invoice_id = find_node(content, "invoice_id")
    line_items = find_node(content, "line_items")
    await api.bulk_update_annotation_data(
        annotation_id,
        [
            {"op": "replace", "id": invoice_id["id"], "value": {"content": {"value": "INV-1-FIXED"}}},
            {
                "op": "add",
                "id": line_items["id"],
                "value": [
                    {"schema_id": "item_description", "content": {"value": "Bottle"}},
                    {"schema_id": "item_amount", "content": {"value": "12.5"}},
                ],
            },
        ],
    )
    content = (await api.retrieve_annotation_content(annotation_id))["content"]
    assert find_node(content, "invoice_id")["content"]["value"] == "INV-1-FIXED"
    assert len(find_node(content, "line_items")["children"]) == 1
    assert find_node(content, "item_amount")["content"]["value"] == "12.5"
    patched = await api.update_part_annotation(annotation_id, {"metadata": {"batch": "b1", "checked": True}})
    assert patched.metadata == {"batch": "b1", "checked": True}
    await api.confirm_annotation(annotation_id)
    assert (await api.retrieve_annotation(annotation_id)).status == "exported"  # no use_confirmed_state

    exported = await api.export_annotations_to_json(queue.id, status="exported")
    assert [a.url for a in exported] == [full.url] and all(isinstance(a, Annotation) for a in exported)
    assert isinstance(exported[0].content, list)
    assert isinstance(exported[0].document, dict), "the export nests the document (facts 7.3)"
    assert exported[0].document["file_name"] == "invoice-1.pdf"
    assert find_node(exported[0].content, "invoice_id")["value"] == "INV-1-FIXED"

    chunks = await api.export_annotations_to_file(
        queue.id, ExportFileFormats.CSV, status="exported", columns=["meta_file_name", "invoice_id", "item_amount"]
    )
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert rows[1:] == [["invoice-1.pdf", "INV-1-FIXED", "12.5"]], rows
    xml = b"".join(await api.export_annotations_to_file(queue.id, ExportFileFormats.XML, status="exported"))
    assert xml.lstrip().startswith(b"<?xml") and b"INV-1-FIXED" in xml
    xlsx = b"".join(await api.export_annotations_to_file(queue.id, "xlsx", status="exported"))
    with zipfile.ZipFile(io.BytesIO(xlsx)) as workbook:
        assert any(b"INV-1-FIXED" in workbook.read(name) for name in workbook.namelist())

    # to_status: POST export switches the exported annotations' status (facts 7.3)
    await api.poll_annotation_until_imported(annotation_ids[1], **POLL)
    switched = await api.export_annotations_to_json(queue.id, status="to_review", to_status="exported")
    assert [a.url for a in switched] == [f"{api.emu.base_url}/annotations/{annotation_ids[1]}"]
    assert any(
        method == "POST" and path.startswith(f"/api/v1/queues/{queue.id}/export?") and "to_status=exported" in path
        for method, path, _ in api.emu.request_log
    )
    assert (await api.retrieve_annotation(annotation_ids[1])).status == "exported"


@scenario
async def test_legacy_upload_documents_and_relations(api: ClientAPI) -> None:
    _, _, queue = await api.make_queue()
    same = api.file("same.pdf")
    with pytest.warns(DeprecationWarning):
        legacy_ids = await api.import_document(
            queue.id, [(same, "a.pdf"), (same, "b.pdf")], values={"upload:invoice_id": "L-1"}, metadata={"m": 1}
        )
    assert len(legacy_ids) == 2
    names = []
    for annotation_id in legacy_ids:
        annotation = await api.retrieve_annotation(annotation_id, sideloads=["document"])
        assert annotation.metadata == {"m": 1}
        names.append(annotation.document.original_file_name)
    assert names == ["a.pdf", "b.pdf"]
    waited = await api.upload_and_wait_until_imported(queue.id, api.file("c.pdf", b"%PDF-1.4 c"), "c.pdf", **POLL)
    assert waited.status == "to_review"
    legacy_statuses = [s for m, p, s in api.emu.request_log if m == "POST" and p == f"/api/v1/queues/{queue.id}/upload"]
    assert legacy_statuses == [201, 201, 201], "the deprecated queues/{id}/upload answers 201 (facts 7.1)"

    # identical content in one organization: a "duplicate" relation keyed by the MD5 (facts 5.16)
    duplicates = await api.list_relations(type="duplicate")
    assert len(duplicates) == 1 and isinstance(duplicates[0], Relation)
    assert sorted(id_of(url) for url in duplicates[0].annotations) == sorted(legacy_ids)
    edit = await api.create_new_relation(
        {
            "type": "edit",
            "parent": f"{api.emu.base_url}/annotations/{legacy_ids[0]}",
            "annotations": [waited.url],
        }
    )
    assert isinstance(edit, Relation) and edit.type == "edit"
    assert [r.id for r in await api.list_relations(type="edit", parent=legacy_ids[0])] == [edit.id]

    document = await api.create_new_document("extra.xml", b"<extra/>", metadata={"kind": "attachment"})
    assert isinstance(document, Document) and document.metadata == {"kind": "attachment"}
    assert (await api.retrieve_document(document.id)).original_file_name == "extra.xml"
    assert await api.retrieve_document_content(document.id) == b"<extra/>"
    assert [d.id for d in await api.list_documents(original_file_name="extra.xml")] == [document.id]
    child = await api.create_new_document("child.xml", b"<child/>", parent=document.url)
    assert child.parent == document.url

    relation = await api.create_new_document_relation(
        {"type": "export", "key": "erp", "annotation": waited.url, "documents": [document.url]}
    )
    assert isinstance(relation, DocumentRelation) and relation.documents == [document.url]
    assert (await api.retrieve_document_relation(relation.id)).key == "erp"
    assert [r.id for r in await api.list_document_relations(annotation=waited.id)] == [relation.id]
    put = await api.update_document_relation(
        relation.id, {"type": "export", "key": "erp2", "annotation": waited.url, "documents": [child.url]}
    )
    assert (put.key, put.documents) == ("erp2", [child.url])
    emptied = await api.update_part_document_relation(relation.id, {"documents": []})
    assert emptied.documents == []
    await api.delete_document_relation(relation.id)
    assert await api.list_document_relations(annotation=waited.id) == []


@scenario
async def test_annotation_actions_listing_and_search(api: ClientAPI) -> None:
    _, _, queue = await api.make_queue()
    first, second = await upload_and_import(
        api, queue.id, "alpha.pdf", "beta.pdf", values={"upload:invoice_id": "INV-77"}
    )
    polled = await api.poll_annotation(first, lambda a: a.status == "to_review", sideloads=["document"], **POLL)
    assert isinstance(polled.document, Document) and polled.document.original_file_name == "alpha.pdf"

    await api.start_annotation(first)
    await api.cancel_annotation(first)
    assert (await api.retrieve_annotation(first)).status == "to_review"
    await api.postpone_annotation(first)
    assert (await api.retrieve_annotation(first)).status == "postponed"
    await api.start_annotation(first)
    await api.cancel_annotation(first)
    assert (await api.retrieve_annotation(first)).status == "postponed", "cancel returns to the status before start"
    duration = await api.retrieve_annotation_processing_duration(first)
    assert isinstance(duration, AnnotationProcessingDuration) and duration.annotation.endswith(f"/{first}")

    second_annotation = await api.retrieve_annotation(second)
    replaced = await api.update_annotation(
        second,
        {
            "status": "to_review",
            "document": second_annotation.document,
            "queue": queue.url,
            "metadata": {"put": True},
        },
    )
    assert replaced.metadata == {"put": True}
    await api.delete_annotation(second)
    assert (await api.retrieve_annotation(second)).status == "deleted", "POST .../delete keeps it, status deleted"

    document = await api.create_new_document("manual.pdf", PDF_BYTES)
    manual = await api.create_new_annotation({"status": "created", "document": document.url, "queue": queue.url})
    assert isinstance(manual, Annotation) and manual.status == "created"

    listed = await api.list_annotations(
        queue=queue.id,
        ordering=["-created_at"],
        sideloads=["documents", "content"],
        content_schema_ids=["invoice_id"],
    )
    # first and second may be imported concurrently (async uploads), so only the ordering rule is asserted
    assert listed[0].id == manual.id and {a.id for a in listed} == {manual.id, second, first}
    created = [a.created_at for a in listed]
    assert all(c is not None for c in created) and created == sorted(created, reverse=True)
    by_id = {a.id: a for a in listed}
    assert isinstance(by_id[first].document, Document) and by_id[first].document.original_file_name == "alpha.pdf"
    first_content = by_id[first].content
    assert isinstance(first_content, list) and [dp["schema_id"] for dp in first_content] == ["invoice_id"]
    assert first_content[0]["content"]["value"] == "INV-77"
    assert [a.id for a in await api.list_annotations(queue=queue.id, status="postponed")] == [first]

    found = await api.search_for_annotations(
        query={"$and": [{"queue": {"$in": [queue.url]}}, {"status": {"$in": ["postponed", "deleted"]}}]},
        ordering=["-status"],
    )
    assert [a.id for a in found] == [first, second]
    assert [a.id for a in await api.search_for_annotations(query_string={"string": "alpha"})] == [first]
    assert [
        a.id
        for a in await api.search_for_annotations(
            query={"field.invoice_id.string": {"$eq": "INV-77"}},
            sideloads=["content"],
            content_schema_ids=["invoice_id"],
        )
    ] == sorted([first, second])  # default ordering: id


@scenario
async def test_email_import(api: ClientAPI) -> None:
    _, _, queue = await api.make_queue()
    inbox = await api.create_new_inbox({"name": "Mail", "email_prefix": "ap-mail", "queues": [queue.url]})
    message = EmailMessage()
    message["From"] = "Supplier <billing@supplier.example>"
    message["To"] = inbox.email
    message["Subject"] = "Invoice 42"
    message.set_content("Please find the invoice attached.")
    message.add_attachment(PDF_BYTES, maintype="application", subtype="pdf", filename="invoice-42.pdf")

    task_url = await api.import_email(message.as_bytes(), inbox.email, "message/rfc822")
    assert isinstance(task_url, str) and "/tasks/" in task_url
    assert ("POST", "/api/v1/emails/import", 202) in api.emu.request_log
    seen: list[str] = []

    def finished(task: Task) -> bool:
        seen.append(task.status)
        return task.status != "running"

    task = await api.poll_task(id_of(task_url), finished, **POLL)
    assert (task.type, task.status) == ("email_imported", "succeeded") and seen[-1] == "succeeded"
    email = await api.retrieve_email(id_of(task.content["email"]))
    assert isinstance(email, Email) and (email.queue, email.inbox) == (queue.url, inbox.url)
    assert email.subject == "Invoice 42" and len(email.documents) == 1
    document = await api.retrieve_document(id_of(email.documents[0]))
    assert document.original_file_name == "invoice-42.pdf" and document.email == email.url


@scenario
async def test_automation_insights_projections_targets(api: ClientAPI) -> None:
    _, _, queue = await api.make_queue()
    for annotation_id in await upload_and_import(api, queue.id, "one.pdf", "two.pdf"):
        await api.poll_annotation_until_imported(annotation_id, **POLL)
        await api.confirm_annotation(annotation_id)

    insights = await api.retrieve_automation_insights(queue.id)
    assert isinstance(insights, AutomationStats) and insights.document_automation_rate == 0.0
    assert {s.schema_id for s in insights.datapoint_statistics} >= {"invoice_id", "amount_total"}

    projections = await api.retrieve_automation_projections(
        queue.id,
        [
            FieldErrorRateLimit(schema_id="invoice_id", error_rate_limit=0.1),
            {"schema_id": "amount_total", "error_rate_limit": 0.5},
        ],
        exclude_blockers=["extension"],
    )
    assert isinstance(projections, AutomationProjections) and len(projections.projections) == 2
    assert projections.total_document_count == 2

    assert await api.list_automation_targets(queue.id) == []
    await api.create_new_automation_target(
        queue.id,
        0.9,
        0.05,
        [DatapointAutomationTarget(schema_id="invoice_id", error_rate_target=0.05, confidence_threshold=0.95)],
    )
    targets = await api.list_automation_targets(queue.id)
    assert len(targets) == 1 and isinstance(targets[0], AutomationTarget)
    assert (targets[0].automation_rate_target, targets[0].type) == (0.9, "automation_assistant_v1")
    assert [t.schema_id for t in targets[0].datapoint_automation_targets] == ["invoice_id"]

    with pytest.raises(APIClientError) as caught:
        await api.retrieve_automation_projections(queue.id, [{"schema_id": "no_such_field", "error_rate_limit": 0.1}])
    assert caught.value.status_code == 400
