"""Inbox (email address feeding a queue)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RossumModel


class Inbox(RossumModel):
    id: int
    name: str
    url: str
    queues: list[str]
    email: str
    email_prefix: str
    bounce_email_to: str | None = None
    bounce_unprocessable_attachments: bool = False
    bounce_postponed_annotations: bool = False
    bounce_deleted_annotations: bool = False
    bounce_email_with_no_attachments: bool = True
    metadata: dict[str, Any] = Field(default_factory=dict)
    filters: dict[str, Any] = Field(default_factory=dict)
    dmarc_check_action: str = "accept"
