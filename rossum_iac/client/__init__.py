"""Python client of the Rossum API: ``AsyncRossumAPIClient`` and ``SyncRossumAPIClient``.

Same method names, parameters and defaults as the public SDK (rossum-api 3.17.0), so switching is a change of
import; the sync client is generated from the async one (``tools/unasync.py``). Models are in
``rossum_iac.client.models``.
"""

from __future__ import annotations

from rossum_iac.client import models
from rossum_iac.client._async.client import AsyncRossumAPIClient
from rossum_iac.client._core.requests import ExportFileFormats
from rossum_iac.client._sync.client import SyncRossumAPIClient
from rossum_iac.client.credentials import Token, UserCredentials
from rossum_iac.client.errors import (
    APIClientError,
    APIThrottledError,
    APITransportError,
    PollingTimeoutError,
    TaskFailedError,
)
from rossum_iac.client.models import Deserializer, deserialize_default
from rossum_iac.client.resources import Resource

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
