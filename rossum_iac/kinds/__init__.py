"""The kinds a stack can describe: one module each in this package, found here by discovery.

Everything rossum-iac knows about a kind (fields, references, defaults, identity, content files, checks) is in its
module, as ``KIND = KindDef(...)``; the JSON Schema, the validator, the engine, pull and the docs' field tables are
derived from these definitions. Adding a kind means adding its module (and its tests).
"""

from __future__ import annotations

import importlib
import pkgutil

from rossum_iac.kinds.base import MARKER_KEY, Field, Identity, KindDef

_NOT_KINDS = frozenset({"base", "fragments", "docs", "schema_content"})


def _discover() -> dict[str, KindDef]:
    found: list[KindDef] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_") or module.name in _NOT_KINDS:
            continue
        kind = getattr(importlib.import_module(f"{__name__}.{module.name}"), "KIND", None)
        if isinstance(kind, KindDef):
            found.append(kind)
    found.sort(key=lambda k: (k.rank, k.name))
    ordered = {kind.name: kind for kind in found}
    position = {name: i for i, name in enumerate(ordered)}
    for kind in found:
        for dependency in kind.depends_on:
            if position.get(dependency, -1) >= position[kind.name]:
                raise RuntimeError(f"kind {kind.name} must rank after {dependency}, which it refers to")
    return ordered


KINDS: dict[str, KindDef] = _discover()
"""Kinds in dependency order: creating in this order never references an object that does not exist yet."""

KIND_NAMES: tuple[str, ...] = tuple(KINDS)

__all__ = ["KINDS", "KIND_NAMES", "MARKER_KEY", "Field", "Identity", "KindDef"]
