"""Building a plan: match live objects to manifests, diff them, decide actions, order them, check deletes."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rossum_iac.engine.capacity import capacity_problem
from rossum_iac.engine.diff import create_changes, diff_object
from rossum_iac.engine.errors import PlanError
from rossum_iac.engine.graph import closure, topo_sort
from rossum_iac.engine.identity import Owned, Ownership, match, recorded_kinds
from rossum_iac.engine.impact import breaking_warnings
from rossum_iac.engine.live import (
    APIClient,
    LiveObject,
    LiveState,
    gather_or_cancel,
    read_collection,
    read_live,
)
from rossum_iac.engine.plan import Action, ActionType, Plan
from rossum_iac.engine.resolve import Resolver, desired_view
from rossum_iac.engine.twins import find_twins, import_command
from rossum_iac.engine.urls import url_tail
from rossum_iac.engine.usage import with_usage
from rossum_iac.kinds import KIND_NAMES, KINDS
from rossum_iac.manifest.model import DesiredObject, Stack
from rossum_iac.manifest.variables import canonical_kind
from rossum_iac.suggest import suggest

KIND_ORDER = {name: i for i, name in enumerate(KIND_NAMES)}
DEFAULT_QUEUE_DELETE_AFTER = "24:00:00"


@dataclass(frozen=True)
class PlanOptions:
    targets: tuple[str, ...] = ()
    """``Kind/key`` addresses: only these and what they depend on are planned."""
    queue_delete_after: str | None = None
    """``delete_after`` for queue deletes (API duration); ``None`` leaves the API default (24 hours)."""
    adopt: Mapping[str, str] = field(default_factory=dict)
    """Unmanaged objects to take over: manifest address -> URL tail (``import``, ``pull --adopt``)."""
    adopt_reason: str = "import"
    """``pull`` when the manifests were pulled from these very objects (their secrets are the live values)."""


@dataclass
class PlanContext:
    """What was read and matched while planning; the executor works from it (never serialised)."""

    stack: Stack
    live: LiveState
    ownership: Ownership
    resolver: Resolver
    desired: dict[str, DesiredObject] = field(default_factory=dict)


_DURATION = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_API_DURATION = re.compile(r"^(\d+ )?(\d{1,2}:)?(\d{1,2}:)?\d{1,2}(\.\d+)?$")


def parse_delete_after(text: str) -> str:
    """``0``, ``90s``, ``2h``, ``1d12h`` or an API duration (``[DD ]HH:MM:SS``) -> API duration text."""
    text = text.strip()
    if _API_DURATION.match(text):
        return text
    found = _DURATION.match(text)
    if not text or not found:
        raise ValueError(f"not a duration: {text!r} (use e.g. 0, 30m, 2h, 1d or 24:00:00)")
    days, hours, minutes, seconds = (int(found.group(g) or 0) for g in "dhms")
    hours += minutes // 60
    minutes %= 60
    minutes += seconds // 60
    seconds %= 60
    days += hours // 24
    hours %= 24
    prefix = f"{days} " if days else ""
    return f"{prefix}{hours:02d}:{minutes:02d}:{seconds:02d}"


def is_immediate(delete_after: str | None) -> bool:
    return delete_after is not None and not re.search(r"[1-9]", delete_after)


def _name(desired: DesiredObject | None, live: LiveObject | None, resolver: Resolver) -> str | None:
    if live is not None and live.name:
        return live.name
    if desired is not None:
        name = desired_view(desired.fields.get(KINDS[desired.kind].name_field), resolver, reveal=False)
        return name if isinstance(name, str) else None
    return None


def _live_refs(obj: LiveObject) -> set[str]:
    """URL tails that a live object references through its reference fields."""
    out: set[str] = set()
    for name in KINDS[obj.kind].refs:
        value = obj.data.get(name)
        values = value if isinstance(value, list) else [value]
        out.update(url_tail(v) for v in values if isinstance(v, str))
    return out


def build_plan(
    stack: Stack,
    live: LiveState,
    options: PlanOptions | None = None,
    *,
    base_url: str | None = None,
    strict: bool = True,
) -> tuple[Plan, PlanContext]:
    """Plan ``stack`` against ``live``. Problems (protected deletes, objects still in use...) raise ``PlanError``;
    with ``strict=False`` (drift) they become notes and the offending actions stay in the plan."""
    options = options or PlanOptions()
    ownership = match(stack, live, options.adopt, options.adopt_reason)
    resolver = ownership.resolver()
    resolver.catalogs = live.catalog_urls()
    desired = {obj.address: obj for obj in stack.objects}
    context = PlanContext(stack, live, ownership, resolver, desired)
    problems: list[tuple[str | None, str]] = []
    notes: list[str] = list(ownership.warnings)

    targets = _check_targets(options.targets, desired, ownership, problems)
    actions: dict[str, Action] = {}
    for address, obj in desired.items():
        actions[address] = _desired_action(obj, ownership.owned.get(address), resolver, problems)
    for address, owned in ownership.owned.items():
        if address not in desired:
            actions[address] = _orphan_action(address, owned, options, problems)

    _check_deletes(actions, desired, ownership, live, resolver, options, problems, notes)
    _check_catalogs(desired, resolver, problems)
    if any(a.is_change for a in actions.values()):  # an apply writes records and its lease
        owned_ids = {address: owned.live.id for address, owned in ownership.owned.items()}
        longest = max((obj.id for obj in live), default=0)
        if (problem := capacity_problem(live.organization, stack.name, desired, owned_ids, longest)) is not None:
            problems.append((None, problem))

    if targets:
        deps = {a: {str(r) for r in obj.dependencies()} for a, obj in desired.items()}
        selected = closure(targets, deps)
        actions = {a: act for a, act in actions.items() if a in selected}
        problems = [(a, p) for a, p in problems if a is None or a in selected]
        notes.append(
            "The plan is limited to " + ", ".join(sorted(targets)) + " and what they depend on (--target); "
            "other changes may be pending."
        )

    if problems and strict:
        raise PlanError(p for _, p in problems)
    notes.extend(p for _, p in problems)

    warnings = _duplicate_warnings(stack, ownership, resolver, actions)
    warnings += breaking_warnings(stack, ownership, live, actions)  # what schema changes break (engine/impact.py)
    actions = with_usage(actions, ownership, live)  # which queues a schema change reaches

    edges = _edges(actions, desired, ownership)
    actions = {a: _with_deps(act, edges.get(a, set())) for a, act in actions.items()}
    order = topo_sort(actions, {a: act.depends_on for a, act in actions.items()}, key=lambda a: _sort_key(actions[a]))

    plan = Plan(
        stack=stack.name,
        actions=tuple(actions[a] for a in order),
        manifests_dir=str(stack.root),
        manifests_digest=stack.digest,
        environment=stack.environment.name if stack.environment else None,
        base_url=base_url,
        organization={"id": live.organization.get("id"), "name": live.organization.get("name")},
        fingerprints=live.fingerprints(),
        targets=tuple(sorted(targets)),
        queue_delete_after=options.queue_delete_after,
        notes=tuple(notes),
        warnings=tuple(warnings),
        created_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    )
    return plan, context


def _check_catalogs(desired: Mapping[str, DesiredObject], resolver: Resolver, problems: Problems) -> None:
    """Catalogue entries named in the manifests (hook templates) must exist in the organization."""
    for address, obj in desired.items():
        for name, spec in KINDS[obj.kind].fields.items():
            value = obj.fields.get(name)
            for item in value if spec.many and isinstance(value, list) else [value]:
                if spec.catalog is None or not isinstance(item, str) or resolver.catalog_url(spec.catalog, item):
                    continue
                known = sorted(resolver.catalogs.get(spec.catalog, {}))
                listed = f"; available: {', '.join(known)}" if known else ""
                problems.append(
                    (address, f"{address}: {name} {item!r} is not in the organization's {spec.catalog}{listed}")
                )


def _duplicate_warnings(
    stack: Stack, ownership: Ownership, resolver: Resolver, actions: Mapping[str, Action]
) -> list[dict[str, Any]]:
    """A warning for every create that would duplicate an unmanaged object (same kind, name and parent)."""
    out: list[dict[str, Any]] = []
    for address, twins in find_twins(stack, ownership, resolver).found.items():
        action = actions.get(address)
        if action is None or action.action is not ActionType.CREATE:
            continue
        kind = KINDS[action.kind]
        same = " and ".join(kind.natural_key)
        listed = ", ".join(t.describe() for t in twins)
        if len(twins) == 1:
            advice = f"adopt it instead: {import_command(address, twins[0])} (or rossum-iac import --match)"
        else:
            advice = "adopt one of them with rossum-iac import " + address + " ID"
        out.append(
            {
                "type": "duplicate",
                "address": address,
                "message": f"{address} would duplicate {listed}, which has the same {same} and is not managed "
                f"by any stack; {advice}",
                "live": [{"id": t.id, "name": t.name, "url": t.url} for t in twins],
                "command": import_command(address, twins[0]) if len(twins) == 1 else None,
            }
        )
    return out


def _sort_key(action: Action) -> tuple[Any, ...]:
    deleting = action.action in (ActionType.DELETE, ActionType.FORGET)
    kind = KIND_ORDER.get(action.kind, 99)
    return (1 if deleting else 0, -kind if deleting else kind, action.key)


Problems = list[tuple[str | None, str]]


def _check_targets(
    targets: Iterable[str], desired: Mapping[str, DesiredObject], ownership: Ownership, problems: Problems
) -> set[str]:
    """The addresses named by ``--target`` (kinds in any letter case, as in ``${ref...}``), problems with did-you-mean
    hints for the others."""
    out: set[str] = set()
    for target in targets:
        kind_name, _, key = target.partition("/")
        kind = canonical_kind(kind_name)
        address = f"{kind}/{key}"
        if kind is None or not key:
            hint = suggest(kind_name, KIND_NAMES) if kind is None and kind_name else ""
            problems.append(
                (None, f"--target {target!r}: expected KIND/KEY with KIND one of {', '.join(KIND_NAMES)}{hint}")
            )
        elif address not in desired and address not in ownership.owned:
            keys = [a.split("/", 1)[1] for a in [*desired, *ownership.owned] if a.startswith(f"{kind}/")]
            problems.append(
                (
                    None,
                    f"--target {target!r}: no such object in the manifests or owned by stack {ownership.stack!r}"
                    f"{suggest(key, sorted(set(keys)))}",
                )
            )
        else:
            out.add(address)
    return out


def _desired_action(obj: DesiredObject, owned: Owned | None, resolver: Resolver, problems: Problems) -> Action:
    if owned is None:
        kind = KINDS[obj.kind]
        notes: tuple[str, ...] = ()
        if kind.singleton:
            problems.append(
                (
                    obj.address,
                    f"{obj.address}: another stack already manages this {kind.describe()} (or this stack does, "
                    f"under another key: see rossum_iac.{kind.collection} in the organization's metadata); one "
                    "stack configures it, under one key",
                )
            )
        view = {name: desired_view(value, resolver, reveal=False) for name, value in obj.fields.items()}
        slot = kind.default_slot(view) if kind.default_slot is not None else None
        if slot is not None:
            notes = (f"configures the {slot} the queue creates by default (no second one is created)",)
        return Action(
            obj.address,
            ActionType.CREATE,
            name=_name(obj, None, resolver),
            changes=tuple(create_changes(obj, resolver)),
            protect=obj.protect,
            notes=notes,
        )
    changes = tuple(diff_object(obj, owned, resolver))
    base = Action(
        obj.address,
        ActionType.NOOP,
        id=owned.live.id,
        name=_name(obj, owned.live, resolver),
        changes=changes,
        protect=obj.protect,
        adopt=owned.adopt is not None,
    )
    if any(c.forces_replacement for c in changes):
        if owned.protect or obj.protect:
            problems.append(
                (
                    obj.address,
                    f"{obj.address} ({owned.live.tail}) is protected but a change of "
                    f"{', '.join(c.path for c in changes if c.forces_replacement)} requires replacing it "
                    "(delete and create); remove `protect: true` first if that is intended",
                )
            )
        return dataclasses.replace(
            base, action=ActionType.REPLACE, reason="replace_because_cannot_update", create_first=_can_create_first(obj)
        )
    if changes or owned.adopt:
        notes = ()
        if owned.adopt:
            notes = (f"an existing {owned.live.describe()} is taken over ({owned.adopt.replace('_', ' ')})",)
        return dataclasses.replace(base, action=ActionType.UPDATE, reason=owned.adopt, notes=notes)
    return base


def _can_create_first(obj: DesiredObject) -> bool:
    """Whether a replacement can exist next to the object it replaces (then it is created first, so that a create
    the API refuses leaves the old object in place). Not an inbox with a fixed ``email``: addresses are unique."""
    return KINDS[obj.kind].coexists(obj.fields)


def _orphan_action(address: str, owned: Owned, options: PlanOptions, problems: Problems) -> Action:
    live = owned.live
    base = Action(
        address,
        ActionType.DELETE,
        id=live.id,
        name=live.name,
        protect=owned.protect,
        reason="delete_because_no_manifest",
    )
    kind = KINDS[live.kind]
    if owned.is_default_template:
        return dataclasses.replace(
            base,
            action=ActionType.FORGET,
            reason="forget_default_template",
            notes=(f"a queue's default {kind.describe()} is not deleted; it is only no longer managed",),
        )
    if kind.singleton:
        return dataclasses.replace(
            base,
            action=ActionType.FORGET,
            reason="forget_singleton",
            notes=(f"the {kind.describe()} is never deleted; its settings are only no longer managed",),
        )
    if owned.protect:
        problems.append(
            (
                address,
                f"{address} ({live.describe()}) is protected but is no longer in the manifests, so the plan would "
                "delete it. To delete it, put it back with `protect: false` and apply, then remove it; to keep it, "
                "put it back.",
            )
        )
    if KINDS[live.kind].scheduled_delete:
        if is_immediate(options.queue_delete_after):
            note = "the queue and its documents are deleted at once (--queue-delete-after 0)"
        else:
            after = options.queue_delete_after or DEFAULT_QUEUE_DELETE_AFTER
            note = (
                f"deletion is scheduled: the API deletes the queue and its documents after {after} "
                "(--queue-delete-after 0 deletes at once)"
            )
        return dataclasses.replace(base, notes=(note,))
    return base


def _blocking_fields(kind: str) -> list[tuple[str, str, str]]:
    """``(referrer kind, field, blocks_delete)`` for every reference to ``kind`` that makes the API refuse to delete
    the referenced object."""
    return [
        (other.name, name, spec.blocks_delete)
        for other in KINDS.values()
        for name, spec in other.fields.items()
        if spec.ref == kind and spec.blocks_delete is not None
    ]


def _check_deletes(
    actions: dict[str, Action],
    desired: Mapping[str, DesiredObject],
    ownership: Ownership,
    live: LiveState,
    resolver: Resolver,
    options: PlanOptions,
    problems: Problems,
    notes: list[str],
) -> None:
    """Refuse deletes the API would refuse (a schema or workspace still used by a queue this plan keeps), and defer
    a delete that has to wait for a scheduled deletion of what uses it (a schema and its deleted queue)."""
    owned_by_tail = {o.live.tail: a for a, o in ownership.owned.items()}
    for address, action in list(actions.items()):
        blocking = _blocking_fields(action.kind) if action.action is ActionType.DELETE else []
        if not blocking:
            continue
        tail = ownership.owned[address].live.tail
        blockers: list[str] = []
        waits: list[str] = []
        for referrer_kind, field_name, mode in blocking:
            until_gone = mode == "existing"
            for referrer in live.of_kind(referrer_kind):
                if url_tail(str(referrer.data.get(field_name) or "")) != tail:
                    continue
                if referrer.is_deleting:
                    if until_gone:
                        waits.append(f"{referrer.describe()} (already scheduled for deletion)")
                    continue
                referrer_address = owned_by_tail.get(referrer.tail)
                referrer_action = actions.get(referrer_address) if referrer_address else None
                if referrer_action is None:
                    who = "is not managed by this stack" if referrer_address is None else "is not part of this plan"
                    blockers.append(f"{referrer.describe()}, which {who}")
                elif referrer_action.action is ActionType.DELETE:
                    scheduled = KINDS[referrer_kind].scheduled_delete and not is_immediate(options.queue_delete_after)
                    if until_gone and scheduled:
                        waits.append(f"{referrer_address} (deletion scheduled by this plan)")
                elif not _moves_away(referrer_action, field_name, address):
                    blockers.append(f"{referrer_address}, which keeps using it")
        if blockers:
            problems.append(
                (
                    address,
                    f"{address} ({ownership.owned[address].live.describe()}) cannot be deleted: it is still used by "
                    + "; ".join(blockers),
                )
            )
        elif waits:
            del actions[address]
            label = KINDS[action.kind].describe()
            notes.append(
                f"{address} is not deleted yet: the API refuses to delete a {label} while a queue uses it, and "
                + ", ".join(waits)
                + " still does until the scheduled deletion completes. Run apply again afterwards, or delete queues "
                "at once with --queue-delete-after 0."
            )


def _moves_away(queue_action: Action, field_name: str, address: str) -> bool:
    for change in queue_action.changes:
        if change.path == field_name and change.after != address:
            return True
    return queue_action.action is ActionType.REPLACE


def _edges(
    actions: Mapping[str, Action], desired: Mapping[str, DesiredObject], ownership: Ownership
) -> dict[str, set[str]]:
    """address -> addresses whose action must finish first."""
    edges: dict[str, set[str]] = {a: set() for a in actions}
    creating = {a for a, act in actions.items() if act.action in (ActionType.CREATE, ActionType.REPLACE)}
    for address, action in actions.items():
        if action.action in (ActionType.CREATE, ActionType.UPDATE, ActionType.REPLACE) and address in desired:
            for ref in desired[address].dependencies():
                if str(ref) in creating and str(ref) != address:
                    edges[address].add(str(ref))
    # Taking over an object recorded in its queue's marker waits for the queue's own takeover or change.
    for address in actions:
        owned = ownership.owned.get(address)
        holder = owned.holder if owned is not None and owned.adopt else None
        if holder is not None and holder in actions and actions[holder].is_change:
            edges[address].add(holder)
    # A delete waits for every change of an object that references the deleted one today.
    removing = {
        ownership.owned[a].live.tail: a
        for a, act in actions.items()
        if act.action in (ActionType.DELETE, ActionType.REPLACE) and a in ownership.owned
    }
    if removing:
        for address, action in actions.items():
            if not action.is_change or address not in ownership.owned:
                continue
            for tail in _live_refs(ownership.owned[address].live):
                target = removing.get(tail)
                if target is not None and target != address and target not in edges[address]:
                    edges[target].add(address)
    return edges


def _with_deps(action: Action, deps: set[str]) -> Action:
    return dataclasses.replace(action, depends_on=tuple(sorted(deps))) if deps else action


async def make_plan(
    client: APIClient,
    stack: Stack,
    options: PlanOptions | None = None,
    *,
    base_url: str | None = None,
    strict: bool = True,
    every_kind: bool = False,
) -> tuple[Plan, PlanContext]:
    """Read the organization (list endpoints only) and plan ``stack`` against it.

    Kinds ``listed_on_demand`` are read only when the stack declares one, or after the first reads show records
    of this stack for them (objects it manages and no longer declares: the plan deletes them); the catalogues a
    kind names entries of (user roles, hook templates), only when the stack declares an object of that kind.
    ``every_kind`` reads them all (a drift report that lists unmanaged objects)."""
    declared = {obj.kind for obj in stack.objects}
    listed = [k for k in KIND_NAMES if every_kind or not KINDS[k].listed_on_demand or k in declared]
    catalogs = None if every_kind else {c for k in declared for c in KINDS[k].catalogs}
    live = await read_live(client, listed, catalogs)
    if not every_kind:
        live = await _read_recorded(client, live, stack)
    return build_plan(stack, live, options, base_url=base_url, strict=strict)


async def _read_recorded(client: APIClient, live: LiveState, stack: Stack) -> LiveState:
    """The kinds listed on demand that the stack no longer declares but still records (the plan deletes their
    objects), known once the records have been read."""
    recorded = recorded_kinds(live, stack.name)
    kinds = [k for k in KIND_NAMES if k not in live.objects and k in recorded]
    if not kinds:
        return live
    read = await gather_or_cancel(*(read_collection(client, kind) for kind in kinds))
    return live.with_objects(dict(zip(kinds, read, strict=True)))
