"""EmailTemplate: an email template of one queue (API reference "Email Template").

Templates have no ``metadata``: their ownership is recorded in their queue's marker. Every queue is created with
five templates of its own; a manifest may configure them (matched by type or name), never create a second one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rossum_iac.kinds.base import NO_DEFAULT, Content, Field, Identity, KindDef
from rossum_iac.kinds.fragments import boolean, content, enum, key_ref, key_refs, string

EMAIL_TEMPLATE_TYPES = ["custom", "rejection", "rejection_default", "email_with_no_processable_attachments"]

CREATABLE_TYPES = frozenset({"custom", "rejection"})
"""Email template types the API lets a client create and delete."""

QUEUE_DEFAULT_TYPES = frozenset({"rejection_default", "email_with_no_processable_attachments"})
"""Email template types Rossum creates itself, one of each with every queue, and that cannot be created or deleted.

A manifest may declare an EmailTemplate of one of these types only to configure that auto-created template: the
engine matches it to the live template by (queue, type), updates it, never creates it, and never deletes it (when
it leaves the manifests it is simply no longer managed). The loader allows at most one per (queue, type).
"""

DEFAULT_CUSTOM_NAMES = frozenset(
    {
        "Annotation status change - confirmed",
        "Annotation status change - exported",
        "Annotation status change - received",
    }
)
"""Names of the default templates of type ``custom`` every new queue gets."""


def is_queue_default(template_type: Any, name: Any) -> bool:
    """Whether a template (its ``type``, ``None`` meaning ``custom``, and name) is one a queue creates itself."""
    if template_type in QUEUE_DEFAULT_TYPES:
        return True
    return template_type in (None, "custom") and name in DEFAULT_CUSTOM_NAMES


def queue_default_type(fields: dict[str, Any]) -> str | None:
    """The default type when a manifest template configures a queue's auto-created template, else None."""
    template_type = fields.get("type")
    if isinstance(template_type, str) and template_type in QUEUE_DEFAULT_TYPES:
        return template_type
    return None


def default_slot(fields: Mapping[str, Any]) -> str | None:
    """Which of its queue's own templates a manifest template configures: one of the two default types, or one of
    the three ``custom`` defaults by name."""
    template_type = queue_default_type(dict(fields))
    if template_type is not None:
        return f"{template_type} template"
    name = fields.get("name")
    if fields.get("type") in (None, "custom") and isinstance(name, str) and name in DEFAULT_CUSTOM_NAMES:
        return f"{name!r} template"
    return None


