"""The plan: a frozen description of what ``apply`` will do, and its versioned JSON form.

The JSON form follows Terraform's JSON plan where it fits (``format_version``, ``resource_changes`` with
``actions`` lists such as ``["create", "delete"]`` for a replacement, ``before``/``after`` values with
``sensitive`` and ``after_unknown`` flags). The renderer works from the JSON form only, so what is shown is what is
saved and applied. A plan never holds a secret value: sensitive values are ``null`` with ``sensitive: true``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rossum_iac.engine.errors import PlanFileError
from rossum_iac.engine.resolve import SENSITIVE_TEXT, UNKNOWN, contains_unknown
from rossum_iac.kinds import KINDS

FORMAT_VERSION = "1.2"
"""``MAJOR.MINOR``: a minor bump only adds keys (readers ignore unknown keys); a major bump is incompatible."""


class ActionType(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    FORGET = "forget"
    """Stop managing without deleting (a queue's default email template that left the manifests)."""
    NOOP = "no-op"

    @property
    def json_actions(self) -> list[str]:
        return ["delete", "create"] if self is ActionType.REPLACE else [self.value]

    @classmethod
    def from_json_actions(cls, actions: list[str]) -> ActionType:
        if actions in (["delete", "create"], ["create", "delete"]):
            return cls.REPLACE
        if len(actions) == 1:
            return cls(actions[0])
        raise ValueError(f"unknown actions {actions!r}")


@dataclass(frozen=True)
class NestedChange:
    """One difference inside a nested value (a list or mapping), path by path: ``path`` starts with the field or
    attribute it is in (``options[value="eur"].label``, ``settings.columns[schema_id="amount"].width``). List items
    are named by a natural key (``[id=...]``, ``[schema_id=...]``, ``[value=...]``) when every item has a distinct
    one, else by position (``[3]``)."""

    path: str
    op: str = "change"
    """``change`` (before -> after), ``add`` (only ``after``), ``remove`` (only ``before``) or ``reorder`` (the list's
    items, by key, are in another order: ``before``/``after`` are the key lists)."""
    before: Any = None
    after: Any = None
    format: str = "value"
    """``value`` or ``text`` (a multi-line or long string, shown as a unified diff)."""
    sensitive: bool = False
    after_unknown: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "op": self.op, "before": self.before, "after": self.after}
        if self.format != "value":
            out["format"] = self.format
        if self.sensitive:
            out["sensitive"] = True
        if self.after_unknown:
            out["after_unknown"] = True
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NestedChange:
        return cls(
            path=data["path"],
            op=data.get("op", "change"),
            before=data.get("before"),
            after=data.get("after"),
            format=data.get("format", "value"),
            sensitive=bool(data.get("sensitive", False)),
            after_unknown=bool(data.get("after_unknown", False)),
        )


