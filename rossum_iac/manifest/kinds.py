"""The eight manifest kinds and what the engine needs to know of each API resource.

This table is shared by the loader (which fields are references, which hold long content) and the engine
(identity scheme, apply order, which lists compare as sets, which fields are write-only secrets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rossum_iac.manifest.model import DesiredObject


@dataclass(frozen=True)
class RefField:
    """A field that holds a reference to another manifest object, written in YAML as its key."""

    target: str
    """Kind of the referenced object."""
    many: bool = False
    """True when the API field is a list of URLs."""


@dataclass(frozen=True)
class KindSpec:
    name: str
    collection: str
    """API collection path segment (``queues``)."""
    has_metadata: bool
    """Whether the API object has a ``metadata`` field that can carry the ownership marker."""
    refs: dict[str, RefField] = field(default_factory=dict)
    set_fields: frozenset[str] = frozenset()
    """Dotted paths of list fields whose order carries no meaning (compared as sets)."""
    write_only: frozenset[str] = frozenset()
    """Dotted paths the API stores but never returns (or that are secrets): never printed, never in plan files."""
    replace_fields: frozenset[str] = frozenset()
    """Fields the API cannot change after creation: a change means delete and re-create."""
    content_fields: frozenset[str] = frozenset()
    """Dotted paths whose long content may live in its own file (``{file: path}`` in YAML)."""
    depends_on: tuple[str, ...] = ()
    """Kinds that must exist before objects of this kind are created (apply order)."""


KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec("Workspace", "workspaces", has_metadata=True),
        KindSpec(
            "Schema",
            "schemas",
            has_metadata=True,
            content_fields=frozenset({"content"}),
        ),
        KindSpec(
            "Connector",
            "connectors",
            has_metadata=True,
            write_only=frozenset({"authorization_token", "client_ssl_key"}),
        ),
        KindSpec(
            "Queue",
            "queues",
            has_metadata=True,
            refs={
                "workspace": RefField("Workspace"),
                "schema": RefField("Schema"),
                "connector": RefField("Connector"),
            },
            depends_on=("Workspace", "Schema", "Connector"),
        ),
        KindSpec(
            "Inbox",
            "inboxes",
            has_metadata=True,
            refs={"queues": RefField("Queue", many=True)},
            set_fields=frozenset({"queues"}),
            replace_fields=frozenset({"queues"}),
            depends_on=("Queue",),
        ),
        KindSpec(
            "Hook",
            "hooks",
            has_metadata=True,
            refs={"queues": RefField("Queue", many=True), "run_after": RefField("Hook", many=True)},
            set_fields=frozenset({"queues", "run_after", "events", "sideload"}),
            write_only=frozenset({"secrets", "config.secret", "config.client_ssl_key"}),
            content_fields=frozenset({"config.code"}),
            depends_on=("Queue",),
        ),
        KindSpec(
            "EmailTemplate",
            "email_templates",
            has_metadata=False,
            refs={"queue": RefField("Queue")},
            replace_fields=frozenset({"queue"}),
            content_fields=frozenset({"message"}),
            depends_on=("Queue",),
        ),
        KindSpec(
            "Rule",
            "rules",
            has_metadata=False,
            refs={"queues": RefField("Queue", many=True)},
            set_fields=frozenset({"queues"}),
            content_fields=frozenset({"trigger_condition"}),
            depends_on=("Queue", "EmailTemplate"),
        ),
    )
}

KIND_NAMES: tuple[str, ...] = tuple(KINDS)
"""Kinds in dependency order: creating in this order never references an object that does not exist yet."""

MARKER_KEY = "rossum_iac"
"""Key inside an object's ``metadata`` that holds the ownership marker ``{"stack": ..., "key": ...}``."""

CREATABLE_EMAIL_TEMPLATE_TYPES = frozenset({"custom", "rejection"})
"""Email template types the API lets a client create and delete."""

QUEUE_DEFAULT_EMAIL_TEMPLATE_TYPES = frozenset({"rejection_default", "email_with_no_processable_attachments"})
"""Email template types Rossum creates itself, one of each with every queue, and that cannot be created or deleted.

A manifest may declare an EmailTemplate of one of these types only to configure that auto-created template: the
engine matches it to the live template by (queue, type), updates it, never creates it, and never deletes it (when
it leaves the manifests it is simply no longer managed). The loader allows at most one per (queue, type).
"""


def queue_default_email_template_type(obj: DesiredObject) -> str | None:
    """The default type when ``obj`` configures a queue's auto-created email template, else None."""
    if obj.kind != "EmailTemplate":
        return None
    template_type = obj.fields.get("type")
    if isinstance(template_type, str) and template_type in QUEUE_DEFAULT_EMAIL_TEMPLATE_TYPES:
        return template_type
    return None
