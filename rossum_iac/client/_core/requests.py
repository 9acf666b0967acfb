"""Request building and response reading shared by both client flavours (no I/O).

Everything a client method decides before or after its HTTP calls lives here: export method and params, the
search body and its next-page link, automation payloads, poll predicates, the positional arguments of
``request_paginated``, ids from URLs.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import pagination
from .urls import id_from_url

# -- export -------------------------------------------------------------------------------------------------


class ExportFileFormats(enum.Enum):
    """``format`` of ``queues/{id}/export`` (same names and values as the SDK's enum)."""

    CSV = "csv"
    XML = "xml"
    XLSX = "xlsx"
    JSON = "json"


#: Export filters that take several values: joined with commas (a plain string is kept whole, K16).
CSV_EXPORT_FILTERS = ("columns", "prepend_columns", "append_columns")


def export_method(filters: Mapping[str, Any]) -> str:
    """``POST`` when ``to_status`` is given (only POST may switch the exported annotations' status), else GET."""
    return "POST" if "to_status" in filters else "GET"


def export_format_value(export_format: ExportFileFormats | str) -> str:
    if isinstance(export_format, ExportFileFormats):
        return export_format.value
    value = str(export_format).lower()
    if value not in {f.value for f in ExportFileFormats}:
        raise ValueError(
            f"export_format must be one of {', '.join(f.value for f in ExportFileFormats)}, got {export_format!r}"
        )
    return value


def export_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Filters with ``columns`` & co. comma-joined, accepting a string or a sequence (K16)."""
    out = dict(filters)
    for key in CSV_EXPORT_FILTERS:
        if key in out and out[key] is not None:
            out[key] = pagination.csv(out[key])
    return out


def export_file_params(export_format: ExportFileFormats | str, filters: Mapping[str, Any]) -> dict[str, Any]:
    """Query params of a streamed (csv/xml/xlsx) export: ``format`` and the filters, no pagination params."""
    return {"format": export_format_value(export_format), **export_filters(filters)}


def export_json_params(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Query params of the paginated JSON export (list params plus ``format=json``)."""
    return pagination.list_params(filters={"format": "json", **export_filters(filters)})


# -- search -------------------------------------------------------------------------------------------------


def search_body(query: Mapping[str, Any] | None, query_string: Mapping[str, Any] | None) -> dict[str, Any]:
    """Body of ``POST annotations/search``; at least one of ``query``/``query_string`` (conformance E5)."""
    if query is None and query_string is None:
        raise ValueError("search_for_annotations needs query or query_string (or both)")
    body: dict[str, Any] = {}
    if query is not None:
        body["query"] = dict(query)
    if query_string is not None:
        body["query_string"] = dict(query_string)
    return body


def next_page_url(body: Any) -> str | None:
    """The next page of a search: ``pagination.next`` (a ``search_after`` cursor URL, facts 7.6), else a
    top-level ``next``; ``None`` on the last page."""
    if not isinstance(body, Mapping):
        return None
    page_info = body.get("pagination")
    if isinstance(page_info, Mapping):
        nxt = page_info.get("next")
        return nxt if isinstance(nxt, str) and nxt else None
    return pagination.next_cursor_url(body)


# -- polling predicates --------------------------------------------------------------------------------------

NOT_IMPORTED_STATUSES = frozenset({"importing", "created"})


def status_of(obj: Any) -> Any:
    """``status`` of a model, a dict, or whatever a custom deserializer returned (``None`` if it has none)."""
    if isinstance(obj, Mapping):
        return obj.get("status")
    return getattr(obj, "status", None)


def is_imported(annotation: Any) -> bool:
    """Import finished (successfully or not): status neither ``importing`` nor ``created`` (conformance L2)."""
    return status_of(annotation) not in NOT_IMPORTED_STATUSES


def is_task_succeeded(task: Any) -> bool:
    return status_of(task) == "succeeded"


def is_task_failed(task: Any) -> bool:
    return status_of(task) == "failed"


def task_failure_message(task_id: int, task: Any) -> str:
    detail = task.get("detail") if isinstance(task, Mapping) else getattr(task, "detail", None)
    return f"task {task_id} failed" + (f": {detail}" if detail else "")


# -- automation ------------------------------------------------------------------------------------------------


def to_payload(obj: Any) -> dict[str, Any]:
    """A model, dataclass or mapping as a JSON object (models by their JSON names)."""
    if hasattr(obj, "model_dump"):
        return dict(obj.model_dump(by_alias=True))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, Mapping):
        return dict(obj)
    raise TypeError(f"expected a model, a dataclass or a dict, got {type(obj).__name__}")


def enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def projections_request(
    fields: Iterable[Any], exclude_blockers: str | Sequence[Any] = ()
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Query params and body of ``POST queues/{id}/automation/projections`` (conformance E11)."""
    blockers = [enum_value(b) for b in ([exclude_blockers] if isinstance(exclude_blockers, str) else exclude_blockers)]
    params = {"exclude_blockers": ",".join(str(b) for b in blockers)} if blockers else None
    return params, {"fields": [to_payload(f) for f in fields]}


def automation_target_body(
    automation_rate_target: float,
    error_rate_target: float,
    datapoint_automation_targets: Iterable[Any],
    target_type: Any,
) -> dict[str, Any]:
    """Body of ``POST queues/{id}/automation/targets``; every datapoint target carries ``error_rate_limit``
    (``null`` when unset), as the SDK sends it."""
    targets = []
    for target in datapoint_automation_targets:
        payload = to_payload(target)
        payload.setdefault("error_rate_limit", None)
        targets.append(payload)
    return {
        "automation_rate_target": automation_rate_target,
        "error_rate_target": error_rate_target,
        "datapoint_automation_targets": targets,
        "type": enum_value(target_type),
    }


# -- generic requests ------------------------------------------------------------------------------------------

#: Positional parameters of ``request_paginated``/``request_cursor_paginated`` after ``url``: the async SDK's
#: order, used by both flavours here (the SDK's sync client used another order, K20).
PAGINATED_POSITIONAL = ("ordering", "sideloads", "content_schema_ids", "method", "max_pages", "json")
PAGINATED_OPTIONS = frozenset({*PAGINATED_POSITIONAL, "paginated"})


def paginated_call(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``request_paginated(url, *args, **kwargs)`` into options and query filters.

    Returns ``(options, filters)``; options has ``ordering``, ``sideloads``, ``content_schema_ids``, ``method``,
    ``max_pages`` and ``json`` (defaults filled); every other keyword is a filter.
    """
    if len(args) > len(PAGINATED_POSITIONAL):
        raise TypeError(
            f"{name}() takes at most {len(PAGINATED_POSITIONAL)} positional arguments after url "
            f"({', '.join(PAGINATED_POSITIONAL)}), got {len(args)}"
        )
    options: dict[str, Any] = {
        "ordering": (),
        "sideloads": (),
        "content_schema_ids": (),
        "method": "GET",
        "max_pages": None,
        "json": None,
    }
    for key, value in zip(PAGINATED_POSITIONAL, args, strict=False):
        options[key] = value
    filters: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key in PAGINATED_OPTIONS:
            if key in PAGINATED_POSITIONAL[: len(args)]:
                raise TypeError(f"{name}() got multiple values for argument {key!r}")
            if key != "paginated":
                options[key] = value
        else:
            filters[key] = value
    return options, filters


def organization_id(user: Mapping[str, Any]) -> int:
    """Organization id of the ``auth/user`` response (its ``organization`` URL)."""
    url = user.get("organization")
    if not isinstance(url, str):
        raise ValueError("the current user (auth/user) has no organization URL")
    return id_from_url(url)


def task_url(body: Any) -> str:
    """The task URL of a ``{"url": ".../tasks/<id>"}`` answer (``POST uploads``, ``POST emails/import``)."""
    url = body.get("url") if isinstance(body, Mapping) else None
    if not isinstance(url, str):
        raise ValueError(f"expected {{'url': <task URL>}} in the response, got {body!r}")
    return url


def task_url_id(body: Any) -> int:
    """Task id from the ``{"url": ".../tasks/<id>"}`` answer of ``POST uploads`` (conformance E8, K1)."""
    return id_from_url(task_url(body))


def imported_annotation_ids(body: Any) -> list[int]:
    """Annotation ids from the ``{"results": [{"annotation": URL, ...}]}`` answer of ``POST queues/{id}/upload``."""
    results = body.get("results") if isinstance(body, Mapping) else None
    if not isinstance(results, list):
        raise ValueError(f"expected {{'results': [...]}} from queues/<id>/upload, got {body!r}")
    urls = [item.get("annotation") if isinstance(item, Mapping) else None for item in results]
    if not all(isinstance(url, str) for url in urls):
        raise ValueError(f"expected an annotation URL in every result of queues/<id>/upload, got {results!r}")
    return [id_from_url(str(url)) for url in urls]


def password_change_body(new_password: str, old_password: str) -> dict[str, str]:
    """Body of ``POST auth/password/change``."""
    return {"new_password1": new_password, "new_password2": new_password, "old_password": old_password}
