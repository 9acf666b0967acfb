"""Ownership: which live object is which manifest object (see docs/engine.md, "Identity").

- Kinds with ``metadata`` carry a marker ``metadata["rossum_iac"] = {"stack", "key", "protect"?, "secrets"?}``,
  written in the create request itself.
- Email templates (no metadata) are recorded in their queue's marker: ``"email_templates": {key: entry}``.
- Rules (no metadata) are recorded in the organization's metadata: ``{"rossum_iac": {"rules": {stack: {key:
  entry}}}}``.
- An entry is an id, or ``{"id": .., "protect": true, "default": true}``.
- Recovery (a crash between creating a rule/template and recording it): a desired template/rule without a record
  adopts an unrecorded live one with the same natural identity (template: same queue and name; rule: same name and
  same queues). A queue's default templates are adopted by type (``rejection_default``,
  ``email_with_no_processable_attachments``) or by name (the three ``custom`` defaults).
"""

from __future__ import annotations

import hashlib
import secrets as _secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.fingerprint import canonical_json
from rossum_iac.engine.live import LiveObject, LiveState
from rossum_iac.engine.resolve import Resolver, desired_view
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KINDS, MARKER_KEY, Identity
from rossum_iac.kinds.email_template import QUEUE_DEFAULT_TYPES, is_queue_default
from rossum_iac.manifest.model import DesiredObject, Ref, Secret, Stack

ORGANIZATION = "organization"


# --- secrets -------------------------------------------------------------------------------------------------


def secret_text(value: Any) -> str:
    if isinstance(value, Secret):
        return value.value
    if isinstance(value, str):
        return value
    return canonical_json(value)


def hash_secret(value: Any, salt: str | None = None) -> str:
    """``sha256:<salt>:<hex>`` of a secret value (``value`` already resolved: str, or a JSON value)."""
    salt = salt if salt is not None else _secrets.token_hex(8)
    digest = hashlib.sha256((salt + ":" + secret_text(value)).encode()).hexdigest()
    return f"sha256:{salt}:{digest}"


def secret_matches(stored: Any, value: Any) -> bool:
    if not isinstance(stored, str) or stored.count(":") != 2:
        return False
    scheme, salt, _ = stored.split(":")
    return scheme == "sha256" and _secrets.compare_digest(hash_secret(value, salt), stored)


# --- markers and registry entries --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryEntry:
    id: int
    protect: bool = False
    default: bool = False
    """A queue's auto-created email template: leaving the manifests releases it instead of deleting it."""

    def to_json(self) -> Any:
        if not self.protect and not self.default:
            return self.id
        out: dict[str, Any] = {"id": self.id}
        if self.protect:
            out["protect"] = True
        if self.default:
            out["default"] = True
        return out

    @classmethod
    def parse(cls, value: Any) -> RegistryEntry | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if isinstance(value, Mapping) and isinstance(value.get("id"), int):
            return cls(int(value["id"]), bool(value.get("protect")), bool(value.get("default")))
        return None


@dataclass(frozen=True)
class Marker:
    stack: str
    key: str
    protect: bool = False
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Dotted write-only path -> salted hash of the value last written."""
    registry: Mapping[str, RegistryEntry] = field(default_factory=dict)
    """Queues only: email template key -> entry."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stack": self.stack, "key": self.key}
        if self.protect:
            out["protect"] = True
        if self.secrets:
            out["secrets"] = dict(sorted(self.secrets.items()))
        if self.registry:
            out["email_templates"] = {k: e.to_json() for k, e in sorted(self.registry.items())}
        return out

    @classmethod
    def parse(cls, metadata: Mapping[str, Any]) -> Marker | None:
        raw = metadata.get(MARKER_KEY)
        if not isinstance(raw, Mapping) or not isinstance(raw.get("stack"), str) or not isinstance(raw.get("key"), str):
            return None
        secrets = raw.get("secrets") if isinstance(raw.get("secrets"), Mapping) else {}
        registry: dict[str, RegistryEntry] = {}
        raw_registry = raw.get("email_templates")
        if isinstance(raw_registry, Mapping):
            for key, value in raw_registry.items():
                entry = RegistryEntry.parse(value)
                if entry is not None:
                    registry[str(key)] = entry
        return cls(
            stack=raw["stack"],
            key=raw["key"],
            protect=bool(raw.get("protect")),
            secrets={str(k): str(v) for k, v in (secrets or {}).items()},
            registry=registry,
        )


def rule_registries(organization: Mapping[str, Any]) -> dict[str, dict[str, RegistryEntry]]:
    """stack -> rule key -> entry, from the organization's metadata."""
    metadata = organization.get("metadata")
    raw = metadata.get(MARKER_KEY) if isinstance(metadata, Mapping) else None
    rules = raw.get("rules") if isinstance(raw, Mapping) else None
    out: dict[str, dict[str, RegistryEntry]] = {}
    if isinstance(rules, Mapping):
        for stack, entries in rules.items():
            if not isinstance(entries, Mapping):
                continue
            parsed = {str(k): e for k, v in entries.items() if (e := RegistryEntry.parse(v)) is not None}
            out[str(stack)] = parsed
    return out


