"""Canonical JSON and fingerprints of live objects: plan files record one per object read, and ``apply PLAN``
refuses a plan whose objects changed since."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from rossum_iac.engine.resolve import UNKNOWN, UNKNOWN_TEXT
from rossum_iac.kinds import KINDS, MARKER_KEY
from rossum_iac.manifest.model import Ref, Secret, Template


def canonical_json(value: Any) -> str:
    """Deterministic JSON text (sorted keys, no whitespace) used for hashing and set comparison."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if value is UNKNOWN:
        return UNKNOWN_TEXT
    if isinstance(value, Ref):
        return str(value)
    if isinstance(value, Secret | Template):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_API_URL_PREFIX_IN_JSON = re.compile(r'"https?://[^"\s]*?/v1/(?=[a-z_]+/\d+")')
"""The part of a JSON string holding an API URL that comes before its tail (``"https://x/api/v1/`` of
``"https://x/api/v1/queues/12"``). Replaced by a bare ``"`` (a constant, so ``re`` needs no template per match);
the tail and the closing quote stay. No match can start inside the tail: it holds no quote but the closing one,
which in canonical JSON is followed by ``,``, ``:``, ``]`` or ``}``."""


def comparable_json(value: Any) -> str:
    """Canonical JSON with API URLs reduced to their tails (``queues/12``)."""
    return _API_URL_PREFIX_IN_JSON.sub('"', canonical_json(value))


def fingerprint(kind: str, data: Mapping[str, Any]) -> str:
    """SHA-256 of an object's canonical JSON, without volatile server fields (they change without anyone changing
    the configuration: documents arriving change a queue's ``counts``, a function hook's ``status`` moves from
    pending to ready) and with API URLs reduced to tails (so the host/port the organization is reached under does
    not matter). The organization's own records (leases, registries in ``metadata.rossum_iac``) are not part of the
    organization as an object: other stacks and this run's lease change them."""
    spec = KINDS[kind]
    kept = {k: v for k, v in data.items() if k not in spec.volatile_fields}
    metadata = kept.get("metadata")
    if spec.singleton and isinstance(metadata, Mapping) and MARKER_KEY in metadata:
        kept["metadata"] = {k: v for k, v in metadata.items() if k != MARKER_KEY}
    return "sha256:" + sha256_hex(comparable_json(kept))
