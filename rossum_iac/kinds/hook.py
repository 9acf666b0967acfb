"""Hook: an extension (webhook or serverless function) notified on events of its queues (API reference "Hook")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rossum_iac.kinds.base import NO_DEFAULT, SET_BY_API, Content, Field, KindDef
from rossum_iac.kinds.fragments import (
    boolean,
    content,
    enum,
    integer,
    key_ref,
    key_refs,
    metadata,
    nullable,
    obj,
    ref,
    string,
    strings,
)

HOOK_EVENTS = [
    "annotation_status",
    "annotation_status.changed",
    "annotation_content",
    "annotation_content.initialize",
    "annotation_content.started",
    "annotation_content.user_update",
    "annotation_content.updated",
    "annotation_content.confirm",
    "annotation_content.export",
    "upload",
    "upload.created",
    "email",
    "email.received",
    "invocation",
    "invocation.scheduled",
    "invocation.manual",
    "invocation.interface",
]
"""Events (``event.action``) and whole events (``annotation_status``: every action of the event), as the API
accepts them."""
HOOK_TYPES = ["webhook", "function", "job"]
HOOK_RUNTIMES = ["python3.12", "nodejs22.x"]
"""The runtimes the API reference lists today."""
RUNTIME_PATTERN = r"^(python|nodejs)[0-9]"
"""Any Python or Node.js runtime: hooks of older organizations keep theirs (python3.8, nodejs18.x...) until Rossum
switches them, and the API returns and accepts them as they are."""


def code_suffix(data: Mapping[str, Any]) -> str:
    """``.js`` for a Node.js function, ``.py`` otherwise."""
    config = data.get("config")
    runtime = config.get("runtime") if isinstance(config, Mapping) else None
    return ".js" if isinstance(runtime, str) and runtime.startswith("node") else ".py"


_CONFIG = {
    "url": Field(string("URL of the webhook endpoint.")),
    "secret": Field(nullable("string", "HMAC signing key of webhook payloads (use ${env.NAME})."), write_only=True),
    "insecure_ssl": Field(boolean("Disable TLS verification (testing only)."), default=False),
    "client_ssl_certificate": Field(nullable("string")),
    "client_ssl_key": Field(nullable("string", "Write-only; use ${env.NAME}."), write_only=True),
    "private": Field(boolean("Hide url/secret or code once created (cannot be reset)."), default=False),
    "schedule": Field(obj("For invocation.scheduled: {cron: '*/10 * * * *'} (at least 10 minutes).")),
    "timeout_s": Field(integer("Call timeout in seconds (0-60).", minimum=0, maximum=60), default=30),
    "retry_count": Field(integer("Retries on failure (0-4).", minimum=0, maximum=4), default=4),
    "max_polling_time_s": Field(
        integer("Polling time of asynchronous webhooks (1-3600).", minimum=1, maximum=3600), default=300
    ),
    "retry_after_polling_failure": Field(boolean()),
    "retry_count_for_polling_failure": Field(
        integer("Retries of a failed poll of an asynchronous webhook (returned by the API, not documented).")
    ),
    "app": Field({"type": ["object", "null"], "description": "(Deprecated) Configuration app."}),
    "payload_logging_enabled": Field(boolean()),
    "retry_on_any_non_2xx": Field(boolean()),
    "runtime": Field(
        {
            "anyOf": [{"type": "string", "pattern": RUNTIME_PATTERN}, ref("placeholder")],
            "description": "Runtime of a function hook: python3.12 or nodejs22.x (older python3.N / nodejsN.x "
            "runtimes of existing hooks are accepted).",
        }
    ),
    "code": Field(
        content({"type": "string"}, "Source code of a function hook, inline or {file: path.py|.js}."),
        content=Content(
            (".py", ".js"), description="the function's source (`.py`, `.js`, ...)", suffix_for=code_suffix
        ),
    ),
    "third_party_library_pack": Field(nullable("string", "Libraries available to the function (default).")),
    "memory_size_mb": Field(
        integer("Function memory limit (at least 128; 256 unless Rossum raised the limit on request).", minimum=128)
    ),
}

FROM_TEMPLATE_FIELDS = ("name", "hook_template", "events", "queues", "token_owner", "metadata")
"""What ``POST /hooks/create`` takes (API reference "Create hook from template"); the rest is PATCHed after."""


def create_request(body: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A hook from a store template is created through ``hooks/create``, then completed with a PATCH (its
    ownership marker again, in case the API ignores ``metadata`` there); any other hook is one POST."""
    if not body.get("hook_template"):
        return "hooks", body, {}
    first = {name: body[name] for name in FROM_TEMPLATE_FIELDS if name in body}
    rest = {name: value for name, value in body.items() if name not in first or name == "metadata"}
    return "hooks/create", first, rest


