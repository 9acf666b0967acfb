"""email_templates (+ triggers, their M2M partner), default templates of new queues, render, stats.

Behaviour:
* Only ``rejection`` and ``custom`` templates can be created or deleted through the API (400 otherwise);
  the type of an existing template cannot be changed to or from another type (400).
* ``organization`` is set from the queue; ``queue`` is required; ``to``/``cc``/``bcc`` are lists of
  ``{"email", "name"?}`` with at most 40 recipients together.
* ``triggers`` is the same M2M as ``trigger.email_templates``; allowed combinations: custom -> any event,
  rejection/rejection_default -> ``annotation_imported``, email_with_no_processable_attachments -> only
  its own event, and its trigger cannot be unlinked or changed (400).
* Every new queue gets the documented five templates: "Annotation status change - confirmed/exported/received"
  (custom, automate false, triggers annotation_confirmed/annotation_exported/annotation_created),
  "Default rejection template" (rejection_default, automate true, no trigger), "Email with no processable
  attachments" (its own type and trigger, automate false); all with ``to: [{"email": "{{sender_email}}"}]``.
* A trigger of the ``email_with_no_processable_attachments`` event cannot be deleted (400; deleting its queue
  still removes it).
* ``render`` substitutes ``{{ var }}`` from ``template_values`` and a few built-ins; ``stats`` answers zero counts.
"""

from __future__ import annotations

import re
from typing import Any

from rossum_iac.emulator.fields import Field, FieldError, f_bool, f_list, f_str
from rossum_iac.emulator.http import BadRequest, Request
from rossum_iac.emulator.listing import (
    Exact,
    Ids,
    Linked,
    Ref,
    build_where,
    ordering_sql,
    orderings_for,
    paginate_query,
)
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.routing import route

TRIGGER_TEMPLATE = "trigger_email_template"  # links: a = trigger id, b = email template id

TEMPLATE_TYPES = ("rejection", "rejection_default", "email_with_no_processable_attachments", "custom")
CREATABLE_TYPES = ("rejection", "custom")
TRIGGER_EVENTS = (
    "email_with_no_processable_attachments", "annotation_created", "annotation_imported", "annotation_confirmed",
    "annotation_exported", "validation",
)  # fmt: skip
ALLOWED_EVENTS = {
    "custom": None,
    "rejection": ("annotation_imported",),
    "rejection_default": ("annotation_imported",),
    "email_with_no_processable_attachments": ("email_with_no_processable_attachments",),
}
MAX_RECIPIENTS = 40

_SENDER = [{"email": "{{sender_email}}"}]
DEFAULT_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "Annotation status change - confirmed",
        "subject": "Verified documents: {{ parent_email_subject }}",
        "message": "<p>Dear sender,<br><br>Your documents have been checked by annotator.<br><br>"
        "{{ document_list }}<br><br>Regards</p>",
        "type": "custom",
        "automate": False,
        "event": "annotation_confirmed",
    },
    {
        "name": "Annotation status change - exported",
        "subject": "Documents exported: {{ parent_email_subject }}",
        "message": "<p>Dear sender,<br><br>Your documents have been successfully exported.<br><br>"
        "{{ document_list }}<br><br>Regards</p>",
        "type": "custom",
        "automate": False,
        "event": "annotation_exported",
    },
    {
        "name": "Annotation status change - received",
        "subject": "Documents received: {{ parent_email_subject }}",
        "message": "<p>Dear sender,<br><br>Your documents have been successfully received.<br><br>"
        "{{ document_list }}<br><br>Regards</p>",
        "type": "custom",
        "automate": False,
        "event": "annotation_created",
    },
    {
        "name": "Default rejection template",
        "subject": "Rejected document {{parent_email_subject}}",
        "message": "<p>Dear sender,<br><br>The attached document has been rejected.<br><br><br>Best regards,<br>"
        "{{ user_name }}</p>",
        "type": "rejection_default",
        "automate": True,
        "event": None,
    },
    {
        "name": "Email with no processable attachments",
        "subject": "No processable documents: {{ parent_email_subject }}",
        "message": "<p>Dear sender,<br><br>Unfortunately, we have not received any document in the email that we "
        "can process. Please send a corrected version if appropriate.<br><br>Regards</p>",
        "type": "email_with_no_processable_attachments",
        "automate": False,
        "event": "email_with_no_processable_attachments",
    },
]


