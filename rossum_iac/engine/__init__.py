"""The declarative engine: read live state, diff against manifests, plan, apply, drift, import.

Importable without a terminal; every function here works with an async API client (``rossum_iac.client``) and
returns data (plans, results, reports). The CLI only renders and maps to exit codes.

The names below are imported from their modules when first used, so that a command pays only for the parts it
runs (``plan`` never loads the executor, adoption or drift). The function ``adopt`` is not among them: its
name is its module's (``from rossum_iac.engine.adopt import adopt``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rossum_iac.engine.adopt import AdoptResult, MatchResult, adopt_matches, find_matches
    from rossum_iac.engine.drift import DriftReport, drift_report
    from rossum_iac.engine.errors import AdoptError, EngineError, PlanError, PlanFileError, StalePlanError
    from rossum_iac.engine.executor import ApplyResult, ObjectResult, execute
    from rossum_iac.engine.live import APIClient, LiveState, read_live
    from rossum_iac.engine.plan import Action, ActionType, FieldChange, Plan
    from rossum_iac.engine.planfile import read_plan, write_plan
    from rossum_iac.engine.planner import PlanContext, PlanOptions, build_plan, make_plan, parse_delete_after
    from rossum_iac.engine.runs import apply_saved_plan, check_drift

_HOMES = {
    "adopt": ("AdoptResult", "MatchResult", "adopt_matches", "find_matches"),
    "drift": ("DriftReport", "drift_report"),
    "errors": ("AdoptError", "EngineError", "PlanError", "PlanFileError", "StalePlanError"),
    "executor": ("ApplyResult", "ObjectResult", "execute"),
    "live": ("APIClient", "LiveState", "read_live"),
    "plan": ("Action", "ActionType", "FieldChange", "Plan"),
    "planfile": ("read_plan", "write_plan"),
    "planner": ("PlanContext", "PlanOptions", "build_plan", "make_plan", "parse_delete_after"),
    "runs": ("apply_saved_plan", "check_drift"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "APIClient",
    "Action",
    "ActionType",
    "AdoptError",
    "AdoptResult",
    "ApplyResult",
    "DriftReport",
    "EngineError",
    "FieldChange",
    "LiveState",
    "MatchResult",
    "ObjectResult",
    "Plan",
    "PlanContext",
    "PlanError",
    "PlanFileError",
    "PlanOptions",
    "StalePlanError",
    "adopt_matches",
    "apply_saved_plan",
    "build_plan",
    "check_drift",
    "drift_report",
    "execute",
    "find_matches",
    "make_plan",
    "parse_delete_after",
    "read_live",
    "read_plan",
    "write_plan",
]
