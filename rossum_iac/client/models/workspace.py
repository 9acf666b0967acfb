"""Workspace: a folder of queues."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RossumModel


class Workspace(RossumModel):
    id: int
    name: str
    url: str
    autopilot: bool
    organization: str
    queues: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
