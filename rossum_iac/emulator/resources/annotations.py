"""annotations: list (filters, orderings, sideloads, ``fields``), retrieve, create, PUT/PATCH, actions.

Lifecycle (reference "Annotation Lifecycle"; choices where it is silent are marked *):

* ``POST /annotations/{id}/start`` body ``{"statuses": [...]}`` (default to_review, reviewing, postponed,
  confirmed) -> 200 ``{"annotation", "session_timeout"}`` (the queue's), status ``reviewing``,
  ``assigned_at``/``modifier`` set; 409 ``{"detail"}`` in another status.
* ``confirm`` -> 204: ``confirmed`` when the queue has ``use_confirmed_state`` (and the annotation is not
  confirmed yet), else ``exported`` (*never ``exporting``: the emulator runs no connector). Allowed from
  to_review, reviewing, postponed, confirmed, failed_export, in_workflow; 409 otherwise.*
* ``cancel`` -> 204: back to the status the annotation had before ``start`` (``to_review`` or
  ``postponed``); *a no-op on to_review/postponed; 409 otherwise.*
* ``postpone`` -> 204 ``postponed`` *(409 from exported/deleted/purged/importing...)*; ``delete`` -> 204
  ``deleted`` (409 when purged); ``reject`` -> 200 ``{"status": "rejected", "note": URL}`` (a note object
  is stored in ``notes``) *(rejection is allowed whatever the queue's rejection settings)*; ``approve``
  -> 200 ``{"status"}`` only from ``in_workflow`` (409 otherwise).
* ``PUT``/``PATCH`` may set any documented status (``purged`` is terminal -> 409); the status timestamps
  and ``*_by`` fields are stamped like the actions do. Setting ``importing`` restarts the simulated import.
* ``POST /annotations`` (create): only ``status: created`` (documented), ``document`` and ``queue``
  required; ``content_data`` (flat list of datapoints by ``schema_id``) and ``values`` initialise the content;
  *answers 201 like every other create (the older reference text says 200).*
* ``DELETE /annotations/{id}`` (internal in the API) deletes the annotation and its content -> 204.
* ``POST /annotations/purge_deleted`` -> 202; ``deleted`` annotations of the given ``annotations``/``queue``
  become ``purged`` at once (content emptied). ``POST /annotations/assign`` -> 204 sets ``assignees``.
  ``POST /annotations/{id}/copy`` -> 200 ``{"annotation": URL}`` (content copied, new node ids).
* Sideloads on the list: every documented keyword is accepted (``pages, notes, automation_blockers,
  suggested_edits, workflow_runs`` are always empty lists); ``content`` needs ``content.schema_id`` (400)
  and returns the matching nodes flat; unknown keywords -> 400. ``fields`` / ``fields!`` select keys.
"""

from __future__ import annotations

import time
from typing import Any

from rossum_iac.emulator.fields import Field, f_bool, f_derived, now_iso
from rossum_iac.emulator.http import BadRequest, Conflict, Request, Response, no_content
from rossum_iac.emulator.listing import (
    Bool,
    Contains,
    Custom,
    DateCmp,
    Exact,
    Ids,
    Ref,
    build_where,
    id_value,
    ordering_sql,
    paginate_query,
)
from rossum_iac.emulator.resource import RESOURCES, Resource, register, require_ref
from rossum_iac.emulator.resources._content_tree import (
    ContentError,
    apply_datapoint_update,
    iter_nodes,
    schema_index,
)
from rossum_iac.emulator.resources._importing import (
    CONTENT,
    NodeIds,
    create_annotation,
    load_content,
    render_node,
    save_content,
    schedule_settle,
    schema_content_of,
    settle_imports,
)
from rossum_iac.emulator.resources.common import f_metadata
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import Tx, field_sql