def with_rule_registry(
    organization_metadata: Mapping[str, Any], stack: str, entries: Mapping[str, RegistryEntry]
) -> dict[str, Any]:
    """Organization metadata with this stack's rule registry replaced (other keys and stacks kept)."""
    metadata = dict(organization_metadata)
    raw = metadata.get(MARKER_KEY)
    raw = dict(raw) if isinstance(raw, Mapping) else {}
    rules = raw.get("rules")
    rules = dict(rules) if isinstance(rules, Mapping) else {}
    if entries:
        rules[stack] = {k: e.to_json() for k, e in sorted(entries.items())}
    else:
        rules.pop(stack, None)
    raw["rules"] = rules
    metadata[MARKER_KEY] = raw
    return metadata


# --- matching ----------------------------------------------------------------------------------------------


@dataclass
class Owned:
    """A live object this stack owns (or will adopt)."""

    live: LiveObject
    marker: Marker | None = None
    entry: RegistryEntry | None = None
    adopt: str | None = None
    """Why an unrecorded object is taken over: ``adopt_by_name``, ``adopt_default_by_type`` ..."""
    holder: str | None = None
    """Registry holder: the queue address for templates, ``organization`` for rules."""

    @property
    def protect(self) -> bool:
        if self.marker is not None:
            return self.marker.protect
        return bool(self.entry and self.entry.protect)

    @property
    def is_default_template(self) -> bool:
        return bool(self.entry and self.entry.default)


@dataclass
class Ownership:
    stack: str
    owned: dict[str, Owned] = field(default_factory=dict)
    """Address -> live object, for objects in the manifests and orphans (owned, no longer in the manifests)."""
    unmanaged: list[LiveObject] = field(default_factory=list)
    foreign: list[tuple[str, LiveObject]] = field(default_factory=list)
    deleting: list[LiveObject] = field(default_factory=list)
    """Queues scheduled for deletion (they no longer count as existing)."""
    rule_registry: dict[str, RegistryEntry] = field(default_factory=dict)
    """This stack's rule registry as read from the organization."""
    warnings: list[str] = field(default_factory=list)

    def resolver(self) -> Resolver:
        resolver = Resolver()
        for address, owned in self.owned.items():
            resolver.bind(address, owned.live.id, owned.live.url)
        return resolver


def match(
    stack: Stack, live: LiveState, adopt: Mapping[str, str] | None = None, adopt_reason: str = "import"
) -> Ownership:
    """Pair live objects with manifest addresses of ``stack`` (and find this stack's orphans).

    ``adopt`` (address -> URL tail) takes over unmanaged objects as those manifest objects: the plan then writes
    their ownership records (``import``, ``pull --adopt``)."""
    result = Ownership(stack.name)
    claimed: set[str] = set()

    for kind, spec in KINDS.items():
        if not spec.has_metadata:
            continue
        for obj in live.of_kind(kind):
            if obj.is_deleting:
                result.deleting.append(obj)
                continue
            marker = Marker.parse(obj.metadata)
            if marker is None:
                continue
            claimed.add(obj.tail)
            if marker.stack != stack.name:
                result.foreign.append((marker.stack, obj))
                continue
            address = f"{kind}/{marker.key}"
            previous = result.owned.get(address)
            if previous is not None:
                keep, drop = sorted([previous.live, obj], key=lambda o: o.id)
                result.owned[address] = Owned(keep, Marker.parse(keep.metadata))
                result.unmanaged.append(drop)
                result.warnings.append(
                    f"{drop.describe()} carries the same ownership marker as {keep.describe()} ({address}); "
                    "it is treated as unmanaged (was it copied?)"
                )
                continue
            result.owned[address] = Owned(obj, marker)

    _adopt(stack, live, result, claimed, adopt or {}, adopt_reason)
    resolver = result.resolver()
    _match_email_templates(stack, live, result, resolver, claimed)
    _match_rules(stack, live, result, resolver, claimed)

    for obj in live:
        if obj.tail not in claimed and not obj.is_deleting:
            result.unmanaged.append(obj)
    result.unmanaged.sort(key=lambda o: (list(KINDS).index(o.kind), o.id))
    return result


def _adopt(
    stack: Stack, live: LiveState, result: Ownership, claimed: set[str], adopt: Mapping[str, str], reason: str
) -> None:
    for address, tail in adopt.items():
        obj = live.get(tail)
        desired = stack.get(*address.split("/", 1))
        if obj is None or desired is None or address in result.owned or obj.tail in claimed:
            continue
        kind = KINDS[obj.kind]
        claimed.add(obj.tail)
        if kind.has_metadata:
            result.owned[address] = Owned(obj, adopt=reason)
            continue
        if kind.identity is Identity.QUEUE_RECORD:
            parent = desired.fields.get(kind.parent_field or "")
            holder = str(parent) if isinstance(parent, Ref) else None
        else:
            holder = ORGANIZATION
        default = bool(kind.is_default and kind.is_default(obj.data))
        entry = RegistryEntry(obj.id, desired.protect, default)
        result.owned[address] = Owned(obj, entry=entry, adopt=reason, holder=holder)


