"""Automation assistant: queue insights, projections and targets (``queues/{id}/automation/...``)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from ._base import RossumModel


class AutomationTargetType(StrEnum):
    AUTOMATION_ASSISTANT_V1 = "automation_assistant_v1"


class DocumentBlockerGranularity(StrEnum):
    DOCUMENT = "document"
    DATAPOINT = "datapoint"


class AutomationSetupExcludeBlocker(StrEnum):
    EXTENSION = "extension"
    RULE = "rule"
    DUPLICATE = "duplicate"


class DailyEstimatedErrorRate(RossumModel):
    date: str
    error_rate_estimate: float
    is_quality_estimate: bool
    window_document_count: int


class DocumentAutomationTimeSeriesData(RossumModel):
    """Daily counts; the API may send them as floats, they are integers."""

    date: str
    automated_count: int
    non_automated_count: int
    touched_count: int
    touchless_count: int

    @field_validator("automated_count", "non_automated_count", "touched_count", "touchless_count", mode="before")
    @classmethod
    def _to_int(cls, value: object) -> object:
        return int(value) if isinstance(value, float) else value


class DocumentBlocker(RossumModel):
    blocker: str
    document_count: int
    granularity: str
    example_annotation_ids: list[int] = Field(default_factory=list)


class DatapointStatistics(RossumModel):
    schema_id: str
    is_quality_estimate: bool
    blocked_document_counts: dict[str, int] = Field(default_factory=dict)
    estimated_error_rate: float | None = None
    confidence_threshold: float | None = None
    blockers: list[DocumentBlocker] = Field(default_factory=list)


class AutomationStats(RossumModel):
    document_automation_rate: float
    document_touchless_rate: float | None = None
    document_automation_timeseries: list[DocumentAutomationTimeSeriesData] = Field(default_factory=list)
    datapoint_statistics: list[DatapointStatistics] = Field(default_factory=list)
    document_blockers: list[DocumentBlocker] = Field(default_factory=list)
    estimated_error_rate_timeseries: list[DailyEstimatedErrorRate] | None = None
    estimated_error_rate: float | None = None
    is_aurora_queue: bool | None = None


class AutomationProjections(RossumModel):
    baseline: AutomationStats
    total_document_count: int
    used_document_count: int
    projections: list[AutomationStats] = Field(default_factory=list)


class FieldErrorRateLimit(RossumModel):
    """Input of ``retrieve_automation_projections``: the error rate accepted for one field."""

    schema_id: str
    error_rate_limit: float


class DatapointAutomationTarget(RossumModel):
    """Input of ``create_new_automation_target`` (and part of ``AutomationTarget``)."""

    schema_id: str
    error_rate_target: float
    confidence_threshold: float
    error_rate_limit: float | None = None


class AutomationTarget(RossumModel):
    automation_rate_target: float
    error_rate_target: float
    type: str
    datapoint_automation_targets: list[DatapointAutomationTarget] = Field(default_factory=list)
    datetime: str | None = None
