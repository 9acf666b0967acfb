"""Organization."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RossumModel


class Organization(RossumModel):
    id: int
    name: str
    url: str
    workspaces: list[str]
    users: list[str]
    organization_group: str
    is_trial: bool
    created_at: str
    trial_expires_at: str | None = None
    expires_at: str | None = None
    oidc_provider: str | None = None
    ui_settings: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