@dataclass(frozen=True)
class SchemaChange:
    """One node-level difference in a schema's ``content`` (nodes are identified by their ``id``)."""

    op: str
    """``add``, ``remove``, ``change`` (one attribute), ``move`` (other parent) or ``reorder`` (children order)."""
    node: str
    category: str = ""
    parent: str | None = None
    attr: str | None = None
    before: Any = None
    after: Any = None
    format: str = "value"
    """For ``change``: ``value``, ``text`` (a multi-line attribute such as ``formula``: a unified diff) or ``nested``
    (a list or mapping attribute such as ``options``: ``items`` hold what changed inside it)."""
    items: tuple[NestedChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "node": self.node, "category": self.category}
        for name in ("parent", "attr", "before", "after"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.format != "value":
            out["format"] = self.format
        if self.items:
            out["items"] = [i.to_json() for i in self.items]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SchemaChange:
        return cls(
            op=data["op"],
            node=data["node"],
            category=data.get("category", ""),
            parent=data.get("parent"),
            attr=data.get("attr"),
            before=data.get("before"),
            after=data.get("after"),
            format=data.get("format", "value"),
            items=tuple(NestedChange.from_json(i) for i in data.get("items", ())),
        )


@dataclass(frozen=True)
class FieldChange:
    """A difference in one field (dotted ``path``). ``before`` is the live value, ``after`` the manifest's."""

    path: str
    before: Any = None
    after: Any = None
    sensitive: bool = False
    after_unknown: bool = False
    forces_replacement: bool = False
    format: str = "value"
    """How to show it: ``value``, ``set``, ``text`` (unified diff), ``schema`` (node list), ``nested`` (a list or
    mapping: ``items`` hold what changed inside it, path by path), ``secret``, ``option`` (tool option such as
    ``protect``)."""
    note: str | None = None
    schema_changes: tuple[SchemaChange, ...] = ()
    items: tuple[NestedChange, ...] = ()

    @classmethod
    def make(cls, path: str, before: Any, after: Any, *, sensitive: bool = False, **kw: Any) -> FieldChange:
        """A change with values made safe for a plan: secrets removed, unknowns flagged."""
        unknown = contains_unknown(after)
        if sensitive:
            return cls(path, None, None, sensitive=True, after_unknown=unknown, **kw)
        if unknown:
            after = _unknown_as_text(after)
        return cls(path, before, after, after_unknown=unknown, **kw)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "before": self.before, "after": self.after}
        if self.sensitive:
            out["sensitive"] = True
        if self.after_unknown:
            out["after_unknown"] = True
        if self.forces_replacement:
            out["forces_replacement"] = True
        if self.format != "value":
            out["format"] = self.format
        if self.note:
            out["note"] = self.note
        if self.schema_changes:
            out["schema_changes"] = [c.to_json() for c in self.schema_changes]
        if self.items:
            out["items"] = [i.to_json() for i in self.items]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldChange:
        return cls(
            path=data["path"],
            before=data.get("before"),
            after=data.get("after"),
            sensitive=bool(data.get("sensitive", False)),
            after_unknown=bool(data.get("after_unknown", False)),
            forces_replacement=bool(data.get("forces_replacement", False)),
            format=data.get("format", "value"),
            note=data.get("note"),
            schema_changes=tuple(SchemaChange.from_json(c) for c in data.get("schema_changes", ())),
            items=tuple(NestedChange.from_json(i) for i in data.get("items", ())),
        )


def unknown_as_text(value: Any) -> Any:
    """A value with every "known after apply" part as its text (for a plan's JSON form)."""
    return _unknown_as_text(value)


def _unknown_as_text(value: Any) -> Any:
    if value is UNKNOWN:
        return "(known after apply)"
    if isinstance(value, dict):
        return {k: _unknown_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknown_as_text(v) for v in value]
    return value


@dataclass(frozen=True)
class Usage:
    """The objects that use the one an action changes (the queues of a schema), as they are live."""

    kind: str
    managed: tuple[str, ...] = ()
    """Addresses of the ones this stack manages."""
    unmanaged: int = 0
    """How many others (managed by no stack or by another one)."""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "managed": list(self.managed), "unmanaged": self.unmanaged}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Usage:
        return cls(
            kind=str(data.get("kind", "")),
            managed=tuple(data.get("managed") or ()),
            unmanaged=int(data.get("unmanaged") or 0),
        )


