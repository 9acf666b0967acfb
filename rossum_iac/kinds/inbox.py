"""Inbox: an email address that imports attachments into one queue (API reference "Inbox")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rossum_iac.kinds.base import READ_ONLY, Field, KindDef
from rossum_iac.kinds.fragments import boolean, enum, integer, key_refs, metadata, nullable, string, strings

_FILTERS = {
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
}


def can_create_before_delete(fields: Mapping[str, Any]) -> bool:
    """A replacement inbox can exist next to the old one unless it has a fixed ``email`` (addresses are unique)."""
    return fields.get("email") is None


def generated_email(data: Mapping[str, Any]) -> list[str]:
    """The API generates ``email`` from ``email_prefix`` (``<prefix>-<6 hex>@<domain>``): pull writes the prefix
    only."""
    email, prefix = data.get("email"), data.get("email_prefix")
    if isinstance(email, str) and isinstance(prefix, str) and re.match(re.escape(prefix) + r"-[0-9a-f]{6}@", email):
        return ["email"]
    return []


KIND = KindDef(
    rank=50,
    name="Inbox",
    collection="inboxes",
    description="An email address that imports attachments into one queue.",
    folder="inboxes",
    natural_key=("queues",),
    coexists=can_create_before_delete,
    pull_omit=generated_email,
    schema_extra={"anyOf": [{"required": ["email_prefix"]}, {"required": ["email"]}]},
    fields={
        "name": Field(string("Name of the inbox (not visible in the UI)."), required=True),
        "queues": Field(
            key_refs("Queue", minItems=1, maxItems=1),
            ref="Queue",
            many=True,
            set_like=True,
            replace=True,
            required=True,
            attached_as="inbox",
        ),
        "email": Field(string("Full Rossum email address (normally generated from email_prefix).")),
        "email_prefix": Field(string("Prefix of the generated email address.", maxLength=57)),
        "bounce_email_to": Field(nullable("string", "(Deprecated) Where to send notifications."), default=None),
        "bounce_unprocessable_attachments": Field(boolean("(Deprecated)"), default=False),
        "bounce_postponed_annotations": Field(boolean("(Deprecated)"), default=False),
        "bounce_deleted_annotations": Field(boolean("(Deprecated)"), default=False),
        "bounce_email_with_no_attachments": Field(boolean("(Deprecated)"), default=True),
        "metadata": Field(metadata(), default={}),
        "filters": Field(_FILTERS, default={}),
        "dmarc_check_action": Field(
            enum(["accept", "drop"], "What to do with emails failing the DMARC check."), default="accept"
        ),
        "email_hash": Field(read_only=READ_ONLY),
    },
)
