"""``GET|POST /queues/{id}/export?format=json|csv|xml|xlsx`` (format also negotiated by ``Accept``;
default JSON).

* Filters: every annotation list filter (``id``, ``status``, ``modifier``, ``arrived_at_*``,
  ``exported_at_*``, ``export_failed_at_*`` ...) and annotation orderings, within the queue.
* JSON: paginated like lists (``page_size`` default 20, max 100), each result in the documented export
  shape (``document``/``schema``/``modifier`` as objects, content tree with ``value``/``type``/
  ``rir_confidence``).
* Paging is done in SQL (count, then the page's ids; remembered between pages while nothing is written,
  see ``listing``), so exporting a queue page by page costs the same per page whatever its length.
* CSV / XLSX / XML: all matching annotations, or one page when ``page``/``page_size`` is given
  (``page_size`` up to 1000). They are streamed (chunked transfer): the matching ids are fixed when the
  request is answered, annotations are then read and serialized in batches, so a 10,000-annotation
  export never sits in memory whole. CSV options ``columns``, ``prepend_columns``, ``append_columns``,
  ``delimiter``, ``quote_char``, ``quoting``, ``escape_char`` (layout in ``_export_writers``); XLSX takes
  the same parameters and is a minimal SpreadsheetML workbook (one sheet ``export``).
* ``to_status`` (POST only; ``exporting`` or ``exported``; 400 otherwise or with GET) switches the
  exported annotations that are not already ``exported``/``exporting`` before they are serialized;
  ``exporting`` ones move on to ``exported`` after ``settings.import_delay_s`` (the asynchronous export).
* Not reproduced: the cross-queue ``/annotations/export``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from rossum_iac.emulator.http import BadRequest, NotFound, Request, Response
from rossum_iac.emulator.listing import build_where, ordering_sql, page_url
from rossum_iac.emulator.resources import _export_writers as writers
from rossum_iac.emulator.resources._importing import CONTENT, schedule_settle, schema_content_of, settle_imports
from rossum_iac.emulator.resources.annotations import ANNOTATIONS, split_csv, stamp_status
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import Tx, field_sql

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ACCEPT = {
    "application/json": "json",
    "text/csv": "csv",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
JSON_MAX_PAGE_SIZE = 100
FILE_MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 20
BATCH = 200


def _format(req: Request) -> str:
    fmt = (req.param("format") or "").strip().lower()
    if fmt:
        if fmt not in FORMATS:
            raise BadRequest({"format": [f"Unsupported format {fmt!r}; use one of {', '.join(FORMATS)}."]})
        return fmt
    for item in req.headers.get("accept", "").split(","):
        media = item.split(";")[0].strip().lower()
        if media in ACCEPT:
            return ACCEPT[media]
    return "json"


def _page_params(req: Request, max_size: int, *, required: bool) -> tuple[int, int] | None:
    raw_page, raw_size = req.param("page"), req.param("page_size")
    if not required and raw_page in (None, "") and raw_size in (None, ""):
        return None
    try:
        size = int(raw_size) if raw_size not in (None, "") else DEFAULT_PAGE_SIZE
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    size = min(max(size, 1), max_size)
    try:
        page = int(raw_page) if raw_page not in (None, "") else 1
    except ValueError:
        raise NotFound("Invalid page.") from None
    if page < 1:
        raise NotFound("Invalid page.")
    return page, size


def _matching(req: Request, queue_id: int) -> tuple[str, list[Any], str]:
    """The export's WHERE clause (list filters within the queue), its parameters and its ORDER BY."""
    where, params = build_where(req, ANNOTATIONS.filters, (f"{field_sql('queue')} = ?", [queue_id]))
    return where, params, ordering_sql(req, ANNOTATIONS.orderings, ANNOTATIONS.default_ordering)


def _in_ids(tx: Tx, collection: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in tx.get_many(collection, ids)}


def load_records(tx: Tx, base_url: str, ids: list[int]) -> list[dict[str, Any]]:
    """Export records (see ``_export_writers``) for ``ids``, in that order."""
    annotations = _in_ids(tx, "annotations", ids)
    documents = _in_ids(tx, "documents", [a["document"] for a in annotations.values() if a.get("document")])
    contents = _in_ids(tx, CONTENT, ids)
    records = []
    for annotation_id in ids:
        ann = annotations.get(annotation_id)
        if ann is None:  # deleted while the export was streaming
            continue
        doc = documents.get(ann.get("document") or -1)
        records.append(
            {
                "annotation": {
                    "url": f"{base_url}/annotations/{annotation_id}",
                    "status": ann.get("status"),
                    "arrived_at": ann.get("_arrived_at") or ann.get("created_at"),
                    "exported_at": ann.get("exported_at"),
                    "modified_at": ann.get("modified_at"),
                    "assigned_at": ann.get("assigned_at"),
                    "automated": bool(ann.get("automated")),
                    "modifier": f"{base_url}/users/{ann['modifier']}" if ann.get("modifier") else None,
                    "schema": f"{base_url}/schemas/{ann['schema']}" if ann.get("schema") else None,
                    "metadata": ann.get("metadata") or {},
                },
                "document": None
                if doc is None
                else {
                    "url": f"{base_url}/documents/{doc['id']}",
                    "original_file_name": doc.get("original_file_name"),
                    "content": f"{base_url}/documents/{doc['id']}/content",
                    "arrived_at": doc.get("created_at"),
                },
                "content": (contents.get(annotation_id) or {}).get("content") or [],
            }
        )
    return records


