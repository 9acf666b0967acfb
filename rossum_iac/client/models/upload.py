"""Upload (result of ``POST uploads``)."""

from __future__ import annotations

from pydantic import Field

from ._base import RossumModel


class Upload(RossumModel):
    id: int
    url: str
    queue: str
    organization: str
    creator: str
    created_at: str
    documents: list[str]
    additional_documents: list[str] = Field(default_factory=list)
    annotations: list[str] = Field(default_factory=list)
    email: str | None = None
