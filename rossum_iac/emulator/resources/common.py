"""Small helpers shared by resource modules."""

from __future__ import annotations

import json
from typing import Any

from rossum_iac.emulator.fields import Field, FieldError
from rossum_iac.emulator.http import Request

METADATA_MAX_BYTES = 4096


def _check_metadata(req: Request, value: Any) -> Any:
    if len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()) > METADATA_MAX_BYTES:
        raise FieldError(f"Metadata size exceeds the limit of {METADATA_MAX_BYTES // 1024} kB.")
    return value


def f_metadata() -> Field:
    """``metadata``: free JSON object, at most 4 kB per object."""
    return Field("metadata", "dict", default={}, validate=_check_metadata)


def org_id(req: Request) -> int:
    """Organization of the authenticated user (objects created by them belong to it)."""
    assert req.user is not None
    return int(req.user["organization"])


def org_ref(*, read_only: bool = True, required: bool = False) -> Field:
    return Field("organization", "ref", target="organizations", read_only=read_only, required=required, nullable=True)


def modified_fields() -> list[Field]:
    return [
        Field("modified_by", "ref", target="users", read_only=True, nullable=True),
        Field("modified_at", "datetime", read_only=True, nullable=True),
    ]
