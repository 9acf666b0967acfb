"""Lists: filters, ordering and page-number pagination, evaluated in SQL (only one page is loaded).

A page is two queries: the page's ids (``LIMIT``/``OFFSET`` over the filtered, ordered ids; with column fields
and the default ``id`` order an index scan that reads no row), then those objects by primary key. While
nothing is written, the count and the position where the next page starts are remembered (``store.Tx``,
keyset on ``id``), so walking a list page by page costs the same per page however long it is
(``bench/export.py``). Orderings on other keys still sort every match on each page (from columns for the
common keys, see ``store.COLUMN_FIELDS``; from the JSON for the others).

Response shape: ``{"pagination": {"total", "total_pages", "next", "previous"}, "results": [...]}``;
``next``/``previous`` are absolute URLs carrying every original query parameter (sorted, as DRF's
``replace_query_param`` does) with ``page`` replaced. ``page_size`` defaults to 20, is capped at the
endpoint's maximum (100 unless the caller says otherwise); invalid ``page_size`` -> default (DRF).
A page past the end -> 404 ``{"detail": "Invalid page."}`` (DRF). Unknown query parameters, unknown
ordering keys and empty filter values (``ordering=``, ``sideload=``, ``content.schema_id=``,
``include_total``) are ignored, like DRF/django-filter do; ``total``/``total_pages`` are always returned.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from rossum_iac.emulator.fields import FieldError, format_datetime, parse_api_url, parse_datetime
from rossum_iac.emulator.http import BadRequest, NotFound, Request, parse_bool_text
from rossum_iac.emulator.store import SQLITE_MAX_INT, field_sql

if TYPE_CHECKING:
    from rossum_iac.emulator.resource import Resource

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

Clause = tuple[str, list[Any]]


class Filter(abc.ABC):
    """Turns one query parameter value into an SQL condition over ``data`` (and parameters)."""

    @abc.abstractmethod
    def clause(self, name: str, value: str) -> Clause:
        """The condition for ``?name=value``."""


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def id_value(name: str, text: str) -> int:
    """A filter id: a number, or (leniently) an object URL. 400 for anything else, including a number
    beyond SQLite's INTEGER range (django-filter's message for a choice that names no object)."""
    text = text.strip()
    try:
        obj_id = int(text) if text.isascii() and text.isdigit() else parse_api_url(text)[1]
    except (FieldError, ValueError):
        obj_id = -1
    if not 0 <= obj_id <= SQLITE_MAX_INT:
        raise BadRequest({name: [f"Select a valid choice. {text[:100]} is not one of the available choices."]})
    return obj_id


def _in(expr: str, values: Sequence[Any]) -> Clause:
    if len(values) == 1:
        return f"{expr} = ?", list(values)
    return f"{expr} IN ({','.join('?' * len(values))})", list(values)


@dataclass
class Ids(Filter):
    """``id=1,2,3`` (or any integer column/field given by ``field``; "id" is the primary key)."""

    field: str = "id"
    multi: bool = True

    def clause(self, name: str, value: str) -> Clause:
        values = [id_value(name, v) for v in (_split(value) if self.multi else [value])]
        expr = "id" if self.field == "id" else field_sql(self.field)
        return _in(expr, values)


@dataclass
class Ref(Filter):
    """Filter on a stored reference (id); ``null``/``none`` matches objects without one."""

    field: str
    multi: bool = True

    def clause(self, name: str, value: str) -> Clause:
        if value.strip().lower() in ("null", "none"):
            return f"{field_sql(self.field)} IS NULL", []
        values = [id_value(name, v) for v in (_split(value) if self.multi else [value])]
        return _in(field_sql(self.field), values)


@dataclass
class Exact(Filter):
    """Exact match on a stored scalar; ``multi`` splits comma lists (for enum-like values)."""

    field: str
    multi: bool = False

    def clause(self, name: str, value: str) -> Clause:
        values = _split(value) if self.multi else [value]
        return _in(field_sql(self.field), values)


@dataclass
class Bool(Filter):
    field: str

    def clause(self, name: str, value: str) -> Clause:
        return f"{field_sql(self.field)} = ?", [1 if parse_bool_text(value, name) else 0]


@dataclass
class Contains(Filter):
    """The stored list ``field`` (ids or strings) contains one of the given values."""

    field: str
    ids: bool = True

    def clause(self, name: str, value: str) -> Clause:
        values: list[Any] = [id_value(name, v) for v in _split(value)] if self.ids else _split(value)
        marks = ",".join("?" * len(values))
        return (
            f"EXISTS (SELECT 1 FROM json_each(objects.data, '$.{self.field}') WHERE json_each.value IN ({marks}))",
            values,
        )


@dataclass
class Linked(Filter):
    """Objects linked through M2M ``relation`` (this resource being ``side``) to one of the given ids."""

    relation: str
    side: str

    def clause(self, name: str, value: str) -> Clause:
        values = [id_value(name, v) for v in _split(value)]
        mine, other = ("a", "b") if self.side == "a" else ("b", "a")
        marks = ",".join("?" * len(values))
        return (
            f"objects.id IN (SELECT {mine} FROM links WHERE rel = ? AND {other} IN ({marks}))",
            [self.relation, *values],
        )


@dataclass
class DateCmp(Filter):
    """``<field>_before`` / ``<field>_after`` (strict comparison of ISO timestamps)."""

    field: str
    op: str  # "<" or ">"

    def clause(self, name: str, value: str) -> Clause:
        try:
            stamp = format_datetime(parse_datetime(value))
        except (ValueError, OverflowError):
            raise BadRequest({name: ["Enter a valid date/time."]}) from None
        return f"{field_sql(self.field)} {self.op} ?", [stamp]


@dataclass
class Custom(Filter):
    func: Callable[[str, str], Clause]

    def clause(self, name: str, value: str) -> Clause:
        return self.func(name, value)


# ------------------------------------------------------------------------------------------ paging


def _page_size(req: Request, max_page_size: int) -> int:
    raw = req.param("page_size")
    try:
        size = int(raw) if raw not in (None, "") else DEFAULT_PAGE_SIZE
    except ValueError:
        return DEFAULT_PAGE_SIZE
    if size <= 0:
        return DEFAULT_PAGE_SIZE
    return min(size, max_page_size)


def _page(req: Request) -> int:
    raw = req.param("page")
    if raw in (None, ""):
        return 1
    try:
        page = int(raw)
    except ValueError:
        raise NotFound("Invalid page.") from None
    if page < 1:
        raise NotFound("Invalid page.")
    return page


def page_url(req: Request, page: int) -> str:
    """This request's URL with ``page`` replaced (all other parameters kept, sorted like DRF)."""
    grouped: dict[str, list[str]] = {}
    for key, val in req.query_list:
        grouped.setdefault(key, []).append(val)
    grouped["page"] = [str(page)]
    query = urlencode(sorted(grouped.items()), doseq=True)
    return f"{req.base_url}{req.path}?{query}"


