"""Document relation (documents attached to an annotation, e.g. exports)."""

from __future__ import annotations

from enum import StrEnum

from ._base import RossumModel


class DocumentRelationType(StrEnum):
    EXPORT = "export"
    EINVOICE = "einvoice"


class DocumentRelation(RossumModel):
    id: int
    type: str
    annotation: str
    documents: list[str]
    url: str
    key: str | None = None
