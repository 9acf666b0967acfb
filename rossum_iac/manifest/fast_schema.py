"""A compiled yes/no JSON Schema check for the keywords the manifest schema uses.

``jsonschema`` explains what is wrong (the loader turns its errors into messages), but walking a schema through
its generic machinery costs about a quarter of a millisecond per manifest object, most of the time spent loading a
large stack. Almost every object is valid, so the loader first asks this check, compiled once per kind into
nested closures, whether an object is valid, and runs ``jsonschema`` only on the few that are not (to say why).
The answer is the same as ``Draft202012Validator.is_valid`` for every keyword compiled here (same type rules:
``1.0`` is an integer, ``True`` is not a number, ``enum``/``const`` equality keeps ``True`` and ``1`` apart); a
schema using any other keyword is not compiled (``compile_check`` returns ``None``) and always goes to
``jsonschema``. ``tests/manifest/test_fast_schema.py`` compares both on examples, the corpus and mutations of them.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Check = Callable[[Any], bool]

ANNOTATIONS = frozenset(
    {"description", "title", "default", "examples", "$comment", "markdownDescription", "deprecated", "readOnly",
     "writeOnly", "format", "$schema", "$id", "then", "else"}
)
"""Keywords that never make an instance invalid (``format`` is an annotation by default in 2020-12; ``then`` and
``else`` are read together with ``if``)."""


class Unsupported(Exception):
    """A keyword (or form of one) this module does not compile."""


def compile_check(schema: Any) -> Check | None:
    """A function answering whether an instance is valid against ``schema``, or ``None`` if it uses a keyword
    this module does not know."""
    try:
        return _compile(schema)
    except Unsupported:
        return None


def _is_integer(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def _is_number(x: Any) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Number)


TYPES: dict[str, Check] = {
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "integer": _is_integer,
    "null": lambda x: x is None,
    "number": _is_number,
    "object": lambda x: isinstance(x, dict),
    "string": lambda x: isinstance(x, str),
}


def _unbool(x: Any) -> Any:
    return ("\x00bool", x) if isinstance(x, bool) else x


def equal(one: Any, two: Any) -> bool:
    """JSON Schema equality (jsonschema's ``_utils.equal``): booleans are not numbers, containers compared
    element by element with the same rule."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(key in two and equal(value, two[key]) for key, value in one.items())
    return bool(_unbool(one) == _unbool(two))


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    frozen = tuple(checks)

    def check(x: Any) -> bool:
        for c in frozen:  # noqa: SIM110  (a plain loop: this runs for every node of every object)
            if not c(x):
                return False
        return True

    return check


def _compile(schema: Any) -> Check:
    if schema is True:
        return lambda x: True
    if schema is False:
        return lambda x: False
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    if "prefixItems" in schema or "patternProperties" in schema or "$ref" in schema:
        raise Unsupported("prefixItems/patternProperties/$ref")
    checks: list[Check] = []
    for key, value in schema.items():
        if key in ANNOTATIONS:
            continue
        builder = KEYWORDS.get(key)
        if builder is None:
            raise Unsupported(key)
        checks.append(builder(value, schema))
    return _all(checks)


def _type(value: Any, schema: dict[str, Any]) -> Check:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or any(n not in TYPES for n in names):
        raise Unsupported(f"type {value!r}")
    tests = tuple(TYPES[n] for n in names)
    if len(tests) == 1:
        return tests[0]
    return lambda x: any(t(x) for t in tests)


def _properties(value: Any, schema: dict[str, Any]) -> Check:
    compiled = {name: _compile(sub) for name, sub in value.items()}

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        for name, item in x.items():
            sub = compiled.get(name)
            if sub is not None and not sub(item):
                return False
        return True

    return check


def _additional(value: Any, schema: dict[str, Any]) -> Check:
    known = frozenset(schema.get("properties", {}))
    sub = _compile(value)

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        return all(sub(item) for name, item in x.items() if name not in known)

    return check


def _required(value: Any, schema: dict[str, Any]) -> Check:
    names = tuple(value)
    return lambda x: not isinstance(x, dict) or all(n in x for n in names)


def _items(value: Any, schema: dict[str, Any]) -> Check:
    sub = _compile(value)
    return lambda x: not isinstance(x, list) or all(sub(item) for item in x)


def _enum(value: Any, schema: dict[str, Any]) -> Check:
    options = tuple(value)
    plain = frozenset(o for o in options if isinstance(o, str))
    if len(plain) == len(options):  # only strings: a set lookup (a non-string never equals a string)
        return lambda x: isinstance(x, str) and x in plain
    return lambda x: any(equal(o, x) for o in options)


def _const(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: equal(x, value)


def _pattern(value: Any, schema: dict[str, Any]) -> Check:
    search = re.compile(value).search
    return lambda x: not isinstance(x, str) or search(x) is not None


def _max_length(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not isinstance(x, str) or len(x) <= value


def _min_length(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not isinstance(x, str) or len(x) >= value


def _minimum(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not _is_number(x) or x >= value


def _maximum(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not _is_number(x) or x <= value


def _exclusive_minimum(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not _is_number(x) or x > value


def _exclusive_maximum(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not _is_number(x) or x < value


def _min_items(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not isinstance(x, list) or len(x) >= value


def _max_items(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not isinstance(x, list) or len(x) <= value


def _min_properties(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not isinstance(x, dict) or len(x) >= value


def _max_properties(value: Any, schema: dict[str, Any]) -> Check:
    return lambda x: not isinstance(x, dict) or len(x) <= value


def _any_of(value: Any, schema: dict[str, Any]) -> Check:
    subs = tuple(_compile(s) for s in value)
    return lambda x: any(s(x) for s in subs)


def _all_of(value: Any, schema: dict[str, Any]) -> Check:
    return _all([_compile(s) for s in value])


def _one_of(value: Any, schema: dict[str, Any]) -> Check:
    subs = tuple(_compile(s) for s in value)
    return lambda x: sum(1 for s in subs if s(x)) == 1


def _not(value: Any, schema: dict[str, Any]) -> Check:
    sub = _compile(value)
    return lambda x: not sub(x)


def _if(value: Any, schema: dict[str, Any]) -> Check:
    condition = _compile(value)
    then = _compile(schema["then"]) if "then" in schema else None
    otherwise = _compile(schema["else"]) if "else" in schema else None

    def check(x: Any) -> bool:
        if condition(x):
            return then is None or then(x)
        return otherwise is None or otherwise(x)

    return check


def _property_names(value: Any, schema: dict[str, Any]) -> Check:
    sub = _compile(value)
    return lambda x: not isinstance(x, dict) or all(sub(name) for name in x)


def _unique_items(value: Any, schema: dict[str, Any]) -> Check:
    if not value:
        return lambda x: True

    def check(x: Any) -> bool:
        if not isinstance(x, list):
            return True
        return all(not equal(a, b) for i, a in enumerate(x) for b in x[i + 1 :])

    return check


KEYWORDS: dict[str, Callable[[Any, dict[str, Any]], Check]] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "items": _items,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "maxLength": _max_length,
    "minLength": _min_length,
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum,
    "minItems": _min_items,
    "maxItems": _max_items,
    "minProperties": _min_properties,
    "maxProperties": _max_properties,
    "anyOf": _any_of,
    "allOf": _all_of,
    "oneOf": _one_of,
    "not": _not,
    "if": _if,
    "propertyNames": _property_names,
    "uniqueItems": _unique_items,
}
