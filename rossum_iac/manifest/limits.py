"""Limits the API documents that a JSON Schema cannot express.

``metadata``: "Total metadata size may be up to 4 kB per object" (API reference, Metadata). The size is counted as
compact UTF-8 JSON (as the emulator does), including the ownership marker rossum-iac adds to every object it
manages, so a manifest that passes ``validate`` is not refused by the API at apply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rossum_iac.kinds.base import MARKER_KEY

METADATA_MAX_BYTES = 4096


def json_size(value: Any) -> int:
    """Size of a value as the API counts metadata: compact UTF-8 JSON."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode())


def metadata_problem(metadata: Mapping[str, Any], stack: str, key: str, protect: bool) -> str | None:
    """Why ``metadata`` (as declared, with the marker of ``stack``/``key`` added) is too large, or ``None``."""
    marker: dict[str, Any] = {"stack": stack, "key": key}
    if protect:
        marker["protect"] = True
    total = json_size({**metadata, MARKER_KEY: marker})
    if total <= METADATA_MAX_BYTES:
        return None
    declared = json_size(dict(metadata))
    return (
        f"metadata takes {total:,} bytes as JSON ({declared:,} declared, the rest is the ownership marker rossum-iac "
        f"adds); the API stores at most 4 kB ({METADATA_MAX_BYTES:,} bytes) per object"
    )