@dataclass(frozen=True)
class Action:
    """What happens to one object."""

    address: str
    action: ActionType
    id: int | None = None
    """Live object id (``None`` for a create)."""
    name: str | None = None
    changes: tuple[FieldChange, ...] = ()
    reason: str | None = None
    """Why: ``replace_because_cannot_update``, ``delete_because_no_manifest``, ``adopt_by_name`` ..."""
    adopt: bool = False
    """Ownership must be recorded for an existing object found by its natural identity (see docs/engine.md)."""
    protect: bool = False
    depends_on: tuple[str, ...] = ()
    """Addresses of actions that must finish first."""
    notes: tuple[str, ...] = ()
    fingerprint: str | None = None
    """Fingerprint of the live object when the plan was made (``apply PLAN`` refuses if it changed): set on actions
    read from a plan file; a fresh plan leaves it out and its JSON takes it from the plan's fingerprints (computed
    only when a plan file or ``--json`` shows them)."""
    create_first: bool = False
    """A replacement that creates the new object before destroying the old one (JSON ``["create", "delete"]``, as
    Terraform's create_before_destroy): if the create fails, the old object is still there."""
    used_by: Usage | None = None
    """Who is affected by the change (the queues using a changed schema)."""

    @property
    def kind(self) -> str:
        return self.address.split("/", 1)[0]

    @property
    def tail(self) -> str | None:
        """``collection/id`` of the live object (``None`` for a create)."""
        return None if self.id is None else f"{KINDS[self.kind].collection}/{self.id}"

    @property
    def key(self) -> str:
        return self.address.split("/", 1)[1]

    @property
    def is_change(self) -> bool:
        return self.action is not ActionType.NOOP

    def to_json(self, fingerprints: Mapping[str, str] | None = None) -> dict[str, Any]:
        """``fingerprints`` (``collection/id`` -> fingerprint): where the live object's fingerprint comes from when
        the action does not carry it."""
        out: dict[str, Any] = {
            "address": self.address,
            "kind": self.kind,
            "key": self.key,
            "id": self.id,
            "name": self.name,
            "actions": (
                ["create", "delete"] if self.action is ActionType.REPLACE and self.create_first
                else self.action.json_actions
            ),
            "changes": [c.to_json() for c in self.changes],
        }
        if self.reason:
            out["action_reason"] = self.reason
        if self.adopt:
            out["adopt"] = True
        if self.protect:
            out["protect"] = True
        if self.depends_on:
            out["depends_on"] = list(self.depends_on)
        if self.notes:
            out["notes"] = list(self.notes)
        fingerprint = self.fingerprint
        if fingerprint is None and fingerprints is not None and self.tail is not None:
            fingerprint = fingerprints.get(self.tail)
        if fingerprint:
            out["fingerprint"] = fingerprint
        if self.used_by is not None:
            out["used_by"] = self.used_by.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Action:
        return cls(
            address=_typed(data["address"], str, "address"),
            action=ActionType.from_json_actions(_typed(data["actions"], list, "actions")),
            id=data.get("id"),
            name=data.get("name"),
            changes=tuple(FieldChange.from_json(c) for c in data.get("changes", ())),
            reason=data.get("action_reason"),
            adopt=bool(data.get("adopt", False)),
            protect=bool(data.get("protect", False)),
            depends_on=tuple(data.get("depends_on", ())),
            notes=tuple(data.get("notes", ())),
            fingerprint=data.get("fingerprint"),
            create_first=data["actions"] == ["create", "delete"],
            used_by=Usage.from_json(data["used_by"]) if isinstance(data.get("used_by"), Mapping) else None,
        )


@dataclass(frozen=True)
class Summary:
    add: int = 0
    change: int = 0
    destroy: int = 0
    adopt: int = 0
    forget: int = 0

    @classmethod
    def of(cls, actions: Iterable[Action]) -> Summary:
        add = change = destroy = adopt = forget = 0
        for a in actions:
            if a.action is ActionType.CREATE:
                add += 1
            elif a.action is ActionType.REPLACE:
                add += 1
                destroy += 1
            elif a.action is ActionType.DELETE:
                destroy += 1
            elif a.action is ActionType.FORGET:
                forget += 1
            elif a.action is ActionType.UPDATE:
                if a.changes:
                    change += 1
                else:
                    adopt += 1
        return cls(add, change, destroy, adopt, forget)

    def to_json(self) -> dict[str, int]:
        return {"add": self.add, "change": self.change, "destroy": self.destroy, "adopt": self.adopt,
                "forget": self.forget}