def _recipients(req: Request, value: Any) -> Any:
    if not isinstance(value, list):
        raise FieldError(f'Expected a list of items but got type "{type(value).__name__}".')
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("email"), str) or not item["email"].strip():
            raise FieldError('Each recipient must be an object with an "email" string (and optional "name").')
        if "name" in item and item["name"] is not None and not isinstance(item["name"], str):
            raise FieldError('Recipient "name" must be a string.')
    return value


class Triggers(Resource):
    collection = "triggers"
    fields = [
        Field("queue", "ref", target="queues", required=True, on_delete="cascade"),
        Field("event", "str", required=True, choices=TRIGGER_EVENTS),
        Field("condition", "dict", default={}),
        Field("email_templates", "m2m", target="email_templates", relation=TRIGGER_TEMPLATE, side="a", default=[]),
        Field("delete_recommendations", "derived", read_only=True, derive=lambda req, obj: []),
    ]
    filters = {"id": Ids(), "event": Exact("event", multi=True), "queue": Ref("queue")}
    orderings = orderings_for("id", "event")


    def handle_destroy(self, req: Request) -> Any:
        obj = req.tx.require(self.collection, req.path_params["id"])
        if obj["event"] == "email_with_no_processable_attachments":
            raise BadRequest({"event": ['A trigger of the "email_with_no_processable_attachments" event cannot be '
                                        "deleted."]})
        return super().handle_destroy(req)


TRIGGERS = register(Triggers())


class EmailTemplates(Resource):
    collection = "email_templates"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        Field("queue", "ref", target="queues", required=True, on_delete="cascade"),
        Field("organization", "ref", target="organizations", read_only=True, nullable=True),
        Field("triggers", "m2m", target="triggers", relation=TRIGGER_TEMPLATE, side="b", default=[]),
        Field("type", "str", default="custom", choices=TEMPLATE_TYPES),
        f_str("subject", max_length=255),
        f_str("message"),
        f_bool("enabled", default=True),
        f_bool("automate", default=True),
        f_list("to", validate=_recipients),
        f_list("cc", validate=_recipients),
        f_list("bcc", validate=_recipients),
    ]
    filters = {
        "id": Ids(),
        "queue": Ref("queue"),
        "type": Exact("type", multi=True),
        "name": Exact("name"),
        "trigger": Linked(TRIGGER_TEMPLATE, "b"),
    }
    orderings = orderings_for("id", "name")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        tx = req.tx
        if old is None and obj["type"] not in CREATABLE_TYPES:
            raise BadRequest({"type": ['Only email templates of type "rejection" or "custom" can be created.']})
        if (
            old is not None
            and obj["type"] != old["type"]
            and (old["type"] not in CREATABLE_TYPES or obj["type"] not in CREATABLE_TYPES)
        ):
            raise BadRequest({"type": [f'The type of a "{old["type"]}" email template cannot be changed.']})
        recipients = sum(len(obj.get(k) or []) for k in ("to", "cc", "bcc"))
        if recipients > MAX_RECIPIENTS:
            raise BadRequest(["The total number of recipients (to, cc and bcc together) cannot exceed 40."])
        queue = tx.require("queues", obj["queue"])
        obj["organization"] = _queue_org(req, queue)
        if "triggers" in values:
            current = tx.link_ids(TRIGGER_TEMPLATE, "b", old["id"]) if old else []
            no_attachments = obj["type"] == "email_with_no_processable_attachments"
            if no_attachments and old is not None and sorted(values["triggers"]) != current:
                raise BadRequest({"triggers": ["The trigger of this template cannot be unlinked or changed."]})
            allowed = ALLOWED_EVENTS[obj["type"]]
            for trigger_id in values["triggers"]:
                trigger = tx.require("triggers", trigger_id)
                if allowed is not None and trigger["event"] not in allowed:
                    raise BadRequest(
                        {
                            "triggers": [
                                f'A "{obj["type"]}" template cannot be linked to a "{trigger["event"]}" trigger.'
                            ]
                        }
                    )

    def handle_destroy(self, req: Request) -> Any:
        # direct deletes only; deleting a queue cascades to all its templates
        obj = req.tx.require(self.collection, req.path_params["id"])
        if obj["type"] not in CREATABLE_TYPES:
            raise BadRequest({"type": [f'Email templates of type "{obj["type"]}" cannot be deleted.']})
        return super().handle_destroy(req)


