"""Queue: where documents are imported, extracted with a schema and exported (API reference "Queue")."""

from __future__ import annotations

from typing import Any

from rossum_iac.kinds.base import READ_ONLY, Field, KindDef, Report
from rossum_iac.kinds.fragments import (
    DURATION,
    boolean,
    enum,
    integer,
    key_ref,
    key_refs,
    metadata,
    nullable,
    obj,
    string,
    typed,
)

AUTOMATION_LEVELS = ["always", "confident", "never"]
RIR_URL = (
    "holds the URL of the (deprecated) AI engine of one organization: name the engine with 'engine', "
    "'generic_engine' or 'dedicated_engine' instead"
)


def check_one_engine(data: Any, report: Report) -> None:
    """A queue uses a generic engine or a dedicated one, not both."""
    if data.get("generic_engine") is not None and data.get("dedicated_engine") is not None:
        report(
            data.key_pos("dedicated_engine"),
            "a queue uses either generic_engine or dedicated_engine; set the other to null or leave it out",
        )


KIND = KindDef(
    rank=40,
    name="Queue",
    collection="queues",
    description="Where documents are imported, extracted with a schema and exported.",
    folder="queues",
    natural_key=("name", "workspace"),
    scheduled_delete=True,
    checks=(check_one_engine,),
    fields={
        "name": Field(string("Name of the queue.", maxLength=255), required=True),
        "workspace": Field(key_ref("Workspace", null=True), ref="Workspace", required=True, blocks_delete="linked"),
        "schema": Field(key_ref("Schema"), ref="Schema", required=True, blocks_delete="existing"),
        "connector": Field(key_ref("Connector", null=True), ref="Connector", default=None),
        # Links to users and engines are managed when declared; left out, they are not drift (queue access and
        # engines are often set in the Rossum UI, and were per organization before User and Engine kinds).
        "users": Field(key_refs("User"), ref="User", many=True, set_like=True, default=[], drift_default=False),
        "session_timeout": Field(
            {**DURATION, "description": "Time before a review returns to to_review (01:00:00)."},
            duration=True,
            default="01:00:00",
        ),
        "rir_url": Field(nullable("string", "(Deprecated) AI engine URL."), unportable=RIR_URL),
        "rir_params": Field(nullable("string", "Parameters passed to the AI engine."), default=None),
        "generic_engine": Field(
            nullable(
                "string",
                "Name of a generic engine, a catalogue every organization shares (exclusive with "
                "dedicated_engine; the API sets its default one when both are null).",
            ),
            catalog="generic_engines",
        ),
        "dedicated_engine": Field(
            key_ref("DedicatedEngine", null=True), ref="DedicatedEngine", default=None, drift_default=False
        ),
        "engine": Field(key_ref("Engine", null=True), ref="Engine", default=None, drift_default=False),
        "default_score_threshold": Field(
            typed("number", "AI confidence threshold (0-1).", minimum=0, maximum=1), default=0.8
        ),
        "automation_enabled": Field(boolean("Whether automation is on."), default=False),
        "automation_level": Field(
            enum(AUTOMATION_LEVELS, "When annotations are exported without review."), default="never"
        ),
        "locale": Field(string("Typical locale of the documents, e.g. en_GB, en_US or auto."), default="en_GB"),
        "metadata": Field(metadata(), default={}),
        "use_confirmed_state": Field(
            boolean("Confirm moves annotations to confirmed instead of exporting."), default=False
        ),
        "settings": Field(
            obj("Queue UI settings (columns, accepted_mime_types, email_notifications, ...)."), default={}
        ),
        "document_lifetime": Field(
            {"anyOf": [DURATION, {"type": "null"}], "description": "Retention period, e.g. '90 00:00:00'."},
            duration=True,
            default=None,
        ),
        "workflows": Field(
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"url": {"type": "string"}, "priority": integer()},
                    "required": ["url"],
                },
                "description": "(Beta) Approval workflows of the queue: URLs of workflows of one organization "
                "(workflows are read-only in the API, so a stack cannot describe them).",
            },
            default=[],
            unportable="holds URLs of approval workflows, which only exist in one organization and which the API "
            "does not let anyone create (GET only): set it per environment if needed",
        ),
        "training_enabled": Field(boolean("Whether the AI learns from this queue."), default=True),
        "archive_enabled": Field(boolean("Whether documents are archived."), default=False),
        "hooks": Field(read_only="is written from the hook side: list this queue under 'queues' of the Hook"),
        "webhooks": Field(
            read_only="is the deprecated alias of hooks, written from the hook side: list this queue under "
            "'queues' of the Hook"
        ),
        "inbox": Field(read_only="is written from the inbox side: list this queue under 'queues' of the Inbox"),
        "rules": Field(
            read_only="is computed by the API from each rule's queues: list this queue under 'queues' of the Rule"
        ),
        "counts": Field(read_only=READ_ONLY, volatile=True),
        "status": Field(read_only=READ_ONLY + " (active / deletion_requested / ...)"),
        "delete_after": Field(
            read_only=READ_ONLY + "; rossum-iac schedules deletion when a queue leaves the manifests"
        ),
    },
)
