"""Email template of a queue."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from ._base import RossumModel


class EmailTemplateType(StrEnum):
    REJECTION = "rejection"
    REJECTION_DEFAULT = "rejection_default"
    EMAIL_WITH_NO_PROCESSABLE_ATTACHMENTS = "email_with_no_processable_attachments"
    CUSTOM = "custom"


class EmailTemplate(RossumModel):
    id: int
    name: str
    url: str
    queue: str
    organization: str
    subject: str
    message: str
    type: str
    enabled: bool
    automate: bool
    triggers: list[str] = Field(default_factory=list)
    to: list[dict[str, Any]] = Field(default_factory=list)
    cc: list[dict[str, Any]] = Field(default_factory=list)
    bcc: list[dict[str, Any]] = Field(default_factory=list)
