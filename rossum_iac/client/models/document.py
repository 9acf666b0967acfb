"""Document (an uploaded file)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RossumModel


class Document(RossumModel):
    id: int
    url: str
    s3_name: str
    mime_type: str
    created_at: str
    arrived_at: str
    original_file_name: str
    content: str
    parent: str | None = None
    email: str | None = None
    creator: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    annotations: list[str] = Field(default_factory=list)
    attachment_status: str | None = None
