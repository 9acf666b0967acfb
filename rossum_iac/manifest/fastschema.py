"""A compiled yes/no check for the JSON Schema keywords the manifest schema uses.

jsonschema explains *why* a document is invalid, but walking a schema for every manifest costs most of the load
time. Valid documents are the common case, so the loader first asks this compiled predicate; only when it says
"invalid" does jsonschema run to produce the errors. The predicate follows draft 2020-12 for the keywords below and
refuses to compile a schema with any other keyword (tests compare it with jsonschema on many documents).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_IGNORED = frozenset({"description", "title", "$schema", "$id", "$comment", "$defs", "default", "examples"})


class UnsupportedSchema(Exception):
    pass


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or float(v).is_integer()),
}


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: booleans differ from numbers, 1 == 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def compile_schema(schema: Any) -> Check:
    """A predicate equivalent to ``jsonschema.Draft202012Validator(schema).is_valid`` (no ``$ref`` allowed)."""
    if schema is True or schema == {}:
        return lambda value: True
    if schema is False:
        return lambda value: False
    if not isinstance(schema, dict):
        raise UnsupportedSchema(repr(schema))
    checks: list[Check] = []
    for keyword, arg in schema.items():
        if keyword in _IGNORED or keyword in ("then", "else", "additionalProperties", "items"):
            continue
        checks.append(_keyword(keyword, arg, schema))
    if "additionalProperties" in schema or "items" in schema:
        checks.extend(_containers(schema))
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _keyword(keyword: str, arg: Any, schema: dict[str, Any]) -> Check:
    if keyword == "type":
        types = [_TYPES[arg]] if isinstance(arg, str) else [_TYPES[t] for t in arg]
        if len(types) == 1:
            return types[0]
        return lambda v: any(t(v) for t in types)
    if keyword == "enum":
        return lambda v: any(_equal(v, option) for option in arg)
    if keyword == "const":
        return lambda v: _equal(v, arg)
    if keyword == "properties":
        props = {name: compile_schema(sub) for name, sub in arg.items()}
        return lambda v: not isinstance(v, dict) or all(c(v[k]) for k, c in props.items() if k in v)
    if keyword == "required":
        return lambda v: not isinstance(v, dict) or all(name in v for name in arg)
    if keyword == "propertyNames":
        names = compile_schema(arg)
        return lambda v: not isinstance(v, dict) or all(names(k) for k in v)
    if keyword in ("minItems", "maxItems"):
        if keyword == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= arg
        return lambda v: not isinstance(v, list) or len(v) <= arg
    if keyword in ("minLength", "maxLength"):
        if keyword == "minLength":
            return lambda v: not isinstance(v, str) or len(v) >= arg
        return lambda v: not isinstance(v, str) or len(v) <= arg
    if keyword == "pattern":
        regex = re.compile(arg)
        return lambda v: not isinstance(v, str) or regex.search(v) is not None
    if keyword in ("minimum", "maximum"):
        if keyword == "minimum":
            return lambda v: not _is_number(v) or v >= arg
        return lambda v: not _is_number(v) or v <= arg
    if keyword == "anyOf":
        subs = [compile_schema(sub) for sub in arg]
        return lambda v: any(s(v) for s in subs)
    if keyword == "allOf":
        subs = [compile_schema(sub) for sub in arg]
        return lambda v: all(s(v) for s in subs)
    if keyword == "not":
        sub = compile_schema(arg)
        return lambda v: not sub(v)
    if keyword == "if":
        condition = compile_schema(arg)
        then = compile_schema(schema.get("then", True))
        otherwise = compile_schema(schema.get("else", True))
        return lambda v: then(v) if condition(v) else otherwise(v)
    raise UnsupportedSchema(keyword)


def _containers(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "items" in schema:
        item = compile_schema(schema["items"])
        checks.append(lambda v: not isinstance(v, list) or all(item(x) for x in v))
    if "additionalProperties" in schema:
        known = frozenset(schema.get("properties", {}))
        if "patternProperties" in schema:
            raise UnsupportedSchema("patternProperties")
        extra = compile_schema(schema["additionalProperties"])
        checks.append(lambda v: not isinstance(v, dict) or all(extra(v[k]) for k in v if k not in known))
    return checks
