"""Drift: how the live organization differs from the manifests, per object this stack owns.

Besides what a plan would change (declared fields), drift reports (docs/engine.md, "Drift"):

- fields a manifest leaves out whose live value is not the API's documented default (``KindDef.drift_defaults``,
  ``object_defaults``): someone changed them by hand. ``plan`` never changes such fields (only declared fields are
  managed), so these show in drift only, marked ``undeclared``; declaring the field makes plan restore it;
- objects attached by hand to a managed queue: a hook, an inbox or a rule scoped to it, a custom email template,
  when this stack does not manage them (``attached``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.compare import as_set, duration_seconds, scalar_equal
from rossum_iac.engine.identity import Owned
from rossum_iac.engine.live import LiveObject
from rossum_iac.engine.nested import is_text, scrub, secret_values
from rossum_iac.engine.payload import get_path
from rossum_iac.engine.plan import Action, ActionType, FieldChange, Plan
from rossum_iac.engine.planner import PlanContext
from rossum_iac.engine.resolve import Resolver
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KINDS
from rossum_iac.kinds.base import MARKER_KEY, NO_DEFAULT, KindDef
from rossum_iac.manifest.model import DesiredObject


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
    _undeclared_defaults(report, plan, context)
    _attached_by_hand(report, plan, context)
    if include_unmanaged:
        report.unmanaged = []
        for obj in context.ownership.unmanaged:
            entry: dict[str, Any] = {"kind": obj.kind, "id": obj.id, "name": obj.name, "url": obj.url}
            parent = KINDS[obj.kind].parent_field
            queue = context.resolver.address_of_url(str(obj.data.get(parent) or "")) if parent else None
            if queue is not None:
                entry["queue"] = queue  # e.g. a default template of a queue this stack owns
            report.unmanaged.append(entry)
    return report


# --- fields left out of the manifests --------------------------------------------------------------------------------

UNDECLARED_NOTE = "not in the manifest, and not the API default"
ATTACHED_NOTE = "attached outside the manifests"


def _entry(report: DriftReport, action: Action) -> dict[str, Any]:
    for entry in report.objects:
        if entry["address"] == action.address:
            return entry
    entry = {"address": action.address, "id": action.id, "name": action.name, "status": "changed", "fields": []}
    report.objects.append(entry)
    return entry


def _kept(plan: Plan, context: PlanContext) -> list[tuple[Action, DesiredObject, Owned]]:
    """Owned objects that stay (in the manifests and live), in plan order."""
    out = []
    for action in plan.actions:
        if action.action not in (ActionType.NOOP, ActionType.UPDATE, ActionType.REPLACE):
            continue
        desired, owned = context.desired.get(action.address), context.ownership.owned.get(action.address)
        if desired is not None and owned is not None:
            out.append((action, desired, owned))
    return out


def _undeclared_defaults(report: DriftReport, plan: Plan, context: PlanContext) -> None:
    for action, desired, owned in _kept(plan, context):
        changes = undeclared_changes(desired, owned.live, context.resolver)
        if changes:
            _entry(report, action)["fields"].extend({**c.to_json(), "undeclared": True} for c in changes)


def undeclared_changes(desired: DesiredObject, live: LiveObject, resolver: Resolver) -> list[FieldChange]:
    """Fields ``desired`` leaves out whose live value differs from the API's default (``live -> default``)."""
    kind = KINDS[desired.kind]
    defaults: dict[str, Any] = dict(kind.drift_defaults)
    if kind.object_defaults is not None:
        defaults.update(kind.object_defaults(live.data))
    secrets = secret_values(desired.fields)
    out: list[FieldChange] = []
    for path, default in defaults.items():
        if default is NO_DEFAULT or get_path(desired.fields, path)[0] or _ignored(path, desired.ignore_changes):
            continue
        if kind.hidden is not None and kind.hidden(live.data, path):
            continue
        found, value = get_path(live.data, path)
        if not found:
            continue  # the API does not return it: nothing to compare
        if path == "metadata" and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k != MARKER_KEY}  # the ownership marker is rossum-iac's
        if _same(kind, path, default, value):
            continue
        before = _shown(kind, path, value, resolver)
        text = is_text(before, default)
        out.append(
            FieldChange.make(
                path,
                scrub(before, secrets),
                default,
                format="text" if text else "set" if path in kind.set_fields else "value",
                note=UNDECLARED_NOTE,
            )
        )
    return out


