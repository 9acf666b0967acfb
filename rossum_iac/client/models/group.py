"""Group (user role)."""

from __future__ import annotations

from ._base import RossumModel


class Group(RossumModel):
    id: int
    name: str
    url: str