def hidden(data: Mapping[str, Any], path: str) -> bool:
    """A private hook (``config.private``) no longer shows its url and secret (webhook) or code (function)."""
    config = data.get("config")
    if not isinstance(config, Mapping) or not config.get("private") or not path.startswith("config."):
        return False
    return path.split(".", 2)[1] not in config


STILL_DEFAULTED = ("active", "run_after", "metadata", "token_lifetime_s")
"""What a hook made from a store template starts with as documented; the rest comes from the template."""


def template_defaults(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A hook made from a store template gets its type, events, settings, schemas and config from the template, so
    those fields have no documented default for it (``drift`` compares them only when the manifest declares them)."""
    if not data.get("hook_template"):
        return {}
    return {path: NO_DEFAULT for path in KIND.drift_defaults if path not in STILL_DEFAULTED}


_IS_FUNCTION = {"properties": {"type": {"const": "function"}}, "required": ["type"]}
_IS_PRIVATE = {
    "required": ["config"],
    "properties": {"config": {"properties": {"private": {"const": True}}, "required": ["private"]}},
}
_FROM_TEMPLATE = {"required": ["hook_template"], "properties": {"hook_template": {"type": "string"}}}

KIND = KindDef(
    rank=60,
    name="Hook",
    collection="hooks",
    description="An extension (webhook or serverless function) notified on events of its queues.",
    folder="hooks",
    create_request=create_request,
    hidden=hidden,
    object_defaults=template_defaults,
    schema_extra={
        "allOf": [
            {
                # a store hook gets its config from the template; a private hook's url/code is hidden by the API
                "if": {"anyOf": [_FROM_TEMPLATE, _IS_PRIVATE]},
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
        "queues": Field(key_refs("Queue"), ref="Queue", many=True, set_like=True, attached_as="hooks"),
        "run_after": Field(key_refs("Hook"), ref="Hook", many=True, set_like=True, default=[]),
        "active": Field(boolean("Whether the hook is notified."), default=True),
        "events": Field(
            {
                "type": "array",
                "items": enum(HOOK_EVENTS),
                "description": "Events (event.action, or a whole event) that notify the hook.",
            },
            set_like=True,
        ),
        "sideload": Field(strings("Related objects included in the hook payload."), set_like=True, default=[]),
        "metadata": Field(metadata(), default={}),
        "config": Field(
            {
                "type": "object",
                "description": "Configuration of the webhook (url, secret, ...) or function (runtime, code, ...); "
                "keys not listed here are passed to the API as written.",
            },
            properties=_CONFIG,
            required=True,
        ),
        # managed when declared; left out it is not drift (it was per organization before the User kind)
        "token_owner": Field(key_ref("User", null=True), ref="User", default=None, drift_default=False),
        "token_lifetime_s": Field(
            nullable("integer", "Lifetime of that token (0-7200).", minimum=0, maximum=7200), default=None
        ),
        "test": Field(obj("Saved input for hook testing."), default={}),
        "description": Field(nullable("string")),
        "extension_source": Field(
            enum(["custom", "rossum_store"], "Where the extension comes from."), default="custom"
        ),
        "settings": Field(
            obj("Settings included in the hook payload; use ${ref.KIND.KEY.id} for object IDs."),
            default={},
            drift_default=True,  # only what the manifest (or a person) puts there
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
        "hook_template": Field(
            nullable("string", "Name of the Rossum Store hook template to create the hook from (or its URL)."),
            catalog="hook_templates",
            default=None,
            drift_default=False,  # set when the hook is created; it cannot change afterwards
        ),
        "status": Field(
            read_only="is read-only: the API computes it (ready / pending / failed for functions)", volatile=True
        ),
        "created_by": Field(read_only=SET_BY_API),
        "created_at": Field(read_only=SET_BY_API),
    },
)
