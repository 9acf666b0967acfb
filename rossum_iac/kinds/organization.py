"""Organization: selected settings of the organization the stack is applied to (API reference "Organization").

A singleton: every environment's organization exists already (``POST /organizations/create`` needs a key from
Rossum) and is never deleted by a stack. A manifest configures it; its name stays each environment's own. Its
``metadata`` also holds rossum-iac's own records (``rossum_iac``): a manifest declares other keys only, and they are
written over a fresh read of the metadata, next to the records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rossum_iac.kinds.base import MARKER_KEY, READ_ONLY, SET_BY_API, Field, Identity, KindDef
from rossum_iac.kinds.fragments import metadata, obj

_AS_CREATED: dict[str, tuple[Any, ...]] = {"settings": ({}, {"annotation_list_table": {}}), "ui_settings": ({},)}


def as_created(data: Mapping[str, Any]) -> str | None:
    """Pull leaves the organization out while its settings, UI settings and metadata (besides rossum-iac's records)
    are as the API creates them."""
    own_metadata = {k: v for k, v in (data.get("metadata") or {}).items() if k != MARKER_KEY}
    if own_metadata or any(data.get(name, defaults[0]) not in defaults for name, defaults in _AS_CREATED.items()):
        return None
    return "the organization's settings are as the API creates them"


KIND = KindDef(
    rank=1,
    name="Organization",
    collection="organizations",
    description="Settings of the organization the stack is applied to (one per stack, never created or deleted).",
    identity=Identity.ORGANIZATION_RECORD,
    singleton=True,
    folder="organization",
    pull_skip=as_created,
    fields={
        "settings": Field(obj("Organization settings (annotation_list_table, ...)."), default={}),
        "ui_settings": Field(obj("Organization-wide UI settings (Rossum internal, e.g. locales)."), default={}),
        # shared with other tools and stacks: only the keys a manifest declares are managed, even for drift
        "metadata": Field(metadata(), default={}, drift_default=False),
        "name": Field(read_only="is not managed: each environment's organization keeps its own name"),
        "sandbox": Field(read_only="is not managed: whether an organization is a sandbox is decided by Rossum"),
        "workspaces": Field(read_only="is computed by the API from each workspace's organization"),
        "users": Field(read_only="is computed by the API from each user's organization"),
        "organization_group": Field(read_only=READ_ONLY),
        "is_trial": Field(read_only=READ_ONLY),
        "created_at": Field(read_only=SET_BY_API),
        "trial_expires_at": Field(read_only=READ_ONLY),
        "oidc_provider": Field(read_only=READ_ONLY + " (deprecated)"),
        "internal_info": Field(read_only=READ_ONLY + " (Rossum internal)"),
        "creator": Field(read_only=SET_BY_API),
    },
)
