"""Evaluation of ``POST /annotations/search`` queries (a MongoDB-like subset) over annotation views.

An *annotation view* is a flat dict built by the annotation module: meta fields (``status``,
``queue``, ``created_at``, ``labels`` ...; URL/date/bool/string typed per the reference table) plus
``"__fields__"``: ``schema_id -> [datapoint content dicts]`` and ``"__text__"``: strings searched by
``query_string``.

Implemented: ``$and``, ``$or`` (also nested), implicit AND of several keys, bare values as ``$eq``;
operators ``$eq $ne $gt $gte $lt $lte $in $nin $startsWith $anyTokenStartsWith $containsPrefixes
$emptyOrMissing``. Semantics follow MongoDB for multi-valued fields (labels, table columns): a
positive operator matches when *any* value matches, ``$ne``/``$nin`` when *no* value matches.
URL operands may be given as URLs or bare ids (compared by id). Date operands are ISO dates or
datetimes (a bare date means midnight UTC). String comparisons are case-sensitive for
``$eq/$ne/$in/$nin/$gt...`` and case-insensitive for the prefix operators.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

JSON = dict[str, Any]

URL_FIELDS = frozenset(
    {
        "annotation",
        "assignees",
        "confirmed_by",
        "creator",
        "deleted_by",
        "document",
        "email_thread",
        "exported_by",
        "labels",
        "modifier",
        "purged_by",
        "queue",
        "rejected_by",
        "relations__parent",
        "workspace",
    }
)
DATE_FIELDS = frozenset(
    {
        "arrived_at",
        "assigned_at",
        "confirmed_at",
        "created_at",
        "deleted_at",
        "exported_at",
        "modified_at",
        "purged_at",
        "rejected_at",
    }
)
BOOL_FIELDS = frozenset(
    {
        "automated",
        "automatically_rejected",
        "einvoice",
        "has_email_thread_with_new_replies",
        "has_email_thread_with_replies",
        "restricted_access",
    }
)
STRING_FIELDS = frozenset(
    {
        "confirmed_by__username",
        "creator__username",
        "deleted_by__username",
        "exported_by__username",
        "messages",
        "modifier__username",
        "original_file_name",
        "purged_by__username",
        "rejected_by__username",
        "relations__key",
        "relations__type",
        "rir_poll_id",
        "status",
        "email_sender",
    }
)
META_FIELDS = URL_FIELDS | DATE_FIELDS | BOOL_FIELDS | STRING_FIELDS
OPERATORS = frozenset(
    {
        "$eq",
        "$ne",
        "$gt",
        "$gte",
        "$lt",
        "$lte",
        "$in",
        "$nin",
        "$startsWith",
        "$anyTokenStartsWith",
        "$containsPrefixes",
        "$emptyOrMissing",
    }
)
FIELD_TYPES = ("string", "number", "date")
_FIELD_KEY = re.compile(r"^field\.(?P<schema_id>[^.]+)\.(?P<type>string|number|date)$")
_URL_ID = re.compile(r"/(\d+)/?$")


class QueryError(ValueError):
    """Invalid search query (HTTP 400)."""


# --------------------------------------------------------------------------- value coercion


def url_id(value: Any) -> Any:
    """Compare URLs by their trailing numeric id; ints and digit strings are ids already."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if value.isdigit():
            return int(value)
        match = _URL_ID.search(value)
        if match:
            return int(match.group(1))
    return value