def ordering_sql(req: Request, orderings: dict[str, str], default: str = "id") -> str:
    """``ordering=a,-b`` -> ``ORDER BY`` (allowed keys only; unknown keys ignored).

    ``id`` breaks ties in the direction of the first key, so ``-created_at`` lists objects created in the same
    instant newest first (ids grow with creation), as it does for distinct timestamps."""
    terms: list[str] = []
    raw = req.param("ordering") or ""
    for key in _split(raw):
        desc = key.startswith("-")
        name = key.lstrip("-+")
        expr = orderings.get(name)
        if expr is None:
            continue
        terms.append(f"{expr} {'DESC' if desc else 'ASC'}")
    if not terms:
        terms = [default]
    if not any(t.split()[0] == "id" for t in terms):
        terms.append("id DESC" if terms[0].endswith("DESC") else "id ASC")
    return ", ".join(terms)


def orderings_for(*fields: str) -> dict[str, str]:
    """Ordering keys that sort by the stored field of the same name (``id`` -> the primary key)."""
    return {f: ("id" if f == "id" else field_sql(f)) for f in fields}


def build_where(req: Request, filters: dict[str, Filter], extra: Clause | None = None) -> Clause:
    clauses: list[str] = []
    params: list[Any] = []
    if extra is not None and extra[0]:
        clauses.append(extra[0])
        params.extend(extra[1])
    for key, value in req.query_list:
        flt = filters.get(key)
        if flt is None or value == "":
            continue
        sql, args = flt.clause(key, value)
        clauses.append(sql)
        params.extend(args)
    return " AND ".join(f"({c})" for c in clauses), params


def paginated(req: Request, total: int, page: int, page_size: int, results: list[Any]) -> dict[str, Any]:
    total_pages = max(1, -(-total // page_size)) if total else 1
    return {
        "pagination": {
            "total": total,
            "total_pages": total_pages,
            "next": page_url(req, page + 1) if page < total_pages else None,
            "previous": page_url(req, page - 1) if page > 1 else None,
        },
        "results": results,
    }


def paginate_query(
    req: Request,
    collection: str,
    where: Clause,
    order_by: str,
    render: Callable[[dict[str, Any]], Any],
    *,
    max_page_size: int = MAX_PAGE_SIZE,
) -> dict[str, Any]:
    """Count, fetch one page and render it."""
    page_size = _page_size(req, max_page_size)
    page = _page(req)
    total = req.tx.count(collection, where[0], where[1], memo=True)
    total_pages = max(1, -(-total // page_size))
    if page > total_pages:
        raise NotFound("Invalid page.")
    ids = req.tx.select_ids(collection, where[0], where[1], order_by, page_size, (page - 1) * page_size, memo=True)
    rows = req.tx.get_many(collection, ids)
    return paginated(req, total, page, page_size, [render(obj) for obj in rows])


def paginate_list(req: Request, items: list[Any], *, max_page_size: int = MAX_PAGE_SIZE) -> dict[str, Any]:
    """Paginate an already computed Python list (for small derived collections)."""
    page_size = _page_size(req, max_page_size)
    page = _page(req)
    total_pages = max(1, -(-len(items) // page_size))
    if page > total_pages:
        raise NotFound("Invalid page.")
    start = (page - 1) * page_size
    return paginated(req, len(items), page, page_size, items[start : start + page_size])


def list_resource(
    req: Request, resource: Resource, *, extra: Clause | None = None, max_page_size: int = MAX_PAGE_SIZE
) -> dict[str, Any]:
    """The standard list endpoint of a resource: its filters, orderings and rendering."""
    where = build_where(req, resource.filters, extra)
    order = ordering_sql(req, resource.orderings, resource.default_ordering)
    return paginate_query(
        req, resource.collection, where, order, lambda obj: resource.render(req, obj), max_page_size=max_page_size
    )
