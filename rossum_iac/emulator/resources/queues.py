"""queues: CRUD, scheduled deletion, duplicate, related_objects_counts; ``queue_counts`` helper.

Behaviour:
* ``hooks`` and ``webhooks`` are the same M2M as ``hook.queues``; if both are sent, ``webhooks`` wins.
  ``users`` is the M2M of ``user.queues``. ``rules`` (RO) is the M2M of ``rule.queues``.
* ``counts`` is computed at render time from the ``annotations`` collection (fields ``queue``, ``status``),
  so the documents side never has to update it (see :func:`queue_counts`).
* ``generic_engine``/``dedicated_engine`` are mutually exclusive (400); if both are null the seeded default
  generic engine is set. ``dedicated_engine`` refers to a ``dedicated_engines`` object (see that module).
* ``inbox`` may be set on create or from null to an inbox without a queue; changing an existing link -> 400
  (the real API errors when it is updated, per rossum-deploy). ``inbox.queues`` mirrors it.
* A new queue gets the five default email templates (with their triggers).
* DELETE -> 202, empty body. ``?delete_after=<duration>`` (default ``24:00:00``): the queue gets
  ``status: deletion_requested``, ``delete_after`` and is unlinked from its workspace; it is removed when the
  time comes (timer, plus a sweep at server start). ``delete_after`` <= 0 (``0``, ``00:00:00``) deletes at once,
  with its email templates and triggers (cascade), links to hooks/users/rules and its inbox link. Either
  way the deletion takes its annotations and uploads (cascade) and the documents of those annotations with
  their file bytes (documents have no queue link; one still annotated in another queue is kept).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rossum_iac.emulator.fields import (
    Field,
    f_bool,
    f_derived,
    f_dict,
    f_list,
    f_str,
    format_datetime,
    parse_datetime,
    parse_duration,
)
from rossum_iac.emulator.http import BadRequest, Request, Response
from rossum_iac.emulator.listing import Custom, Exact, Ids, Linked, Ref, orderings_for
from rossum_iac.emulator.resource import Resource, delete_object, on_startup, register
from rossum_iac.emulator.resources.common import f_metadata, modified_fields
from rossum_iac.emulator.resources.users import QUEUE_USER
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import Tx, field_sql

HOOK_QUEUE = "hook_queue"  # links: a = hook id, b = queue id
RULE_QUEUE = "rule_queue"  # links: a = rule id, b = queue id

ANNOTATION_STATUSES = (
    "importing", "split", "failed_import", "to_review", "reviewing", "confirmed", "exporting", "postponed",
    "failed_export", "exported", "deleted", "purged", "rejected",
)  # fmt: skip
DEFAULT_DELETE_AFTER = timedelta(hours=24)


def queue_counts(tx: Tx, queue_id: int) -> dict[str, int]:
    """Annotation counts by status for a queue, computed from the ``annotations`` collection."""
    counts = dict.fromkeys(ANNOTATION_STATUSES, 0)
    rows = tx.conn.execute(
        f"SELECT {field_sql('status')}, COUNT(*) FROM objects WHERE collection = 'annotations' "
        f"AND {field_sql('queue')} = ? GROUP BY 1",
        (queue_id,),
    )
    for status, count in rows:
        if isinstance(status, str) and status in counts:
            counts[status] = int(count)
    return counts


def _counts(req: Request, obj: dict[str, Any]) -> dict[str, int]:
    return queue_counts(req.tx, obj["id"])


def _rules(req: Request, obj: dict[str, Any]) -> list[str | None]:
    return [req.url_for("rules", i) for i in req.tx.link_ids(RULE_QUEUE, "b", obj["id"])]


def _deleting(name: str, value: str) -> tuple[str, list[Any]]:
    from rossum_iac.emulator.http import parse_bool_text

    cond = f"{field_sql('delete_after')} IS NOT NULL"
    return (cond if parse_bool_text(value, name) else f"NOT ({cond})"), []


class Queues(Resource):
    collection = "queues"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        Field("workspace", "ref", target="workspaces", required=True, nullable=True, on_delete="protect"),
        Field("connector", "ref", target="connectors", nullable=True),
        Field("webhooks", "m2m", target="hooks", relation=HOOK_QUEUE, side="b", default=[]),
        Field("hooks", "m2m", target="hooks", relation=HOOK_QUEUE, side="b", default=[]),
        Field("schema", "ref", target="schemas", required=True, on_delete="protect"),
        Field("inbox", "ref", target="inboxes", nullable=True),
        Field("users", "m2m", target="users", relation=QUEUE_USER, side="a", default=[]),
        Field("session_timeout", "duration", default="01:00:00"),
        Field("rir_url", "url", nullable=True),
        Field("rir_params", "str", nullable=True),
        Field("dedicated_engine", "ref", target="dedicated_engines", nullable=True),
        Field("generic_engine", "ref", target="generic_engines", nullable=True),
        Field("engine", "ref", target="engines", nullable=True),
        f_derived("counts", _counts),
        Field("default_score_threshold", "float", default=0.8, min_value=0.0, max_value=1.0),
        f_bool("automation_enabled"),
        Field("automation_level", "str", default="never", choices=("always", "confident", "never")),
        f_str("locale", default="en_GB", allow_blank=False),
        f_metadata(),
        f_bool("use_confirmed_state"),
        f_dict("settings"),
        Field("document_lifetime", "duration", nullable=True),
        Field("delete_after", "datetime", read_only=True, nullable=True),
        Field("status", "str", read_only=True, default="active"),
        *modified_fields(),
        f_list("workflows"),
        f_bool("training_enabled", default=True),
        f_bool("archive_enabled"),
        f_derived("rules", _rules),
    ]
    filters = {
        "id": Ids(),
        "name": Exact("name"),
        "workspace": Ref("workspace"),
        "inbox": Ref("inbox"),
        "connector": Ref("connector"),
        "webhooks": Linked(HOOK_QUEUE, "b"),
        "hooks": Linked(HOOK_QUEUE, "b"),
        "locale": Exact("locale", multi=True),
        "dedicated_engine": Ref("dedicated_engine"),
        "generic_engine": Ref("generic_engine"),
        "engine": Ref("engine"),
        "schema": Ref("schema"),
        "deleting": Custom(_deleting),
        "status": Exact("status", multi=True),
    }
    orderings = orderings_for("id", "name", "workspace", "connector", "schema", "inbox", "locale")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        tx = req.tx
        if "webhooks" in values:  # the deprecated alias wins when both are sent
            values["hooks"] = values.pop("webhooks")
        if obj.get("generic_engine") is not None and obj.get("dedicated_engine"):
            raise BadRequest(["generic_engine and dedicated_engine are mutually exclusive: set one of them to null."])
        if obj.get("generic_engine") is None and not obj.get("dedicated_engine"):
            obj["generic_engine"] = tx.meta_get("default_generic_engine")
        if "inbox" in values:
            new_inbox = values["inbox"]
            old_inbox = old.get("inbox") if old else None
            if new_inbox != old_inbox:
                if old_inbox is not None:
                    raise BadRequest({"inbox": ["The inbox of a queue cannot be changed once it is set."]})
                users = [q for q in tx.ids_where("queues", "inbox", new_inbox) if old is None or q != old["id"]]
                if users:
                    raise BadRequest({"inbox": ["This inbox is already used by another queue."]})

    def after_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if old is None:
            from rossum_iac.emulator.resources.email_templates import create_default_templates

            create_default_templates(req, obj)

    def handle_destroy(self, req: Request) -> Any:
        obj = req.tx.require("queues", req.path_params["id"])
        self.check_write(req, obj)
        raw = req.param("delete_after")
        if raw in (None, ""):
            delay = DEFAULT_DELETE_AFTER
        else:
            try:
                delay = parse_duration(raw)
            except (ValueError, OverflowError):
                raise BadRequest(
                    {
                        "delete_after": [
                            "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss."
                        ]
                    }
                ) from None
        if delay <= timedelta(0):
            delete_queue_now(req, obj)
            return Response(202, None)
        obj["delete_after"] = format_datetime(datetime.now(UTC) + delay)
        obj["status"] = "deletion_requested"
        obj["workspace"] = None
        self.touch(req, obj)
        req.app.call_later(delay.total_seconds(), sweep_due_queues)
        return Response(202, None)


QUEUES = register(Queues())


def delete_queue_now(req: Request, queue: dict[str, Any]) -> None:
    """Delete the queue (its annotations cascade), then the documents those annotations were on."""
    document_ids = {
        annotation.get("document")
        for annotation in req.tx.select("annotations", f"{field_sql('queue')} = ?", (queue["id"],))
    }
    delete_object(req, "queues", queue)
    for document_id in sorted(i for i in document_ids if i is not None):
        document = req.tx.get("documents", document_id)
        if document is not None and not req.tx.ids_where("annotations", "document", document_id):
            delete_object(req, "documents", document)  # its before_delete drops the stored bytes


def sweep_due_queues(req: Request) -> int:
    """Delete queues whose ``delete_after`` has passed; returns how many were deleted."""
    now = datetime.now(UTC)
    done = 0
    for queue in req.tx.select("queues", f"{field_sql('delete_after')} IS NOT NULL"):
        if parse_datetime(queue["delete_after"]) <= now:
            delete_queue_now(req, queue)
            done += 1
    return done


@on_startup
def resume_queue_deletions(req: Request) -> None:
    """At server start: delete queues already due and schedule the others (persisted DB)."""
    sweep_due_queues(req)
    now = datetime.now(UTC)
    for queue in req.tx.select("queues", f"{field_sql('delete_after')} IS NOT NULL"):
        delay = (parse_datetime(queue["delete_after"]) - now).total_seconds()
        req.app.call_later(max(0.0, delay), sweep_due_queues)


@route("GET", "/queues/{id}/related_objects_counts")
def related_objects_counts(req: Request) -> Any:
    queue = req.tx.require("queues", req.path_params["id"])
    return {
        "annotations": req.tx.count("annotations", f"{field_sql('queue')} = ?", [queue["id"]]),
        "emails": req.tx.count("emails", f"{field_sql('queue')} = ?", [queue["id"]]),
        "trained_dedicated_engines": 0,
    }


_AUTOMATION_FIELDS = ("automation_enabled", "automation_level", "default_score_threshold")


@route("POST", "/queues/{id}/duplicate")
def duplicate_queue(req: Request) -> Any:
    """Copy a queue (schema and workspace shared). Options as documented; defaults false except
    ``copy_automation_settings``/``copy_email_settings`` true (undocumented defaults: choice)."""
    tx = req.tx
    source = tx.require("queues", req.path_params["id"])
    QUEUES.check_write(req, None)
    body = req.json_object()
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise BadRequest({"name": ["This field is required."]})

    def flag(name: str, default: bool) -> bool:
        value = body.get(name, default)
        if not isinstance(value, bool):
            raise BadRequest({name: ["Must be a valid boolean."]})
        return value

    copy_ext = flag("copy_extensions_settings", False)
    copy_email = flag("copy_email_settings", True)
    copy_automation = flag("copy_automation_settings", True)
    copy_permissions = flag("copy_permissions", False)
    copy_rules = flag("copy_rules_and_actions", False)
    flag("copy_delete_recommendations", False)
    skip = {"id", "name", "inbox", "delete_after", "status", "modified_at", "modified_by", "connector"}
    if not copy_automation:
        skip |= set(_AUTOMATION_FIELDS)
    new = QUEUES.new_object()
    new.update({k: v for k, v in source.items() if k not in skip and not k.startswith("_")})
    new["name"] = body["name"]
    QUEUES._stamp(req, new, created=True)
    new = tx.insert("queues", new)
    from rossum_iac.emulator.resources.email_templates import copy_email_templates, create_default_templates

    if copy_email:
        copy_email_templates(req, source, new)
    else:
        create_default_templates(req, new)
    if copy_ext:
        tx.set_links(HOOK_QUEUE, "b", new["id"], tx.link_ids(HOOK_QUEUE, "b", source["id"]))
    if copy_permissions:
        tx.set_links(QUEUE_USER, "a", new["id"], tx.link_ids(QUEUE_USER, "a", source["id"]))
    if copy_rules:
        tx.set_links(RULE_QUEUE, "b", new["id"], tx.link_ids(RULE_QUEUE, "b", source["id"]))
    return Response(201, QUEUES.render(req, new))