STATUSES = (
    "created",
    "importing",
    "failed_import",
    "split",
    "to_review",
    "reviewing",
    "in_workflow",
    "confirmed",
    "rejected",
    "exporting",
    "exported",
    "failed_export",
    "postponed",
    "deleted",
    "purged",
)
DEFAULT_START_STATUSES = ("to_review", "reviewing", "postponed", "confirmed")
CONFIRMABLE = ("to_review", "reviewing", "postponed", "confirmed", "failed_export", "in_workflow")
POSTPONABLE = ("to_review", "reviewing", "postponed", "confirmed", "failed_export", "rejected", "in_workflow")
USER_FIELDS = (
    "modifier",
    "modified_by",
    "creator",
    "confirmed_by",
    "deleted_by",
    "exported_by",
    "purged_by",
    "rejected_by",
)
STATUS_STAMPS = {
    "confirmed": ("confirmed_at", "confirmed_by"),
    "exported": ("exported_at", "exported_by"),
    "deleted": ("deleted_at", "deleted_by"),
    "rejected": ("rejected_at", "rejected_by"),
    "purged": ("purged_at", "purged_by"),
    "failed_export": ("export_failed_at", None),
}
TIMESTAMP_FILTERS = (
    "assigned_at",
    "confirmed_at",
    "modified_at",
    "deleted_at",
    "exported_at",
    "export_failed_at",
    "purged_at",
    "rejected_at",
    "created_at",
)
EMPTY_SIDELOADS = ("pages", "notes", "automation_blockers", "suggested_edits", "workflow_runs")
SIDELOAD_FIELDS = {
    "documents": ("document", "documents"),
    "modifiers": ("modifier", "users"),
    "queues": ("queue", "queues"),
    "schemas": ("schema", "schemas"),
    "creators": ("creator", "users"),
    "confirmed_bys": ("confirmed_by", "users"),
    "deleted_bys": ("deleted_by", "users"),
    "exported_bys": ("exported_by", "users"),
    "purged_bys": ("purged_by", "users"),
    "rejected_bys": ("rejected_by", "users"),
    "organizations": ("organization", "organizations"),
    "emails": ("email", "emails"),
    "labels": ("labels", "labels"),
    "assignees": ("assignees", "users"),
    "related_emails": ("related_emails", "emails"),
}
SIDELOADS = (*SIDELOAD_FIELDS, *EMPTY_SIDELOADS, "content", "workspaces", "relations", "child_relations")
PROCESSING_DURATION_KEYS = (
    "time_spent_active",
    "time_spent_overall",
    "time_spent_edit",
    "time_spent_blockers",
    "time_spent_emails",
    "time_spent_opening",
)


# ------------------------------------------------------------------------------------------ rendering


def split_csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _relations(req: Request, obj: dict[str, Any]) -> list[str | None]:
    return [req.url_for("relations", r["id"]) for r in relations_of(req.tx, obj["id"])]


def relations_of(tx: Tx, annotation_id: int) -> list[dict[str, Any]]:
    return tx.select(
        "relations",
        "EXISTS (SELECT 1 FROM json_each(objects.data, '$.annotations') WHERE json_each.value = ?)",
        [annotation_id],
    )


def _user_ref(name: str, **kw: Any) -> Field:
    return Field(name, "ref", target="users", read_only=True, nullable=True, **kw)


def _ro(name: str, default: Any = None) -> Field:
    return Field(name, "any", read_only=True, nullable=True, default=default)


def _username_sql(field: str) -> str:
    """The username of the user in ``field`` of the listed annotation (``objects``: the outer row; unqualified,
    the name would mean the user row ``u`` of the subquery)."""
    return (
        "(SELECT json_extract(u.data, '$.username') FROM objects u WHERE u.collection = 'users' "
        f"AND u.id = objects.{field_sql(field)})"
    )


def _queue_workspace(name: str, value: str) -> tuple[str, list[Any]]:
    ids = [id_value(name, v) for v in split_csv(value)]
    marks = ",".join("?" * len(ids))
    return (
        f"{field_sql('queue')} IN (SELECT q.id FROM objects q WHERE q.collection = 'queues' "
        f"AND q.{field_sql('workspace')} IN ({marks}))",
        ids,
    )