def find_default(children: list[Mapping[str, Any]], fields: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Which of a new queue's own templates a manifest template configures: by type for the two default types,
    by name for the others."""
    wanted_type = fields.get("type")
    if wanted_type in QUEUE_DEFAULT_TYPES:
        return next((t for t in children if t.get("type") == wanted_type), None)
    wanted_name = fields.get("name")
    return next((t for t in children if isinstance(wanted_name, str) and t.get("name") == wanted_name), None)


_SENDER = [{"email": "{{sender_email}}"}]
DOCUMENTED_DEFAULTS: dict[str, dict[str, Any]] = {
    "Annotation status change - confirmed": {
        "type": "custom",
        "subject": "Verified documents: {{ parent_email_subject }}",
        "message": "<p>Dear sender,<br><br>Your documents have been checked by annotator.<br><br>{{ document_list }}"
        "<br><br>Regards</p>",
        "automate": False,
        "to": _SENDER,
    },
    "Annotation status change - exported": {
        "type": "custom",
        "subject": "Documents exported: {{ parent_email_subject }}",
        "message": "<p>Dear sender,<br><br>Your documents have been successfully exported.<br><br>"
        "{{ document_list }}<br><br>Regards</p>",
        "automate": False,
        "to": _SENDER,
    },
    "Annotation status change - received": {
        "type": "custom",
        "subject": "Documents received: {{ parent_email_subject }}",
        "message": "<p>Dear sender,<br><br>Your documents have been successfully received.<br><br>"
        "{{ document_list }}<br><br>Regards</p>",
        "automate": False,
        "to": _SENDER,
    },
    "Default rejection template": {
        "type": "rejection_default",
        "subject": "Rejected document {{parent_email_subject}}",
        "message": "<p>Dear sender,<br><br>The attached document has been rejected.<br><br><br>Best regards,<br>"
        "{{ user_name }}</p>",
        "automate": True,
        "to": _SENDER,
    },
    "Email with no processable attachments": {
        "type": "email_with_no_processable_attachments",
        "subject": "No processable documents: {{ parent_email_subject }}",
        "message": "<p>Dear sender,<br><br>Unfortunately, we have not received any document in the email that we "
        "can process. Please send a corrected version if appropriate.<br><br>Regards</p>",
        "automate": False,
        "to": _SENDER,
    },
}
"""The five templates the API creates with every queue, as the API reference documents them ("Default Email
templates")."""

_CONFIGURABLE_DEFAULTS = {"cc": [], "bcc": [], "enabled": True}


def unchanged_default(data: Mapping[str, Any]) -> str | None:
    """Pull leaves out a queue's own template while it is exactly as the API creates it."""
    documented = DOCUMENTED_DEFAULTS.get(str(data.get("name")))
    if documented is None or not is_queue_default(data.get("type"), data.get("name")):
        return None
    expected = {**_CONFIGURABLE_DEFAULTS, **documented}
    if all(data.get(name, expected[name]) == value for name, value in expected.items()):
        return "a queue's own template, as the API created it"
    return None


def own_template_defaults(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A queue's own templates start with the texts the API documents (``DOCUMENTED_DEFAULTS``), not empty ones: for
    ``drift``, those are what a manifest configuring one of them means by leaving a field out."""
    documented = DOCUMENTED_DEFAULTS.get(str(data.get("name")))
    if documented is None or not is_queue_default(data.get("type"), data.get("name")):
        return {}
    return {**_CONFIGURABLE_DEFAULTS, **documented, "triggers": NO_DEFAULT}  # the API links their triggers


_RECIPIENTS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"email": {"type": "string"}, "name": {"type": "string"}},
        "required": ["email"],
        "additionalProperties": False,
    },
}

KIND = KindDef(
    rank=70,
    name="EmailTemplate",
    collection="email_templates",
    description="An email template of one queue. Types custom and rejection are created; rejection_default and "
    "email_with_no_processable_attachments configure the template the queue creates itself.",
    identity=Identity.QUEUE_RECORD,
    label="email template",
    folder="email-templates",
    natural_key=("name", "queue"),
    find_default=find_default,
    default_slot=default_slot,
    pull_skip=unchanged_default,
    object_defaults=own_template_defaults,
    is_default=lambda data: is_queue_default(data.get("type"), data.get("name")),
    fields={
        "name": Field(string("Name of the template."), required=True),
        "queue": Field(key_ref("Queue"), ref="Queue", replace=True, required=True, attached_as="email_templates"),
        "type": Field(
            enum(EMAIL_TEMPLATE_TYPES, "custom (default), rejection, or a queue default type."), default="custom"
        ),
        "subject": Field(string("Subject; may use template variables such as {{ parent_email_subject }}."), default=""),
        "message": Field(
            content({"type": "string"}, "HTML body, inline or {file: path.html}."),
            content=Content((".html",), description="the HTML body"),
            default="",
        ),
        "enabled": Field(boolean("(Deprecated) Use automate."), default=True),
        "automate": Field(boolean("Send automatically on the action."), default=True),
        "to": Field(_RECIPIENTS, default=[]),
        "cc": Field(_RECIPIENTS, default=[]),
        "bcc": Field(_RECIPIENTS, default=[]),
        "organization": Field(read_only="is set by the API from the template's queue"),
        "triggers": Field(
            {
                **key_refs("Trigger"),
                "description": "Keys of the Trigger objects that send this template (at most one "
                "today: the API links one trigger per template).",
            },
            ref="Trigger",
            many=True,
            set_like=True,
            default=[],
        ),
        "metadata": Field(read_only="does not exist on email templates in the Rossum API"),
    },
)
