"""Validation against the shipped JSON Schema, with errors rewritten in a person's words.

The loader validates each object after variables and includes are resolved (in "placeholder form": references
as keys, secrets as ``${env.NAME}``), so a variable holding a wrong type is caught too. Schema content is checked
by ``schema_content`` instead (clearer messages for the structure rules), and unknown top-level fields by the
loader (with the reason a field cannot be declared).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from rossum_iac.kinds import KINDS
from rossum_iac.kinds.base import KEY_PATTERN, NAME_PATTERN, PLACEHOLDER_PATTERN
from rossum_iac.kinds.hook import RUNTIME_PATTERN
from rossum_iac.manifest.fast_schema import compile_check
from rossum_iac.suggest import suggest

if TYPE_CHECKING:  # jsonschema is imported on the first validation (it is slow to import)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

Path_ = tuple[str | int, ...]


@cache
def manifest_schema() -> dict[str, Any]:
    """The JSON Schema of the manifest format, as shipped in the package."""
    text = resources.files("rossum_iac.manifest").joinpath("data/manifest.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_text() -> str:
    return resources.files("rossum_iac.manifest").joinpath("data/manifest.schema.json").read_text(encoding="utf-8")


@cache
def _defs_for_loader() -> dict[str, Any]:
    defs = copy.deepcopy(manifest_schema()["$defs"])
    defs["Schema"]["properties"]["content"] = {}  # checked by schema_content
    return defs


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """``schema`` with every ``#/$defs/X`` reference replaced by a copy of X (the definitions are not recursive).

    Resolving references is most of jsonschema's work on small documents; inlining them halves validation time.
    """
    if isinstance(schema, dict):
        target = schema.get("$ref")
        if isinstance(target, str) and target.startswith("#/$defs/"):
            rest = {k: _inline(v, defs) for k, v in schema.items() if k != "$ref"}
            return {**_inline(defs[target.removeprefix("#/$defs/")], defs), **rest}
        return {k: _inline(v, defs) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


@cache
def _inlined(name: str) -> dict[str, Any]:
    defs = _defs_for_loader()
    schema: dict[str, Any] = _inline(defs[name], defs)
    return schema


@cache
def validator_for(name: str) -> Draft202012Validator:
    """Validator of one ``$defs`` entry (a kind name, ``stack_file`` or ``environment_file``)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_inlined(name))


def kind_properties(kind: str) -> tuple[str, ...]:
    """Top-level fields a manifest of ``kind`` may declare (tool options included)."""
    return tuple(manifest_schema()["$defs"][kind]["properties"])


@dataclass(frozen=True)
class Problem:
    path: Path_
    message: str
    at_key: bool = False
    """Point at the key (``path[-1]``) rather than at the value."""


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@cache
def fast_check_for(name: str) -> Callable[[Any], bool] | None:
    """A compiled yes/no check of one ``$defs`` entry (``fast_schema``), or ``None`` if it cannot be compiled."""
    return compile_check(_inlined(name))


def validate(name: str, instance: Any, kind: str | None = None, skip_top_unknown: bool = False) -> list[Problem]:
    """Problems of ``instance`` against ``$defs/name``. Valid instances (nearly all) are recognised by the
    compiled check without ``jsonschema``, which then only explains what is wrong."""
    check = fast_check_for(name)
    if check is not None and check(instance):
        return []
    problems: list[Problem] = []
    for error in validator_for(name).iter_errors(instance):
        for problem in _describe(error, kind, instance):
            if (
                skip_top_unknown
                and problem.at_key
                and len(problem.path) == 1
                and error.validator == "additionalProperties"
            ):
                continue
            problems.append(problem)
    return problems


