"""Trigger: an event of one queue (with an optional condition) that runs the automation of its linked email
templates (API reference "Trigger", "Using Triggers").

Triggers have no ``metadata``: their ownership is recorded in their queue's marker (``triggers``), like email
templates. Every queue is created with a trigger for each of four events (``annotation_created``,
``annotation_confirmed``, ``annotation_exported``, ``email_with_no_processable_attachments``), linked to its
default templates. A manifest trigger with one of these events configures the queue's own trigger (matched by
queue and event; never created, never deleted: leaving the manifests only stops managing it); other events
(``annotation_imported``, ``validation``) create triggers. An email template names its triggers by key
(``EmailTemplate.triggers``); ``Trigger.email_templates`` is the other side of that link.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rossum_iac.kinds.base import Field, Identity, KindDef
from rossum_iac.kinds.fragments import enum, key_ref, obj

TRIGGER_EVENTS = [
    "email_with_no_processable_attachments",
    "annotation_created",
    "annotation_imported",
    "annotation_confirmed",
    "annotation_exported",
    "validation",
]
QUEUE_DEFAULT_EVENTS = (
    "annotation_created",
    "annotation_confirmed",
    "annotation_exported",
    "email_with_no_processable_attachments",
)
"""Events of the triggers the API creates with every queue (one each)."""


def _condition(value: Any) -> str:
    return json.dumps(value if value is not None else {}, sort_keys=True)


def default_slot(fields: Mapping[str, Any]) -> str | None:
    """A trigger with one of the four default events configures the queue's own trigger of that event."""
    event = fields.get("event")
    return f"{event} trigger" if isinstance(event, str) and event in QUEUE_DEFAULT_EVENTS else None


def find_default(children: list[Mapping[str, Any]], fields: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The queue's own trigger of a default event; for other events (crash recovery), an unrecorded trigger with
    the same event and condition."""
    event = fields.get("event")
    same = sorted((t for t in children if t.get("event") == event), key=lambda t: int(t.get("id") or 0))
    if event in QUEUE_DEFAULT_EVENTS:
        return same[0] if same else None
    wanted = _condition(fields.get("condition"))
    return next((t for t in same if _condition(t.get("condition")) == wanted), None)


def is_default(data: Mapping[str, Any]) -> bool:
    return data.get("event") in QUEUE_DEFAULT_EVENTS


def as_created(data: Mapping[str, Any]) -> str | None:
    """Pull leaves out a queue's own trigger while it has no condition, unless a pulled email template links it."""
    if is_default(data) and not data.get("condition"):
        return "a queue's own trigger, as the API created it"
    return None


KIND = KindDef(
    rank=65,
    name="Trigger",
    collection="triggers",
    description="An event of one queue, with an optional condition, that runs the automation of the email "
    "templates linked to it (EmailTemplate.triggers). The four default events configure the queue's own triggers.",
    identity=Identity.QUEUE_RECORD,
    listed_on_demand=True,
    folder="triggers",
    natural_key=("queue", "event"),
    name_field="event",
    find_default=find_default,
    default_slot=default_slot,
    is_default=is_default,
    pull_skip=as_created,
    fields={
        "queue": Field(key_ref("Queue"), ref="Queue", replace=True, required=True),
        "event": Field(enum(TRIGGER_EVENTS, "The event that fires the trigger."), required=True),
        "condition": Field(
            obj('A subset of the MongoDB query language on annotation fields (API reference "Trigger Condition").'),
            default={},
        ),
        "email_templates": Field(
            read_only="is written from the email template side: list the trigger under 'triggers' of the EmailTemplate"
        ),
        "delete_recommendations": Field(
            read_only="links delete recommendations, which rossum-iac does not describe (set them in the Rossum UI)"
        ),
        "metadata": Field(read_only="does not exist on triggers in the Rossum API"),
    },
)
