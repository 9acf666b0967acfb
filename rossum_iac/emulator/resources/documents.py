"""documents: list/retrieve, multipart create (no annotation), PATCH metadata, DELETE, original bytes.

* ``POST /documents``: multipart ``content`` file (+ ``metadata`` JSON text, ``parent`` URL), or the raw
  file as body with ``Content-Disposition: attachment; filename=...``; 201 with the document.
* ``GET /documents/{id}/content`` and ``GET /original/{s3_name}``: the original bytes with the stored MIME
  type (``Content-Disposition: inline``), streamed from SQLite in chunks.
* ``DELETE``: removes the document, its annotations and their content, but — as documented ("only if
  there are no datapoints associated to the annotation") — answers 409 when one of its annotations has
  a datapoint with a non-empty value (emulator reading of "datapoint references").
* The MIME type is the part's declared type unless generic (``application/octet-stream``), else guessed
  from the file name.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, unquote

from rossum_iac.emulator.fields import Field, f_derived
from rossum_iac.emulator.http import BadRequest, Conflict, NotFound, PayloadTooLarge, Request, Response
from rossum_iac.emulator.http import _header_params as header_params
from rossum_iac.emulator.listing import DateCmp, Exact, Ids, Ref, orderings_for
from rossum_iac.emulator.resource import Resource, register, require_ref
from rossum_iac.emulator.resources import _blobs
from rossum_iac.emulator.resources._content_tree import datapoints
from rossum_iac.emulator.resources._importing import (
    DOCUMENT_BLOB,
    MAX_UPLOAD_BYTES,
    IncomingFile,
    create_document,
    load_content,
)
from rossum_iac.emulator.resources.common import f_metadata, org_id
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import field_sql


def _annotations(req: Request, obj: dict[str, Any]) -> list[str | None]:
    return [req.url_for("annotations", i) for i in req.tx.ids_where("annotations", "document", obj["id"])]


def _content_url(req: Request, obj: dict[str, Any]) -> str:
    return f"{req.base_url}/documents/{obj['id']}/content"


class Documents(Resource):
    collection = "documents"
    write_roles = None
    fields = [
        Field("s3_name", "str", read_only=True),
        Field("parent", "ref", target="documents", read_only=True, nullable=True),
        Field("email", "ref", target="emails", read_only=True, nullable=True),
        f_derived("annotations", _annotations),
        Field("mime_type", "str", read_only=True),
        Field("creator", "ref", target="users", read_only=True, nullable=True),
        Field("created_at", "datetime", read_only=True),
        f_derived("arrived_at", lambda req, obj: obj.get("created_at")),
        Field("original_file_name", "str", read_only=True),
        f_derived("content", _content_url),
        Field("attachment_status", "str", read_only=True, nullable=True),
        f_metadata(),
    ]
    filters = {
        "id": Ids(),
        "email": Ref("email"),
        "creator": Ref("creator"),
        "parent": Ref("parent"),
        "arrived_at_before": DateCmp("created_at", "<"),
        "arrived_at_after": DateCmp("created_at", ">"),
        "created_at_before": DateCmp("created_at", "<"),
        "created_at_after": DateCmp("created_at", ">"),
        "original_file_name": Exact("original_file_name"),
        "attachment_status": Exact("attachment_status", multi=True),
    }
    orderings = {
        **orderings_for("id", "created_at", "original_file_name", "mime_type", "attachment_status"),
        "arrived_at": field_sql("created_at"),
    }

    def handle_create(self, req: Request) -> Any:
        incoming = read_single_file(req)
        metadata = parse_json_field(req, "metadata") or {}
        parent = None
        parent_parts = req.files.get("parent") or []
        raw_parent = parent_parts[-1].text().strip() if parent_parts else None
        if raw_parent:
            parent = require_ref(req, "parent", raw_parent, "documents")
        doc = create_document(req, incoming, organization=org_id(req), metadata=metadata, parent=parent)
        return Response(201, self.render(req, doc))

    def before_delete(self, req: Request, obj: dict[str, Any]) -> None:
        """409 when an annotation of the document holds data; its annotations are then deleted by the
        ``cascade`` rule of ``annotation.document`` (and their content by the annotations module)."""
        for annotation_id in req.tx.ids_where("annotations", "document", obj["id"]):
            if any(
                (node.get("content") or {}).get("value") for node in datapoints(load_content(req.tx, annotation_id))
            ):
                raise Conflict("Document cannot be deleted due to existing datapoint references.")
        _blobs.delete(req.tx, DOCUMENT_BLOB, obj["id"])


DOCUMENTS = register(Documents(), ("list", "create", "retrieve", "partial_update", "destroy"))


# ------------------------------------------------------------------------------------ request parsing


def parse_json_field(req: Request, name: str) -> Any:
    """A JSON form field (``values``/``metadata``). A part sent as a file (non-empty filename) is refused
    like the API does ("Value must be valid JSON."); so is text that is not a JSON object."""
    parts = req.files.get(name) or []
    if not parts:
        return None
    part = parts[-1]
    if part.filename:
        raise BadRequest({name: ["Value must be valid JSON."]})
    text = part.text().strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise BadRequest({name: ["Value must be valid JSON."]}) from None
    if not isinstance(value, dict):
        raise BadRequest({name: ["Value must be a JSON object."]})
    return value


def _raw_file_name(req: Request) -> str | None:
    disposition = req.headers.get("content-disposition")
    if disposition:
        _, params = header_params(disposition)
        if params.get("filename"):
            return params["filename"]
    name = req.path_params.get("filename")
    if isinstance(name, str) and name:
        return unquote(name)
    return None


def read_files(req: Request) -> list[IncomingFile]:
    """The uploaded files: every multipart ``content`` part, or the raw body (``Content-Disposition``
    or ``/{filename}`` in the path names it). 400 when there is none; 413 above 40 MB in total."""
    files: list[IncomingFile] = []
    if req.content_type == "multipart/form-data":
        for part in req.files.get("content", []):
            files.append(IncomingFile(part.filename or "document", part.data, part.content_type))
    elif req.body:
        name = _raw_file_name(req)
        if not name:
            raise BadRequest({"content": ["Missing file name: send Content-Disposition: attachment; filename=..."]})
        files.append(IncomingFile(name, req.body, req.headers.get("content-type")))
    if not files:
        raise BadRequest({"content": ["No file was submitted."]})
    if sum(len(f.data) for f in files) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge("The total size of the uploaded files exceeds 40 MB.")
    return files


def read_single_file(req: Request) -> IncomingFile:
    files = read_files(req)
    if len(files) != 1:
        raise BadRequest({"content": ["Only one document can be created per request."]})
    return files[0]


# ------------------------------------------------------------------------------------------ content


def file_response(req: Request, document: dict[str, Any]) -> Response:
    size = _blobs.size(req.tx, DOCUMENT_BLOB, document["id"])
    if size is None:
        raise NotFound("The document has no file.")
    name = document.get("original_file_name") or "document"
    headers = {"Content-Disposition": f"inline; filename*=utf-8''{quote(name)}", "X-Content-Length": str(size)}
    return Response(
        200,
        None,
        headers=headers,
        content_type=document.get("mime_type") or "application/octet-stream",
        stream=_blobs.stream(req.app.store, DOCUMENT_BLOB, document["id"], size),
    )


@route("GET", "/documents/{id}/content")
def document_content(req: Request) -> Response:
    return file_response(req, req.tx.require("documents", req.path_params["id"]))


@route("GET", "/original/{s3_name:str}")
def original_content(req: Request) -> Response:
    found = req.tx.find("documents", s3_name=req.path_params["s3_name"])
    if not found:
        raise NotFound()
    return file_response(req, found[0])
