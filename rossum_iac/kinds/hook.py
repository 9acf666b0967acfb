"""Hook: an extension (webhook or serverless function) notified on events of its queues (API reference "Hook")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rossum_iac.kinds.base import SET_BY_API, Content, Field, KindDef
from rossum_iac.kinds.fragments import (
    boolean,
    content,
    enum,
    integer,
    key_refs,
    metadata,
    nullable,
    obj,
    string,
    strings,
)

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


def code_suffix(data: Mapping[str, Any]) -> str:
    """``.js`` for a Node.js function, ``.py`` otherwise."""
    config = data.get("config")
    runtime = config.get("runtime") if isinstance(config, Mapping) else None
    return ".js" if isinstance(runtime, str) and runtime.startswith("node") else ".py"


_CONFIG = {
    "url": Field(string("URL of the webhook endpoint.")),
    "secret": Field(string("HMAC signing key of webhook payloads (use ${env.NAME})."), write_only=True),
    "insecure_ssl": Field(boolean("Disable TLS verification (testing only).")),
    "client_ssl_certificate": Field(nullable("string")),
    "client_ssl_key": Field(nullable("string", "Write-only; use ${env.NAME}."), write_only=True),
    "private": Field(boolean("Hide url/secret or code once created (cannot be reset).")),
    "schedule": Field(obj("For invocation.scheduled: {cron: '*/10 * * * *'} (at least 10 minutes).")),
    "timeout_s": Field(integer("Call timeout in seconds (0-60).", minimum=0, maximum=60)),
    "retry_count": Field(integer("Retries on failure (0-4).", minimum=0, maximum=4)),
    "max_polling_time_s": Field(integer("Polling time of asynchronous webhooks (1-3600).", minimum=1, maximum=3600)),
    "retry_after_polling_failure": Field(boolean()),
    "app": Field(obj("(Deprecated) Configuration app.")),
    "payload_logging_enabled": Field(boolean()),
    "retry_on_any_non_2xx": Field(boolean()),
    "runtime": Field(enum(HOOK_RUNTIMES, "Runtime of a function hook.")),
    "code": Field(
        content({"type": "string"}, "Source code of a function hook, inline or {file: path.py|.js}."),
        content=Content(
            (".py", ".js"), description="the function's source (`.py`, `.js`, ...)", suffix_for=code_suffix
        ),
    ),
    "third_party_library_pack": Field(nullable("string", "Libraries available to the function (default).")),
    "memory_size_mb": Field(integer("Function memory limit (128-256).", minimum=128, maximum=256)),
}

_IS_FUNCTION = {"properties": {"type": {"const": "function"}}, "required": ["type"]}

KIND = KindDef(
    rank=60,
    name="Hook",
    collection="hooks",
    description="An extension (webhook or serverless function) notified on events of its queues.",
    folder="hooks",
    schema_extra={
        "allOf": [
            {
                "if": {"required": ["hook_template"]},
                "else": {
                    "if": _IS_FUNCTION,
                    "then": {"properties": {"config": {"required": ["runtime", "code"]}}},
                    "else": {"properties": {"config": {"required": ["url"]}}},
                },
            }
        ]
    },
    fields={
        "type": Field(enum(HOOK_TYPES, "webhook (default), function or job."), default="webhook"),
        "name": Field(string("Name of the hook."), required=True),
        "queues": Field(key_refs("Queue"), ref="Queue", many=True, set_like=True),
        "run_after": Field(key_refs("Hook"), ref="Hook", many=True, set_like=True, default=[]),
        "active": Field(boolean("Whether the hook is notified."), default=True),
        "events": Field(
            {"type": "array", "items": enum(HOOK_EVENTS), "description": "Events (event.action) that notify the hook."},
            set_like=True,
        ),
        "sideload": Field(strings("Related objects included in the hook payload."), set_like=True, default=[]),
        "metadata": Field(metadata(), default={}),
        "config": Field(
            {
                "type": "object",
                "description": "Configuration of the webhook (url, secret, ...) or function (runtime, code, ...).",
                "additionalProperties": False,
            },
            properties=_CONFIG,
            required=True,
        ),
        "token_owner": Field(
            nullable("string", "URL of the user whose API token is sent to the hook."),
            unportable="holds the URL of a user of one organization (there is no User kind yet)",
        ),
        "token_lifetime_s": Field(
            nullable("integer", "Lifetime of that token (0-7200).", minimum=0, maximum=7200), default=None
        ),
        "test": Field(obj("Saved input for hook testing."), default={}),
        "description": Field(nullable("string")),
        "extension_source": Field(
            enum(["custom", "rossum_store"], "Where the extension comes from."), default="custom"
        ),
        "settings": Field(
            obj("Settings included in the hook payload; use ${ref.KIND.KEY.id} for object IDs."), default={}
        ),
        "settings_schema": Field({"type": ["object", "null"], "description": "JSON Schema of settings."}, default=None),
        "secrets": Field(
            {"type": "object", "description": "Write-only secrets merged into the payload; use ${env.NAME} values."},
            write_only=True,
            stored_keys="secrets_keys",
        ),
        "secrets_schema": Field(
            {"type": ["object", "null"], "description": "JSON Schema of secrets."},
            default={"type": "object", "additionalProperties": {"type": "string"}},
        ),
        "guide": Field(nullable("string")),
        "read_more_url": Field(nullable("string")),
        "extension_image_url": Field(nullable("string")),
        "hook_template": Field(nullable("string", "URL of the hook template the hook was created from.")),
        "status": Field(
            read_only="is read-only: the API computes it (ready / pending / failed for functions)", volatile=True
        ),
        "created_by": Field(read_only=SET_BY_API),
        "created_at": Field(read_only=SET_BY_API),
    },
)
