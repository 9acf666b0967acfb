"""Refusing a saved plan that no longer matches the manifests or the organization."""

from __future__ import annotations

from rossum_iac.engine.errors import StalePlanError
from rossum_iac.engine.fingerprint import comparable_json
from rossum_iac.engine.plan import Action, ActionType, Plan
from rossum_iac.engine.planner import PlanContext
from rossum_iac.manifest.model import Stack


def check_manifests(saved: Plan, stack: Stack) -> None:
    if saved.stack != stack.name:
        raise StalePlanError(f"the plan is for stack {saved.stack!r}, but the manifests define stack {stack.name!r}")
    if saved.manifests_digest != stack.digest:
        raise StalePlanError(
            f"the manifests in {stack.root} changed since the plan was made; run plan again and review the new plan"
        )


def check_live(saved: Plan, fresh: Plan, context: PlanContext) -> None:
    """Every object the saved plan touches must be exactly as it was when the plan was made."""
    org_id = saved.organization.get("id")
    if org_id is not None and org_id != context.live.organization.get("id"):
        raise StalePlanError(
            f"the plan was made for organization {saved.organization.get('name')!r} (id {org_id}), not for "
            f"{context.live.organization.get('name')!r} (id {context.live.organization.get('id')})"
        )
    changed: list[str] = []
    for action in saved.changes:
        owned = context.ownership.owned.get(action.address)
        if action.action is ActionType.CREATE:
            if owned is not None:
                changed.append(f"{action.address} was created since the plan was made ({owned.live.tail})")
            continue
        if owned is None or owned.live.id != action.id:
            changed.append(f"{action.address} (id {action.id}) no longer exists or is no longer owned by this stack")
        elif (expected := _fingerprint(saved, action)) and owned.live.fingerprint() != expected:
            changed.append(f"{action.address} ({owned.live.describe()}) was changed since the plan was made")
        else:
            now = fresh.action_for(action.address)
            if now is None or _comparable(now) != _comparable(action):
                changed.append(f"{action.address}: the planned change is no longer the same")
    if changed:
        lines = "\n".join(f"  - {c}" for c in changed)
        raise StalePlanError(f"the plan is stale; nothing was applied:\n{lines}\nRun plan again and review it.")


def _fingerprint(saved: Plan, action: Action) -> str | None:
    """The fingerprint the object had when ``saved`` was made: in a plan file each action carries it; a plan made
    in this process has the fingerprints of everything it read."""
    if action.fingerprint is not None or action.tail is None:
        return action.fingerprint
    return saved.fingerprints.get(action.tail)


def _comparable(action: Action) -> str:
    """An action's JSON without its ordering details and its fingerprint (compared on its own, and only a saved
    plan carries it), with URL hosts dropped (the emulator's port changes)."""
    return comparable_json(action.to_json() | {"depends_on": None, "fingerprint": None})
