"""The declarative engine: read live state, diff against manifests, plan, apply, drift, import.

Importable without a terminal; every function here works with an async API client (``rossum_iac.client``) and
returns data (plans, results, reports). The CLI only renders and maps to exit codes.
"""

from __future__ import annotations

from collections.abc import Callable

from rossum_iac.engine.adopt import AdoptResult, MatchResult, adopt, adopt_matches, find_matches
from rossum_iac.engine.drift import DriftReport, drift_report
from rossum_iac.engine.errors import AdoptError, EngineError, PlanError, PlanFileError, StalePlanError
from rossum_iac.engine.executor import ApplyResult, ObjectResult, execute
from rossum_iac.engine.live import APIClient, LiveState, read_live
from rossum_iac.engine.plan import Action, ActionType, FieldChange, Plan
from rossum_iac.engine.planfile import read_plan, write_plan
from rossum_iac.engine.planner import PlanContext, PlanOptions, build_plan, parse_delete_after
from rossum_iac.engine.staleness import check_live, check_manifests
from rossum_iac.manifest.model import Stack


async def make_plan(
    client: APIClient,
    stack: Stack,
    options: PlanOptions | None = None,
    *,
    base_url: str | None = None,
    strict: bool = True,
) -> tuple[Plan, PlanContext]:
    """Read the organization (list endpoints only) and plan ``stack`` against it."""
    live = await read_live(client)
    return build_plan(stack, live, options, base_url=base_url, strict=strict)


async def apply_saved_plan(
    client: APIClient,
    saved: Plan,
    stack: Stack,
    *,
    parallelism: int = 4,
    on_result: Callable[[ObjectResult], None] | None = None,
    force_unlock: bool = False,
) -> ApplyResult:
    """Apply a plan file: refuse if the manifests or any object it touches changed since it was made."""
    check_manifests(saved, stack)
    options = PlanOptions(targets=saved.targets, queue_delete_after=saved.queue_delete_after)
    fresh, context = await make_plan(client, stack, options, base_url=saved.base_url)
    check_live(saved, fresh, context)
    return await execute(
        client, saved, context, parallelism=parallelism, on_result=on_result, force_unlock=force_unlock
    )


async def drift(client: APIClient, stack: Stack, *, include_unmanaged: bool = False) -> DriftReport:
    plan, context = await make_plan(client, stack, strict=False)
    return drift_report(plan, context, include_unmanaged=include_unmanaged)


__all__ = [
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
    "adopt",
    "adopt_matches",
    "apply_saved_plan",
    "build_plan",
    "drift",
    "execute",
    "find_matches",
    "make_plan",
    "parse_delete_after",
    "read_live",
    "read_plan",
    "write_plan",
]