def _relation_filter(name: str, value: str, attribute: str, *, ids: bool) -> tuple[str, list[Any]]:
    values: list[Any] = [id_value(name, v) for v in split_csv(value)] if ids else split_csv(value)
    marks = ",".join("?" * len(values))
    return (
        "objects.id IN (SELECT je.value FROM objects r, json_each(r.data, '$.annotations') je "
        f"WHERE r.collection = 'relations' AND json_extract(r.data, '$.{attribute}') IN ({marks}))",
        values,
    )


def _fulltext(name: str, value: str) -> tuple[str, list[Any]]:
    """``search=``: case-insensitive substring of a datapoint value or the original file name."""
    if len(value) > 256:
        raise BadRequest({name: ["Ensure this field has no more than 256 characters."]})
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return (
        "(EXISTS (SELECT 1 FROM objects c, json_tree(c.data, '$.content') t WHERE c.collection = 'annotation_content' "
        "AND c.id = objects.id AND t.key = 'value' AND t.type = 'text' AND t.value LIKE ? ESCAPE '\\') "
        f"OR {field_sql('_file_name')} LIKE ? ESCAPE '\\')",
        [pattern, pattern],
    )


class Annotations(Resource):
    collection = "annotations"
    write_roles = None  # annotators work on annotations too
    fields = [
        Field("status", "str", choices=STATUSES),
        Field("document", "ref", target="documents", on_delete="cascade"),
        Field("queue", "ref", target="queues", on_delete="cascade"),
        Field("schema", "ref", target="schemas", read_only=True, nullable=True, on_delete="protect"),
        f_derived("relations", _relations),
        _ro("pages", []),
        _user_ref("creator"),
        Field("created_at", "datetime", read_only=True),
        Field("modifier", "ref", target="users", nullable=True),
        _user_ref("modified_by"),
        Field("modified_at", "datetime", read_only=True, nullable=True),
        *(
            Field(name, "datetime", read_only=True, nullable=True)
            for name in (
                "assigned_at",
                "confirmed_at",
                "deleted_at",
                "exported_at",
                "export_failed_at",
                "purged_at",
                "rejected_at",
            )
        ),
        *(_user_ref(name) for name in ("confirmed_by", "deleted_by", "exported_by", "purged_by", "rejected_by")),
        Field("rir_poll_id", "str", nullable=True),
        Field("messages", "list", nullable=True),
        f_derived("content", lambda req, obj: f"{req.base_url}/annotations/{obj['id']}/content"),
        _ro("suggested_edit"),
        Field("time_spent", "float", default=0, min_value=0),
        f_metadata(),
        f_bool("automated"),
        Field("related_emails", "refs", target="emails", read_only=True),
        Field("email", "ref", target="emails", read_only=True, nullable=True),
        _ro("automation_blocker"),
        _ro("email_thread"),
        _ro("has_email_thread_with_replies", False),
        _ro("has_email_thread_with_new_replies", False),
        Field("organization", "ref", target="organizations", read_only=True, nullable=True),
        _ro("automatically_rejected", False),
        _ro("prediction"),
        Field("assignees", "refs", target="users", read_only=True),
        Field("labels", "refs", target="labels", read_only=True),
        _ro("restricted_access", False),
        f_bool("training_enabled", default=True),
        _ro("einvoice", False),
    ]
    filters = {
        "id": Ids(),
        "status": Exact("status", multi=True),
        **{
            name: Ref(name)
            for name in (
                "modifier",
                "confirmed_by",
                "deleted_by",
                "exported_by",
                "purged_by",
                "rejected_by",
                "document",
                "queue",
                "creator",
            )
        },
        "assignees": Contains("assignees"),
        "labels": Contains("labels"),
        "queue__workspace": Custom(_queue_workspace),
        "relations__parent": Custom(lambda name, value: _relation_filter(name, value, "parent", ids=True)),
        "relations__type": Custom(lambda name, value: _relation_filter(name, value, "type", ids=False)),
        "relations__key": Custom(lambda name, value: _relation_filter(name, value, "key", ids=False)),
        "arrived_at_before": DateCmp("_arrived_at", "<"),
        "arrived_at_after": DateCmp("_arrived_at", ">"),
        **{f"{name}_before": DateCmp(name, "<") for name in TIMESTAMP_FILTERS},
        **{f"{name}_after": DateCmp(name, ">") for name in TIMESTAMP_FILTERS},
        "restricted_access": Bool("restricted_access"),
        "automated": Bool("automated"),
        "has_email_thread_with_replies": Bool("has_email_thread_with_replies"),
        "has_email_thread_with_new_replies": Bool("has_email_thread_with_new_replies"),
        "search": Custom(_fulltext),
        "email": Ref("email"),
    }
    orderings = {
        "id": "id",
        **{
            name: field_sql(name)
            for name in (
                "document",
                "modifier",
                "modified_by",
                "creator",
                "queue",
                "status",
                "created_at",
                "assigned_at",
                "confirmed_at",
                "modified_at",
                "exported_at",
                "export_failed_at",
                "purged_at",
                "rejected_at",
                "deleted_at",
                "confirmed_by",
                "deleted_by",
                "exported_by",
                "purged_by",
                "rejected_by",
            )
        },
        "document__arrived_at": field_sql("_arrived_at"),
        "arrived_at": field_sql("_arrived_at"),
        "document__original_file_name": field_sql("_file_name"),
        "original_file_name": field_sql("_file_name"),
        **{f"{name}__username": _username_sql(name) for name in USER_FIELDS},
    }

    def handle_list(self, req: Request) -> Any:
        settle_imports(req.tx)
        sideloads = requested_sideloads(req)
        raw: list[dict[str, Any]] = []

        def render(obj: dict[str, Any]) -> dict[str, Any]:
            raw.append(obj)
            return select_fields(req, self.render(req, obj))

        where = build_where(req, self.filters)
        order = ordering_sql(req, self.orderings, self.default_ordering)
        page = paginate_query(req, self.collection, where, order, render, max_page_size=self.max_page_size)
        page.update(sideload(req, raw, sideloads))
        return page

    def handle_retrieve(self, req: Request) -> Any:
        settle_imports(req.tx)
        return select_fields(req, self.render(req, req.tx.require(self.collection, req.path_params["id"])))

    def handle_create(self, req: Request) -> Any:
        body = req.json_object()
        errors: dict[str, list[str]] = {}
        if body.get("status") != "created":
            errors["status"] = ['Only "created" status is supported when creating an annotation.']
        for name in ("document", "queue"):
            if name not in body:
                errors[name] = ["This field is required."]
        if errors:
            raise BadRequest(errors)
        document = req.tx.require("documents", require_ref(req, "document", body["document"], "documents"))
        queue = req.tx.require("queues", require_ref(req, "queue", body["queue"], "queues"))
        values = body.get("values") or {}
        metadata = body.get("metadata") or {}
        if not isinstance(values, dict) or not isinstance(metadata, dict):
            raise BadRequest({"values" if not isinstance(values, dict) else "metadata": ["Must be a JSON object."]})
        training = body.get("training_enabled", True)
        if not isinstance(training, bool):
            raise BadRequest({"training_enabled": ["Must be a valid boolean."]})
        ann = create_annotation(
            req, queue, document, values=values, metadata=metadata, status="created", training_enabled=training
        )
        content_data = body.get("content_data")
        if content_data is not None:
            _apply_content_data(req, ann, content_data)
        return Response(201, self.render(req, ann))

    def update(self, req: Request, obj: dict[str, Any], body: dict[str, Any], *, partial: bool) -> dict[str, Any]:
        settle_imports(req.tx)
        obj = req.tx.require(self.collection, obj["id"])
        return super().update(req, obj, body, partial=partial)

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if old is None:
            return
        if "queue" in values and values["queue"] != old.get("queue"):
            queue = req.tx.require("queues", values["queue"])
            obj["schema"] = queue.get("schema")
        if "status" in values and values["status"] != old.get("status"):
            if old.get("status") == "purged":
                raise Conflict("Annotation is purged; its status cannot be changed.")
            stamp_status(req, obj, values["status"])

    def before_delete(self, req: Request, obj: dict[str, Any]) -> None:
        req.tx.delete(CONTENT, obj["id"])


