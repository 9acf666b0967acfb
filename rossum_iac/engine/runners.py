"""One runner per action type: what ``apply`` does for a create, an update, a replacement, a delete and a forget.

The runners share an ``ApplySession``: the client, the plan's context, the resolver (objects created during this
apply are bound to it, so later payloads can refer to them), the latest data of every object this apply has seen,
and the registry writer (ownership records of kinds without ``metadata``). What differs by kind comes from the
kind definitions: identity scheme, scheduled deletes, default objects created with a parent, write-only mappings
merged key by key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.diff import diff_object
from rossum_iac.engine.identity import Marker, Owned, RegistryEntry
from rossum_iac.engine.live import APIClient, LiveObject
from rossum_iac.engine.payload import create_payload, deep_merge, update_payload
from rossum_iac.engine.plan import Action, ActionType, Plan
from rossum_iac.engine.planner import PlanContext
from rossum_iac.engine.registry import ActionFailed, RegistryWriter
from rossum_iac.engine.resolve import Resolver, desired_view, payload_value
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KINDS, Identity, KindDef
from rossum_iac.kinds.base import RECORD_HOLDER
from rossum_iac.manifest.model import DesiredObject, Ref


def describe_error(exc: BaseException) -> str:
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


@dataclass
class ApplySession:
    client: APIClient
    plan: Plan
    ctx: PlanContext
    current: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Latest known data of objects by URL tail."""
    warnings: dict[str, str] = field(default_factory=dict)
    """Per address: a warning for the result table (the write succeeded)."""
    scrub: Callable[[str], str] = lambda text: text
    """Masks secret values in error texts (servers may echo what they were sent)."""
    registries: RegistryWriter = field(init=False)

    def __post_init__(self) -> None:
        if not self.current:
            self.current = {obj.tail: dict(obj.data) for obj in self.ctx.live}
        self.registries = RegistryWriter(
            self.client, self.stack, self.resolver, self.current, self.ctx.live.organization
        )

    @property
    def stack(self) -> str:
        return self.ctx.stack.name

    @property
    def resolver(self) -> Resolver:
        return self.ctx.resolver

    def desired(self, action: Action) -> DesiredObject:
        desired = self.ctx.desired.get(action.address)
        if desired is None:
            raise ActionFailed(f"{action.address} is not in the manifests any more")
        return desired

    def owned(self, action: Action) -> Owned | None:
        return self.ctx.ownership.owned.get(action.address)


def _holder(kind: KindDef, desired: DesiredObject) -> str | None:
    """The address of the queue that records a template's ownership."""
    parent = kind.parent_field
    value = desired.fields.get(parent) if parent else None
    return str(value) if isinstance(value, Ref) else None


def _has_record(kind: KindDef) -> bool:
    return kind.identity is not Identity.METADATA


# --- create ------------------------------------------------------------------------------------------------------


async def create(session: ApplySession, action: Action) -> int:
    desired = session.desired(action)
    kind = KINDS[desired.kind]
    try:
        body = create_payload(session.stack, desired, session.resolver, session.registries.organization.get("url"))
    except LookupError as exc:
        raise ActionFailed(f"{exc.args[0]} does not exist (was it created?)") from None
    existing = await _default_from_new_parent(session, kind, desired)
    if existing is not None:
        # The parent's auto-created object (or one created by a run that crashed before recording it):
        # configure it instead of creating another one.
        created = await session.client.request_json("PATCH", url_tail(str(existing["url"])), json=body)
    else:
        created = await _post(session, kind, body)
    obj_id = int(created["id"])
    url = str(created.get("url") or f"{kind.collection}/{obj_id}")
    session.resolver.bind(action.address, obj_id, url)
    session.current[url_tail(url)] = dict(created)
    _check_written(session, desired, created)
    if _has_record(kind):
        default = existing is not None and kind.is_default is not None and kind.is_default(created)
        try:
            entry = RegistryEntry(obj_id, desired.protect, default)
            await session.registries.record(desired.kind, desired.key, entry, holder=_holder(kind, desired))
        except Exception as exc:
            raise ActionFailed(
                f"created (id {obj_id}) but its ownership could not be recorded ({describe_error(exc)}); "
                "the next apply finds it by name and records it"
            ) from None
    return obj_id


