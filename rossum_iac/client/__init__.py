"""Python client of the Rossum API: ``AsyncRossumAPIClient`` and ``SyncRossumAPIClient``.

Same method names, parameters and defaults as the public SDK (rossum-api 3.17.0), so switching is a change of
import; the sync client is generated from the async one (``tools/unasync.py``). Models are in
``rossum_iac.client.models``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rossum_iac.client._async.client import AsyncRossumAPIClient
from rossum_iac.client._core.requests import ExportFileFormats
from rossum_iac.client.credentials import Token, UserCredentials
from rossum_iac.client.errors import (
    APIClientError,
    APIThrottledError,
    APITransportError,
    PollingTimeoutError,
    TaskFailedError,
)
from rossum_iac.client.resources import Resource

if TYPE_CHECKING:
    from rossum_iac.client import models
    from rossum_iac.client._sync.client import SyncRossumAPIClient
    from rossum_iac.client.models import Deserializer, deserialize_default


def __getattr__(name: str) -> Any:
    """``models``, ``Deserializer`` and ``deserialize_default`` are imported when first used: building the models'
    pydantic classes takes about a tenth of a second, which a command that only reads JSON (plan) need not pay.
    So is ``SyncRossumAPIClient``, which the command-line tool never uses."""
    import importlib

    if name in ("models", "Deserializer", "deserialize_default"):
        models = importlib.import_module("rossum_iac.client.models")
        return models if name == "models" else getattr(models, name)
    if name == "SyncRossumAPIClient":
        return importlib.import_module("rossum_iac.client._sync.client").SyncRossumAPIClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "APIClientError",
    "APIThrottledError",
    "APITransportError",
    "AsyncRossumAPIClient",
    "Deserializer",
    "ExportFileFormats",
    "PollingTimeoutError",
    "Resource",
    "SyncRossumAPIClient",
    "TaskFailedError",
    "Token",
    "UserCredentials",
    "deserialize_default",
    "models",
]