ANNOTATIONS = register(Annotations())


# ------------------------------------------------------------------------------------------- helpers


def user_id(req: Request) -> int | None:
    return req.user["id"] if req.user else None


def stamp_status(req: Request, obj: dict[str, Any], status: str) -> None:
    """Set ``status`` and the timestamps / ``*_by`` fields that go with it."""
    now = now_iso()
    obj["status"] = status
    stamp = STATUS_STAMPS.get(status)
    if stamp is not None:
        obj[stamp[0]] = now
        if stamp[1] is not None:
            obj[stamp[1]] = user_id(req)
    if status == "exported" and not obj.get("confirmed_at"):
        obj["confirmed_at"] = now
        obj["confirmed_by"] = user_id(req)
    if status == "reviewing":
        obj["assigned_at"] = now
    if status == "importing":
        obj["_import_ready_at"] = time.time() + max(0.0, float(req.app.settings.import_delay_s))
        schedule_settle(req)
    else:
        obj.pop("_import_ready_at", None)
    obj.pop("_export_ready_at", None)
    obj["modifier"] = user_id(req)


def save_annotation(req: Request, obj: dict[str, Any]) -> None:
    ANNOTATIONS.touch(req, obj)


def get_annotation(req: Request, annotation_id: int | None = None) -> dict[str, Any]:
    """The annotation of the path (``{id}``) after settling due imports; 404 if missing."""
    settle_imports(req.tx)
    return req.tx.require("annotations", req.path_params["id"] if annotation_id is None else annotation_id)