def _stream_records(req: Request, ids: list[int]) -> Iterator[dict[str, Any]]:
    """Records of ``ids`` read in batches, each batch in its own short transaction."""
    store = req.app.store
    base_url = req.base_url
    for start in range(0, len(ids), BATCH):
        with store.transaction() as tx:
            batch = load_records(tx, base_url, ids[start : start + BATCH])
        yield from batch


def _switch_status(req: Request, ids: list[int], to_status: str) -> None:
    """``exporting`` annotations become ``exported`` after ``import_delay_s`` (``_importing.settle_imports``
    applies it lazily and from a timer, so it survives a restart of a persisted emulator)."""
    ready_at = time.time() + max(0.0, float(req.app.settings.import_delay_s))
    for annotation_id in ids:
        annotation = req.tx.get("annotations", annotation_id)
        if annotation is None or annotation.get("status") in ("exported", "exporting"):
            continue
        stamp_status(req, annotation, to_status)
        if to_status == "exporting":
            annotation["_export_ready_at"] = ready_at
        ANNOTATIONS.touch(req, annotation)
    if to_status == "exporting":
        schedule_settle(req)


def _pagination(req: Request, total: int, paging: tuple[int, int] | None) -> dict[str, Any]:
    if paging is None:
        return {"total": total, "total_pages": 1, "next": None, "previous": None}
    page, size = paging
    total_pages = max(1, -(-total // size))
    return {
        "total": total,
        "total_pages": total_pages,
        "next": page_url(req, page + 1) if page < total_pages else None,
        "previous": page_url(req, page - 1) if page > 1 else None,
    }


@route("GET", "/queues/{id}/export")
@route("POST", "/queues/{id}/export")
def export_queue(req: Request) -> Any:
    settle_imports(req.tx)
    queue = req.tx.require("queues", req.path_params["id"])
    fmt = _format(req)
    to_status = req.param("to_status")
    if to_status not in (None, ""):
        if req.method != "POST":
            raise BadRequest({"to_status": ["to_status can only be used with POST."]})
        if to_status not in ("exporting", "exported"):
            raise BadRequest({"to_status": ['Must be "exporting" or "exported".']})
    schema_content = schema_content_of(req.tx, queue.get("schema"))
    columns: list[str] = []
    options: dict[str, Any] = {}
    if fmt in ("csv", "xlsx"):
        try:
            columns = writers.resolve_columns(
                schema_content,
                split_csv(req.param("columns") or ""),
                split_csv(req.param("prepend_columns") or ""),
                split_csv(req.param("append_columns") or ""),
            )
            options = writers.csv_options(req.query) if fmt == "csv" else {}
        except writers.ExportError as exc:
            raise BadRequest([str(exc)]) from None
    where, params, order = _matching(req, queue["id"])
    paging = _page_params(req, JSON_MAX_PAGE_SIZE if fmt == "json" else FILE_MAX_PAGE_SIZE, required=fmt == "json")
    if paging is not None:  # one page: counted and cut in SQL, so a page costs the same however long the queue
        page, size = paging
        total = req.tx.count("annotations", where, params, memo=True)
        if page > max(1, -(-total // size)):
            raise NotFound("Invalid page.")
        ids = req.tx.select_ids("annotations", where, params, order, size, (page - 1) * size, memo=True)
    else:
        ids = req.tx.select_ids("annotations", where, params, order)
        total = len(ids)
    if to_status:
        _switch_status(req, ids, to_status)
    pagination = _pagination(req, total, paging)
    if fmt == "json":
        records = load_records(req.tx, req.base_url, ids)
        return {"pagination": pagination, "results": [writers.json_record(r, schema_content) for r in records]}
    name = f"export.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    records_iter = _stream_records(req, ids)
    if fmt == "xml":
        stream = writers.xml_chunks(records_iter, schema_content, pagination)
    else:
        header = writers.header_labels(schema_content, columns)
        lines = (line for record in records_iter for line in writers.record_rows(record, columns))
        stream = writers.csv_chunks(header, lines, options) if fmt == "csv" else writers.xlsx_chunks(header, lines)
    return Response(200, None, headers=headers, content_type=FORMATS[fmt], stream=stream)