async def _post(session: ApplySession, kind: KindDef, body: dict[str, Any]) -> Mapping[str, Any]:
    """Create as the API creates this kind: one POST, or a special endpoint and then a PATCH of the rest."""
    if kind.create_request is None:
        return dict(await session.client.request_json("POST", kind.collection, json=body))
    endpoint, first, rest = kind.create_request(body)
    created = dict(await session.client.request_json("POST", endpoint, json=first))
    if rest:
        patch = {k: deep_merge(created.get(k), v) if isinstance(v, dict) else v for k, v in rest.items()}
        tail = f"{kind.collection}/{created['id']}"
        updated = await session.client.request_json("PATCH", tail, json=patch)
        created = dict(updated) if isinstance(updated, Mapping) and updated else {**created, **patch}
    return created


async def _default_from_new_parent(
    session: ApplySession, kind: KindDef, desired: DesiredObject
) -> Mapping[str, Any] | None:
    """For a parent created by this apply: its auto-created child that ``desired`` configures, so that configuring
    a default object never creates a second one."""
    if kind.find_default is None or kind.parent_field is None:
        return None
    if kind.default_slot is not None:
        view = {name: desired_view(value, session.resolver, reveal=False) for name, value in desired.fields.items()}
        if kind.default_slot(view) is None:
            return None  # a new object, as the plan says: no need to list the parent's own objects
    parent_ref = desired.fields.get(kind.parent_field)
    parent_id = session.resolver.id_of(parent_ref) if isinstance(parent_ref, Ref) else None
    if parent_id is None or str(parent_ref) in session.ctx.ownership.owned:
        return None  # the plan already looked at the children of a parent that existed then
    parent_tail = f"{KINDS[parent_ref.kind].collection}/{parent_id}" if isinstance(parent_ref, Ref) else ""
    recorded = {e.id for e in session.registries.queue_records(str(parent_ref), kind.collection).values()}
    children = [
        child
        async for child in session.client.request_paginated(kind.collection, **{kind.parent_field: parent_id})
        if url_tail(str(child.get(kind.parent_field, ""))) == parent_tail and child.get("id") not in recorded
    ]
    return kind.find_default(children, desired.fields)


def _check_written(session: ApplySession, desired: DesiredObject, data: Mapping[str, Any]) -> None:
    """After a write: fields the API stored differently from the manifest would show up in every plan. Name them
    now (the write itself succeeded)."""
    if not data or "id" not in data:
        return
    owned = session.ctx.ownership.owned.get(desired.address)
    entry = owned.entry if owned is not None else None
    if _has_record(KINDS[desired.kind]):
        entry = RegistryEntry(int(data["id"]), desired.protect, bool(entry and entry.default))
    written = Owned(LiveObject(desired.kind, data), Marker.parse(data.get("metadata") or {}), entry)
    differing = [
        c.path
        for c in diff_object(desired, written, session.resolver)
        if c.format not in ("secret", "option") and not c.after_unknown
    ]
    if differing:
        session.warnings[desired.address] = (
            f"warning: the API stored {', '.join(differing)} differently from the manifest; every plan will "
            "show it until the manifest says what the API keeps"
        )


# --- update ------------------------------------------------------------------------------------------------------


async def update(session: ApplySession, action: Action) -> int | None:
    desired = session.desired(action)
    kind = KINDS[desired.kind]
    owned = session.owned(action)
    if owned is None or action.id is None:
        raise ActionFailed(f"{action.address} has no live object to update")
    tail = f"{kind.collection}/{action.id}"
    # A queue's marker also holds its templates' records: its writes go under the same lock as theirs.
    lock = session.registries.lock(tail) if kind.name == RECORD_HOLDER else None
    if lock is not None:
        await lock.acquire()
    try:
        live = session.current.get(tail, dict(owned.live.data))
        try:
            body = update_payload(session.stack, desired, live, action.changes, session.resolver)
        except LookupError as exc:
            raise ActionFailed(f"{exc.args[0]} does not exist (was it created?)") from None
        await _remove_dropped_keys(session, kind, tail, body)
        if kind.singleton and "metadata" in body:
            body.pop("metadata")
            declared = payload_value(desired.fields.get("metadata") or {}, session.resolver)
            session.current[tail] = await _update_organization_metadata(session, declared)
            live = session.current[tail]
        if body:
            updated = await session.client.request_json("PATCH", tail, json=body)
            session.current[tail] = dict(updated) if isinstance(updated, Mapping) and updated else {**live, **body}
            _check_written(session, desired, session.current[tail])
    finally:
        if lock is not None:
            lock.release()
    if _has_record(kind):
        previous = owned.entry
        entry = RegistryEntry(action.id, desired.protect, bool(previous and previous.default))
        if action.adopt or previous is None or previous != entry:
            await session.registries.record(desired.kind, desired.key, entry, holder=_holder(kind, desired))
    return action.id


