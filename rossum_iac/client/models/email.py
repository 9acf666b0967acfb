"""Email (incoming or outgoing). The JSON key ``from`` is the attribute ``from_``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from ._base import RossumModel


class EmailType(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class EmailLabel(StrEnum):
    REJECTION = "rejection"
    AUTOMATIC_REJECTION = "automatic_rejection"
    REJECTED = "rejected"
    AUTOMATIC_STATUS_CHANGED_INFO = "automatic_status_changed_info"
    FORWARDED = "forwarded"
    REPLY = "reply"


class Email(RossumModel):
    id: int
    url: str
    queue: str
    inbox: str
    children: list[str]
    documents: list[str]
    parent: str | None = None
    email_thread: str | None = None
    created_at: str | None = None
    last_thread_email_created_at: str | None = None
    subject: str | None = None
    from_: dict[str, Any] = Field(default_factory=dict, alias="from")
    to: list[dict[str, Any]] = Field(default_factory=list)
    cc: list[dict[str, Any]] = Field(default_factory=list)
    bcc: list[dict[str, Any]] = Field(default_factory=list)
    body_text_plain: str | None = None
    body_text_html: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    type: str | None = None
    annotation_counts: dict[str, Any] = Field(default_factory=dict)
    annotations: list[str] = Field(default_factory=list)
    related_annotations: list[str] = Field(default_factory=list)
    related_documents: list[str] = Field(default_factory=list)
    creator: str | None = None
    filtered_out_document_count: int | None = None
    labels: list[str] = Field(default_factory=list)
    content: str | None = None
