"""``POST /annotations/search``: MongoDB-like ``query`` and full-text ``query_string`` (AND-ed).

Operators and field semantics are in ``_query``. ``query_string`` matches when every whitespace-separated
term (trailing special characters dropped, at least 2 characters in total) is a case-insensitive
substring of a datapoint value or of the original file name (the API matches prefixes of tokens and also
page text; the emulator has no page text). An empty body matches every annotation.

Pagination: ``page_size`` default 20, max 500 (100 with ``sideload=content``). Both styles work:
``page=N`` (what the SDK sends) and the ``search_after`` cursor that ``pagination.next``/``previous`` carry
(an opaque token bound to the body and ``ordering``; reused with a different body/ordering -> 400 "Value
of search_after is not valid anymore"). ``total``/``total_pages`` are always returned. Ordering: meta
fields and ``field.<schema_id>.<string|number|date>`` (empty values last), ``id`` breaks ties; default
``id``. URL list filters, ``sideload`` and ``fields`` work as on ``GET /annotations``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from rossum_iac.emulator.http import BadRequest, NotFound, Request, parse_json
from rossum_iac.emulator.listing import build_where
from rossum_iac.emulator.resources import _query
from rossum_iac.emulator.resources._content_tree import datapoint_values, datapoints
from rossum_iac.emulator.resources._importing import CONTENT, settle_imports
from rossum_iac.emulator.resources.annotations import (
    ANNOTATIONS,
    USER_FIELDS,
    relations_of,
    requested_sideloads,
    select_fields,
    sideload,
    split_csv,
)
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import SQLITE_MAX_INT, Tx

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 500
MAX_PAGE_SIZE_WITH_CONTENT = 100
STALE_CURSOR = "Value of search_after is not valid anymore. Retry the search with a different value."


def _mentions_fields(value: Any) -> bool:
    if isinstance(value, dict):
        return any(str(k).startswith("field.") or _mentions_fields(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions_fields(item) for item in value)
    return False


def _views(tx: Tx, annotations: list[dict[str, Any]], with_content: bool) -> list[dict[str, Any]]:
    usernames: dict[int, str] = {}
    workspaces: dict[int, Any] = {}

    def username(user_id: Any) -> str | None:
        if user_id is None:
            return None
        if user_id not in usernames:
            user = tx.get("users", user_id)
            usernames[user_id] = (user or {}).get("username", "")
        return usernames[user_id]

    def workspace(queue_id: Any) -> Any:
        if queue_id not in workspaces:
            queue = tx.get("queues", queue_id) if queue_id is not None else None
            workspaces[queue_id] = (queue or {}).get("workspace")
        return workspaces[queue_id]

    contents: dict[int, list[dict[str, Any]]] = {}
    if with_content and annotations:
        ids = [a["id"] for a in annotations]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for row in tx.select(CONTENT, "id IN (SELECT value FROM json_each(?))", [json.dumps(chunk)]):
                contents[row["id"]] = row.get("content") or []
    has_relations = tx.count("relations") > 0
    views = []
    for ann in annotations:
        view: dict[str, Any] = {key: value for key, value in ann.items() if not key.startswith("_")}
        view.update(
            annotation=ann["id"],
            workspace=workspace(ann.get("queue")),
            arrived_at=ann.get("_arrived_at") or ann.get("created_at"),
            original_file_name=ann.get("_file_name"),
            messages=json.dumps(ann["messages"]) if ann.get("messages") else None,
            email_sender=None,
        )
        for field in USER_FIELDS:
            view[f"{field}__username"] = username(ann.get(field))
        if has_relations:
            relations = relations_of(tx, ann["id"])
            view["relations__key"] = [r.get("key") for r in relations if r.get("key")]
            view["relations__type"] = [r.get("type") for r in relations]
            view["relations__parent"] = [r.get("parent") for r in relations if r.get("parent") is not None]
        content = contents.get(ann["id"], [])
        view["__fields__"] = datapoint_values(content)
        view["__text__"] = [str((node.get("content") or {}).get("value") or "") for node in datapoints(content)] + [
            ann.get("_file_name") or ""
        ]
        views.append(view)
    return views


def _digest(body: dict[str, Any], ordering: list[str]) -> str:
    canonical = json.dumps({"body": body, "ordering": ordering}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def encode_cursor(digest: str, offset: int) -> str:
    raw = json.dumps({"h": digest, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, digest: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = parse_json(base64.urlsafe_b64decode(padded.encode()))
        offset = int(data["o"])
        valid = data["h"] == digest and 0 <= offset <= SQLITE_MAX_INT
    except (ValueError, KeyError, TypeError, binascii.Error):
        valid = False
    if not valid:
        raise BadRequest({"search_after": [STALE_CURSOR]})
    return offset


def _cursor_url(req: Request, token: str) -> str:
    params = [(k, v) for k, v in req.query_list if k not in ("page", "search_after")]
    params.append(("search_after", token))
    return f"{req.base_url}/annotations/search?{urlencode(params)}"


def _page_size(req: Request, maximum: int) -> int:
    raw = req.param("page_size")
    try:
        size = int(raw) if raw not in (None, "") else DEFAULT_PAGE_SIZE
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return DEFAULT_PAGE_SIZE if size <= 0 else min(size, maximum)


@route("POST", "/annotations/search")
def search_annotations(req: Request) -> Any:
    tx = req.tx
    settle_imports(tx)
    body = req.json_object()
    query = body.get("query")
    try:
        _query.validate_query(query)
        terms = _query.query_string_terms(body.get("query_string"))
    except _query.QueryError as exc:
        raise BadRequest({"query": [str(exc)]}) from None
    sideloads = requested_sideloads(req)
    page_size = _page_size(req, MAX_PAGE_SIZE_WITH_CONTENT if "content" in sideloads else MAX_PAGE_SIZE)
    ordering = split_csv(req.param("ordering") or "")
    digest = _digest(body, ordering)

    where, params = build_where(req, ANNOTATIONS.filters)
    candidates = tx.select("annotations", where, params)
    with_content = bool(terms) or _mentions_fields(query) or any(o.lstrip("-").startswith("field.") for o in ordering)
    views = _views(tx, candidates, with_content)
    try:
        matched = [v for v in views if _query.matches(v, query) and _query.matches_text(v, terms)]
    except _query.QueryError as exc:
        raise BadRequest({"query": [str(exc)]}) from None
    matched = _query.order_views(matched, [*ordering, "id"])

    token = req.param("search_after")
    if token:
        offset = decode_cursor(token, digest)
    else:
        raw_page = req.param("page")
        try:
            page = int(raw_page) if raw_page not in (None, "") else 1
        except ValueError:
            raise NotFound("Invalid page.") from None
        if page < 1:
            raise NotFound("Invalid page.")
        offset = (page - 1) * page_size
    total = len(matched)
    if offset and offset >= total:
        raise NotFound("Invalid page.")
    selected_ids = [view["id"] for view in matched[offset : offset + page_size]]
    by_id = {a["id"]: a for a in candidates}
    page_objects = [by_id[i] for i in selected_ids]
    results = [select_fields(req, ANNOTATIONS.render(req, obj)) for obj in page_objects]
    next_offset = offset + page_size
    response: dict[str, Any] = {
        "pagination": {
            "total": total,
            "total_pages": max(1, -(-total // page_size)),
            "next": _cursor_url(req, encode_cursor(digest, next_offset)) if next_offset < total else None,
            "previous": _cursor_url(req, encode_cursor(digest, max(0, offset - page_size))) if offset > 0 else None,
        },
        "results": results,
    }
    response.update(sideload(req, page_objects, sideloads))
    return response