def _ignored(path: str, ignore: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + ".") for p in ignore)


def _same(kind: KindDef, path: str, default: Any, value: Any) -> bool:
    if path in kind.duration_fields:
        return duration_seconds(default) == duration_seconds(value) if default is not None else value is None
    spec = kind.field_at(path)
    if spec is not None and spec.ref is not None:
        return not value  # the default of a reference is none (null or [])
    if path in kind.set_fields:
        return exactly(as_set(default), as_set(value))
    return exactly(default, value)


def exactly(default: Any, value: Any) -> bool:
    """Equal as values (numbers by value, ``null`` as an absent key), with no extra keys: a default mapping is the
    whole value, unlike a declared one."""
    if isinstance(default, Mapping):
        if not isinstance(value, Mapping):
            return False
        keys = {k for k, v in default.items() if v is not None} | {k for k, v in value.items() if v is not None}
        return all(exactly(default.get(k), value.get(k)) for k in keys)
    if isinstance(default, list):
        return isinstance(value, list) and len(value) == len(default) and all(map(exactly, default, value))
    return scalar_equal(default, value)


def _shown(kind: KindDef, path: str, value: Any, resolver: Resolver) -> Any:
    spec = kind.field_at(path)
    if spec is not None and spec.ref is not None:
        return [resolver.live_ref(v) for v in value] if isinstance(value, list) else resolver.live_ref(value)
    if path in kind.set_fields:
        return as_set(value)
    return value


# --- objects attached by hand -----------------------------------------------------------------------------------------

ATTACHABLE = tuple(
    (kind.name, name, spec.attached_as)
    for kind in KINDS.values()
    for name, spec in kind.refs.items()
    if spec.attached_as
)
"""(kind, its field naming queues, how the report names them on the queue): ``Field.attached_as``."""


def _attached_by_hand(report: DriftReport, plan: Plan, context: PlanContext) -> None:
    """Objects this stack does not manage that are attached to a queue it does (a hook, an inbox, a rule scoped to
    the queue, a custom email template): drift of the queue."""
    queues = {owned.live.tail: action for action, desired, owned in _kept(plan, context) if desired.kind == "Queue"}
    if not queues:
        return
    managed = {owned.live.tail for owned in context.ownership.owned.values()}
    owners = {obj.tail: stack for stack, obj in context.ownership.foreign}
    found: dict[str, dict[str, list[LiveObject]]] = {}
    for kind_name, field_name, label in ATTACHABLE:
        kind = KINDS.get(kind_name)
        if kind is None:
            continue
        for obj in context.live.of_kind(kind_name):
            if obj.tail in managed or obj.is_deleting or (kind.is_default is not None and kind.is_default(obj.data)):
                continue
            value = obj.data.get(field_name)
            tails = {url_tail(v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)}
            for tail in sorted(tails & set(queues)):
                found.setdefault(tail, {}).setdefault(label, []).append(obj)
    for tail, by_label in found.items():
        entry = _entry(report, queues[tail])
        for label, objects in by_label.items():
            described = [_attached_words(obj, owners.get(obj.tail)) for obj in objects]
            entry["fields"].append(
                {"path": label, "before": described, "after": [], "format": "set", "note": ATTACHED_NOTE}
            )
            entry.setdefault("attached", []).extend(
                {"kind": obj.kind, "id": obj.id, "name": obj.name, "url": obj.url, "managed_by": owners.get(obj.tail)}
                for obj in objects
            )


def _attached_words(obj: LiveObject, owner: str | None) -> str:
    """``hook 'Slack notifier' (id 12)``, ``... (id 12, managed by stack 'other')``."""
    label = KINDS[obj.kind].describe()
    name = f" {obj.name!r}" if obj.name else ""
    by = f", managed by stack {owner!r}" if owner else ""
    return f"{label}{name} (id {obj.id}{by})"