async def _update_organization_metadata(session: ApplySession, declared: Mapping[str, Any]) -> dict[str, Any]:
    """The organization's metadata also holds every stack's records and the apply leases: declared keys are
    written over a fresh read of it, through the one writer of the organization's metadata."""

    def change(metadata: dict[str, Any]) -> bool:
        merged = deep_merge(metadata, dict(declared))
        if merged == metadata:
            return False
        metadata.clear()
        metadata.update(merged)
        return True

    organization = await session.registries.org_metadata.update(change)
    session.registries.organization = dict(organization)
    return dict(organization)


async def _remove_dropped_keys(session: ApplySession, kind: KindDef, tail: str, body: dict[str, Any]) -> None:
    """The API merges some write-only mappings key by key (hook ``secrets``): keys that left the manifest are
    removed with ``null``."""
    for name, spec in kind.fields.items():
        value = body.get(name)
        if spec.stored_keys is None or not isinstance(value, dict):
            continue
        stored = await session.client.request_json("GET", f"{tail}/{spec.stored_keys}")
        if isinstance(stored, list):
            for key in stored:
                if isinstance(key, str) and key not in value:
                    value[key] = None


# --- delete, replace, forget ---------------------------------------------------------------------------------------


async def delete(session: ApplySession, action: Action, *, unbind: bool = True) -> int | None:
    """Delete ``action.id``; ``unbind=False`` keeps the address bound (to the replacement just created)."""
    kind = KINDS[action.kind]
    owned = session.owned(action)
    if action.id is None or owned is None:
        raise ActionFailed(f"{action.address} has no live object to delete")
    tail = f"{kind.collection}/{action.id}"
    try:
        if kind.scheduled_delete and session.plan.queue_delete_after is not None:
            await session.client.request_json("DELETE", tail, params={"delete_after": session.plan.queue_delete_after})
        else:
            await session.client.request_json("DELETE", tail)
    except Exception as exc:
        if not _is_not_found(exc):
            raise
    if unbind:
        session.resolver.unbind(action.address)
    if _has_record(kind):
        await session.registries.record(action.kind, action.key, None, holder=owned.holder)
    return action.id


async def replace(session: ApplySession, action: Action) -> int:
    """``create_first`` (as planned): create the replacement, then delete the old object, so that a create the API
    refuses leaves the organization as it was. Otherwise (an inbox with a fixed ``email``: addresses are unique)
    delete first, and a failed create says that the old object is gone."""
    if not action.create_first:
        await delete(session, action)
        try:
            return await create(session, action)
        except Exception as exc:
            raise ActionFailed(
                f"the old {action.kind} (id {action.id}) was deleted, but creating its replacement failed: "
                f"{session.scrub(describe_error(exc))}"
            ) from None
    new_id = await create(session, action)
    try:
        await delete(session, action, unbind=False)
    except Exception as exc:
        raise ActionFailed(
            f"created the replacement (id {new_id}), but deleting the old {action.kind} (id {action.id}) "
            f"failed: {session.scrub(describe_error(exc))}"
        ) from None
    return new_id


async def forget(session: ApplySession, action: Action) -> int | None:
    """Stop managing an object without deleting it (a queue's default email template that left the manifests)."""
    owned = session.owned(action)
    await session.registries.record(action.kind, action.key, None, holder=owned.holder if owned else None)
    return action.id


RUNNERS: dict[ActionType, Callable[[ApplySession, Action], Awaitable[int | None]]] = {
    ActionType.CREATE: create,
    ActionType.UPDATE: update,
    ActionType.DELETE: delete,
    ActionType.REPLACE: replace,
    ActionType.FORGET: forget,
}
