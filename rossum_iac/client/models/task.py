"""Task (asynchronous server job: upload, email import, download)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ._base import RossumModel


class TaskType(StrEnum):
    DOCUMENTS_DOWNLOAD = "documents_download"
    UPLOAD_CREATED = "upload_created"
    EMAIL_IMPORTED = "email_imported"


class TaskStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Task(RossumModel):
    id: int
    url: str
    type: str
    status: str
    expires_at: str
    content: dict[str, Any] | None = None
    detail: str | None = None
    code: str | None = None
    result_url: str | None = None
