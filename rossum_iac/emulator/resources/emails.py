"""emails: list/retrieve/PUT/PATCH, ``POST /emails/import``, ``GET /emails/{id}/content``, ``GET /emails/counts``.

Import (admin / organization_group_admin only, 403 otherwise): multipart ``raw_message`` (file) and
``recipient`` (an inbox address of the caller's organization; 400 if unknown or the inbox has no queue)
plus optional ``metadata``/``values`` JSON (``values`` keys must start with ``emails_import:``, 400). The
message is parsed with the stdlib ``email`` package synchronously: an incoming email object is created in
the inbox's queue, each attachment becomes a document (``email`` set); attachments of an accepted type
(PDF, images, office/XML/JSON/CSV/ZIP...) also get an annotation (``importing``, initialised from
``values``, ``email_header:*`` and ``email_body:*`` rir_field_names), the others are kept with
``attachment_status: filtered_by_inbox_mime_type`` and counted in ``filtered_out_document_count``.
Answer 202 ``{"url": <task>}``; the ``email_imported`` task succeeds once the annotations are imported and
then points (``result_url``, 303) at the email. Not reproduced: ZIP extraction, inbox filters and
bounces, email threads, ``emails/send``.
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import Field, f_derived, f_str
from rossum_iac.emulator.http import BadRequest, Forbidden, NotFound, Request, Response
from rossum_iac.emulator.listing import Custom, DateCmp, Exact, Ids, Ref, build_where, id_value
from rossum_iac.emulator.resource import Resource, has_role, register
from rossum_iac.emulator.resources import _blobs
from rossum_iac.emulator.resources._importing import (
    IncomingFile,
    create_document,
    create_task,
    queue_organization,
    settle_imports,
)
from rossum_iac.emulator.resources._mail import parse_message
from rossum_iac.emulator.resources.common import f_metadata, org_id
from rossum_iac.emulator.resources.documents import parse_json_field
from rossum_iac.emulator.resources.uploads import import_into_queue, upload_queue
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import field_sql

EMAIL_LABELS = ("rejection", "automatic_rejection", "rejected", "automatic_status_changed_info", "forwarded", "reply")
EMAIL_BLOB = "email"
PROCESSED = ("exported", "deleted", "purged", "split")
UNPROCESSED = (
    "importing",
    "failed_import",
    "to_review",
    "reviewing",
    "confirmed",
    "exporting",
    "postponed",
    "failed_export",
)


def _linked(req: Request, collection: str, field: str, obj: dict[str, Any]) -> list[str | None]:
    return [req.url_for(collection, i) for i in req.tx.ids_where(collection, field, obj["id"])]


def _annotation_ids(req: Request, obj: dict[str, Any]) -> list[int]:
    return req.tx.ids_where("annotations", "email", obj["id"])


def _annotation_counts(req: Request, obj: dict[str, Any]) -> dict[str, int]:
    rows = req.tx.conn.execute(
        f"SELECT {field_sql('status')}, COUNT(*) FROM objects WHERE collection = 'annotations' "
        f"AND {field_sql('email')} = ? GROUP BY 1",
        (obj["id"],),
    ).fetchall()
    by_status = {status: int(count) for status, count in rows}
    return {
        "annotations": sum(by_status.values()),
        "annotations_processed": sum(by_status.get(s, 0) for s in PROCESSED),
        "annotations_purged": by_status.get("purged", 0),
        "annotations_unprocessed": sum(by_status.get(s, 0) for s in UNPROCESSED),
        "annotations_rejected": by_status.get("rejected", 0),
        "related_annotations": len(obj.get("related_annotations") or []),
    }


def _check_labels(req: Request, value: Any) -> Any:
    from rossum_iac.emulator.fields import FieldError

    for label in value:
        if label not in EMAIL_LABELS:
            raise FieldError(f'"{label}" is not a valid choice.')
    return value


def _has_documents(name: str, value: str) -> tuple[str, list[Any]]:
    from rossum_iac.emulator.http import parse_bool_text

    exists = (
        "EXISTS (SELECT 1 FROM objects d WHERE d.collection = 'documents' "
        "AND json_extract(d.data, '$.email') = objects.id)"
    )
    return (exists if parse_bool_text(value, name) else f"NOT {exists}"), []


def _documents_filter(name: str, value: str) -> tuple[str, list[Any]]:
    ids = [id_value(name, v) for v in value.split(",") if v.strip()]
    marks = ",".join("?" * len(ids))
    return (
        f"objects.id IN (SELECT json_extract(d.data, '$.email') FROM objects d WHERE d.collection = 'documents' "
        f"AND d.id IN ({marks}))",
        ids,
    )


def _to_filter(name: str, value: str) -> tuple[str, list[Any]]:
    return (
        "EXISTS (SELECT 1 FROM json_each(objects.data, '$.to') WHERE json_extract(json_each.value, '$.email') = ?)",
        [value],
    )


class Emails(Resource):
    collection = "emails"
    write_roles = None
    fields = [
        Field("queue", "ref", target="queues", required=True, on_delete="cascade"),
        Field("inbox", "ref", target="inboxes", required=True, nullable=True),
        Field("parent", "ref", target="emails", nullable=True),
        Field("email_thread", "any", read_only=True, nullable=True),
        f_derived("children", lambda req, obj: _linked(req, "emails", "parent", obj)),
        f_derived("documents", lambda req, obj: _linked(req, "documents", "email", obj)),
        Field("created_at", "datetime", read_only=True),
        f_derived("last_thread_email_created_at", lambda req, obj: obj.get("created_at")),
        f_str("subject", nullable=True),
        Field("from", "dict", read_only=True, nullable=True),
        Field("to", "list", read_only=True, default=[]),
        Field("cc", "list", read_only=True, default=[]),
        Field("bcc", "list", read_only=True, default=[]),
        f_str("body_text_plain", max_length=4096),
        f_str("body_text_html", max_length=4096),
        f_metadata(),
        Field("type", "str", read_only=True, default="incoming"),
        f_derived("annotation_counts", _annotation_counts),
        f_derived("annotations", lambda req, obj: [req.url_for("annotations", i) for i in _annotation_ids(req, obj)]),
        Field("related_annotations", "refs", target="annotations", read_only=True),
        Field("related_documents", "refs", target="documents", read_only=True),
        Field("creator", "ref", target="users", read_only=True, nullable=True),
        Field("filtered_out_document_count", "int", read_only=True, default=0),
        Field("labels", "list", default=[], validate=_check_labels),
        f_derived("content", lambda req, obj: f"{req.base_url}/emails/{obj['id']}/content"),
    ]
    filters = {
        "id": Ids(),
        "created_at_before": DateCmp("created_at", "<"),
        "created_at_after": DateCmp("created_at", ">"),
        "last_thread_email_created_at_before": DateCmp("created_at", "<"),
        "last_thread_email_created_at_after": DateCmp("created_at", ">"),
        "subject": Exact("subject"),
        "queue": Ref("queue"),
        "inbox": Ref("inbox"),
        "documents": Custom(_documents_filter),
        "from__email": Exact("from.email"),
        "from__name": Exact("from.name"),
        "to": Custom(_to_filter),
        "type": Exact("type", multi=True),
        "email_thread": Ref("email_thread"),
        "has_documents": Custom(_has_documents),
    }
    orderings = {
        "id": "id",
        "created_at": field_sql("created_at"),
        "last_thread_email_created_at": field_sql("created_at"),
        "subject": field_sql("subject"),
        "queue": field_sql("queue"),
        "inbox": field_sql("inbox"),
        "from__email": field_sql("from.email"),
        "from__name": field_sql("from.name"),
    }


EMAILS = register(Emails(), ("list", "retrieve", "update", "partial_update"))


def _recipient(req: Request) -> str:
    parts = req.files.get("recipient") or []
    text = parts[-1].text().strip() if parts else ""
    if not text:
        raise BadRequest({"recipient": ["This field is required."]})
    return text


@route("POST", "/emails/import")
def import_email(req: Request) -> Any:
    if req.user is not None and not has_role(req.tx, req.user, ("admin", "organization_group_admin")):
        raise Forbidden()
    settle_imports(req.tx)
    raw_parts = req.files.get("raw_message") or []
    if not raw_parts or not raw_parts[-1].data:
        raise BadRequest({"raw_message": ["No file was submitted."]})
    raw = raw_parts[-1].data
    recipient = _recipient(req)
    metadata = parse_json_field(req, "metadata") or {}
    values = parse_json_field(req, "values") or {}
    wrong = [key for key in values if not str(key).startswith("emails_import:")]
    if wrong:
        raise BadRequest({"values": [f"Keys must start with 'emails_import:': {', '.join(map(str, wrong))}."]})
    inboxes = [
        inbox
        for inbox in req.tx.select("inboxes", f"lower({field_sql('email')}) = ?", [recipient.lower()])
        if inbox.get("organization", org_id(req)) in (None, org_id(req))
    ]
    if not inboxes:
        raise BadRequest({"recipient": [f"No inbox with the address {recipient} in this organization."]})
    inbox = inboxes[0]
    queue_ids = req.tx.ids_where("queues", "inbox", inbox["id"])
    if not queue_ids:
        raise BadRequest({"recipient": ["The inbox is not linked to a queue."]})
    queue = upload_queue(req, queue_ids[0], from_path=False)
    parsed = parse_message(raw)

    email = EMAILS.new_object()
    email.update(
        queue=queue["id"],
        inbox=inbox["id"],
        subject=parsed.subject,
        to=parsed.to,
        cc=parsed.cc,
        bcc=parsed.bcc,
        body_text_plain=parsed.body_text_plain,
        body_text_html=parsed.body_text_html,
        metadata={},
        type="incoming",
        labels=[],
        filtered_out_document_count=sum(1 for a in parsed.attachments if not a.accepted),
    )
    email["from"] = parsed.from_ or None
    EMAILS._stamp(req, email, created=True)
    email = req.tx.insert("emails", email)
    _blobs.put(req.tx, EMAIL_BLOB, email["id"], raw)

    accepted = [IncomingFile(a.file_name, a.data, a.mime_type) for a in parsed.attachments if a.accepted]
    created = (
        import_into_queue(
            req, queue, accepted, email=email["id"], values={**parsed.header_values(), **values}, metadata=metadata
        )
        if accepted
        else []
    )
    organization = queue_organization(req.tx, queue, org_id(req))
    for attachment in parsed.attachments:
        if not attachment.accepted:
            create_document(
                req,
                IncomingFile(attachment.file_name, attachment.data, attachment.mime_type),
                organization=organization,
                email=email["id"],
                attachment_status="filtered_by_inbox_mime_type",
            )
    for document, _annotation in created:
        document["attachment_status"] = "processed"
        req.tx.save("documents", document)
    task = create_task(req, "email_imported", email=email["id"], annotations=[a["id"] for _, a in created])
    return Response(202, {"url": req.url_for("tasks", task["id"])})


@route("GET", "/emails/{id}/content")
def email_content(req: Request) -> Response:
    email = req.tx.require("emails", req.path_params["id"])
    data = _blobs.read_all(req.tx, EMAIL_BLOB, email["id"])
    if data is None:
        raise NotFound("The email has no stored content.")
    return Response(200, data, content_type="message/rfc822")


@route("GET", "/emails/counts")
def email_counts(req: Request) -> Any:
    where, params = build_where(req, EMAILS.filters)
    emails = req.tx.select("emails", where, params)
    no_documents = rejected = 0
    for email in emails:
        has_docs = bool(req.tx.ids_where("annotations", "email", email["id"]))
        no_documents += 0 if has_docs else 1
        statuses = {a.get("status") for a in req.tx.find("annotations", email=email["id"])}
        if "rejected" in statuses or "rejected" in (email.get("labels") or []):
            rejected += 1
    return {
        "incoming": {
            "total": sum(1 for e in emails if e.get("type") == "incoming"),
            "no_documents": no_documents,
            "recent_with_no_documents_not_replied": no_documents,
            "rejected": rejected,
            "recent_with_filtered_out_documents": sum(1 for e in emails if e.get("filtered_out_document_count")),
        }
    }
