"""Drift: how the live organization differs from the manifests, per object this stack owns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.plan import ActionType, Plan
from rossum_iac.engine.planner import PlanContext


@dataclass
class DriftReport:
    stack: str
    organization: dict[str, Any]
    objects: list[dict[str, Any]] = field(default_factory=list)
    unmanaged: list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def has_drift(self) -> bool:
        return bool(self.objects)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stack": self.stack,
            "organization": self.organization,
            "drift": self.has_drift,
            "objects": self.objects,
            "notes": self.notes,
        }
        if self.unmanaged is not None:
            out["unmanaged"] = self.unmanaged
        return out


_STATUS = {
    ActionType.CREATE: "missing",
    ActionType.UPDATE: "changed",
    ActionType.REPLACE: "changed",
    ActionType.DELETE: "not_in_manifests",
    ActionType.FORGET: "not_in_manifests",
}


def drift_report(plan: Plan, context: PlanContext, *, include_unmanaged: bool = False) -> DriftReport:
    report = DriftReport(plan.stack, dict(plan.organization), notes=list(plan.notes))
    for action in plan.changes:
        status = _STATUS[action.action]
        if action.action is ActionType.UPDATE and not action.changes:
            status = "unrecorded"  # exists, but its ownership record is missing (found by name or type)
        report.objects.append(
            {
                "address": action.address,
                "id": action.id,
                "name": action.name,
                "status": status,
                "fields": [c.to_json() for c in action.changes] if status == "changed" else [],
            }
        )
    if include_unmanaged:
        report.unmanaged = []
        for obj in context.ownership.unmanaged:
            entry: dict[str, Any] = {"kind": obj.kind, "id": obj.id, "name": obj.name, "url": obj.url}
            queue = context.resolver.address_of_url(str(obj.data.get("queue") or "")) if obj.kind == "EmailTemplate" \
                else None
            if queue is not None:
                entry["queue"] = queue  # e.g. a default template of a queue this stack owns
            report.unmanaged.append(entry)
    return report
