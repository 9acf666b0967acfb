"""Builds the JSON Schema (2020-12) of the manifest format from the API facts.

This module is the source of ``schemas/manifest.schema.json`` and its package-data copy
``rossum_iac/manifest/data/manifest.schema.json``; regenerate both with::

    python -m rossum_iac.manifest.schema_build

(a test fails when a copy differs from what this module builds). Field lists, types and enums follow
``rossum-api-facts.md`` §5.2-5.9 and the API reference. Only fields a manifest may declare are listed; the
fields the API computes or that are written from the other side of a link are explained in ``fields.py``.

``${var.X}`` / ``${env.X}`` / ``${ref...}`` strings are accepted wherever a number, boolean or enum value is
expected (``flex``), because they are replaced when the manifests are loaded. Content fields also accept
``{file: relative/path}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SCHEMA_ID = "urn:rossum-iac:manifest-schema:v1"
KEY_PATTERN = "^[a-z0-9][a-z0-9_-]*$"
KEY_MAX_LENGTH = 100
NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
PLACEHOLDER_PATTERN = r"^\$\{(var|env|ref)\.[^{}]+\}$"

HOOK_EVENTS = [
    "annotation_status.changed",
    "annotation_content.initialize",
    "annotation_content.started",
    "annotation_content.user_update",
    "annotation_content.updated",
    "annotation_content.confirm",
    "annotation_content.export",
    "upload.created",
    "email.received",
    "invocation.scheduled",
    "invocation.manual",
    "invocation.interface",
]
HOOK_TYPES = ["webhook", "function", "job"]
HOOK_RUNTIMES = ["python3.12", "nodejs22.x"]
AUTOMATION_LEVELS = ["always", "confident", "never"]
EMAIL_TEMPLATE_TYPES = ["custom", "rejection", "rejection_default", "email_with_no_processable_attachments"]
RULE_EVENTS = ["validation", "annotation_imported", "annotation_confirmed", "annotation_exported"]
DATAPOINT_TYPES = ["string", "number", "date", "enum", "button"]
TABLE_ONLY_ATTRIBUTES = ["width", "stretch", "can_collapse", "width_chars"]

_EXPORT_EVENTS = ["annotation_imported", "annotation_confirmed", "annotation_exported"]
RULE_ACTIONS: dict[str, dict[str, Any]] = {
    # action type -> allowed events and payload schema (from the API reference "Rule actions")
    "show_message": {
        "events": ["validation"],
        "payload": {
            "properties": {
                "type": {"enum": ["error", "warning", "info"]},
                "content": {"type": "string"},
                "schema_id": {"type": ["string", "null"]},
            },
            "required": ["type", "content"],
        },
    },
    "add_automation_blocker": {
        "events": ["validation"],
        "payload": {
            "properties": {"content": {"type": "string"}, "schema_id": {"type": ["string", "null"]}},
            "required": ["content"],
        },
    },
    "change_status": {
        "events": ["annotation_imported"],
        "payload": {
            "properties": {"method": {"enum": ["postpone", "export", "delete", "confirm", "reject"]}},
            "required": ["method"],
        },
    },
    "change_queue": {
        "events": _EXPORT_EVENTS,
        "payload": {
            "properties": {"queue_id": "integer", "reimport": {"type": ["boolean", "null"]}},
            "required": ["queue_id"],
        },
    },
    "add_label": {"events": ["validation"], "payload": "labels"},
    "remove_label": {"events": ["validation"], "payload": "labels"},
    "add_remove_label": {"events": ["validation"], "payload": "labels"},
    "show_hide_field": {"events": ["validation"], "payload": "schema_ids"},
    "show_field": {"events": ["validation"], "payload": "schema_ids"},
    "hide_field": {"events": ["validation"], "payload": "schema_ids"},
    "add_validation_source": {
        "events": ["validation"],
        "payload": {"properties": {"schema_id": {"type": "string"}}, "required": ["schema_id"]},
    },
    "send_email": {"events": _EXPORT_EVENTS, "payload": "send_email"},
    "custom": {"events": RULE_EVENTS, "payload": None},
}
SINGLE_USE_RULE_ACTIONS = [
    "add_automation_blocker",
    "change_status",
    "change_queue",
    "add_label",
    "remove_label",
    "add_remove_label",
    "show_field",
    "hide_field",
    "add_validation_source",
]


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


def kind_schema(kind: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {
            "kind": {"const": kind},
            "key": ref("key"),
            "protect": {**boolean(), "description": "Refuse any plan that would delete this object."},
            "ignore_changes": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Dotted field paths whose live value is never changed (e.g. settings.columns).",
            },
            **properties,
        },
        "required": ["kind", "key", *required],
        "additionalProperties": False,
    }


def _workspace() -> dict[str, Any]:
    return kind_schema(
        "Workspace",
        "A container of queues.",
        {"name": string("Name of the workspace."), "metadata": metadata()},
        ["name"],
    )


def _schema() -> dict[str, Any]:
    return kind_schema(
        "Schema",
        "The fields extracted from documents; any number of queues may share one schema.",
        {
            "name": string("Name of the schema (not visible in the UI)."),
            "content": content(ref("schema_content"), "Sections of the schema, inline or {file: path.json|yaml}."),
            "metadata": metadata(),
        },
        ["name", "content"],
    )


def _connector() -> dict[str, Any]:
    return kind_schema(
        "Connector",
        "An external service that validates and exports data of the queues that use it.",
        {
            "name": string("Name of the connector (not visible in the UI)."),
            "service_url": string("URL of the connector endpoint."),
            "params": nullable("string", "Query parameters appended to service_url."),
            "client_ssl_certificate": nullable("string", "PEM-encoded client certificate."),
            "client_ssl_key": nullable("string", "PEM-encoded client key (write-only; use ${env.NAME})."),
            "authorization_type": enum(["secret_key", "Basic"], "How authorization_token is sent."),
            "authorization_token": nullable("string", "Token sent to the connector (use ${env.NAME})."),
            "asynchronous": boolean("Whether export calls the connector asynchronously."),
            "metadata": metadata(),
        },
        ["name", "service_url"],
    )


def _queue() -> dict[str, Any]:
    duration = {"type": "string", "pattern": r"^(\d+ )?(\d+:)?(\d+:)?\d+(\.\d+)?$"}
    return kind_schema(
        "Queue",
        "Where documents are imported, extracted with a schema and exported.",
        {
            "name": string("Name of the queue.", maxLength=255),
            "workspace": key_ref("Workspace", null=True),
            "schema": key_ref("Schema"),
            "connector": key_ref("Connector", null=True),
            "users": strings("URLs of users with access to the queue."),
            "session_timeout": {**duration, "description": "Time before a review returns to to_review (01:00:00)."},
            "rir_url": nullable("string", "(Deprecated) AI engine URL."),
            "rir_params": nullable("string", "Parameters passed to the AI engine."),
            "generic_engine": nullable("string", "URL of a generic engine (exclusive with dedicated_engine)."),
            "dedicated_engine": nullable("string", "URL of a dedicated engine (exclusive with generic_engine)."),
            "engine": nullable("string", "URL of the engine."),
            "default_score_threshold": typed("number", "AI confidence threshold (0-1).", minimum=0, maximum=1),
            "automation_enabled": boolean("Whether automation is on."),
            "automation_level": enum(AUTOMATION_LEVELS, "When annotations are exported without review."),
            "locale": string("Typical locale of the documents, e.g. en_GB, en_US or auto."),
            "metadata": metadata(),
            "use_confirmed_state": boolean("Confirm moves annotations to confirmed instead of exporting."),
            "settings": obj("Queue UI settings (columns, accepted_mime_types, email_notifications, ...)."),
            "document_lifetime": {
                "anyOf": [duration, {"type": "null"}],
                "description": "Retention period, e.g. '90 00:00:00'.",
            },
            "workflows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"url": {"type": "string"}, "priority": integer()},
                    "required": ["url"],
                },
                "description": "(Beta) Workflows of the queue.",
            },
            "training_enabled": boolean("Whether the AI learns from this queue."),
            "archive_enabled": boolean("Whether documents are archived."),
        },
        ["name", "schema", "workspace"],
    )


def _inbox() -> dict[str, Any]:
    return kind_schema(
        "Inbox",
        "An email address that imports attachments into one queue.",
        {
            "name": string("Name of the inbox (not visible in the UI)."),
            "queues": key_refs("Queue", minItems=1, maxItems=1),
            "email": string("Full Rossum email address (normally generated from email_prefix)."),
            "email_prefix": string("Prefix of the generated email address.", maxLength=57),
            "bounce_email_to": nullable("string", "(Deprecated) Where to send notifications."),
            "bounce_unprocessable_attachments": boolean("(Deprecated)"),
            "bounce_postponed_annotations": boolean("(Deprecated)"),
            "bounce_deleted_annotations": boolean("(Deprecated)"),
            "bounce_email_with_no_attachments": boolean("(Deprecated)"),
            "metadata": metadata(),
            "filters": {
                "type": "object",
                "description": "Filtering of incoming emails and documents.",
                "properties": {
                    "allowed_senders": strings(),
                    "denied_senders": strings(),
                    "document_rejection_conditions": {
                        "type": "object",
                        "properties": {
                            "enabled": boolean(),
                            "resolution_lower_than_px": {
                                "anyOf": [
                                    {"type": "array", "items": integer(), "minItems": 2, "maxItems": 2},
                                    {"type": "null"},
                                ]
                            },
                            "file_size_less_than_b": nullable("integer"),
                            "mime_types": {"type": ["array", "null"], "items": {"type": "string"}},
                            "file_name_regexes": {"type": ["array", "null"], "items": {"type": "string"}},
                        },
                    },
                },
            },
            "dmarc_check_action": enum(["accept", "drop"], "What to do with emails failing the DMARC check."),
        },
        ["name", "queues"],
    ) | {"anyOf": [{"required": ["email_prefix"]}, {"required": ["email"]}]}


def _hook_config() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Configuration of the webhook (url, secret, ...) or function (runtime, code, ...).",
        "properties": {
            "url": string("URL of the webhook endpoint."),
            "secret": string("HMAC signing key of webhook payloads (use ${env.NAME})."),
            "insecure_ssl": boolean("Disable TLS verification (testing only)."),
            "client_ssl_certificate": nullable("string"),
            "client_ssl_key": nullable("string", "Write-only; use ${env.NAME}."),
            "private": boolean("Hide url/secret or code once created (cannot be reset)."),
            "schedule": obj("For invocation.scheduled: {cron: '*/10 * * * *'} (at least 10 minutes)."),
            "timeout_s": integer("Call timeout in seconds (0-60).", minimum=0, maximum=60),
            "retry_count": integer("Retries on failure (0-4).", minimum=0, maximum=4),
            "max_polling_time_s": integer("Polling time of asynchronous webhooks (1-3600).", minimum=1, maximum=3600),
            "retry_after_polling_failure": boolean(),
            "app": obj("(Deprecated) Configuration app."),
            "payload_logging_enabled": boolean(),
            "retry_on_any_non_2xx": boolean(),
            "runtime": enum(HOOK_RUNTIMES, "Runtime of a function hook."),
            "code": content({"type": "string"}, "Source code of a function hook, inline or {file: path.py|.js}."),
            "third_party_library_pack": nullable("string", "Libraries available to the function (default)."),
            "memory_size_mb": integer("Function memory limit (128-256).", minimum=128, maximum=256),
        },
        "additionalProperties": False,
    }


def _hook() -> dict[str, Any]:
    schema = kind_schema(
        "Hook",
        "An extension (webhook or serverless function) notified on events of its queues.",
        {
            "type": enum(HOOK_TYPES, "webhook (default), function or job."),
            "name": string("Name of the hook."),
            "queues": key_refs("Queue"),
            "run_after": key_refs("Hook"),
            "active": boolean("Whether the hook is notified."),
            "events": {
                "type": "array",
                "items": enum(HOOK_EVENTS),
                "description": "Events (event.action) that notify the hook.",
            },
            "sideload": strings("Related objects included in the hook payload."),
            "metadata": metadata(),
            "config": _hook_config(),
            "token_owner": nullable("string", "URL of the user whose API token is sent to the hook."),
            "token_lifetime_s": nullable("integer", "Lifetime of that token (0-7200).", minimum=0, maximum=7200),
            "test": obj("Saved input for hook testing."),
            "description": nullable("string"),
            "extension_source": enum(["custom", "rossum_store"], "Where the extension comes from."),
            "settings": obj("Settings included in the hook payload; use ${ref.KIND.KEY.id} for object IDs."),
            "settings_schema": {"type": ["object", "null"], "description": "JSON Schema of settings."},
            "secrets": {
                "type": "object",
                "description": "Write-only secrets merged into the payload; use ${env.NAME} values.",
            },
            "secrets_schema": {"type": ["object", "null"], "description": "JSON Schema of secrets."},
            "guide": nullable("string"),
            "read_more_url": nullable("string"),
            "extension_image_url": nullable("string"),
            "hook_template": nullable("string", "URL of the hook template the hook was created from."),
        },
        ["name", "config"],
    )
    is_function = {"properties": {"type": {"const": "function"}}, "required": ["type"]}
    schema["allOf"] = [
        {
            "if": {"required": ["hook_template"]},
            "else": {
                "if": is_function,
                "then": {"properties": {"config": {"required": ["runtime", "code"]}}},
                "else": {"properties": {"config": {"required": ["url"]}}},
            },
        }
    ]
    return schema


def _rule_action() -> dict[str, Any]:
    conditions: list[dict[str, Any]] = []
    for action, spec in RULE_ACTIONS.items():
        then: dict[str, Any] = {"properties": {"event": enum(spec["events"])}}
        payload = spec["payload"]
        if payload == "labels":
            payload_schema: dict[str, Any] | None = {
                "properties": {"labels": {"type": "array", "items": {"type": "string"}}},
                "required": ["labels"],
            }
        elif payload == "schema_ids":
            payload_schema = {
                "properties": {"schema_ids": {"type": "array", "items": {"type": "string"}}},
                "required": ["schema_ids"],
            }
        elif payload == "send_email":
            payload_schema = {
                "properties": {
                    "email_template": {"type": "string", "description": "Use ${ref.EmailTemplate.KEY.url}."},
                    "attach_document": boolean(),
                    "to": strings(),
                    "cc": strings(),
                    "bcc": strings(),
                    "subject": {"type": "string"},
                    "body": {"type": "string"},
                },
                "anyOf": [{"required": ["email_template"]}, {"required": ["to", "subject", "body"]}],
            }
        elif payload is None:
            payload_schema = None
        else:
            payload_schema = {
                "properties": {
                    name: integer() if prop == "integer" else prop for name, prop in payload["properties"].items()
                },
                "required": payload["required"],
            }
        if payload_schema is not None:
            then["properties"]["payload"] = {"type": "object", **payload_schema}
            then["required"] = ["payload"]
        conditions.append({"if": {"properties": {"type": {"const": action}}, "required": ["type"]}, "then": then})
    return {
        "type": "object",
        "description": "An action executed when the trigger condition is met.",
        "properties": {
            "id": {"type": "string", "minLength": 1, "description": "Unique within the rule's actions."},
            "enabled": boolean(),
            "type": enum(list(RULE_ACTIONS), "Action type."),
            "payload": obj("Parameters of the action (depend on type)."),
            "event": enum(RULE_EVENTS, "When the action runs."),
        },
        "required": ["id", "type", "event"],
        "additionalProperties": False,
        "allOf": conditions,
    }


def _rule() -> dict[str, Any]:
    return kind_schema(
        "Rule",
        "A business rule: a TxScript trigger condition and the actions run when it holds.",
        {
            "name": string("Name of the rule."),
            "enabled": boolean("Whether the rule runs."),
            "queues": key_refs("Queue"),
            "trigger_condition": content({"type": "string"}, "TxScript condition, inline or {file: path}."),
            "description": string("Description (at most 255 characters).", maxLength=255),
            "rule_template": nullable("string", "URL of the rule template."),
            "synchronized_from_template": boolean(),
            "actions": {"type": "array", "items": ref("rule_action")},
        },
        ["name"],
    )


def _email_template() -> dict[str, Any]:
    recipients = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"email": {"type": "string"}, "name": {"type": "string"}},
            "required": ["email"],
            "additionalProperties": False,
        },
    }
    return kind_schema(
        "EmailTemplate",
        "An email template of one queue. Types custom and rejection are created; rejection_default and "
        "email_with_no_processable_attachments configure the template the queue creates itself.",
        {
            "name": string("Name of the template."),
            "queue": key_ref("Queue"),
            "type": enum(EMAIL_TEMPLATE_TYPES, "custom (default), rejection, or a queue default type."),
            "subject": string("Subject; may use template variables such as {{ parent_email_subject }}."),
            "message": content({"type": "string"}, "HTML body, inline or {file: path.html}."),
            "enabled": boolean("(Deprecated) Use automate."),
            "automate": boolean("Send automatically on the action."),
            "to": recipients,
            "cc": recipients,
            "bcc": recipients,
        },
        ["name", "queue"],
    )


def _schema_content_defs() -> dict[str, Any]:
    node_id = {"type": "string", "minLength": 1, "maxLength": 50, "description": "Unique in the schema."}
    common = {
        "id": node_id,
        "label": {"type": "string"},
        "hidden": boolean(),
        "disable_prediction": boolean(),
        "rir_field_names": {"type": ["array", "null"], "items": {"type": "string"}},
    }
    datapoint_props = {
        "category": {"const": "datapoint"},
        **common,
        "type": enum(DATAPOINT_TYPES, "Data type of the field."),
        "can_export": boolean(),
        "default_value": {"type": ["string", "number", "null"]},
        "constraints": {
            "type": "object",
            "properties": {
                "length": {
                    "type": "object",
                    "properties": {
                        "min": nullable("integer"),
                        "max": nullable("integer"),
                        "exact": nullable("integer"),
                    },
                },
                "regexp": {"type": "object", "properties": {"pattern": {"type": "string"}}},
                "required": boolean(),
            },
        },
        "ui_configuration": {
            "type": "object",
            "properties": {
                "type": {"enum": ["captured", "data", "manual", "formula", "reasoning", None]},
                "edit": {"enum": ["enabled", "disabled", "enabled_without_warning"]},
            },
        },
        "width": integer(),
        "stretch": boolean(),
        "can_collapse": boolean(),
        "width_chars": integer(),
        "score_threshold": typed("number", minimum=0, maximum=1),
        "formula": {"type": ["string", "null"], "maxLength": 2000},
        "prompt": {"type": ["string", "null"], "maxLength": 2000},
        "context": {"type": ["array", "null"], "items": {"type": "string"}},
        "format": {"type": ["string", "null"]},
        "aggregations": {"type": "object"},
        "options": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
                "required": ["value", "label"],
            },
        },
        "enum_value_type": {"enum": ["string", "number", "date"]},
        "popup_url": {"type": ["string", "null"]},
        "can_obtain_token": boolean(),
    }
    datapoint_base = {
        "type": "object",
        "properties": datapoint_props,
        "required": ["category", "id", "label", "type"],
        "allOf": [
            {
                "if": {"properties": {"type": {"const": "enum"}}, "required": ["type"]},
                "then": {"properties": {"options": {"minItems": 1}}, "required": ["options"]},
            }
        ],
    }
    not_table = {"not": {"anyOf": [{"required": [name]} for name in TABLE_ONLY_ATTRIBUTES]}}
    return {
        "schema_content": {
            "type": "array",
            "items": ref("section"),
            "description": "Schema content: a list of sections.",
        },
        "section": {
            "type": "object",
            "properties": {
                "category": {"const": "section"},
                **common,
                "icon": {"type": ["string", "null"]},
                "children": {
                    "type": "array",
                    "items": {
                        "if": {"properties": {"category": {"const": "multivalue"}}, "required": ["category"]},
                        "then": ref("multivalue"),
                        "else": ref("datapoint"),
                    },
                },
            },
            "required": ["category", "id", "label", "children"],
        },
        "datapoint_base": datapoint_base,
        "datapoint": {
            "description": "A datapoint outside a table: width, stretch, can_collapse, width_chars not allowed.",
            "allOf": [ref("datapoint_base"), not_table],
        },
        "table_datapoint": {"description": "A datapoint inside a tuple (a table column).", **ref("datapoint_base")},
        "multivalue": {
            "type": "object",
            "properties": {
                "category": {"const": "multivalue"},
                **common,
                "children": {
                    "if": {"properties": {"category": {"const": "tuple"}}, "required": ["category"]},
                    "then": ref("tuple"),
                    "else": {
                        "allOf": [
                            ref("datapoint"),
                            {"not": {"properties": {"type": {"const": "button"}}, "required": ["type"]}},
                        ]
                    },
                },
                "min_occurrences": nullable("integer", minimum=0),
                "max_occurrences": nullable("integer", minimum=1),
                "grid": {"type": ["object", "null"]},
                "show_grid_by_default": boolean(),
                "default_value": {},
            },
            "required": ["category", "id", "label", "children"],
        },
        "tuple": {
            "type": "object",
            "properties": {
                "category": {"const": "tuple"},
                **common,
                "children": {"type": "array", "items": ref("table_datapoint")},
            },
            "required": ["category", "id", "label", "children"],
        },
    }


def _stack_defs() -> dict[str, Any]:
    variables = {
        "type": "object",
        "propertyNames": {"pattern": NAME_PATTERN},
        "description": "Values for ${var.NAME} placeholders.",
    }
    environment = {
        "type": "object",
        "properties": {
            "api_base_url": {"type": ["string", "null"], "description": "API URL of this environment."},
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


KIND_BUILDERS = {
    "Workspace": _workspace,
    "Schema": _schema,
    "Connector": _connector,
    "Queue": _queue,
    "Inbox": _inbox,
    "Hook": _hook,
    "EmailTemplate": _email_template,
    "Rule": _rule,
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
    for kind, builder in KIND_BUILDERS.items():
        defs[kind] = builder()
    defs["rule_action"] = _rule_action()
    defs.update(_schema_content_defs())
    defs.update(_stack_defs())
    kinds = list(KIND_BUILDERS)
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
