"""Relation between annotations (edit, attachment, duplicate)."""

from __future__ import annotations

from enum import StrEnum

from ._base import RossumModel


class RelationType(StrEnum):
    EDIT = "edit"
    ATTACHMENT = "attachment"
    DUPLICATE = "duplicate"


class Relation(RossumModel):
    id: int
    type: str
    annotations: list[str]
    url: str
    key: str | None = None
    parent: str | None = None
