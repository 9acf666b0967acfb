"""Uploads: ``POST /uploads?queue={id}`` (+ ``/uploads/{filename}``), ``GET /uploads/{id}`` and the
deprecated ``POST /queues/{id}/upload`` (+ ``/{filename}``).

* Files: multipart ``content`` parts (repeatable) or the raw body named by ``Content-Disposition`` or the
  ``{filename}`` path segment; ``values`` and ``metadata`` are JSON text parts (sent as a file -> 400
  "Value must be valid JSON.", as the API answers). ``metadata`` goes to every created annotation,
  ``values`` initialise datapoints through their ``rir_field_names``. More than 40 MB in total -> 413.
* ``POST /uploads`` -> 202 ``{"url": <task>}``; the task (``upload_created``, ``running`` ->
  ``succeeded`` with ``content.upload`` and ``result_url``) follows the simulated import (see
  ``_importing``). A document + an annotation (``importing``) per file are created at once and listed on
  the upload object.
* The legacy endpoint answers 201 ``{"results": [{"annotation", "document"}], "annotation", "document"}``.
* ``reject_identical=true``: a single file only (400 otherwise); 409 when a document with the same file
  name and content already exists in the organization.
* A queue scheduled for deletion (``delete_after`` set / status not ``active``) refuses uploads with 400
  ``{"queue": [...]}`` (the reference says uploads are disabled, not which status; 400 chosen).
"""

from __future__ import annotations

import hashlib
from typing import Any

from rossum_iac.emulator.fields import Field, f_derived
from rossum_iac.emulator.http import BadRequest, Conflict, NotFound, Request, Response
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.resources._importing import (
    IncomingFile,
    create_annotation,
    create_document,
    create_task,
    queue_organization,
    schedule_settle,
    settle_imports,
)
from rossum_iac.emulator.resources.common import org_id
from rossum_iac.emulator.resources.documents import parse_json_field, read_files
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import field_sql


class Uploads(Resource):
    collection = "uploads"
    write_roles = None
    fields = [
        Field("queue", "ref", target="queues", read_only=True, on_delete="cascade"),
        Field("organization", "ref", target="organizations", read_only=True, nullable=True),
        Field("creator", "ref", target="users", read_only=True, nullable=True),
        Field("created_at", "datetime", read_only=True),
        Field("email", "ref", target="emails", read_only=True, nullable=True),
        Field("documents", "refs", target="documents", read_only=True),
        Field("additional_documents", "refs", target="documents", read_only=True),
        f_derived(
            "annotations",
            lambda req, obj: [
                req.url_for("annotations", i) for i in req.tx.ids_where("annotations", "_upload", obj["id"])
            ],
        ),
    ]

    def handle_retrieve(self, req: Request) -> Any:
        settle_imports(req.tx)
        return super().handle_retrieve(req)


UPLOADS = register(Uploads(), ("retrieve",))


def upload_queue(req: Request, queue_id: int | None, *, from_path: bool) -> dict[str, Any]:
    """The target queue; 404 (path) or 400 (query parameter) when it does not exist; 400 when the queue is
    scheduled for deletion."""
    queue = req.tx.get("queues", queue_id) if queue_id is not None else None
    if queue is None:
        if from_path:
            raise NotFound()
        raise BadRequest({"queue": ["Invalid pk - object does not exist." if queue_id else "This field is required."]})
    if queue.get("delete_after") or queue.get("status", "active") != "active":
        raise BadRequest({"queue": ["The queue is scheduled for deletion; uploads are disabled."]})
    return queue


def _check_identical(req: Request, files: list[IncomingFile], organization: int | None) -> None:
    if len(files) != 1:
        raise BadRequest({"content": ["Only one file is allowed when reject_identical is set to true."]})
    incoming = files[0]
    md5 = hashlib.md5(incoming.data).hexdigest()
    clash = req.tx.select(
        "documents",
        f"{field_sql('_md5')} = ? AND {field_sql('original_file_name')} = ? AND {field_sql('_organization')} IS ?",
        [md5, incoming.name, organization],
        limit=1,
    )
    if clash:
        raise Conflict(f"A document with identical name and content already exists: {incoming.name}.")


def import_into_queue(
    req: Request,
    queue: dict[str, Any],
    files: list[IncomingFile],
    *,
    upload: int | None = None,
    email: int | None = None,
    values: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Create a document and an importing annotation per file; returns ``(document, annotation)`` pairs."""
    organization = queue_organization(req.tx, queue, org_id(req) if req.user else None)
    created = []
    for incoming in files:
        document = create_document(req, incoming, organization=organization, email=email)
        annotation = create_annotation(
            req, queue, document, values=values, metadata=metadata, email=email, upload=upload
        )
        created.append((document, annotation))
    schedule_settle(req)
    return created


def _read_upload_request(
    req: Request, queue: dict[str, Any]
) -> tuple[list[IncomingFile], dict[str, Any], dict[str, Any]]:
    files = read_files(req)
    values = parse_json_field(req, "values") or {}
    metadata = parse_json_field(req, "metadata") or {}
    if req.bool_param("reject_identical"):
        _check_identical(req, files, queue_organization(req.tx, queue, org_id(req)))
    return files, values, metadata


def _queue_param(req: Request) -> int | None:
    raw = req.param("queue")
    if raw in (None, ""):
        return None
    if not raw.strip().isdigit():
        raise BadRequest({"queue": ["A valid integer is required."]})
    return int(raw)


@route("POST", "/uploads")
@route("POST", "/uploads/{filename:str}")
def create_upload(req: Request) -> Any:
    settle_imports(req.tx)
    queue = upload_queue(req, _queue_param(req), from_path=False)
    files, values, metadata = _read_upload_request(req, queue)
    upload = UPLOADS.new_object()
    upload.update(
        queue=queue["id"],
        organization=queue_organization(req.tx, queue, org_id(req)),
        creator=req.user["id"] if req.user else None,
        email=None,
        documents=[],
        additional_documents=[],
    )
    UPLOADS._stamp(req, upload, created=True)
    upload = req.tx.insert("uploads", upload)
    created = import_into_queue(req, queue, files, upload=upload["id"], values=values, metadata=metadata)
    upload["documents"] = [document["id"] for document, _ in created]
    req.tx.save("uploads", upload)
    task = create_task(req, "upload_created", upload=upload["id"], annotations=[a["id"] for _, a in created])
    return Response(
        202, {"url": req.url_for("tasks", task["id"])}, headers={"Location": f"{req.base_url}/tasks/{task['id']}"}
    )


@route("POST", "/queues/{id}/upload")
@route("POST", "/queues/{id}/upload/{filename:str}")
def legacy_queue_upload(req: Request) -> Any:
    settle_imports(req.tx)
    queue = upload_queue(req, req.path_params["id"], from_path=True)
    files, values, metadata = _read_upload_request(req, queue)
    created = import_into_queue(req, queue, files, values=values, metadata=metadata)
    results = [
        {
            "annotation": req.url_for("annotations", annotation["id"]),
            "document": req.url_for("documents", document["id"]),
        }
        for document, annotation in created
    ]
    return Response(
        201, {"results": results, "annotation": results[0]["annotation"], "document": results[0]["document"]}
    )
