"""After the creates of an apply: objects another run created at the same time under the same ownership marker.

The lease (``lease``) keeps two applies of one stack apart; this is what catches whatever slips past it (a run that
stalled longer than its lease). For every kind this run created objects of, the collection is listed once (all
such collections at the same time); an object of ours whose marker (stack and key) another object also carries,
with a lower id, lost: the run that made the newer copy deletes it, so concurrent runs converge on exactly one
copy (the oldest). For kinds recorded in a registry (email templates in their queue's marker, rules in the
organization's metadata) the natural key decides (same name and queue or queues, lower id wins), and the run that
deletes its copy points the record at the other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from rossum_iac.engine.identity import Marker, RegistryEntry
from rossum_iac.engine.live import gather_or_cancel
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KIND_NAMES, KINDS
from rossum_iac.manifest.model import Ref


async def find_duplicates(session: Any, results: Iterable[Any]) -> dict[str, str]:
    """Delete this run's newer copies of objects created twice; returns address -> what happened."""
    all_created: dict[str, int] = {
        r.address: int(r.id)
        for r in results
        if r.status == "ok" and r.action in ("create", "replace") and r.id is not None
    }
    if not all_created:
        return {}
    created = {a: i for a, i in all_created.items() if KINDS[a.split("/", 1)[0]].has_metadata}
    recorded = {a: i for a, i in all_created.items() if not KINDS[a.split("/", 1)[0]].has_metadata}
    listed = await _list_kinds(session, {a.split("/", 1)[0] for a in all_created})
    losers: list[tuple[str, int, int]] = []
    for kind_name in KIND_NAMES:
        ours = {address: obj_id for address, obj_id in created.items() if address.startswith(f"{kind_name}/")}
        if not ours:
            continue
        kind = KINDS[kind_name]
        holders: dict[str, list[int]] = {}
        for item in listed[kind_name]:
            marker = Marker.parse(item.get("metadata") or {})
            deleting = kind.scheduled_delete and (
                item.get("delete_after") or item.get("status") not in (None, "active")
            )
            if marker is not None and marker.stack == session.stack and not deleting:
                holders.setdefault(marker.key, []).append(int(item["id"]))
        for address, obj_id in ours.items():
            ids = holders.get(address.split("/", 1)[1], [])
            if len(ids) > 1 and min(ids) != obj_id:
                losers.append((address, obj_id, min(ids)))
    losers += _lost_records(session, recorded, {address for address, _, _ in losers}, listed)
    notes: dict[str, str] = {}
    order = {name: i for i, name in enumerate(KIND_NAMES)}
    for address, obj_id, winner in sorted(losers, key=lambda x: -order[x[0].split("/", 1)[0]]):
        kind = KINDS[address.split("/", 1)[0]]
        params = {"delete_after": "0"} if kind.scheduled_delete else None
        try:
            if params:
                await session.client.request_json("DELETE", f"{kind.collection}/{obj_id}", params=params)
            else:
                await session.client.request_json("DELETE", f"{kind.collection}/{obj_id}")
        except Exception as exc:
            notes[address] = (
                f"another apply created it at the same time (id {winner}); deleting this run's copy (id {obj_id}) "
                f"failed ({type(exc).__name__}: {exc}): delete it by hand"
            )
            continue
        session.resolver.bind(address, winner, f"{kind.collection}/{winner}")
        if not kind.has_metadata:  # point the record at the copy that stays (another run may have written ours)
            owned = session.ctx.ownership.owned.get(address)
            holder = owned.holder if owned is not None else None
            desired = session.ctx.desired.get(address)
            parent = desired.fields.get(kind.parent_field or "") if desired is not None else None
            holder = holder or (str(parent) if isinstance(parent, Ref) else None)
            with contextlib.suppress(Exception):
                entry = RegistryEntry(winner, bool(desired and desired.protect))
                await session.registries.record(kind.name, address.split("/", 1)[1], entry, holder=holder)
        notes[address] = (
            f"another apply created it at the same time (id {winner}); this run's copy (id {obj_id}) was deleted"
        )
    return notes


async def _list_kinds(session: Any, kind_names: set[str]) -> dict[str, list[Any]]:
    """Every object of each kind, the collections listed concurrently."""

    async def listing(kind_name: str) -> list[Any]:
        return [item async for item in session.client.request_paginated(KINDS[kind_name].collection)]

    names = sorted(kind_names)
    return dict(zip(names, await gather_or_cancel(*(listing(name) for name in names)), strict=True))


def _lost_records(
    session: Any, recorded: dict[str, int], gone: set[str], listings: dict[str, list[Any]]
) -> list[tuple[str, int, int]]:
    """Copies of registry kinds (no marker) this run created that another object with the same natural key (name
    and queue or queues) and a lower id duplicates. Templates of a queue copy that is itself deleted go with it."""
    out: list[tuple[str, int, int]] = []
    for kind_name in KIND_NAMES:
        ours = {a: i for a, i in recorded.items() if a.startswith(f"{kind_name}/")}
        if not ours:
            continue
        kind = KINDS[kind_name]
        listed = listings[kind_name]
        by_id = {int(item["id"]): item for item in listed}
        for address, obj_id in ours.items():
            mine = by_id.get(obj_id)
            if mine is None:
                continue
            parent = kind.parent_field
            if parent and session.resolver.address_of_url(str(mine.get(parent) or "")) in gone:
                continue
            wanted = _natural_key(kind_name, mine)
            twins = [int(item["id"]) for item in listed if _natural_key(kind_name, item) == wanted]
            if min(twins) != obj_id:
                out.append((address, obj_id, min(twins)))
    return out


def _natural_key(kind_name: str, data: Any) -> tuple[Any, ...]:
    values: list[Any] = []
    for name in KINDS[kind_name].natural_key:
        value = data.get(name)
        if isinstance(value, list):
            values.append(tuple(sorted(url_tail(str(v)) for v in value)))
        elif isinstance(value, str) and "://" in value:
            values.append(url_tail(value))
        else:
            values.append(value)
    return tuple(values)
