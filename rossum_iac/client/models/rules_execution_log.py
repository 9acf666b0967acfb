"""Rules execution log entry."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ._base import RossumModel


class ExecutionResult(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    CONDITION_NOT_MET = "condition_not_met"


class RulesExecutionLog(RossumModel):
    rule_id: int
    rule_name: str
    queue_id: int
    annotation_id: int
    request_id: str
    created_at: str
    trigger_event: str
    trigger_condition: str
    execution_result: str
    trigger_condition_results: list[bool] | None = None
    trigger_condition_values: list[dict[str, Any]] | None = None
    execution_error: str | None = None
    actions: list[list[dict[str, Any]] | None] | None = None
