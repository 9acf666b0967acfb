"""Applying a plan: each action runs as soon as the actions it depends on have succeeded.

- Independent actions run concurrently (at most ``parallelism`` at a time; the client bounds requests in flight).
- A failed action does not stop independent ones; actions that depend on it are skipped. The result lists every
  action with ``ok`` / ``failed`` / ``skipped``. Running apply again continues from the live state.
- Registries (email templates in their queue's marker, rules in the organization's metadata) are read-modify-write
  under one lock per holder, from the latest state this apply has seen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.diff import diff_object
from rossum_iac.engine.identity import Marker, Owned, RegistryEntry
from rossum_iac.engine.live import APIClient, LiveObject
from rossum_iac.engine.normalize import url_tail
from rossum_iac.engine.payload import create_payload, update_payload
from rossum_iac.engine.plan import Action, ActionType, Plan
from rossum_iac.engine.planfile import stack_secret_values
from rossum_iac.engine.planner import PlanContext
from rossum_iac.engine.registry import ActionFailed, RegistryWriter
from rossum_iac.kinds import KINDS
from rossum_iac.kinds.email_template import DEFAULT_CUSTOM_NAMES, QUEUE_DEFAULT_TYPES
from rossum_iac.manifest.model import DesiredObject, Ref


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
        return {"ok": self.ok, "counts": self.counts(), "results": [r.to_json() for r in self.results]}


def _describe_error(exc: BaseException) -> str:
    from rossum_iac.client.errors import APIClientError, APITransportError

    if isinstance(exc, APITransportError):
        return f"cannot reach the API: {exc.error}"
    if isinstance(exc, APIClientError):
        return f"HTTP {exc.status_code}: {exc.detail}"
    if isinstance(exc, ActionFailed):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _is_not_found(exc: BaseException) -> bool:
    return getattr(exc, "status_code", None) == 404


class Executor:
    def __init__(
        self,
        client: APIClient,
        plan: Plan,
        context: PlanContext,
        *,
        parallelism: int = 4,
        on_result: Callable[[ObjectResult], None] | None = None,
    ) -> None:
        self.client = client
        self.plan = plan
        self.ctx = context
        self.stack = context.stack.name
        self.resolver = context.resolver
        self.parallelism = max(1, parallelism)
        self.on_result = on_result
        self.current: dict[str, dict[str, Any]] = {obj.tail: dict(obj.data) for obj in context.live}
        self.registries = RegistryWriter(client, self.stack, self.resolver, self.current, context.live.organization)
        self.warnings: dict[str, str] = {}
        self.secret_values = sorted(set(stack_secret_values(context.stack)), key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        """An error text with any secret value of the stack masked (servers may echo what they were sent)."""
        for value in self.secret_values:
            text = text.replace(value, "(sensitive)")
        return text

    async def run(self) -> ApplyResult:
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
            started = time.perf_counter()
            label = "adopt" if action.action is ActionType.UPDATE and action.adopt and not action.changes else (
                action.action.value
            )
            if failed_deps:
                outcome = ObjectResult(
                    action.address, label, "skipped", action.id,
                    f"not attempted: {', '.join(failed_deps)} did not succeed",
                )
            else:
                async with semaphore:
                    try:
                        obj_id = await self._perform(action)
                        outcome = ObjectResult(
                            action.address, label, "ok", obj_id, self.warnings.get(action.address),
                            time.perf_counter() - started,
                        )
                    except Exception as exc:  # one object's failure must not stop the others
                        outcome = ObjectResult(
                            action.address, label, "failed", action.id, self._scrub(_describe_error(exc)),
                            time.perf_counter() - started,
                        )
            status[action.address] = outcome.status
            result.results.append(outcome)
            if self.on_result is not None:
                self.on_result(outcome)
            done[action.address].set()

        await asyncio.gather(*(run_one(a) for a in actions.values()))
        order = {a: i for i, a in enumerate(actions)}
        result.results.sort(key=lambda r: order[r.address])
        return result

    # --- one action ------------------------------------------------------------------------------------

    async def _perform(self, action: Action) -> int | None:
        kind = action.kind
        if action.action is ActionType.CREATE:
            return await self._create(action)
        if action.action is ActionType.UPDATE:
            return await self._update(action)
        if action.action is ActionType.DELETE:
            await self._delete(action)
            return action.id
        if action.action is ActionType.REPLACE:
            return await self._replace(action)
        if action.action is ActionType.FORGET:
            owned = self.ctx.ownership.owned.get(action.address)
            await self.registries.record(kind, action.key, None, holder=owned.holder if owned else None)
            return action.id
        raise ActionFailed(f"unknown action {action.action}")

    def _desired(self, action: Action) -> Any:
        desired = self.ctx.desired.get(action.address)
        if desired is None:
            raise ActionFailed(f"{action.address} is not in the manifests any more")
        return desired

    async def _create(self, action: Action) -> int:
        desired = self._desired(action)
        spec = KINDS[desired.kind]
        try:
            body = create_payload(self.stack, desired, self.resolver, self.registries.organization.get("url"))
        except LookupError as exc:
            raise ActionFailed(f"{exc.args[0]} does not exist (was it created?)") from None
        existing = await self._existing_template(desired) if desired.kind == "EmailTemplate" else None
        if existing is not None:
            # The queue's auto-created template (or one created by a run that crashed before recording it):
            # configure it instead of creating another one.
            created = await self.client.request_json("PATCH", url_tail(str(existing["url"])), json=body)
        else:
            created = await self.client.request_json("POST", spec.collection, json=body)
        obj_id = int(created["id"])
        url = str(created.get("url") or f"{spec.collection}/{obj_id}")
        self.resolver.bind(action.address, obj_id, url)
        self.current[url_tail(url)] = dict(created)
        self._check_written(desired, created)
        if desired.kind in ("EmailTemplate", "Rule"):
            default = desired.kind == "EmailTemplate" and (
                created.get("type") in QUEUE_DEFAULT_TYPES
                or (existing is not None and created.get("name") in DEFAULT_CUSTOM_NAMES)
            )
            try:
                entry = RegistryEntry(obj_id, desired.protect, default)
                await self.registries.record(desired.kind, desired.key, entry, holder=self._holder(desired))
            except Exception as exc:
                raise ActionFailed(
                    f"created (id {obj_id}) but its ownership could not be recorded ({_describe_error(exc)}); "
                    "the next apply finds it by name and records it"
                ) from None
        return obj_id

    def _check_written(self, desired: DesiredObject, data: Mapping[str, Any]) -> None:
        """After a write: fields the API stored differently from the manifest would show up in every plan.
        Name them now (the write itself succeeded)."""
        if not data or "id" not in data:
            return
        owned = self.ctx.ownership.owned.get(desired.address)
        entry = owned.entry if owned is not None else None
        if desired.kind in ("EmailTemplate", "Rule"):
            entry = RegistryEntry(int(data["id"]), desired.protect, bool(entry and entry.default))
        written = Owned(LiveObject(desired.kind, data), Marker.parse(data.get("metadata") or {}), entry)
        differing = [
            c.path
            for c in diff_object(desired, written, self.resolver)
            if c.format not in ("secret", "option") and not c.after_unknown
        ]
        if differing:
            self.warnings[desired.address] = (
                f"warning: the API stored {', '.join(differing)} differently from the manifest; every plan will "
                "show it until the manifest says what the API keeps"
            )

    async def _existing_template(self, desired: DesiredObject) -> dict[str, Any] | None:
        """For a queue created by this apply: its auto-created template of the desired type (auto-created types)
        or name, so that configuring a default template never creates a second one."""
        queue_ref = desired.fields.get("queue")
        queue_id = self.resolver.id_of(queue_ref) if isinstance(queue_ref, Ref) else None
        if queue_id is None or str(queue_ref) in self.ctx.ownership.owned:
            return None  # the plan already looked at the templates of a queue that existed then
        recorded = {e.id for e in self.registries.template_records(str(queue_ref)).values()}
        wanted_type = desired.fields.get("type")
        wanted_name = desired.fields.get("name")
        candidates = [
            t
            async for t in self.client.request_paginated("email_templates", queue=queue_id)
            if url_tail(str(t.get("queue", ""))) == f"queues/{queue_id}" and t.get("id") not in recorded
        ]
        if wanted_type in QUEUE_DEFAULT_TYPES:
            return next((t for t in candidates if t.get("type") == wanted_type), None)
        return next((t for t in candidates if isinstance(wanted_name, str) and t.get("name") == wanted_name), None)

    async def _update(self, action: Action) -> int | None:
        desired = self._desired(action)
        spec = KINDS[desired.kind]
        owned = self.ctx.ownership.owned.get(action.address)
        if owned is None or action.id is None:
            raise ActionFailed(f"{action.address} has no live object to update")
        tail = f"{spec.collection}/{action.id}"
        lock = self.registries.lock(tail) if desired.kind == "Queue" else None
        if lock is not None:
            await lock.acquire()
        try:
            live = self.current.get(tail, dict(owned.live.data))
            try:
                body = update_payload(self.stack, desired, live, action.changes, self.resolver)
            except LookupError as exc:
                raise ActionFailed(f"{exc.args[0]} does not exist (was it created?)") from None
            if desired.kind == "Hook" and isinstance(body.get("secrets"), dict):
                await self._remove_undeclared_secrets(tail, body["secrets"])
            if body:
                updated = await self.client.request_json("PATCH", tail, json=body)
                self.current[tail] = dict(updated) if isinstance(updated, Mapping) and updated else {**live, **body}
                self._check_written(desired, self.current[tail])
        finally:
            if lock is not None:
                lock.release()
        if desired.kind in ("EmailTemplate", "Rule"):
            previous = owned.entry
            entry = RegistryEntry(action.id, desired.protect, bool(previous and previous.default))
            if action.adopt or previous is None or previous != entry:
                await self.registries.record(desired.kind, desired.key, entry, holder=self._holder(desired))
        return action.id

    async def _remove_undeclared_secrets(self, tail: str, secrets: dict[str, Any]) -> None:
        """The API merges ``secrets`` key by key: keys that left the manifest are removed with ``null``."""
        stored = await self.client.request_json("GET", f"{tail}/secrets_keys")
        if isinstance(stored, list):
            for key in stored:
                if isinstance(key, str) and key not in secrets:
                    secrets[key] = None

    async def _replace(self, action: Action) -> int:
        """``create_first`` (as planned): create the replacement, then delete the old object, so that a create the
        API refuses leaves the organization as it was. Otherwise (an inbox with a fixed ``email``: addresses are
        unique) delete first, and a failed create says that the old object is gone."""
        if not action.create_first:
            await self._delete(action)
            try:
                return await self._create(action)
            except Exception as exc:
                raise ActionFailed(
                    f"the old {action.kind} (id {action.id}) was deleted, but creating its replacement failed: "
                    f"{self._scrub(_describe_error(exc))}"
                ) from None
        new_id = await self._create(action)
        try:
            await self._delete(action, unbind=False)
        except Exception as exc:
            raise ActionFailed(
                f"created the replacement (id {new_id}), but deleting the old {action.kind} (id {action.id}) "
                f"failed: {self._scrub(_describe_error(exc))}"
            ) from None
        return new_id

    async def _delete(self, action: Action, *, unbind: bool = True) -> None:
        """Delete ``action.id``; ``unbind=False`` keeps the address bound (to the replacement just created)."""
        spec = KINDS[action.kind]
        owned = self.ctx.ownership.owned.get(action.address)
        if action.id is None or owned is None:
            raise ActionFailed(f"{action.address} has no live object to delete")
        params: dict[str, Any] | None = None
        if action.kind == "Queue" and self.plan.queue_delete_after is not None:
            params = {"delete_after": self.plan.queue_delete_after}
        try:
            if params:
                await self.client.request_json("DELETE", f"{spec.collection}/{action.id}", params=params)
            else:
                await self.client.request_json("DELETE", f"{spec.collection}/{action.id}")
        except Exception as exc:
            if not _is_not_found(exc):
                raise
        if unbind:
            self.resolver.unbind(action.address)
        if action.kind in ("EmailTemplate", "Rule"):
            await self.registries.record(action.kind, action.key, None, holder=owned.holder)

    @staticmethod
    def _holder(desired: DesiredObject) -> str | None:
        queue = desired.fields.get("queue")
        return str(queue) if isinstance(queue, Ref) else None

async def execute(
    client: APIClient,
    plan: Plan,
    context: PlanContext,
    *,
    parallelism: int = 4,
    on_result: Callable[[ObjectResult], None] | None = None,
) -> ApplyResult:
    return await Executor(client, plan, context, parallelism=parallelism, on_result=on_result).run()
