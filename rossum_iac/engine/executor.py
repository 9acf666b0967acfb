"""Applying a plan: each action runs as soon as the actions it depends on have succeeded.

- Independent actions run concurrently (at most ``parallelism`` at a time; the client bounds requests in flight).
- A failed action does not stop independent ones; actions that depend on it are skipped. The result lists every
  action with ``ok`` / ``failed`` / ``skipped``. Running apply again continues from the live state.
- What each action does is in ``runners`` (one runner per action type).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.duplicates import find_duplicates
from rossum_iac.engine.lease import Lease, LeaseReleaseError
from rossum_iac.engine.live import APIClient
from rossum_iac.engine.orgmeta import on_wave_wait
from rossum_iac.engine.plan import Action, ActionType, Plan
from rossum_iac.engine.planfile import stack_secret_values
from rossum_iac.engine.planner import PlanContext
from rossum_iac.engine.registry import ActionFailed
from rossum_iac.engine.runners import RUNNERS, ApplySession, describe_error
from rossum_iac.kinds import KINDS, Identity
from rossum_iac.manifest.model import Ref


@dataclass(frozen=True)
class ObjectResult:
    address: str
    action: str
    status: str
    """``ok``, ``failed`` or ``skipped``."""
    id: int | None = None
    detail: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "action": self.action,
            "status": self.status,
            "id": self.id,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class ApplyResult:
    results: list[ObjectResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Problems of the run as a whole that changed no object's outcome (e.g. its lease could not be released)."""

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "changed": 0, "destroyed": 0, "adopted": 0, "forgotten": 0, "failed": 0, "skipped": 0}
        for r in self.results:
            if r.status != "ok":
                out[r.status] += 1
            elif r.action == "create":
                out["added"] += 1
            elif r.action == "replace":
                out["added"] += 1
                out["destroyed"] += 1
            elif r.action == "delete":
                out["destroyed"] += 1
            elif r.action == "forget":
                out["forgotten"] += 1
            elif r.action == "adopt":
                out["adopted"] += 1
            else:
                out["changed"] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "counts": self.counts(), "results": [r.to_json() for r in self.results]}
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