EMAIL_TEMPLATES = register(EmailTemplates())


def _queue_org(req: Request, queue: dict[str, Any]) -> int | None:
    workspace = req.tx.get("workspaces", queue["workspace"]) if queue.get("workspace") else None
    if workspace is not None and workspace.get("organization"):
        return int(workspace["organization"])
    return int(req.user["organization"]) if req.user else req.tx.meta_get("organization")


def create_default_templates(req: Request, queue: dict[str, Any]) -> None:
    """The five templates (and four triggers) every new queue gets."""
    tx = req.tx
    org = _queue_org(req, queue)
    for spec in DEFAULT_TEMPLATES:
        template = EMAIL_TEMPLATES.new_object()
        template.update(
            name=spec["name"], queue=queue["id"], organization=org, type=spec["type"], subject=spec["subject"],
            message=spec["message"], automate=spec["automate"], enabled=True, to=list(_SENDER),
        )  # fmt: skip
        template = tx.insert("email_templates", template)
        if spec["event"]:
            trigger = tx.insert("triggers", {"queue": queue["id"], "event": spec["event"], "condition": {}})
            tx.add_link(TRIGGER_TEMPLATE, trigger["id"], template["id"])


def copy_email_templates(req: Request, source: dict[str, Any], target: dict[str, Any]) -> None:
    """Copy every template (with a fresh trigger per linked trigger) from one queue to another."""
    tx = req.tx
    org = _queue_org(req, target)
    for template in tx.find("email_templates", queue=source["id"]):
        copy = {k: v for k, v in template.items() if k != "id"}
        copy.update(queue=target["id"], organization=org)
        new = tx.insert("email_templates", copy)
        for trigger_id in tx.link_ids(TRIGGER_TEMPLATE, "b", template["id"]):
            trigger = tx.get("triggers", trigger_id)
            if trigger is None:
                continue
            new_trigger = tx.insert(
                "triggers", {"queue": target["id"], "event": trigger["event"], "condition": trigger.get("condition")}
            )
            tx.add_link(TRIGGER_TEMPLATE, new_trigger["id"], new["id"])


_VAR = re.compile(r"{{\s*([\w.]+)\s*}}")


def _render_text(text: str, values: dict[str, Any]) -> str:
    return _VAR.sub(lambda m: str(values.get(m.group(1), "")), text or "")


@route("POST", "/email_templates/{id}/render")
def render_template(req: Request) -> Any:
    template = req.tx.require("email_templates", req.path_params["id"])
    body = req.json_object()
    values = body.get("template_values") or {}
    if not isinstance(values, dict):
        raise BadRequest({"template_values": ['Expected a dictionary of items but got type "list".']})
    user = req.user or {}
    builtins = {
        "current_user_email": user.get("email", ""),
        "current_user_fullname": f"{user.get('first_name', '')} {user.get('last_name', '')}".strip(),
        "user_name": f"{user.get('first_name', '')} {user.get('last_name', '')}".strip(),
        "sender_email": "",
        "parent_email_subject": "",
        "document_list": "",
    }
    context = {**builtins, **values}
    out: dict[str, Any] = {}
    for key in ("to", "cc", "bcc"):
        recipients = body[key] if key in body else template.get(key) or []
        try:
            _recipients(req, recipients)
        except FieldError as exc:
            raise BadRequest({key: exc.messages}) from None
        out[key] = [{**r, "email": _render_text(r["email"], context)} for r in recipients]
    out["subject"] = _render_text(template.get("subject", ""), context)
    out["message"] = _render_text(template.get("message", ""), context)
    return out


@route("GET", "/email_templates/stats")
def template_stats(req: Request) -> Any:
    where = build_where(req, EMAIL_TEMPLATES.filters)
    order = ordering_sql(req, EMAIL_TEMPLATES.orderings)
    return paginate_query(
        req,
        "email_templates",
        where,
        order,
        lambda obj: {"url": req.url_for("email_templates", obj["id"]), "manual_count": 0, "automated_count": 0},
    )
