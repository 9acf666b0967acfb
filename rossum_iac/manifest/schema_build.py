"""Builds the JSON Schema (2020-12) of the manifest format from the kind definitions (``rossum_iac.kinds``).

This module is the source of ``schemas/manifest.schema.json`` and its package-data copy
``rossum_iac/manifest/data/manifest.schema.json``; regenerate both with::

    python -m rossum_iac.manifest.schema_build

(a test fails when a copy differs from what this module builds). Every per-kind fact (fields, types, limits,
references, content files) comes from the kind's module; this module only adds the shared definitions (keys,
placeholders, includes) and the stack and environment files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rossum_iac.kinds import KINDS, KindDef
from rossum_iac.kinds.base import KEY_MAX_LENGTH, KEY_PATTERN, NAME_PATTERN, PLACEHOLDER_PATTERN, Field
from rossum_iac.kinds.fragments import boolean, ref

SCHEMA_ID = "urn:rossum-iac:manifest-schema:v1"


def value_schema(spec: Field) -> dict[str, Any]:
    """The JSON Schema of one field's value, with its nested fields' schemas as ``properties``."""
    schema = dict(spec.schema or {})
    if not spec.properties:
        return schema
    out: dict[str, Any] = {k: v for k, v in schema.items() if k != "additionalProperties"}
    out["properties"] = {name: value_schema(sub) for name, sub in spec.properties.items() if sub.declarable}
    if "additionalProperties" in schema:
        out["additionalProperties"] = schema["additionalProperties"]
    return out


def kind_schema(kind: KindDef) -> dict[str, Any]:
    properties = {name: value_schema(spec) for name, spec in kind.fields.items() if spec.declarable}
    schema: dict[str, Any] = {
        "type": "object",
        "description": kind.description,
        "properties": {
            "kind": {"const": kind.name},
            "key": ref("key"),
            "protect": {**boolean(), "description": "Refuse any plan that would delete this object."},
            "ignore_changes": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Dotted field paths whose live value is never changed (e.g. settings.columns).",
            },
            **properties,
        },
        "required": ["kind", "key", *kind.required],
        "additionalProperties": False,
    }
    schema.update(kind.schema_extra)
    return schema


def _stack_defs() -> dict[str, Any]:
    variables = {
        "type": "object",
        "propertyNames": {"pattern": NAME_PATTERN},
        "description": "Values for ${var.NAME} placeholders.",
    }
    env_var = {"type": "string", "pattern": NAME_PATTERN}
    environment = {
        "type": "object",
        "properties": {
            "api_base_url": {"type": ["string", "null"], "description": "API URL of this environment."},
            "token_env": {**env_var, "description": "Environment variable holding this environment's API token."},
            "username_env": {**env_var, "description": "Environment variable holding this environment's user name."},
            "password_env": {**env_var, "description": "Environment variable holding this environment's password."},
            "variables": variables,
        },
        "additionalProperties": False,
    }
    return {
        "variables": variables,
        "environment": environment,
        "environment_file": {"description": "environments/<name>.yaml", **ref("environment")},
        "stack_file": {
            "type": "object",
            "description": "rossum.yaml at the root of the manifest directory.",
            "properties": {
                "stack": {"type": "string", "pattern": KEY_PATTERN, "description": "Name of the stack."},
                "variables": {**variables, "description": "Default values for ${var.NAME} placeholders."},
                "environments": {
                    "type": "object",
                    "propertyNames": {"pattern": KEY_PATTERN},
                    "additionalProperties": {"anyOf": [ref("environment"), {"type": "null"}]},
                },
            },
            "required": ["stack"],
            "additionalProperties": False,
        },
    }


def build_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {
        "placeholder": {
            "type": "string",
            "pattern": PLACEHOLDER_PATTERN,
            "description": "${var.NAME}, ${env.NAME} or ${ref.KIND.KEY.id|url}, replaced when loading.",
        },
        "key": {
            "type": "string",
            "pattern": KEY_PATTERN,
            "maxLength": KEY_MAX_LENGTH,
            "description": "A stable key: lowercase letters, digits, '-' and '_' (e.g. invoices-eu).",
        },
        "include": {
            "type": "object",
            "properties": {"file": {"type": "string", "minLength": 1, "description": "Path relative to this file."}},
            "required": ["file"],
            "additionalProperties": False,
            "description": "Content read from a file inside the manifest directory.",
        },
    }
    for kind in KINDS.values():
        defs[kind.name] = kind_schema(kind)
    for kind in KINDS.values():
        defs.update(kind.defs)
    defs.update(_stack_defs())
    kinds = list(KINDS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "rossum-iac manifest",
        "description": "A rossum-iac manifest document (an object of one kind), the stack file rossum.yaml, "
        "or an environment file environments/<name>.yaml.",
        "type": "object",
        "if": {"required": ["kind"]},
        "then": {
            "properties": {"kind": {"enum": kinds}},
            "allOf": [{"if": {"properties": {"kind": {"const": kind}}}, "then": ref(kind)} for kind in kinds],
        },
        "else": {
            "if": {"required": ["stack"]},
            "then": ref("stack_file"),
            "else": ref("environment_file"),
        },
        "$defs": defs,
    }


def render() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


REPO_COPY = Path(__file__).resolve().parents[2] / "schemas" / "manifest.schema.json"
PACKAGE_COPY = Path(__file__).resolve().parent / "data" / "manifest.schema.json"


def main() -> int:
    text = render()
    for path in (REPO_COPY, PACKAGE_COPY):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
