"""Connector (export/validation endpoint of a queue)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RossumModel


class Connector(RossumModel):
    id: int
    name: str
    url: str
    service_url: str
    params: str | None = None
    client_ssl_certificate: str | None = None
    authorization_token: str | None = None
    client_ssl_key: str | None = None
    queues: list[str] = Field(default_factory=list)
    authorization_type: str = "secret_key"
    asynchronous: bool = True
    metadata: dict[str, Any] = Field(default_factory=dict)
