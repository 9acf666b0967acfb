"""Hook (extension: webhook or serverless function) and its run log entries."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from ._base import RossumModel


class HookType(StrEnum):
    WEBHOOK = "webhook"
    FUNCTION = "function"
    JOB = "job"


class HookExtensionSource(StrEnum):
    CUSTOM = "custom"
    ROSSUM_STORE = "rossum_store"


class HookEventAndAction(StrEnum):
    ANNOTATION_STATUS_CHANGED = "annotation_status.changed"
    ANNOTATION_CONTENT_INITIALIZE = "annotation_content.initialize"
    ANNOTATION_CONTENT_STARTED = "annotation_content.started"
    ANNOTATION_CONTENT_USER_UPDATE = "annotation_content.user_update"
    ANNOTATION_CONTENT_UPDATED = "annotation_content.updated"
    ANNOTATION_CONTENT_CONFIRM = "annotation_content.confirm"
    ANNOTATION_CONTENT_EXPORT = "annotation_content.export"
    UPLOAD_CREATED = "upload.created"
    EMAIL_RECEIVED = "email.received"
    INVOCATION_SCHEDULED = "invocation.scheduled"
    INVOCATION_MANUAL = "invocation.manual"
    INVOCATION_INTERFACE = "invocation.interface"


class Hook(RossumModel):
    id: int
    name: str
    url: str
    active: bool
    config: dict[str, Any]
    test: dict[str, Any]
    guide: str | None = None
    read_more_url: str | None = None
    extension_image_url: str | None = None
    type: str = "webhook"
    metadata: dict[str, Any] = Field(default_factory=dict)
    queues: list[str] = Field(default_factory=list)
    run_after: list[str] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)
    settings_schema: dict[str, Any] | None = None
    secrets: dict[str, Any] = Field(default_factory=dict)
    extension_source: str = "custom"
    sideload: list[str] = Field(default_factory=list)
    token_owner: str | None = None
    token_lifetime_s: int | None = None
    description: str | None = None


class HookRunData(RossumModel):
    log_level: str
    action: str
    event: str
    request_id: str
    organization_id: int
    hook_id: int
    hook_type: str
    queue_id: int | None = None
    annotation_id: int | None = None
    email_id: int | None = None
    message: str = ""
    request: str | None = None
    response: str | None = None
    start: str | None = None
    end: str | None = None
    settings: dict[str, Any] | str = Field(default_factory=dict)
    status: str | None = None
    status_code: int | None = None
    timestamp: str = ""
    uuid: str | None = None
    output: str | None = None

    @field_validator("settings", mode="before")
    @classmethod
    def _settings_from_json_text(cls, value: Any) -> Any:
        """The API sends ``settings`` as JSON text (``"settings": "{}"`` in the reference's hooks/logs example);
        a JSON object text becomes a dict (the SDK's declared type), other text is kept as it is."""
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                return value
            return parsed if isinstance(parsed, dict) else value
        return value
