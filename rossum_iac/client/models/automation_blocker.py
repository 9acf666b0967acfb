"""Automation blocker of an annotation (why it was not automated)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from ._base import RossumModel


class AutomationBlockerTypes(StrEnum):
    AUTOMATION_DISABLED = "automation_disabled"
    IS_DUPLICATE = "is_duplicate"
    SUGGESTED_EDIT_PRESENT = "suggested_edit_present"
    LOW_SCORE = "low_score"
    FAILED_CHECKS = "failed_checks"
    NO_VALIDATION_SOURCES = "no_validation_sources"
    ERROR_MESSAGE = "error_message"
    EXTENSION = "extension"
    HUMAN_CONFIRMATION_REQUIRED = "human_confirmation_required"
    DELETE_RECOMMENDATION_FILENAME = "delete_recommendation_filename"
    DELETE_RECOMMENDATION_PAGE_COUNT = "delete_recommendation_page_count"


class AutomationBlockerContent(RossumModel):
    level: str
    type: str
    schema_id: str | None = None
    samples_truncated: bool | None = False
    samples: list[dict[str, Any]] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)


class AutomationBlocker(RossumModel):
    id: int
    url: str
    annotation: str
    content: list[AutomationBlockerContent] = Field(default_factory=list)
