"""Request bodies for create and update, built from desired objects and the live state at apply time.

- References become URLs and templates are resolved here (at apply time), so objects created earlier in the same
  apply can be referred to.
- Create bodies carry the ownership marker (kinds with ``metadata``) so a crash after the server created the
  object can never lead to a duplicate.
- Update bodies (PATCH) hold only the top-level fields that changed. A declared dict field is written over the live
  value (``deep_merge``): keys the manifest does not declare keep their live values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rossum_iac.engine.identity import Marker, RegistryEntry, hash_secret, secret_matches
from rossum_iac.engine.plan import FieldChange
from rossum_iac.engine.resolve import Resolver, payload_value
from rossum_iac.kinds import KINDS, MARKER_KEY
from rossum_iac.manifest.model import DesiredObject


def get_path(fields: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """``(True, value)`` at a dotted path of nested mappings, or ``(False, None)`` when a part is missing."""
    current: Any = fields
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return False, None
        current = current[part]
    return True, current


def secret_hashes(
    desired: DesiredObject, resolver: Resolver, previous: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Salted hashes of every declared write-only value; a previous hash is kept when it still matches."""
    previous = previous or {}
    out: dict[str, str] = {}
    for path in sorted(KINDS[desired.kind].write_only):
        found, value = get_path(desired.fields, path)
        if not found:
            continue
        resolved = payload_value(value, resolver)
        old = previous.get(path)
        out[path] = old if old is not None and secret_matches(old, resolved) else hash_secret(resolved)
    return out


def make_marker(
    stack: str,
    desired: DesiredObject,
    resolver: Resolver,
    previous: Marker | None = None,
    records: Mapping[str, Mapping[str, RegistryEntry]] | None = None,
) -> Marker:
    return Marker(
        stack=stack,
        key=desired.key,
        protect=desired.protect,
        secrets=secret_hashes(desired, resolver, previous.secrets if previous else None),
        records=dict(records if records is not None else (previous.records if previous else {})),
    )


def create_payload(
    stack: str, desired: DesiredObject, resolver: Resolver, organization_url: str | None
) -> dict[str, Any]:
    """The POST body; raises ``LookupError`` naming a reference that cannot be resolved."""
    spec = KINDS[desired.kind]
    body = {name: payload_value(value, resolver) for name, value in desired.fields.items()}
    _catalog_urls(desired, body, resolver)
    if spec.has_metadata:
        metadata = dict(body.get("metadata") or {})
        metadata[MARKER_KEY] = make_marker(stack, desired, resolver).to_json()
        body["metadata"] = metadata
    if spec.organization_field and spec.organization_field not in body and organization_url:
        body[spec.organization_field] = organization_url
    return body


def _catalog_urls(desired: DesiredObject, body: dict[str, Any], resolver: Resolver) -> None:
    """Catalogue entries named in the manifest (a hook template, a user's roles) as their URLs; raises
    ``LookupError`` naming an unknown entry."""
    for name, spec in KINDS[desired.kind].fields.items():
        if spec.catalog is None or body.get(name) is None:
            continue
        values = body[name] if spec.many and isinstance(body[name], list) else [body[name]]
        urls: list[str] = []
        for value in values:
            url = resolver.catalog_url(spec.catalog, value)
            if url is None:
                raise LookupError(
                    f"{spec.catalog.replace('_', ' ')[:-1]} {value!r} (not in the organization's catalogue)"
                )
            urls.append(url)
        body[name] = urls if spec.many else urls[0]


def changed_fields(changes: Iterable[FieldChange]) -> set[str]:
    """Top-level fields an update has to send (``protect`` is a tool option kept in the marker)."""
    return {c.path.split(".", 1)[0] for c in changes if c.format != "option"}


def update_payload(
    stack: str,
    desired: DesiredObject,
    live: Mapping[str, Any],
    changes: Iterable[FieldChange],
    resolver: Resolver,
) -> dict[str, Any]:
    """The PATCH body for the given changes (empty if nothing has to be sent)."""
    changes = list(changes)
    spec = KINDS[desired.kind]
    body: dict[str, Any] = {}
    for name in changed_fields(changes):
        if name not in desired.fields:
            continue
        value = payload_value(desired.fields[name], resolver)
        live_value = live.get(name)
        body[name] = deep_merge(live_value, value) if isinstance(value, dict) else value
    _catalog_urls(desired, body, resolver)
    if spec.has_metadata:
        live_metadata = live.get("metadata") if isinstance(live.get("metadata"), Mapping) else {}
        previous = Marker.parse(live_metadata or {})
        marker = make_marker(stack, desired, resolver, previous)
        if "metadata" in body or previous is None or marker.to_json() != (previous.to_json() if previous else None):
            metadata = dict(body.get("metadata") or live_metadata or {})
            metadata[MARKER_KEY] = marker.to_json()
            body["metadata"] = metadata
    return body


def deep_merge(base: Any, overlay: Any) -> Any:
    """``overlay`` written over ``base``: dicts merge recursively (undeclared keys keep the live value), anything
    else is replaced. Used for update payloads of dict fields such as hook ``config`` or ``metadata``."""
    if isinstance(base, Mapping) and isinstance(overlay, Mapping):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge(base.get(key), value)
        return merged
    return overlay
