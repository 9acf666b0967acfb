"""Manifests: loading YAML, includes, variables and environments, validation, references. No network access.

``load_stack``, ``validate_stack``, ``load``, ``ManifestError`` and ``ManifestErrors`` are imported lazily, so
importing the kind table or the model does not load the YAML and JSON Schema machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rossum_iac.manifest.errors import ManifestError, ManifestErrors
    from rossum_iac.manifest.loader import LoadResult, load, load_stack, validate_stack

__all__ = ["LoadResult", "ManifestError", "ManifestErrors", "load", "load_stack", "validate_stack"]


def __getattr__(name: str) -> Any:
    if name in ("ManifestError", "ManifestErrors"):
        from rossum_iac.manifest import errors

        return getattr(errors, name)
    if name in ("LoadResult", "load", "load_stack", "validate_stack"):
        from rossum_iac.manifest import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
