"""API errors turned into one-line messages about the object the user named (``annotation 123 not found``)."""

from __future__ import annotations

from rossum_iac.client import APIClientError, APITransportError
from rossum_iac.errors import RossumIacError


class OperationError(RossumIacError):
    """An API request for one object failed; ``str()`` is the one-line message for the user."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


CREDENTIALS_REJECTED = (
    "the API rejected the credentials (HTTP 401); check ROSSUM_API_TOKEN or ROSSUM_USERNAME/ROSSUM_PASSWORD"
)
"""What every command says when the API answers 401 (to a request or to the login): never the token itself."""


def credentials_rejected(exc: BaseException) -> bool:
    """Whether ``exc`` is the API refusing the token or the username/password (HTTP 401)."""
    return isinstance(exc, APIClientError) and not isinstance(exc, APITransportError) and exc.status_code == 401


def api_error_message(exc: APIClientError, subject: str, action: str | None = None) -> str:
    """One line for a failed request about ``subject`` (``annotation 12``); ``action`` is the verb tried
    (``start``), ``None`` for a read."""
    if isinstance(exc, APITransportError):
        return f"cannot reach the API: {exc.error}"
    if credentials_rejected(exc):
        return CREDENTIALS_REJECTED
    detail = exc.detail.rstrip(".")
    code = exc.status_code
    if code == 404:
        return f"{subject} not found"
    if code == 403:
        what = f"{action} {subject}" if action else f"read {subject}"
        return f"not allowed to {what}: {detail}"
    if action:
        return f"cannot {action} {subject}: {detail} (HTTP {code})"
    return f"{subject}: {detail} (HTTP {code})"


def operation_error(exc: APIClientError, subject: str, action: str | None = None) -> OperationError:
    return OperationError(api_error_message(exc, subject, action), exc.status_code)
