"""Commands built on a fresh plan: apply a saved plan, report drift."""

from __future__ import annotations

from collections.abc import Callable

from rossum_iac.engine.drift import DriftReport, drift_report
from rossum_iac.engine.executor import ApplyResult, ObjectResult, execute
from rossum_iac.engine.live import APIClient
from rossum_iac.engine.plan import Plan
from rossum_iac.engine.planner import PlanOptions, make_plan
from rossum_iac.engine.staleness import check_live, check_manifests
from rossum_iac.manifest.model import Stack


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


async def check_drift(client: APIClient, stack: Stack, *, include_unmanaged: bool = False) -> DriftReport:
    plan, context = await make_plan(client, stack, strict=False, every_kind=include_unmanaged)
    return drift_report(plan, context, include_unmanaged=include_unmanaged)
