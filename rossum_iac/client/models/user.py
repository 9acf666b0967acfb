"""User."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RossumModel


class User(RossumModel):
    id: int
    url: str
    first_name: str
    last_name: str
    email: str
    date_joined: str
    username: str
    organization: str
    last_login: str | None = None
    is_active: bool = True
    email_verified: bool | None = False
    password: str | None = None
    groups: list[str] = Field(default_factory=list)
    queues: list[str] = Field(default_factory=list)
    ui_settings: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    oidc_id: str | None = None
    auth_type: str = "password"
    deleted: bool = False