class Executor:
    """Runs every change of a plan once its dependencies have succeeded, at most ``parallelism`` at a time."""

    def __init__(
        self,
        client: APIClient,
        plan: Plan,
        context: PlanContext,
        *,
        parallelism: int = 4,
        on_result: Callable[[ObjectResult], None] | None = None,
        force_unlock: bool = False,
    ) -> None:
        self.plan = plan
        self.force_unlock = force_unlock
        self.parallelism = max(1, parallelism)
        self.on_result = on_result
        self.secret_values = sorted(set(stack_secret_values(context.stack)), key=len, reverse=True)
        self.session = ApplySession(client, plan, context, scrub=self._scrub)

    def _scrub(self, text: str) -> str:
        """An error text with any secret value of the stack masked (servers may echo what they were sent)."""
        for value in self.secret_values:
            text = text.replace(value, "(sensitive)")
        return text

    async def run(self) -> ApplyResult:
        if not any(a.is_change for a in self.plan.actions):
            return ApplyResult()
        session = self.session
        lease = Lease(session.client, session.stack, session.registries.org_metadata, force=self.force_unlock)
        try:
            async with lease:
                result = await self._run_actions(lease)
                duplicates = await find_duplicates(session, result.results)
                for address, note in duplicates.items():
                    _add_detail(result, address, note)
                if duplicates and lease.lost is None:
                    lease.lost = "another run that created the same objects"
        except LeaseReleaseError as exc:  # raised only after the block succeeded: keep its results
            result.warnings.append(str(exc))
        if lease.lost is not None:
            result.warnings.append(
                f"another apply of stack {session.stack!r} ran at the same time ({lease.lost}) and took the lease "
                "over; failures above may come from it. Run plan to see what is left."
            )
        return result

    async def _run_actions(self, lease: Lease) -> ApplyResult:
        actions = {a.address: a for a in self.plan.actions if a.is_change}
        done: dict[str, asyncio.Event] = {a: asyncio.Event() for a in actions}
        status: dict[str, str] = {}
        semaphore = asyncio.Semaphore(self.parallelism)
        result = ApplyResult()

        async def run_one(action: Action) -> None:
            for dep in action.depends_on:
                if dep in done:
                    await done[dep].wait()
            failed_deps = [d for d in action.depends_on if d in status and status[d] != "ok"]
            if lease.lost is not None:
                outcome = ObjectResult(
                    action.address, _label(action), "skipped", action.id, f"not attempted: {lease.lost} took the lease"
                )
            elif failed_deps:
                outcome = ObjectResult(
                    action.address,
                    _label(action),
                    "skipped",
                    action.id,
                    f"not attempted: {', '.join(failed_deps)} did not succeed",
                )
            else:
                outcome = await self._perform_in_slot(action, semaphore)
            status[action.address] = outcome.status
            result.results.append(outcome)
            if self.on_result is not None:
                self.on_result(outcome)
            done[action.address].set()

        await asyncio.gather(*(run_one(a) for a in actions.values()))
        order = {a: i for i, a in enumerate(actions)}
        result.results.sort(key=lambda r: order[r.address])
        return result

    async def _perform_in_slot(self, action: Action, semaphore: asyncio.Semaphore) -> ObjectResult:
        """``_perform`` in one of the ``parallelism`` slots.

        An action of a kind recorded in the organization's metadata announces itself as soon as it is ready to run
        (``expect_writer``): the records of every action ready at the same time (a wave) are then written together,
        in one read and one write. An action whose write is done and that only waits for the rest of its wave to
        record gives its slot to the next action (``orgmeta.on_wave_wait``), so a wave never waits for slots it
        holds itself."""
        registries = self.session.registries
        org_metadata = registries.org_metadata
        kind = KINDS.get(action.kind)
        writer = (
            org_metadata.expect_writer()
            if kind is not None and kind.identity is Identity.ORGANIZATION_RECORD
            else None
        )
        holder = self._record_holder(action) if kind is not None and kind.identity is Identity.QUEUE_RECORD else None
        queue_writer = registries.expect_queue_writer(holder) if holder is not None else None
        held = False

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                semaphore.release()

        try:
            await semaphore.acquire()
            held = True
            on_wave_wait(give_back)
            return await self._perform(action)
        finally:
            give_back()
            if writer is not None:
                org_metadata.writer_done(writer)
            if holder is not None and queue_writer is not None:
                registries.queue_writer_done(holder, queue_writer)

    def _record_holder(self, action: Action) -> str | None:
        """The queue whose marker records this action's object (the manifest's, else the recorded one)."""
        kind = KINDS[action.kind]
        desired = self.session.ctx.desired.get(action.address)
        parent = desired.fields.get(kind.parent_field) if desired is not None and kind.parent_field else None
        if isinstance(parent, Ref):
            return str(parent)
        owned = self.session.ctx.ownership.owned.get(action.address)
        return owned.holder if owned is not None else None

    async def _perform(self, action: Action) -> ObjectResult:
        started = time.perf_counter()
        runner = RUNNERS.get(action.action)
        try:
            if runner is None:
                raise ActionFailed(f"unknown action {action.action}")
            obj_id = await runner(self.session, action)
        except Exception as exc:  # one object's failure must not stop the others
            detail = self._scrub(describe_error(exc))
            return ObjectResult(
                action.address, _label(action), "failed", action.id, detail, time.perf_counter() - started
            )
        warning = self.session.warnings.get(action.address)
        return ObjectResult(action.address, _label(action), "ok", obj_id, warning, time.perf_counter() - started)


def _add_detail(result: ApplyResult, address: str, note: str) -> None:
    for index, outcome in enumerate(result.results):
        if outcome.address == address:
            detail = f"{outcome.detail}; {note}" if outcome.detail else note
            result.results[index] = dataclasses.replace(outcome, detail=detail)


def _label(action: Action) -> str:
    """The result's action name: ``adopt`` for an update that only records ownership."""
    if action.action is ActionType.UPDATE and action.adopt and not action.changes:
        return "adopt"
    return action.action.value


async def execute(
    client: APIClient,
    plan: Plan,
    context: PlanContext,
    *,
    parallelism: int = 4,
    on_result: Callable[[ObjectResult], None] | None = None,
    force_unlock: bool = False,
) -> ApplyResult:
    executor = Executor(client, plan, context, parallelism=parallelism, on_result=on_result, force_unlock=force_unlock)
    return await executor.run()