@dataclass(frozen=True)
class Plan:
    stack: str
    actions: tuple[Action, ...]
    manifests_dir: str
    manifests_digest: str
    environment: str | None = None
    base_url: str | None = None
    organization: Mapping[str, Any] = field(default_factory=dict)
    """``{"id": ..., "name": ...}`` of the organization the plan was made against."""
    fingerprints: Mapping[str, str] = field(default_factory=dict)
    """``collection/id`` -> fingerprint of every live object read."""
    targets: tuple[str, ...] = ()
    queue_delete_after: str | None = None
    notes: tuple[str, ...] = ()
    created_at: str | None = None
    warnings: tuple[Mapping[str, Any], ...] = ()
    """Things a reviewer must see before applying: ``{"type", "address", "message", ...}`` (``duplicate``: the
    create would duplicate an unmanaged object, with ``live`` and the ``import`` command)."""

    @property
    def changes(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.is_change)

    @property
    def has_changes(self) -> bool:
        return any(a.is_change for a in self.actions)

    @property
    def summary(self) -> Summary:
        return Summary.of(self.actions)

    def action_for(self, address: str) -> Action | None:
        for a in self.actions:
            if a.address == address:
                return a
        return None

    def to_json(self, *, fingerprints: bool = True, no_ops: bool = True) -> dict[str, Any]:
        """The plan as JSON (plan files, ``--json``). ``fingerprints=False`` leaves out the fingerprints of the
        objects read, which only a plan file and ``--json`` show: the text and markdown renderings never read them,
        and computing them (canonical JSON and a SHA-256 of every live object, most of them unmanaged default
        email templates and triggers) is then not done at all (``LiveState.fingerprints`` is lazy).
        ``no_ops=False`` leaves out the actions that change nothing, which the renderings do not show either (in
        a plan of 5,000 unchanged objects, their JSON was a tenth of the diff's time)."""
        from rossum_iac import __version__

        out: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "tool": {"name": "rossum-iac", "version": __version__},
            "created_at": self.created_at,
            "stack": self.stack,
            "environment": self.environment,
            "manifests": {"dir": self.manifests_dir, "digest": self.manifests_digest},
            "target": {"base_url": self.base_url, "organization": dict(self.organization)},
            "options": {"targets": list(self.targets), "queue_delete_after": self.queue_delete_after},
            "resource_changes": [
                a.to_json(self.fingerprints if fingerprints else None)
                for a in self.actions
                if no_ops or a.action is not ActionType.NOOP
            ],
            "warnings": [dict(w) for w in self.warnings],
            "notes": list(self.notes),
            "fingerprints": dict(self.fingerprints) if fingerprints else None,
            "summary": self.summary.to_json(),
        }
        if not fingerprints:
            del out["fingerprints"]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        check_format_version(data.get("format_version"))
        try:
            manifests = _typed(data["manifests"], dict, "manifests")
            target = data.get("target") or {}
            options = data.get("options") or {}
            return cls(
                stack=_typed(data["stack"], str, "stack"),
                actions=tuple(
                    Action.from_json(_typed(a, dict, "resource_changes[]"))
                    for a in _typed(data["resource_changes"], list, "resource_changes")
                ),
                manifests_dir=_typed(manifests["dir"], str, "manifests.dir"),
                manifests_digest=_typed(manifests["digest"], str, "manifests.digest"),
                environment=_typed(data.get("environment"), (str, type(None)), "environment"),
                base_url=target.get("base_url"),
                organization=dict(target.get("organization") or {}),
                fingerprints=dict(data.get("fingerprints") or {}),
                targets=tuple(options.get("targets") or ()),
                queue_delete_after=options.get("queue_delete_after"),
                notes=tuple(data.get("notes") or ()),
                created_at=data.get("created_at"),
                warnings=tuple(dict(w) for w in data.get("warnings") or ()),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PlanFileError(f"the plan is incomplete or malformed ({type(exc).__name__}: {exc})") from None


_JSON_TYPE_NAMES = {str: "text", list: "a list", dict: "an object", type(None): "null"}


def _typed(value: Any, types: type | tuple[type, ...], what: str) -> Any:
    """``value`` if it has one of ``types``; else a ``TypeError`` naming the plan key (for a readable message)."""
    if isinstance(value, types):
        return value
    allowed = types if isinstance(types, tuple) else (types,)
    expected = " or ".join(_JSON_TYPE_NAMES.get(t, t.__name__) for t in allowed)
    found = _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
    raise TypeError(f"{what} should be {expected}, not {found}")


def check_format_version(version: Any) -> None:
    if not isinstance(version, str) or "." not in version:
        raise PlanFileError("not a rossum-iac plan (no format_version)")
    major = version.split(".", 1)[0]
    if major != FORMAT_VERSION.split(".", 1)[0]:
        raise PlanFileError(
            f"plan format version {version} is not supported (this rossum-iac reads {FORMAT_VERSION.split('.')[0]}.x)"
        )


__all__ = [
    "FORMAT_VERSION",
    "SENSITIVE_TEXT",
    "Action",
    "ActionType",
    "FieldChange",
    "NestedChange",
    "Plan",
    "SchemaChange",
    "Summary",
    "Usage",
]