def _match_email_templates(
    stack: Stack, live: LiveState, result: Ownership, resolver: Resolver, claimed: set[str]
) -> None:
    templates = {obj.tail: obj for obj in live.of_kind("EmailTemplate")}
    deleting_queues = {q.tail for q in result.deleting}
    # Records held by every queue (any stack): their templates are claimed.
    for queue in live.of_kind("Queue"):
        marker = Marker.parse(queue.metadata)
        if marker is None or queue.is_deleting:
            continue
        queue_address = f"Queue/{marker.key}"
        for key, entry in marker.registry.items():
            tail = f"email_templates/{entry.id}"
            template = templates.get(tail)
            if template is None or url_tail(str(template.data.get("queue", ""))) != queue.tail:
                continue  # deleted outside, or a stale record: the key counts as missing
            if marker.stack != stack.name:
                claimed.add(tail)
                result.foreign.append((marker.stack, template))
                continue
            if result.owned.get(queue_address, None) is None or result.owned[queue_address].live.tail != queue.tail:
                continue
            address = f"EmailTemplate/{key}"
            if address in result.owned:
                result.warnings.append(f"{template.describe()} is recorded twice for {address}; ignored")
                continue
            claimed.add(tail)
            result.owned[address] = Owned(template, entry=entry, holder=queue_address)
    # Desired templates without a record: defaults by type or name, crash recovery by name.
    for desired in stack.of_kind("EmailTemplate"):
        if desired.address in result.owned:
            continue
        queue_ref = desired.fields.get("queue")
        if not isinstance(queue_ref, Ref):
            continue
        queue_url = resolver.url_of(queue_ref)
        if queue_url is None or url_tail(queue_url) in deleting_queues:
            continue
        candidates = [
            t
            for t in live.of_kind("EmailTemplate")
            if t.tail not in claimed and url_tail(str(t.data.get("queue", ""))) == url_tail(queue_url)
        ]
        wanted_type = desired.fields.get("type")
        wanted_name = desired_view(desired.fields.get("name"), resolver, reveal=False)
        found: LiveObject | None = None
        reason = None
        if wanted_type in QUEUE_DEFAULT_TYPES:
            found = next((t for t in candidates if t.data.get("type") == wanted_type), None)
            reason = "adopt_default_by_type"
        elif isinstance(wanted_name, str):
            found = next((t for t in candidates if t.name == wanted_name), None)
            reason = "adopt_by_name"
        if found is None:
            continue
        default = is_queue_default(found.data.get("type", "custom"), found.name)
        claimed.add(found.tail)
        result.owned[desired.address] = Owned(
            found,
            entry=RegistryEntry(found.id, desired.protect, default),
            adopt=reason,
            holder=str(queue_ref),
        )


def _match_rules(stack: Stack, live: LiveState, result: Ownership, resolver: Resolver, claimed: set[str]) -> None:
    rules = {obj.id: obj for obj in live.of_kind("Rule")}
    registries = rule_registries(live.organization)
    result.rule_registry = dict(registries.get(stack.name, {}))
    for owner, entries in registries.items():
        for key, entry in entries.items():
            rule = rules.get(entry.id)
            if rule is None or rule.tail in claimed:
                continue
            claimed.add(rule.tail)
            if owner != stack.name:
                result.foreign.append((owner, rule))
                continue
            result.owned[f"Rule/{key}"] = Owned(rule, entry=entry, holder=ORGANIZATION)
    for desired in stack.of_kind("Rule"):
        if desired.address in result.owned:
            continue
        wanted_name = desired_view(desired.fields.get("name"), resolver, reveal=False)
        wanted_queues = _queue_tails(desired, resolver)
        if wanted_queues is None:
            continue
        for rule in live.of_kind("Rule"):
            if rule.tail in claimed or rule.name != wanted_name:
                continue
            live_queues = rule.data.get("queues") or []
            if {url_tail(str(q)) for q in live_queues} != wanted_queues:
                continue
            claimed.add(rule.tail)
            result.owned[desired.address] = Owned(
                rule, entry=RegistryEntry(rule.id, desired.protect), adopt="adopt_by_name", holder=ORGANIZATION
            )
            break


def _queue_tails(desired: DesiredObject, resolver: Resolver) -> set[str] | None:
    """The desired rule's queues as URL tails, or ``None`` if one of them does not exist yet."""
    refs = desired.fields.get("queues") or []
    tails = set()
    for ref in refs if isinstance(refs, list | tuple) else []:
        if not isinstance(ref, Ref):
            return None
        url = resolver.url_of(ref)
        if url is None:
            return None
        tails.add(url_tail(url))
    return tails
