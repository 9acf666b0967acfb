"""Queue."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RossumModel, allow_schema_field

with allow_schema_field():

    class Queue(RossumModel):
        id: int
        name: str
        url: str
        schema: str  # type: ignore[assignment]  # the SDK's attribute name; shadows BaseModel.schema()
        counts: dict[str, Any]
        workspace: str | None = None
        connector: str | None = None
        inbox: str | None = None
        session_timeout: str = "01:00:00"
        webhooks: list[str] = Field(default_factory=list)
        hooks: list[str] = Field(default_factory=list)
        users: list[str] = Field(default_factory=list)
        rir_url: str | None = None
        rir_params: str | None = None
        automation_enabled: bool = False
        automation_level: str = "never"
        default_score_threshold: float = 0.8
        locale: str = "en_GB"
        metadata: dict[str, Any] = Field(default_factory=dict)
        settings: dict[str, Any] = Field(default_factory=dict)
        dedicated_engine: str | dict[str, Any] | None = None
        generic_engine: str | dict[str, Any] | None = None
        use_confirmed_state: bool = False
        document_lifetime: str | None = None
        delete_after: str | None = None
        status: str | None = None
        engine: str | None = None
        training_enabled: bool = True
