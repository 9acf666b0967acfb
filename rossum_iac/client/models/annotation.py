"""Annotation (a document being extracted in a queue) and its processing duration.

Sideloaded objects replace URL fields (``modifier``, ``document``, ``queue``, ``automation_blocker``): each of
those fields is the URL, the typed object, or - when the embedded object does not fit the model (e.g. the
``document``/``schema`` objects of a JSON export) - the raw ``dict``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RossumModel, allow_schema_field
from .automation_blocker import AutomationBlocker
from .document import Document
from .queue import Queue
from .user import User


class Prediction(RossumModel):
    source: str
    version: str | None = None


class AnnotationProcessingDuration(RossumModel):
    annotation: str
    time_spent_active: float
    time_spent_overall: float
    time_spent_edit: float
    time_spent_blockers: float
    time_spent_emails: float
    time_spent_opening: float
    duration_latest_validate_started: float | None = None
    duration_latest_validate_updated_before_confirm: float | None = None


with allow_schema_field():

    class Annotation(RossumModel):
        url: str
        status: str
        schema: str | dict[str, Any]  # type: ignore[assignment]  # SDK attribute name; shadows BaseModel.schema()
        content: list[dict[str, Any]] | str
        modifier: str | User | dict[str, Any] | None = Field(default=None, union_mode="left_to_right")
        id: int | None = None
        queue: str | Queue | dict[str, Any] | None = Field(default=None, union_mode="left_to_right")
        creator: str | None = None
        created_at: str | None = None
        rir_poll_id: str | None = None
        email: str | None = None
        email_thread: str | None = None
        has_email_thread_with_replies: bool = False
        has_email_thread_with_new_replies: bool = False
        suggested_edit: str | None = None
        messages: list[dict[str, Any]] | None = None
        time_spent: float | None = 0
        relations: list[Any] = Field(default_factory=list)
        pages: list[Any] = Field(default_factory=list)
        document: str | Document | dict[str, Any] | None = Field(default=None, union_mode="left_to_right")
        confirmed_at: str | None = None
        modified_at: str | None = None
        exported_at: str | None = None
        arrived_at: str | None = None
        assigned_at: str | None = None
        purged_at: str | None = None
        rejected_at: str | None = None
        deleted_at: str | None = None
        export_failed_at: str | None = None
        organization: str | None = None
        metadata: dict[str, Any] = Field(default_factory=dict)
        automated: bool = False
        automation_blocker: AutomationBlocker | str | dict[str, Any] | None = Field(
            default=None, union_mode="left_to_right"
        )
        related_emails: list[Any] = Field(default_factory=list)
        automatically_rejected: bool | None = None
        prediction: Prediction | dict[str, Any] | None = Field(default=None, union_mode="left_to_right")
        assignees: list[Any] = Field(default_factory=list)
        labels: list[Any] = Field(default_factory=list)
        restricted_access: bool | None = None
        training_enabled: bool | None = None
        einvoice: bool | None = None
        purged_by: str | None = None
        rejected_by: str | None = None
        deleted_by: str | None = None
        exported_by: str | None = None
        confirmed_by: str | None = None
        modified_by: str | None = None
