"""Small builders of JSON Schema fragments used by the kind definitions.

``${var.X}`` / ``${env.X}`` / ``${ref...}`` strings are accepted wherever a number, boolean or enum value is
expected (``flex``), because they are replaced when the manifests are loaded. Content fields also accept
``{file: relative/path}``.
"""

from __future__ import annotations

from typing import Any


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def flex(schema: dict[str, Any]) -> dict[str, Any]:
    """Accept a ``${...}`` placeholder where a non-string value is expected."""
    return {"anyOf": [schema, ref("placeholder")]}


def typed(kind: str, description: str | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind, **extra}
    if kind != "string":
        schema = flex(schema)
    if description:
        schema["description"] = description
    return schema


def nullable(kind: str, description: str | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": [kind, "null"], **extra}
    if kind != "string":
        schema = flex(schema)
    if description:
        schema["description"] = description
    return schema


def enum(values: list[str], description: str | None = None) -> dict[str, Any]:
    schema = flex({"enum": values})
    if description:
        schema["description"] = description
    return schema


def string(description: str | None = None, **extra: Any) -> dict[str, Any]:
    return typed("string", description, **extra)


def boolean(description: str | None = None) -> dict[str, Any]:
    return typed("boolean", description)


def integer(description: str | None = None, **extra: Any) -> dict[str, Any]:
    return typed("integer", description, **extra)


def obj(description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    if description:
        schema["description"] = description
    return schema


def strings(description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    if description:
        schema["description"] = description
    return schema


def key_ref(kind: str, *, null: bool = False) -> dict[str, Any]:
    description = f"Key of a {kind} in this stack (resolved to its URL per environment)."
    if null:
        return {"anyOf": [ref("key"), {"type": "null"}], "description": description}
    return {**ref("key"), "description": description}


def key_refs(kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "array",
        "items": ref("key"),
        "description": f"Keys of {kind} objects in this stack (resolved to URLs per environment).",
        **extra,
    }


def content(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"anyOf": [schema, ref("include")], "description": description}


def metadata() -> dict[str, Any]:
    return obj("Client data (free JSON, at most 4 kB). The key rossum_iac is reserved for the ownership marker.")


DURATION = {"type": "string", "pattern": r"^(\d+ )?(\d+:)?(\d+:)?\d+(\.\d+)?$"}
"""An API duration: ``[DD ]HH:MM:SS[.ffffff]``."""