def check_content_editable(req: Request, annotation: dict[str, Any]) -> None:
    """409 for content edits the API refuses: purged / in_workflow annotations, or one being reviewed by
    another user (the documented "changing annotation not started by current user")."""
    status = annotation.get("status")
    if status in ("purged", "in_workflow"):
        raise Conflict(f"Annotation content cannot be modified in status {status}.")
    if status == "reviewing" and annotation.get("modifier") not in (None, user_id(req)):
        raise Conflict("Annotation was not started by the current user.")


def select_fields(req: Request, rendered: dict[str, Any]) -> dict[str, Any]:
    include = [f for f in split_csv(req.param("fields") or "")]
    exclude = set(split_csv(req.param("fields!") or ""))
    if include:
        rendered = {k: v for k, v in rendered.items() if k in include}
    if exclude:
        rendered = {k: v for k, v in rendered.items() if k not in exclude}
    return rendered


def _apply_content_data(req: Request, annotation: dict[str, Any], content_data: Any) -> None:
    if not isinstance(content_data, list):
        raise BadRequest({"content_data": ["Expected a list of datapoints."]})
    content = load_content(req.tx, annotation["id"])
    schema = schema_index(schema_content_of(req.tx, annotation.get("schema")))
    by_schema: dict[str, dict[str, Any]] = {}
    for node, _parent in iter_nodes(content):
        if node.get("category") == "datapoint":
            by_schema.setdefault(node["schema_id"], node)
    try:
        for item in content_data:
            if not isinstance(item, dict) or not isinstance(item.get("schema_id"), str):
                raise ContentError("Every item of content_data needs a 'schema_id'.")
            target = by_schema.get(item["schema_id"])
            if target is None:
                raise ContentError(f"Unknown schema_id {item['schema_id']!r}.")
            apply_datapoint_update(target, item, schema.get(item["schema_id"]), strict=False)
    except ContentError as exc:
        raise BadRequest({"content_data": [str(exc)]}) from None
    save_content(req.tx, annotation["id"], content)


# ----------------------------------------------------------------------------------------- sideloads


def requested_sideloads(req: Request) -> list[str]:
    names = split_csv(req.param("sideload") or "")
    unknown = [name for name in names if name not in SIDELOADS]
    if unknown:
        raise BadRequest({"sideload": [f"Unknown sideload {', '.join(unknown)}; allowed: {', '.join(SIDELOADS)}."]})
    if "content" in names and not split_csv(req.param("content.schema_id") or ""):
        raise BadRequest({"content.schema_id": ["Sideloading content requires the content.schema_id filter."]})
    return names


