"""Organization group (a set of organizations sharing a licence)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RossumModel


class OrganizationGroup(RossumModel):
    id: int
    name: str
    is_trial: bool
    is_production: bool
    deployment_location: str
    modified_by: str | None = None
    modified_at: str | None = None
    features: dict[str, Any] | None = None
    usage: dict[str, Any] = Field(default_factory=dict)