def parse_datetime(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip().replace(" ", "T", 1)
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            try:
                parsed = dt.datetime.combine(dt.date.fromisoformat(text[:10]), dt.time())
            except (ValueError, OverflowError):
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _to_number(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _coerce_operand(kind: str, operand: Any, key: str) -> Any:
    if kind == "url":
        return url_id(operand)
    if kind == "date":
        parsed = parse_datetime(operand)
        if parsed is None:
            raise QueryError(f"{key}: {operand!r} is not an ISO 8601 date.")
        return parsed
    if kind == "number":
        number = _to_number(operand)
        if number is None:
            raise QueryError(f"{key}: {operand!r} is not a number.")
        return number
    if kind == "bool":
        if isinstance(operand, bool):
            return operand
        if isinstance(operand, str) and operand.lower() in ("true", "false"):
            return operand.lower() == "true"
        raise QueryError(f"{key}: {operand!r} is not a boolean.")
    return operand if isinstance(operand, str) else str(operand)


def _values_of(view: JSON, key: str) -> tuple[str, list[Any]]:
    """The (kind, comparable values) of ``key`` in ``view``; empty values are dropped."""
    field = _FIELD_KEY.match(key)
    if field:
        contents = view.get("__fields__", {}).get(field.group("schema_id"), [])
        kind = field.group("type")
        out: list[Any] = []
        for content in contents:
            raw = content.get("normalized_value") if kind != "string" else content.get("value")
            if kind == "string":
                if raw not in (None, ""):
                    out.append(str(raw))
            elif kind == "number":
                number = _to_number(raw) if raw not in (None, "") else _to_number(content.get("value"))
                if number is not None:
                    out.append(number)
            else:
                parsed = parse_datetime(raw)
                if parsed is not None:
                    out.append(parsed)
        return kind, out
    if key not in META_FIELDS:
        raise QueryError(f"Unknown search field {key!r}.")
    raw_value = view.get(key)
    raw_list = raw_value if isinstance(raw_value, list) else [raw_value]
    raw_list = [item for item in raw_list if item is not None and item != ""]
    if key in URL_FIELDS:
        return "url", [url_id(item) for item in raw_list]
    if key in DATE_FIELDS:
        return "date", [parsed for item in raw_list if (parsed := parse_datetime(item)) is not None]
    if key in BOOL_FIELDS:
        return "bool", [bool(item) for item in raw_list]
    return "string", [str(item) for item in raw_list]


def _prefix_arg(key: str, op: str, operand: Any) -> str:
    if not isinstance(operand, str) or len(operand) < 2:
        raise QueryError(f"{key}: {op} needs a string of at least 2 characters.")
    return operand.lower()


def _tokens(text: str) -> list[str]:
    return [token for token in re.split(r"\W+", text.lower()) if token]


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
}


def _match_condition(view: JSON, key: str, condition: Any) -> bool:
    kind, values = _values_of(view, key)
    if not isinstance(condition, dict) or not any(str(k).startswith("$") for k in condition):
        condition = {"$eq": condition}
    for op, operand in condition.items():
        if op not in OPERATORS:
            raise QueryError(f"{key}: unsupported operator {op!r}.")
        if op == "$emptyOrMissing":
            wanted = _coerce_operand("bool", operand, key)
            if (not values) != wanted:
                return False
            continue
        if op in ("$in", "$nin"):
            if not isinstance(operand, list):
                raise QueryError(f"{key}: {op} needs a list.")
            options = [_coerce_operand(kind, item, key) for item in operand]
            hit = any(value == option for value in values for option in options)
            if hit != (op == "$in"):
                return False
            continue
        if op in ("$startsWith", "$anyTokenStartsWith", "$containsPrefixes"):
            prefix = _prefix_arg(key, op, operand)
            texts = [str(value).lower() for value in values]
            if op == "$startsWith":
                hit = any(text.startswith(prefix) for text in texts)
            elif op == "$anyTokenStartsWith":
                hit = any(token.startswith(prefix) for text in texts for token in _tokens(text))
            else:
                wanted_tokens = _tokens(prefix)
                hit = any(
                    all(any(token.startswith(want) for token in _tokens(text)) for want in wanted_tokens)
                    for text in texts
                )
            if not hit:
                return False
            continue
        target = _coerce_operand(kind, operand, key) if operand is not None else None
        if op == "$eq":
            if target is None:
                if values:
                    return False
            elif not any(value == target for value in values):
                return False
        elif op == "$ne":
            if target is None:
                if not values:
                    return False
            elif any(value == target for value in values):
                return False
        else:
            if target is None:
                raise QueryError(f"{key}: {op} needs a value.")
            try:
                if not any(_COMPARE[op](value, target) for value in values):
                    return False
            except TypeError:
                raise QueryError(f"{key}: {op} cannot compare {operand!r}.") from None
    return True


def validate_query(query: Any) -> None:
    """Raise :class:`QueryError` for malformed queries even when no annotation is evaluated."""
    matches({"__fields__": {}}, query)


def matches(view: JSON, query: Any) -> bool:
    if query is None:
        return True
    if not isinstance(query, dict):
        raise QueryError("'query' must be a JSON object.")
    result = True
    for key, condition in query.items():
        if key in ("$and", "$or"):
            if not isinstance(condition, list) or not all(isinstance(item, dict) for item in condition):
                raise QueryError(f"{key} needs a list of objects.")
            outcomes = [matches(view, item) for item in condition]
            hit = all(outcomes) if key == "$and" else any(outcomes)
        elif key.startswith("$"):
            raise QueryError(f"Unsupported top-level operator {key!r}.")
        else:
            hit = _match_condition(view, key, condition)
        result = result and hit
    return result


def query_string_terms(query_string: Any) -> list[str]:
    """Terms of ``query_string.string``; fewer than 2 characters disables the search (documented)."""
    if query_string is None:
        return []
    if not isinstance(query_string, dict):
        raise QueryError("'query_string' must be an object with a 'string' key.")
    text = query_string.get("string", "")
    if not isinstance(text, str):
        raise QueryError("'query_string.string' must be a string.")
    if len(text) > 256:
        raise QueryError("'query_string.string' may have at most 256 characters.")
    if len(text.strip()) < 2:
        return []
    terms = [re.sub(r"\W+$", "", term.lower()) for term in text.split()]
    return [term for term in terms if term]


def matches_text(view: JSON, terms: list[str]) -> bool:
    """Every term must be a case-insensitive substring of a datapoint value or the file name."""
    if not terms:
        return True
    haystack = [text.lower() for text in view.get("__text__", []) if text]
    return all(any(term in text for text in haystack) for term in terms)


def sort_key_for(view: JSON, field: str) -> tuple[int, Any]:
    """Sort key for search ordering (meta field or ``field.<schema_id>.<type>``); empty values last."""
    if _FIELD_KEY.match(field) or field in META_FIELDS:
        _kind, values = _values_of(view, field)
        if not values:
            return (1, 0)
        value = values[0]
        if isinstance(value, dt.datetime):
            return (0, value.timestamp())
        return (0, value)
    value = view.get(field)
    if value is None or value == "":
        return (1, 0)
    return (0, value if not isinstance(value, list) else len(value))


def order_views(views: list[JSON], ordering: list[str]) -> list[JSON]:
    """Sort views by ``ordering`` (``-`` prefix = descending); empty values sort last either way."""
    for spec in reversed(ordering):
        descending = spec.startswith("-")
        name = spec.lstrip("-")
        keyed = [(sort_key_for(view, name), view) for view in views]
        present = [(key[1], view) for key, view in keyed if key[0] == 0]
        missing = [view for key, view in keyed if key[0] == 1]
        try:
            present.sort(key=lambda item: item[0], reverse=descending)
        except TypeError:
            present.sort(key=lambda item: str(item[0]), reverse=descending)
        views = [view for _key, view in present] + missing
    return views
