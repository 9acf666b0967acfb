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
* ``POST /documents/downloads`` / ``GET /documents/downloads/{id}[/content]``: see the section below.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from rossum_iac.emulator.fields import Field, f_derived, format_datetime
from rossum_iac.emulator.http import BadRequest, Conflict, NotFound, PayloadTooLarge, Request, Response, parse_json
from rossum_iac.emulator.http import _header_params as header_params
from rossum_iac.emulator.listing import DateCmp, Exact, Ids, Ref, orderings_for
from rossum_iac.emulator.resource import Resource, register, require_ref
from rossum_iac.emulator.resources import _blobs
from rossum_iac.emulator.resources._content_tree import datapoints
from rossum_iac.emulator.resources._export_writers import ByteSink
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
        value = parse_json(text)
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
    headers = {"Content-Disposition": f"inline; filename*=utf-8''{quote(name)}"}
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


# ------------------------------------------------------------------------------------- downloads
# ``POST /documents/downloads`` -> 202 ``{"url": <task>}`` (+ ``Location``); the archive is described
# at once, so the ``documents_download`` task is ``succeeded`` immediately (``content.file_name``,
# ``result_url`` = the download object). ``GET /documents/downloads/{id}`` -> download object
# (``expires_at`` = creation + 2 h); ``.../content`` streams a ZIP of the originals (names made unique),
# or the single file itself with ``zip: false``. ``type: source_document`` puts each document's most
# distant parent instead. At most 500 documents; ``file_name`` must end with ``.zip`` when zipping.

DOWNLOAD_LIFETIME_S = 2 * 3600
MAX_DOWNLOAD_DOCUMENTS = 500


def _download_documents(req: Request, body: dict[str, Any]) -> list[int]:
    urls = body.get("documents")
    if not isinstance(urls, list) or not urls:
        raise BadRequest({"documents": ["This field is required."]})
    if len(urls) > MAX_DOWNLOAD_DOCUMENTS:
        raise BadRequest({"documents": [f"Ensure this field has no more than {MAX_DOWNLOAD_DOCUMENTS} elements."]})
    ids = [require_ref(req, "documents", url, "documents") for url in urls]
    if body.get("type", "document") == "source_document":
        sources = []
        for doc_id in ids:
            doc = req.tx.require("documents", doc_id)
            seen = {doc_id}
            while doc.get("parent") is not None and doc["parent"] not in seen:
                seen.add(doc["parent"])
                parent = req.tx.get("documents", doc["parent"])
                if parent is None:
                    break
                doc = parent
            sources.append(doc["id"])
        ids = sources
    return ids


@route("POST", "/documents/downloads")
def create_download(req: Request) -> Response:
    from rossum_iac.emulator.resources._importing import create_task

    body = req.json_object()
    if body.get("type", "document") not in ("document", "source_document"):
        raise BadRequest({"type": [f'"{body.get("type")}" is not a valid choice.']})
    as_zip = body.get("zip", True)
    if not isinstance(as_zip, bool):
        raise BadRequest({"zip": ["Must be a valid boolean."]})
    ids = _download_documents(req, body)
    if not as_zip and len(ids) != 1:
        raise BadRequest({"zip": ["zip=false is only allowed for a single document."]})
    default_name = "documents.zip" if as_zip else req.tx.require("documents", ids[0]).get("original_file_name")
    file_name = body.get("file_name") or default_name
    if not isinstance(file_name, str) or (as_zip and not file_name.endswith(".zip")):
        raise BadRequest({"file_name": ["The file name must have a .zip extension."]})
    download = req.tx.insert(
        "document_downloads",
        {"file_name": file_name, "documents": ids, "zip": as_zip, "_created": time.time()},
    )
    task = create_task(req, "documents_download")
    task.update(
        status="succeeded",
        _content={"file_name": file_name},
        _result_url=f"{req.base_url}/documents/downloads/{download['id']}",
    )
    req.tx.save("tasks", task)
    task_url = f"{req.base_url}/tasks/{task['id']}"
    return Response(202, {"url": task_url}, headers={"Location": task_url})


def _render_download(req: Request, download: dict[str, Any]) -> dict[str, Any]:
    url = f"{req.base_url}/documents/downloads/{download['id']}"
    expires = datetime.fromtimestamp(float(download["_created"]) + DOWNLOAD_LIFETIME_S, UTC)
    return {
        "id": download["id"],
        "url": url,
        "file_name": download["file_name"],
        "expires_at": format_datetime(expires),
        "content": f"{url}/content",
    }


@route("GET", "/documents/downloads/{id}")
def retrieve_download(req: Request) -> Any:
    return _render_download(req, req.tx.require("document_downloads", req.path_params["id"]))


@route("GET", "/documents/downloads/{id}/content")
def download_content(req: Request) -> Response:
    download = req.tx.require("document_downloads", req.path_params["id"])
    documents = [doc for i in download["documents"] if (doc := req.tx.get("documents", i)) is not None]
    if not download.get("zip", True):
        if not documents:
            raise NotFound()
        return file_response(req, documents[0])
    store = req.app.store

    def members() -> Iterator[tuple[str, bytes]]:
        used: set[str] = set()
        for doc in documents:
            name = doc.get("original_file_name") or f"document-{doc['id']}"
            stem, dot, ext = name.rpartition(".")
            candidate, n = name, 1
            while candidate in used:
                candidate = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
                n += 1
            used.add(candidate)
            with store.transaction() as tx:
                data = _blobs.read_all(tx, DOCUMENT_BLOB, doc["id"]) or b""
            yield candidate, data

    headers = {"Content-Disposition": f"attachment; filename*=utf-8''{quote(download['file_name'])}"}
    return Response(200, None, headers=headers, content_type="application/zip", stream=zip_chunks(members()))


def zip_chunks(members: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """A ZIP archive written member by member to a non-seekable sink, yielded as it grows."""
    sink = ByteSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
            yield sink.drain()
    yield sink.drain()
