"""Builders for engine unit tests: desired stacks and live states without any network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rossum_iac.engine.identity import hash_secret
from rossum_iac.engine.live import LiveState
from rossum_iac.kinds import KINDS, MARKER_KEY
from rossum_iac.manifest.model import DesiredObject, SourceLocation, Stack

BASE = "http://127.0.0.1:9/api/v1"
OTHER_BASE = "http://localhost:7777/api/v1"


def url(collection: str, obj_id: int, base: str = BASE) -> str:
    return f"{base}/{collection}/{obj_id}"


def desired(
    kind: str, key: str, *, protect: bool = False, ignore: tuple[str, ...] = (), **fields: Any
) -> DesiredObject:
    return DesiredObject(
        kind=kind,
        key=key,
        fields=fields,
        protect=protect,
        ignore_changes=ignore,
        source=SourceLocation(Path(f"{kind.lower()}s.yaml"), 1, 1),
    )


def stack(*objects: DesiredObject, name: str = "test", digest: str = "sha256:abc") -> Stack:
    return Stack(name=name, root=Path("/manifests"), objects=tuple(objects), digest=digest)


def marker(key: str, stack_name: str = "test", **extra: Any) -> dict[str, Any]:
    return {MARKER_KEY: {"stack": stack_name, "key": key, **extra}}


def secret_hashes(**values: str) -> dict[str, str]:
    return {path.replace("__", "."): hash_secret(v) for path, v in values.items()}


ORG = {"id": 1, "url": url("organizations", 1), "name": "Test org", "metadata": {}}


def live_obj(kind: str, obj_id: int, base: str = BASE, **data: Any) -> dict[str, Any]:
    return {"id": obj_id, "url": url(KINDS[kind].collection, obj_id, base), **data}


def live_state(*objects: tuple[str, dict[str, Any]], org: dict[str, Any] | None = None) -> LiveState:
    lists: dict[str, list[dict[str, Any]]] = {}
    for kind, data in objects:
        lists.setdefault(kind, []).append(data)
    return LiveState.from_lists(org or ORG, lists)