def _render_other(req: Request, collection: str, obj: dict[str, Any]) -> dict[str, Any]:
    resource = RESOURCES.get(collection)
    if resource is None:
        return {"id": obj["id"], "url": req.url_for(collection, obj["id"])}
    return resource.render(req, obj)


def sideload(req: Request, annotations: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    """Top-level sideload lists for a page of (stored) annotations."""
    out: dict[str, Any] = {}
    tx = req.tx
    for name in names:
        if name in EMPTY_SIDELOADS:
            out[name] = []
        elif name in SIDELOAD_FIELDS:
            field, collection = SIDELOAD_FIELDS[name]
            ids: list[int] = []
            for ann in annotations:
                value = ann.get(field)
                for item in value if isinstance(value, list) else [value]:
                    if item is not None and item not in ids:
                        ids.append(item)
            objects = [obj for i in ids if (obj := tx.get(collection, i)) is not None]
            out[name] = [_render_other(req, collection, obj) for obj in objects]
        elif name == "workspaces":
            ids = []
            for ann in annotations:
                queue = tx.get("queues", ann["queue"]) if ann.get("queue") is not None else None
                workspace = (queue or {}).get("workspace")
                if workspace is not None and workspace not in ids:
                    ids.append(workspace)
            out[name] = [_render_other(req, "workspaces", obj) for i in ids if (obj := tx.get("workspaces", i))]
        elif name in ("relations", "child_relations"):
            seen: dict[int, dict[str, Any]] = {}
            for ann in annotations:
                found = (
                    relations_of(tx, ann["id"])
                    if name == "relations"
                    else tx.select("relations", f"{field_sql('parent')} = ?", [ann["id"]])
                )
                for relation in found:
                    seen.setdefault(relation["id"], relation)
            out[name] = [_render_other(req, "relations", obj) for obj in seen.values()]
        elif name == "content":
            wanted = set(split_csv(req.param("content.schema_id") or ""))
            nodes: list[dict[str, Any]] = []
            for ann in annotations:
                for node, _parent in iter_nodes(load_content(tx, ann["id"])):
                    if node.get("schema_id") in wanted:
                        nodes.append(render_node(req.base_url, ann["id"], node))
            out[name] = nodes
    return out


# ------------------------------------------------------------------------------------------- actions


def _body(req: Request) -> dict[str, Any]:
    body = req.json_object()
    duration = body.get("processing_duration")
    if duration is not None and not isinstance(duration, dict):
        raise BadRequest({"processing_duration": ["Must be a JSON object."]})
    return body


def _record_duration(annotation: dict[str, Any], body: dict[str, Any]) -> None:
    duration = body.get("processing_duration")
    if isinstance(duration, dict):
        stored = dict(annotation.get("_processing_duration") or {})
        for key in PROCESSING_DURATION_KEYS:
            if isinstance(duration.get(key), int | float) and not isinstance(duration.get(key), bool):
                stored[key] = float(duration[key])
        annotation["_processing_duration"] = stored
        if "time_spent_overall" in stored:
            annotation["time_spent"] = stored["time_spent_overall"]


@route("POST", "/annotations/{id}/start")
def start_annotation(req: Request) -> Any:
    annotation = get_annotation(req)
    body = req.json_object()
    statuses = body.get("statuses", list(DEFAULT_START_STATUSES))
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise BadRequest({"statuses": ["Expected a list of statuses."]})
    if annotation.get("status") not in statuses:
        raise Conflict(
            f"Annotation {annotation['id']} is in status {annotation.get('status')!r}, "
            f"expected one of: {', '.join(statuses)}."
        )
    if annotation.get("status") != "reviewing":
        annotation["_status_before_start"] = annotation.get("status")
    stamp_status(req, annotation, "reviewing")
    save_annotation(req, annotation)
    queue = req.tx.get("queues", annotation["queue"]) or {}
    return {
        "annotation": req.url_for("annotations", annotation["id"]),
        "session_timeout": queue.get("session_timeout") or "01:00:00",
    }


@route("POST", "/annotations/{id}/confirm")
def confirm_annotation(req: Request) -> Any:
    annotation = get_annotation(req)
    body = _body(req)
    status = annotation.get("status")
    if status not in CONFIRMABLE:
        raise Conflict(f"Annotation in status {status!r} cannot be confirmed.")
    queue = req.tx.get("queues", annotation["queue"]) or {}
    target = "confirmed" if queue.get("use_confirmed_state") and status != "confirmed" else "exported"
    _record_duration(annotation, body)
    stamp_status(req, annotation, target)
    save_annotation(req, annotation)
    return no_content()


@route("POST", "/annotations/{id}/cancel")
def cancel_annotation(req: Request) -> Any:
    annotation = get_annotation(req)
    body = _body(req)
    status = annotation.get("status")
    if status == "reviewing":
        previous = annotation.pop("_status_before_start", None)
        stamp_status(req, annotation, "postponed" if previous == "postponed" else "to_review")
    elif status not in ("to_review", "postponed"):
        raise Conflict(f"Annotation in status {status!r} cannot be cancelled.")
    _record_duration(annotation, body)
    save_annotation(req, annotation)
    return no_content()


@route("POST", "/annotations/{id}/postpone")
def postpone_annotation(req: Request) -> Any:
    annotation = get_annotation(req)
    body = _body(req)
    if annotation.get("status") not in POSTPONABLE:
        raise Conflict(f"Annotation in status {annotation.get('status')!r} cannot be postponed.")
    _record_duration(annotation, body)
    stamp_status(req, annotation, "postponed")
    save_annotation(req, annotation)
    return no_content()


@route("POST", "/annotations/{id}/delete")
def soft_delete_annotation(req: Request) -> Any:
    annotation = get_annotation(req)
    body = _body(req)
    if annotation.get("status") == "purged":
        raise Conflict("Annotation is purged.")
    _record_duration(annotation, body)
    stamp_status(req, annotation, "deleted")
    save_annotation(req, annotation)
    return no_content()


@route("POST", "/annotations/{id}/reject")
def reject_annotation(req: Request) -> Any:
    annotation = get_annotation(req)
    body = _body(req)
    if annotation.get("status") in ("purged", "deleted", "exported", "exporting", "importing", "created"):
        raise Conflict(f"Annotation in status {annotation.get('status')!r} cannot be rejected.")
    note_content = body.get("note_content", "")
    if not isinstance(note_content, str):
        raise BadRequest({"note_content": ["Not a valid string."]})
    _record_duration(annotation, body)
    stamp_status(req, annotation, "rejected")
    annotation["automatically_rejected"] = bool(body.get("automatically_rejected", False))
    save_annotation(req, annotation)
    note = req.tx.insert(
        "notes",
        {
            "annotation": annotation["id"],
            "content": note_content,
            "type": "rejection",
            "creator": user_id(req),
            "created_at": now_iso(),
            "metadata": {},
        },
    )
    return {"status": "rejected", "note": req.url_for("notes", note["id"])}


@route("POST", "/annotations/{id}/approve")
def approve_annotation(req: Request) -> Any:
    annotation = get_annotation(req)
    if annotation.get("status") != "in_workflow":
        raise Conflict(f"Only annotations in_workflow can be approved (status is {annotation.get('status')!r}).")
    queue = req.tx.get("queues", annotation["queue"]) or {}
    target = "confirmed" if queue.get("use_confirmed_state") else "exported"
    stamp_status(req, annotation, target)
    save_annotation(req, annotation)
    return {"status": target}


@route("GET", "/annotations/{id}/processing_duration")
def get_processing_duration(req: Request) -> Any:
    annotation = get_annotation(req)
    return _render_duration(req, annotation)


@route("PATCH", "/annotations/{id}/processing_duration")
def patch_processing_duration(req: Request) -> Any:
    annotation = get_annotation(req)
    body = req.json_object()
    errors = {
        key: ["A valid number is required."]
        for key in PROCESSING_DURATION_KEYS
        if key in body and (isinstance(body[key], bool) or not isinstance(body[key], int | float))
    }
    if errors:
        raise BadRequest(errors)
    _record_duration(annotation, {"processing_duration": body})
    req.tx.save("annotations", annotation)
    return _render_duration(req, annotation)


def _render_duration(req: Request, annotation: dict[str, Any]) -> dict[str, Any]:
    stored = annotation.get("_processing_duration") or {}
    out: dict[str, Any] = {"annotation": req.url_for("annotations", annotation["id"])}
    for key in PROCESSING_DURATION_KEYS:
        out[key] = float(stored.get(key, annotation.get("time_spent", 0) if key == "time_spent_overall" else 0))
    out["duration_latest_validate_started"] = None
    out["duration_latest_validate_updated_before_confirm"] = None
    return out


@route("POST", "/annotations/assign")
def assign_annotations(req: Request) -> Any:
    body = req.json_object()
    annotations = body.get("annotations")
    assignees = body.get("assignees")
    if not isinstance(annotations, list) or not annotations:
        raise BadRequest({"annotations": ["This field is required."]})
    if not isinstance(assignees, list):
        raise BadRequest({"assignees": ["This field is required."]})
    user_ids = [require_ref(req, "assignees", url, "users") for url in assignees]
    for url in annotations:
        annotation = req.tx.require("annotations", require_ref(req, "annotations", url, "annotations"))
        annotation["assignees"] = user_ids
        save_annotation(req, annotation)
    return no_content()


@route("POST", "/annotations/purge_deleted")
def purge_deleted(req: Request) -> Any:
    body = req.json_object()
    urls = body.get("annotations") or []
    queue_url = body.get("queue")
    if not urls and not queue_url:
        raise BadRequest(["At least one of annotations, queue must be filled in."])
    if not isinstance(urls, list):
        raise BadRequest({"annotations": ["Expected a list of URLs."]})
    ids = {require_ref(req, "annotations", url, "annotations") for url in urls}
    if queue_url:
        queue_id = require_ref(req, "queue", queue_url, "queues")
        ids |= set(req.tx.ids_where("annotations", "queue", queue_id))
    for annotation_id in sorted(ids):
        annotation = req.tx.get("annotations", annotation_id)
        if annotation is None or annotation.get("status") != "deleted":
            continue
        stamp_status(req, annotation, "purged")
        save_annotation(req, annotation)
        save_content(req.tx, annotation_id, [])
        for relation in relations_of(req.tx, annotation_id):
            if relation.get("type") == "duplicate":
                relation["annotations"] = [i for i in relation["annotations"] if i != annotation_id]
                req.tx.save("relations", relation)
    return Response(202, None)


@route("POST", "/annotations/{id}/copy")
def copy_annotation(req: Request) -> Any:
    source = get_annotation(req)
    body = req.json_object()
    if "target_queue" not in body:
        raise BadRequest({"target_queue": ["This field is required."]})
    queue = req.tx.require("queues", require_ref(req, "target_queue", body["target_queue"], "queues"))
    target_status = body.get("target_status") or source.get("status")
    if target_status not in STATUSES:
        raise BadRequest({"target_status": [f'"{target_status}" is not a valid choice.']})
    copy = {k: v for k, v in source.items() if k != "id"}
    copy.update(queue=queue["id"], schema=queue.get("schema"), created_at=now_iso(), creator=user_id(req))
    copy = req.tx.insert("annotations", copy)
    stamp_status(req, copy, target_status)
    save_annotation(req, copy)
    new_id = NodeIds(req.tx)

    def renumber(node: dict[str, Any]) -> dict[str, Any]:
        out = {**node, "id": new_id()}
        if isinstance(node.get("children"), list):
            out["children"] = [renumber(child) for child in node["children"]]
        return out

    save_content(req.tx, copy["id"], [renumber(section) for section in load_content(req.tx, source["id"])])
    if req.param("reimport") in ("true", "True", "1"):
        stamp_status(req, copy, "importing")
        save_annotation(req, copy)
    return {"annotation": req.url_for("annotations", copy["id"])}
