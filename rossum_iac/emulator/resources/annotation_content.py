"""Annotation data: ``GET|PATCH /annotations/{id}/content``, ``PATCH /annotations/{id}/content/{node}``,
``GET /annotations/{id}/content/{node}``, ``POST /annotations/{id}/content/operations``.

The tree semantics (building, merging, bulk operations) are in ``_content_tree``; every edit is
all-or-nothing (a failing operation leaves the stored tree untouched: the request rolls back). Edits
are refused with 409 on purged / in_workflow annotations and on annotations being reviewed by another
user. Responses: ``{"content": [...], "results": [...]}`` (``results`` is the deprecated copy) for the
whole tree; the updated node for a node PATCH.
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.http import BadRequest, NotFound, Request
from rossum_iac.emulator.resources._content_tree import (
    ContentError,
    apply_datapoint_update,
    apply_operations,
    find_node,
    merge_content,
    schema_index,
)
from rossum_iac.emulator.resources._importing import (
    NodeIds,
    load_content,
    render_content,
    render_node,
    save_content,
    schema_content_of,
)
from rossum_iac.emulator.resources.annotations import check_content_editable, get_annotation, save_annotation
from rossum_iac.emulator.routing import route


def _no_url(_node_id: int) -> None:
    return None


def content_response(req: Request, annotation_id: int, content: list[dict[str, Any]]) -> dict[str, Any]:
    rendered = render_content(req.base_url, annotation_id, content)
    return {"content": rendered, "results": rendered}


@route("GET", "/annotations/{id}/content")
def get_content(req: Request) -> Any:
    annotation = get_annotation(req)
    return content_response(req, annotation["id"], load_content(req.tx, annotation["id"]))


@route("PATCH", "/annotations/{id}/content")
def patch_content(req: Request) -> Any:
    annotation = get_annotation(req)
    check_content_editable(req, annotation)
    body = req.json_object()
    if "content" not in body:
        raise BadRequest({"content": ["This field is required."]})
    content = load_content(req.tx, annotation["id"])
    schema = schema_content_of(req.tx, annotation.get("schema"))
    try:
        merge_content(content, body["content"], schema, NodeIds(req.tx), _no_url)
    except ContentError as exc:
        raise BadRequest({"content": [str(exc)]}) from None
    save_content(req.tx, annotation["id"], content)
    save_annotation(req, annotation)
    return content_response(req, annotation["id"], content)


@route("GET", "/annotations/{id}/content/{node_id}")
def get_node(req: Request) -> Any:
    annotation = get_annotation(req)
    content = load_content(req.tx, annotation["id"])
    try:
        node, _parent = find_node(content, req.path_params["node_id"])
    except ContentError:
        raise NotFound() from None
    return render_node(req.base_url, annotation["id"], node)


@route("PATCH", "/annotations/{id}/content/{node_id}")
def patch_node(req: Request) -> Any:
    annotation = get_annotation(req)
    check_content_editable(req, annotation)
    body = req.json_object()
    content = load_content(req.tx, annotation["id"])
    try:
        node, _parent = find_node(content, req.path_params["node_id"])
    except ContentError:
        raise NotFound() from None
    schema = schema_index(schema_content_of(req.tx, annotation.get("schema")))
    try:
        apply_datapoint_update(node, body, schema.get(node.get("schema_id", "")), strict=False)
    except ContentError as exc:
        raise BadRequest({"non_field_errors": [str(exc)]}) from None
    save_content(req.tx, annotation["id"], content)
    save_annotation(req, annotation)
    return render_node(req.base_url, annotation["id"], node)


@route("POST", "/annotations/{id}/content/operations")
def bulk_operations(req: Request) -> Any:
    annotation = get_annotation(req)
    check_content_editable(req, annotation)
    body = req.json_object()
    if "operations" not in body:
        raise BadRequest({"operations": ["This field is required."]})
    content = load_content(req.tx, annotation["id"])
    schema = schema_content_of(req.tx, annotation.get("schema"))
    try:
        apply_operations(content, body["operations"], schema, NodeIds(req.tx), _no_url)
    except ContentError as exc:
        raise BadRequest({"operations": [str(exc)]}) from None
    save_content(req.tx, annotation["id"], content)
    save_annotation(req, annotation)
    return content_response(req, annotation["id"], content)
