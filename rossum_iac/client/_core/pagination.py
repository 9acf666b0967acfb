"""Query parameters for list endpoints and the page plan of a page-number listing.

Conformance (docs sdk-conformance P1/P2/P6): list requests send ``page_size=100`` and, like the SDK, always
``ordering=``, ``sideload=`` and ``content.schema_id=`` (empty when unused); user filters override the defaults;
list values become repeated query keys; booleans become ``true``/``false``. Deliberate differences from the SDK:
a ``None`` filter value is dropped instead of being sent as an empty filter (K19), a string passed where a
sequence is expected is not split into characters (K16), and a user ``page`` filter is honoured (K13).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

DEFAULT_PAGE_SIZE = 100


def csv(values: str | Iterable[Any] | None) -> str:
    """``["a", "b"]`` -> ``"a,b"``; a plain string is kept whole; ``None``/empty -> ``""``."""
    if values is None:
        return ""
    if isinstance(values, str):
        return values
    return ",".join(str(_scalar(v)) for v in values)


def list_params(
    *,
    ordering: str | Iterable[str] = (),
    sideloads: str | Iterable[str] = (),
    content_schema_ids: str | Iterable[int | str] = (),
    filters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The SDK's base params of a list request: ``page_size``, ``ordering``, ``sideload``, ``content.schema_id``,
    then ``filters`` (which win). ``include_total``/``page`` are added by the paginator."""
    params: dict[str, Any] = {
        "page_size": DEFAULT_PAGE_SIZE,
        "ordering": csv(ordering),
        "sideload": csv(sideloads),
        "content.schema_id": csv(content_schema_ids),
    }
    params.update(filters or {})
    return params


def _scalar(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def encode_params(params: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """Query items for httpx: ``None`` dropped, bools ``true``/``false``, lists/tuples/sets -> repeated keys."""
    items: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            items.extend((key, str(_scalar(v))) for v in value if v is not None)
        else:
            items.append((key, str(_scalar(value))))
    return tuple(items)


def first_page_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Params of the first page request: ``page_size=100`` and ``include_total=true`` unless the caller set them."""
    return {"page_size": DEFAULT_PAGE_SIZE, "include_total": True, **(params or {})}


def page_params(first_params: Mapping[str, Any], page: int) -> dict[str, Any]:
    """Params of page ``page`` (first-page params plus ``page=N``)."""
    return {**first_params, "page": page}


def start_page(params: Mapping[str, Any] | None) -> int:
    """The page a listing starts at: the user's ``page`` filter, else 1."""
    raw = (params or {}).get("page")
    if raw is None:
        return 1
    try:
        page = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"page filter must be a positive integer, got {raw!r}") from None
    if page < 1:
        raise ValueError(f"page filter must be a positive integer, got {raw!r}")
    return page


def total_pages(body: Mapping[str, Any]) -> int | None:
    """``pagination.total_pages`` of a page body, or ``None`` when absent (e.g. ``include_total=false``)."""
    pagination = body.get("pagination")
    if not isinstance(pagination, Mapping):
        return None
    value = pagination.get("total_pages")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_paginated(body: Any) -> bool:
    """Whether a response body is a page of a paginated listing (has a ``pagination`` object)."""
    return isinstance(body, Mapping) and isinstance(body.get("pagination"), Mapping)


def has_next_page(body: Mapping[str, Any]) -> bool:
    """``pagination.next`` is set (used when ``total_pages`` is not known)."""
    pagination = body.get("pagination")
    return isinstance(pagination, Mapping) and bool(pagination.get("next"))


def remaining_pages(start: int, total: int, max_pages: int | None) -> range:
    """Pages to fetch after the first one (``start``): up to ``total`` and at most ``max_pages`` pages in all
    (``0``/``None`` = no cap)."""
    last = total
    if max_pages:
        last = min(last, start + max_pages - 1)
    return range(start + 1, last + 1)


def next_cursor_url(body: Any) -> str | None:
    """Top-level ``next`` of a cursor-paginated body (not ``pagination.next``; conformance P8)."""
    if isinstance(body, Mapping):
        nxt = body.get("next")
        if isinstance(nxt, str) and nxt:
            return nxt
    return None
