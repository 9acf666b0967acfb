"""Sideloads: embedding the objects a list response sideloads, and planning the fetches of a single annotation.

List endpoints (``?sideload=modifiers,documents``) return the related objects in top-level lists next to
``results``; ``embed_sideloads`` puts each object in place of the URL that references it, as the SDK does, but
never crashes and never invents values (K14, conformance S3):

* a sideload whose top-level list is missing from the response leaves the URLs as they are;
* a URL whose object is not in the list stays the URL (the SDK put ``[]`` there, breaking deserialization);
* ``None`` stays ``None``; list fields (``labels``, ``assignees`` ...) get each URL replaced where known.

``content`` is special: its top-level list holds datapoints of all annotations, grouped here by the annotation
id in each datapoint URL (``.../annotations/<id>/content/<node>``); an annotation without datapoints gets ``[]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .urls import id_from_url, parent_id_from_url

CONTENT = "content"


def field_name(sideload: str) -> str:
    """The annotation field a sideload fills: ``modifiers`` -> ``modifier``, ``automation_blockers`` ->
    ``automation_blocker``, ``content`` -> ``content`` (one trailing ``s`` removed, as the SDK's ``to_singular``)."""
    return sideload[:-1] if sideload.endswith("s") else sideload


def as_list(values: str | Iterable[str] | None) -> list[str]:
    """A sideload/schema-id argument as a list: a plain string is one value, never split into characters."""
    if values is None:
        return []
    if isinstance(values, str):
        return [v for v in values.split(",") if v]
    return [str(v) for v in values]


def check_content_sideload(sideloads: Sequence[str], content_schema_ids: Sequence[str]) -> None:
    """The API requires ``content.schema_id`` when ``content`` is sideloaded (conformance S1)."""
    if CONTENT in sideloads and not content_schema_ids:
        raise ValueError(
            'sideloading "content" requires content_schema_ids (the schema ids of the datapoints to include)'
        )


def _url_id(url: str) -> int | None:
    try:
        return id_from_url(url)
    except ValueError:
        return None


def _index(objects: Iterable[Any]) -> dict[Any, Any]:
    """Objects by ``id`` and by ``url`` (either may be used to reference them)."""
    index: dict[Any, Any] = {}
    for obj in objects:
        if not isinstance(obj, Mapping):
            continue
        if obj.get("id") is not None:
            index[("id", obj["id"])] = obj
        if isinstance(obj.get("url"), str):
            index[("url", obj["url"])] = obj
    return index


def _lookup(index: Mapping[Any, Any], ref: Any) -> Any:
    """The sideloaded object referenced by ``ref`` (a URL), else ``ref`` unchanged."""
    if not isinstance(ref, str):
        return ref
    found = index.get(("url", ref))
    if found is None:
        ref_id = _url_id(ref)
        found = index.get(("id", ref_id)) if ref_id is not None else None
    return ref if found is None else found


def _content_by_annotation(datapoints: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for datapoint in datapoints:
        url = datapoint.get("url") if isinstance(datapoint, Mapping) else None
        if not isinstance(url, str):
            continue
        try:
            annotation_id = parent_id_from_url(url, "annotations")
        except ValueError:
            continue
        grouped.setdefault(annotation_id, []).append(datapoint)
    return grouped


def _annotation_id(result: Mapping[str, Any]) -> int | None:
    if isinstance(result.get("id"), int):
        return int(result["id"])
    url = result.get("url")
    return _url_id(url) if isinstance(url, str) else None


def embed_sideloads(body: Mapping[str, Any], sideloads: Sequence[str]) -> list[dict[str, Any]]:
    """``body["results"]`` (copied) with sideloaded objects embedded; see the module docstring."""
    results = [dict(r) if isinstance(r, Mapping) else r for r in body.get("results") or []]
    for sideload in sideloads:
        objects = body.get(sideload)
        if not isinstance(objects, list):
            continue
        if sideload == CONTENT:
            grouped = _content_by_annotation(objects)
            for result in results:
                if isinstance(result, dict) and result.get(CONTENT) is not None:
                    annotation_id = _annotation_id(result)
                    result[CONTENT] = grouped.get(annotation_id, []) if annotation_id is not None else result[CONTENT]
            continue
        index = _index(objects)
        singular = field_name(sideload)
        for result in results:
            if not isinstance(result, dict):
                continue
            key = singular if singular in result else sideload
            value = result.get(key)
            if isinstance(value, str):
                result[key] = _lookup(index, value)
            elif isinstance(value, list):
                result[key] = [_lookup(index, item) for item in value]
    return results


def check_sideload_query_params(
    sideloads: Sequence[str], sideload_query_params: Mapping[str, Mapping[str, Any]] | None
) -> None:
    """``sideload_query_params`` keys must be among ``sideloads`` (conformance S4), else ``ValueError``."""
    unknown = sorted(set(sideload_query_params or {}) - set(sideloads))
    if unknown:
        raise ValueError(
            f"sideload_query_params has keys that are not requested sideloads: {', '.join(unknown)} "
            f"(requested: {', '.join(sideloads) or 'none'})"
        )


def single_sideload_plan(
    annotation: Mapping[str, Any],
    sideloads: Sequence[str],
    sideload_query_params: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[tuple[str, str, dict[str, Any] | None]]:
    """``(field, url, params)`` to GET for each sideload of one annotation (detail endpoints do not sideload).

    A sideload whose field is missing, ``None`` or already an object is skipped. ``sideload_query_params`` keys
    must be among ``sideloads`` (conformance S4), else ``ValueError``.
    """
    check_sideload_query_params(sideloads, sideload_query_params)
    params = dict(sideload_query_params or {})
    plan = []
    for sideload in sideloads:
        field = field_name(sideload)
        url = annotation.get(field)
        if isinstance(url, str) and url:
            extra = params.get(sideload)
            plan.append((field, url, dict(extra) if extra else None))
    return plan


def apply_single_sideload(annotation: dict[str, Any], field: str, body: Any) -> None:
    """Put a fetched sideload into ``annotation``; ``content`` responses are unwrapped from ``{"content": ...}``."""
    if field == CONTENT and isinstance(body, Mapping) and CONTENT in body:
        body = body[CONTENT]
    annotation[field] = body