_TYPE_WORDS = {
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def _expected(types: Any) -> str:
    if isinstance(types, str):
        types = [types]
    words = [_TYPE_WORDS.get(t, t) for t in types]
    return " or ".join(words)


def _instance_words(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the text {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _is_placeholder_branch(error: ValidationError) -> bool:
    schema = error.schema
    return isinstance(schema, dict) and schema.get("pattern") == PLACEHOLDER_PATTERN


def _is_include_branch(error: ValidationError) -> bool:
    schema = error.schema
    return isinstance(schema, dict) and set(schema.get("properties", {})) == {"file"}


def _where(path: Path_) -> str:
    return dotted(path) if path else "this object"


def _describe(error: ValidationError, kind: str | None, root: Any) -> Iterator[Problem]:
    path: Path_ = tuple(error.absolute_path)
    field = _where(path)
    validator = error.validator
    value = error.instance
    ref_target = _ref_target(kind, path)
    if ref_target and validator in ("anyOf", "pattern", "type", "maxLength") and not isinstance(value, list):
        yield Problem(path, _ref_message(field, ref_target, value))
        return
    if validator in ("anyOf", "oneOf"):
        context = [e for e in error.context or [] if not _is_placeholder_branch(e) and not _is_include_branch(e)]
        if context and all(e.validator == "required" for e in context):
            names = [e.validator_value[0] for e in context if e.validator_value]
            yield Problem(path, f"{field} needs {' or '.join(repr(n) for n in names)}")
            return
        if not context:
            yield Problem(path, f"{field}: {_instance_words(value)} is not allowed here")
            return
        types = [e for e in context if e.validator == "type" and list(e.absolute_path) == list(error.absolute_path)]
        if types and len(types) == len(context):
            expected = " or ".join(_expected(e.validator_value) for e in types)
            if any(_is_include_branch(e) for e in error.context or []):
                expected += " or {file: relative/path}"
            yield Problem(path, f"{field} should be {expected}, not {_instance_words(value)}{_yaml_hint(value)}")
            return
        from jsonschema.exceptions import best_match

        yield from _describe(best_match(context), kind, root)
        return
    if validator == "type":
        yield Problem(
            path,
            f"{field} should be {_expected(error.validator_value)}, not {_instance_words(value)}{_yaml_hint(value)}",
        )
    elif validator == "enum" and kind == "Rule" and len(path) == 3 and path[0] == "actions" and path[2] == "event":
        action = root["actions"][path[1]]
        events = ", ".join(error.validator_value)
        yield Problem(path, f"{field}: a {action.get('type')} action runs on {events} only, not {value!r}")
    elif validator == "enum":
        allowed = [str(v) if v is not None else "null" for v in error.validator_value]
        hint = suggest(str(value), allowed) if isinstance(value, str) else ""
        yield Problem(
            path, f"{field}: {_instance_words(value)} is not valid{hint}; expected one of {', '.join(allowed)}"
        )
    elif validator == "const":
        yield Problem(path, f"{field} must be {error.validator_value!r}, not {_instance_words(value)}")
    elif validator == "required":
        present = set(value) if isinstance(value, dict) else set()
        for name in error.validator_value:
            if name not in present:
                yield Problem(path, _required_message(kind, path, name), at_key=bool(path))
    elif validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for name in list(value) if isinstance(value, dict) else []:
            if name in allowed:
                continue
            where = f" in {dotted(path)}" if path else ""
            yield Problem(
                (*path, name),
                f"unknown field '{name}'{where}{suggest(name, allowed)}; expected one of {', '.join(allowed)}",
                at_key=True,
            )
    elif validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }
        yield Problem(path, f"{field} must be {words[validator]} {error.validator_value} (got {value})")
    elif validator in ("minItems", "maxItems"):
        if kind == "Inbox" and path == ("queues",):
            yield Problem(
                path,
                f"an inbox delivers to exactly one queue; list exactly one Queue key in queues (got {len(value)})",
            )
        elif validator == "minItems":
            yield Problem(path, f"{field} needs at least {error.validator_value} item(s)")
        else:
            yield Problem(path, f"{field} may have at most {error.validator_value} item(s) (got {len(value)})")
    elif validator == "maxLength":
        yield Problem(path, f"{field} is {len(value)} characters long; at most {error.validator_value} are allowed")
    elif validator == "minLength":
        yield Problem(path, f"{field} must not be empty")
    elif validator == "pattern":
        yield Problem(path, _pattern_message(field, value, error.validator_value))
    elif validator == "propertyNames":
        yield Problem(path, f"{field}: {error.message}")
    elif validator == "not":
        yield Problem(path, f"{field}: this is not allowed here")
    else:
        yield Problem(path, f"{field}: {error.message}")


def _yaml_hint(value: Any) -> str:
    if isinstance(value, str) and value.lower() in ("yes", "no", "on", "off", "y", "n"):
        return " (YAML 1.2 reads yes/no/on/off as text: write true or false)"
    return ""


def _pattern_message(field: str, value: Any, pattern: str) -> str:
    if pattern == KEY_PATTERN:
        return f"{field}: {value!r} is not a valid key; use lowercase letters, digits, '-' and '_' (like invoices-eu)"
    if pattern == NAME_PATTERN:
        return f"{field}: {value!r} is not a valid name; use letters, digits and '_'"
    if pattern == RUNTIME_PATTERN:
        return (
            f"{field}: {value!r} is not a function runtime; use python3.12 or nodejs22.x (an older python3.N or "
            "nodejsN.x is accepted too)"
        )
    if "\\d+:" in pattern:
        return f"{field}: {value!r} is not a duration; write it like 01:00:00 or '90 00:00:00' (days hours)"
    return f"{field}: {value!r} does not have the expected format"


def _ref_target(kind: str | None, path: Path_) -> str | None:
    if kind is None or not path or not isinstance(path[0], str):
        return None
    spec = KINDS[kind].refs.get(path[0])
    if spec is None:
        return None
    if spec.many and len(path) == 2 and isinstance(path[1], int):
        return spec.ref
    if not spec.many and len(path) == 1:
        return spec.ref
    return None


def _ref_message(field: str, target: str, value: Any) -> str:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return f"{field} must be the key of a {target} in this stack, not a URL (rossum-iac resolves keys to URLs)"
    return (
        f"{field} must be the key of a {target} in this stack (lowercase letters, digits, '-' and '_'), "
        f"not {_instance_words(value)}"
    )


_REQUIRED_HINTS = {
    ("Queue", "schema"): "the key of a Schema",
    ("Queue", "workspace"): "the key of a Workspace, or null",
    ("Inbox", "queues"): "a list with the key of one Queue",
    ("EmailTemplate", "queue"): "the key of a Queue",
    ("Schema", "content"): "a list of sections, or {file: path}",
    ("Connector", "service_url"): "the URL Rossum calls",
}


def _required_message(kind: str | None, path: Path_, name: str) -> str:
    if not path:
        hint = _REQUIRED_HINTS.get((kind or "", name))
        what = f" ({hint})" if hint else ""
        return f"{kind or 'this document'} needs '{name}'{what}"
    if kind == "Hook" and path == ("config",):
        if name == "url":
            return "config needs 'url' for a webhook (the endpoint Rossum calls); function hooks set type: function"
        return f"config needs '{name}' for a function hook (runtime python3.12 or nodejs22.x, and code)"
    return f"{dotted(path)} needs '{name}'"
