"""hooks (+ hooks/create from a template, duplicate, test, invoke, secrets_keys, generate_payload) and
hook_templates (read-only, seeded).

Behaviour:
* ``queues`` is the same M2M as ``queue.hooks``; ``run_after`` lists hooks (not itself); ``token_owner``
  must not be an organization group admin.
* ``type`` webhook (default) / function / job. Webhooks need ``config.url``; functions need
  ``config.runtime`` (python3.12, nodejs22.x; any older ``python3.N``/``nodejsN.x`` accepted, as hooks of
  older organizations still carry them) and ``config.code``. Other ``config`` keys (``app: null``,
  ``secret: null``, undocumented ones) are kept as sent. Ranges: ``timeout_s`` 0..60, ``retry_count`` 0..4,
  ``max_polling_time_s`` 1..3600, ``memory_size_mb`` 128..256, ``token_lifetime_s`` 0..7200. Events must be
  known ``event`` or ``event.action`` names.
* ``config`` is replaced as a whole on write (JSON field), except: ``client_ssl_key`` is write-only (kept
  unless sent again, never returned); with ``private: true`` the url/secret (webhook) or
  runtime/code/third_party_library_pack (function) are hidden in responses and immutable (400 on change);
  ``private`` cannot go back to false (400). ``config.secret`` is returned unless private.
* ``secrets`` is write-only: never in responses; values are merged key by key into the stored secrets
  (``{}`` changes nothing, a null value removes the key) and checked against ``secrets_schema``
  (``additionalProperties`` false -> only declared keys; ``{"type": "string"}`` -> string values).
  ``GET /hooks/{id}/secrets_keys`` lists the stored keys.
* ``status`` is "ready" for function hooks (absent for others). Nothing is ever called: test/invoke
  answer an empty ``{"messages": [], "operations": []}`` response (no outbound network from the emulator).
* ``GET /hooks/logs`` is provided by the documents side (run data).
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from rossum_iac.emulator.fields import Field, FieldError, f_bool, f_dict, f_list, f_str, now_iso
from rossum_iac.emulator.http import BadRequest, Conflict, Request, Response
from rossum_iac.emulator.listing import Bool, Contains, Exact, Ids, Linked, Ref, orderings_for
from rossum_iac.emulator.resource import READ_ONLY_METHODS, Resource, has_role, register, require_ref
from rossum_iac.emulator.resources.common import f_metadata
from rossum_iac.emulator.resources.queues import HOOK_QUEUE
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import field_sql

EVENT_ACTIONS = {
    "annotation_status": ("changed",),
    "annotation_content": ("initialize", "started", "user_update", "updated", "confirm", "export"),
    "upload": ("created",),
    "email": ("received",),
    "invocation": ("scheduled", "manual", "interface"),
}
RUNTIMES = ("python3.12", "nodejs22.x")
"""The documented runtimes. Older ones (``python3.8``, ``nodejs18.x``...) live on in existing hooks of older
organizations, which are read and written back as they are: any ``python3.<n>`` / ``nodejs<n>.x`` is accepted."""
RUNTIME_RE = re.compile(r"^(?:python3\.[0-9]{1,2}|nodejs[0-9]{1,2}\.x)$")
CONFIG_RANGES = {"timeout_s": (0, 60), "retry_count": (0, 4), "max_polling_time_s": (1, 3600),
                 "memory_size_mb": (128, 256)}  # fmt: skip
PRIVATE_KEYS = {"webhook": ("url", "secret"), "function": ("runtime", "code", "third_party_library_pack")}
DEFAULT_SECRETS_SCHEMA = {"type": "object", "additionalProperties": {"type": "string"}}


def _events(req: Request, value: Any) -> Any:
    if not isinstance(value, list):
        raise FieldError(f'Expected a list of items but got type "{type(value).__name__}".')
    for event in value:
        if not isinstance(event, str):
            raise FieldError("Events must be strings.")
        name, _, action = event.partition(".")
        if name not in EVENT_ACTIONS or (action and action not in EVENT_ACTIONS[name]):
            raise FieldError(f'"{event}" is not a valid choice.')
    return value


def _secrets_schema(req: Request, value: Any) -> Any:
    if value is not None and "additionalProperties" not in value:
        raise FieldError("The secrets schema must include additionalProperties.")
    return value


class Hooks(Resource):
    collection = "hooks"
    fields = [
        Field("type", "str", default="webhook", choices=("webhook", "function", "job")),
        f_str("name", required=True, allow_blank=False, max_length=255),
        Field("queues", "m2m", target="queues", relation=HOOK_QUEUE, side="a", default=[]),
        Field("run_after", "refs", target="hooks", default=[]),
        f_bool("active", default=True),
        f_list("events", validate=_events),
        f_list("sideload"),
        f_metadata(),
        Field("config", "dict", required=True),
        Field("token_owner", "ref", target="users", nullable=True),
        Field("token_lifetime_s", "int", nullable=True, min_value=0, max_value=7200),
        f_dict("test"),
        f_str("description"),
        Field("extension_source", "str", default="custom", choices=("custom", "rossum_store")),
        f_dict("settings"),
        Field("settings_schema", "dict", nullable=True),
        Field("secrets", "dict", write_only=True, default={}),
        Field("secrets_schema", "dict", nullable=True, default=DEFAULT_SECRETS_SCHEMA, validate=_secrets_schema),
        Field("guide", "str", nullable=True),
        Field("read_more_url", "url", nullable=True),
        Field("extension_image_url", "url", nullable=True),
        Field("hook_template", "ref", target="hook_templates", nullable=True),
        Field("status", "str", read_only=True, nullable=True),
        Field("created_by", "ref", target="users", read_only=True, nullable=True),
        Field("created_at", "datetime", read_only=True, nullable=True),
        Field("modified_by", "ref", target="users", read_only=True, nullable=True),
        Field("modified_at", "datetime", read_only=True, nullable=True),
    ]
    filters = {
        "id": Ids(),
        "name": Exact("name"),
        "type": Exact("type", multi=True),
        "queue": Linked(HOOK_QUEUE, "a"),
        "active": Bool("active"),
        "config_url": Exact("config.url"),
        "config_app_url": Exact("config.app.url"),
        "extension_source": Exact("extension_source"),
        "events": Contains("events", ids=False),
        "hook_template": Ref("hook_template"),
    }
    orderings = {
        **orderings_for("id", "name", "type", "active", "events"),
        "config_url": field_sql("config.url"),
        "config_app_url": field_sql("config.app.url"),
    }

    def post_render(self, req: Request, obj: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
        config = dict(out.get("config") or {})
        config.pop("client_ssl_key", None)
        if config.get("private"):
            for key in PRIVATE_KEYS.get(obj.get("type", "webhook"), ()):
                config.pop(key, None)
        out["config"] = config
        if obj.get("type") == "function":
            out["status"] = obj.get("status") or "ready"
        else:
            out.pop("status", None)
        return out

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        tx = req.tx
        obj.pop("secrets", None)
        if old is not None and obj["id"] in (obj.get("run_after") or []):
            raise BadRequest({"run_after": ["A hook cannot run after itself."]})
        if "token_owner" in values and values["token_owner"] is not None:
            owner = tx.require("users", values["token_owner"])
            if has_role(tx, owner, ("organization_group_admin",)):
                raise BadRequest({"token_owner": ["Users with organization group admin role cannot be token owners."]})
        if "config" in values:
            obj["config"] = self._merge_config(obj, old, values["config"])
        self._check_config(obj)
        if obj.get("type") == "function":
            obj["status"] = "ready"
        if "secrets" in values:
            secrets = dict(old.get("_secrets") or {}) if old else {}
            for key, value in values["secrets"].items():
                if value is None:
                    secrets.pop(key, None)
                else:
                    secrets[key] = value
            _check_secrets(secrets, obj.get("secrets_schema"))
            obj["_secrets"] = secrets
        elif old is None:
            obj["_secrets"] = {}

    def _merge_config(self, obj: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
        config = copy.deepcopy(new)
        previous = (old or {}).get("config") or {}
        if "client_ssl_key" not in config and "client_ssl_key" in previous:
            config["client_ssl_key"] = previous["client_ssl_key"]
        if previous.get("private"):
            if config.get("private") is False:
                raise BadRequest({"config": ["The private flag cannot be changed to false once set."]})
            config["private"] = True
            for key in PRIVATE_KEYS.get(obj.get("type", "webhook"), ()):
                if key in config and config[key] != previous.get(key):
                    raise BadRequest({"config": [f"config.{key} of a private hook cannot be changed."]})
                if key in previous:
                    config[key] = previous[key]
        return config

    def _check_config(self, obj: dict[str, Any]) -> None:
        config = obj.get("config") or {}
        errors: list[str] = []
        hook_type = obj.get("type", "webhook")
        private = bool(config.get("private"))
        from_template = obj.get("hook_template") is not None
        if hook_type == "webhook" and not private and not from_template:
            url = config.get("url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                errors.append("config.url: a valid URL is required for webhook hooks.")
        if hook_type == "function" and not private and not from_template:
            runtime = config.get("runtime")
            if not isinstance(runtime, str) or not RUNTIME_RE.match(runtime):
                errors.append(
                    f"config.runtime: must be one of {', '.join(RUNTIMES)} (or an older python3.N/nodejsN.x)."
                )
            if not isinstance(config.get("code"), str):
                errors.append("config.code: the function source code is required.")
        for key, (low, high) in CONFIG_RANGES.items():
            if key in config and config[key] is not None:
                value = config[key]
                if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                    errors.append(f"config.{key}: must be an integer between {low} and {high}.")
        for key in ("insecure_ssl", "private", "payload_logging_enabled", "retry_on_any_non_2xx"):
            if key in config and not isinstance(config[key], bool):
                errors.append(f"config.{key}: Must be a valid boolean.")
        schedule = config.get("schedule")
        if schedule is not None and not isinstance(schedule, dict):
            errors.append("config.schedule: expected an object.")
        if errors:
            raise BadRequest({"config": errors})


def _check_secrets(secrets: dict[str, Any], schema: Any) -> None:
    schema = schema if isinstance(schema, dict) else DEFAULT_SECRETS_SCHEMA
    additional = schema.get("additionalProperties", True)
    properties = schema.get("properties") or {}
    errors = []
    for key, value in secrets.items():
        spec = properties.get(key)
        if spec is None:
            if additional is False:
                errors.append(f"Additional properties are not allowed ({key!r} was unexpected).")
                continue
            spec = additional if isinstance(additional, dict) else {}
        if spec.get("type") == "string" and not isinstance(value, str):
            errors.append(f"{key}: {value!r} is not of type 'string'.")
    if errors:
        raise BadRequest({"secrets": errors})


HOOKS = register(Hooks())


class HookTemplates(Resource):
    collection = "hook_templates"
    fields = [
        Field("type", "str", read_only=True, default="webhook"),
        Field("name", "str", read_only=True, default=""),
        Field("events", "list", read_only=True, default=[]),
        Field("sideload", "list", read_only=True, default=[]),
        Field("metadata", "dict", read_only=True, default={}),
        Field("config", "dict", read_only=True, default={}),
        Field("test", "dict", read_only=True, default={}),
        Field("description", "str", read_only=True, default=""),
        Field("extension_source", "str", read_only=True, default="rossum_store"),
        Field("settings", "dict", read_only=True, default={}),
        Field("settings_schema", "dict", read_only=True, nullable=True),
        Field("secrets_schema", "dict", read_only=True, nullable=True),
        Field("guide", "str", read_only=True, nullable=True),
        Field("read_more_url", "str", read_only=True, nullable=True),
        Field("extension_image_url", "str", read_only=True, nullable=True),
        Field("settings_description", "list", read_only=True, default=[]),
        Field("store_description", "str", read_only=True, default=""),
        Field("external_url", "str", read_only=True, default=""),
        Field("use_token_owner", "bool", read_only=True, default=False),
        Field("install_action", "str", read_only=True, default="copy"),
        Field("token_lifetime_s", "int", read_only=True, nullable=True),
        Field("order", "int", read_only=True, default=0),
    ]
    filters = {"id": Ids(), "name": Exact("name"), "type": Exact("type")}
    orderings = orderings_for("id", "order", "name")
    default_ordering = f"{field_sql('order')} ASC"


HOOK_TEMPLATES = register(HookTemplates(), READ_ONLY_METHODS)


@route("POST", "/hooks/create")
def create_from_template(req: Request) -> Any:
    """Create a hook from a hook template (config/settings/schemas copied from it; ``extension_source``
    rossum_store). Templates with ``install_action: request_access`` give a private hook."""
    body = req.json_object()
    HOOKS.check_write(req, None)
    if "hook_template" not in body:
        raise BadRequest({"hook_template": ["This field is required."]})
    template_id = require_ref(req, "hook_template", body["hook_template"], "hook_templates")
    template = req.tx.require("hook_templates", template_id)
    config = copy.deepcopy(template.get("config") or {})
    if template.get("install_action") == "request_access":
        config["private"] = True
    payload: dict[str, Any] = {
        "name": body.get("name") or template.get("name"),
        "type": template.get("type", "webhook"),
        "config": config,
        "events": body.get("events", template.get("events") or []),
        "sideload": template.get("sideload") or [],
        "settings": body.get("settings", template.get("settings") or {}),
        "settings_schema": template.get("settings_schema"),
        "secrets_schema": template.get("secrets_schema") or DEFAULT_SECRETS_SCHEMA,
        "description": template.get("description") or "",
        "guide": template.get("guide"),
        "read_more_url": template.get("read_more_url"),
        "extension_image_url": template.get("extension_image_url"),
        "extension_source": "rossum_store",
        "token_lifetime_s": template.get("token_lifetime_s"),
        "hook_template": body["hook_template"],
        "metadata": body.get("metadata", {}),
    }
    for key in ("queues", "token_owner", "active", "run_after", "secrets"):
        if key in body:
            payload[key] = body[key]
    hook = HOOKS.create(req, payload)
    return Response(201, HOOKS.render(req, hook))


@route("POST", "/hooks/{id}/duplicate")
def duplicate_hook(req: Request) -> Any:
    tx = req.tx
    source = tx.require("hooks", req.path_params["id"])
    HOOKS.check_write(req, None)
    body = req.json_object()
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise BadRequest({"name": ["This field is required."]})
    copy_secrets = bool(body.get("copy_secrets", False))
    copy_dependencies = bool(body.get("copy_dependencies", False))
    new = {k: copy.deepcopy(v) for k, v in source.items() if k != "id"}
    new.update(name=body["name"], active=False)
    new["_secrets"] = dict(source.get("_secrets") or {}) if copy_secrets else {}
    new["run_after"] = list(source.get("run_after") or []) if copy_dependencies else []
    HOOKS._stamp(req, new, created=True)
    new = tx.insert("hooks", new)
    if copy_dependencies:
        for dependent in tx.select(
            "hooks",
            "EXISTS (SELECT 1 FROM json_each(objects.data, '$.run_after') WHERE json_each.value = ?)",
            [source["id"]],
        ):
            if dependent["id"] != new["id"]:
                dependent["run_after"] = [*dependent["run_after"], new["id"]]
                tx.save("hooks", dependent)
    return Response(201, HOOKS.render(req, new))


@route("GET", "/hooks/{id}/secrets_keys")
def secrets_keys(req: Request) -> Any:
    hook = req.tx.require("hooks", req.path_params["id"])
    return sorted((hook.get("_secrets") or {}).keys())


@route("POST", "/hooks/{id}/test")
def test_hook(req: Request) -> Any:
    hook = req.tx.require("hooks", req.path_params["id"])
    body = req.json_object()
    payload = body.get("payload")
    if not isinstance(payload, dict):
        raise BadRequest({"payload": ["This field is required."]})
    event, action = payload.get("event"), payload.get("action")
    if event not in EVENT_ACTIONS or action not in EVENT_ACTIONS[event]:
        raise BadRequest({"payload": ["Unsupported combination of event and action."]})
    if hook.get("type") == "function" and hook.get("status") == "pending":
        raise Conflict("The function is not ready yet; retry in 10 seconds.")
    return {"response": {"messages": [], "operations": []}}


@route("POST", "/hooks/{id}/invoke")
def invoke_hook(req: Request) -> Any:
    hook = req.tx.require("hooks", req.path_params["id"])
    events = hook.get("events") or []
    if "invocation.manual" not in events and "invocation" not in events:
        raise BadRequest(["The hook is not configured for the invocation.manual event."])
    req.json_object()
    return {"messages": [], "operations": []}


@route("POST", "/hooks/{id}/generate_payload")
def generate_payload(req: Request) -> Any:
    hook = req.tx.require("hooks", req.path_params["id"])
    body = req.json_object()
    errors = {k: ["This field is required."] for k in ("event", "action") if not body.get(k)}
    if errors:
        raise BadRequest(errors)
    if body["event"] not in EVENT_ACTIONS or body["action"] not in EVENT_ACTIONS[body["event"]]:
        raise BadRequest(["Unsupported combination of event and action."])
    return {
        "request_id": str(uuid.uuid4()),
        "timestamp": now_iso(),
        "base_url": req.base_url.rsplit("/api/v1", 1)[0],
        "rossum_authorization_token": "[redacted...]",
        "hook": req.url_for("hooks", hook["id"]),
        "settings": hook.get("settings") or {},
        "secrets": dict.fromkeys(hook.get("_secrets") or {}, "[redacted...]"),
        "action": body["action"],
        "event": body["event"],
    }
