"""Hook template (Rossum store extension). The API sends no ``id``: it is derived from ``url``."""

from __future__ import annotations

import contextlib
from typing import Any

from pydantic import Field, model_validator

from .._core.urls import id_from_url
from ._base import RossumModel


class HookTemplate(RossumModel):
    name: str
    url: str
    id: int | None = None
    type: str = "webhook"
    events: list[str] = Field(default_factory=list)
    sideload: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict)
    test: dict[str, Any] = Field(default_factory=dict)
    description: str | None = None
    extension_source: str = "rossum_store"
    settings: dict[str, Any] = Field(default_factory=dict)
    settings_schema: dict[str, Any] | None = None
    secrets_schema: dict[str, Any] | None = None
    guide: str | None = None
    read_more_url: str | None = None
    extension_image_url: str | None = None
    settings_description: list[dict[str, Any]] = Field(default_factory=list)
    store_description: str | None = None
    external_url: str | None = None
    use_token_owner: bool = False
    install_action: str = "copy"
    token_lifetime_s: int | None = None
    order: int = 0

    @model_validator(mode="after")
    def _id_from_url(self) -> HookTemplate:
        if self.id is None:
            with contextlib.suppress(ValueError):
                self.id = id_from_url(self.url)
        return self
