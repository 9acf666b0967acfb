"""Exceptions raised by the API client.

``APIClientError`` keeps the public SDK's constructor and ``str()`` format so code written against the SDK keeps
working. Unlike the SDK, network failures do not leak raw ``httpx`` exceptions: they are wrapped in
``APITransportError``, a subclass, so ``except APIClientError`` catches every failure of a request.
"""

from __future__ import annotations


class APIClientError(Exception):
    """A request got a non-2xx response (or, for the ``APITransportError`` subclass, no response at all)."""

    def __init__(self, method: str, url: str, status_code: int | None, error: str) -> None:
        super().__init__(method, url, status_code, error)
        self.method = method
        self.url = url
        self.status_code = status_code
        self.error = error

    def __str__(self) -> str:
        return f"[{self.method}] {self.url} - HTTP {self.status_code} - {self.error}"

    @property
    def detail(self) -> str:
        """The server's message in a person's words: ``detail`` of a JSON body, else the body text."""
        import json

        try:
            body = json.loads(self.error)
        except (ValueError, TypeError):
            return self.error.strip()
        if isinstance(body, dict):
            if isinstance(body.get("detail"), str):
                return str(body["detail"])
            parts = []
            for field, msgs in body.items():
                text = "; ".join(str(m) for m in msgs) if isinstance(msgs, list) else str(msgs)
                parts.append(text if field == "non_field_errors" else f"{field}: {text}")
            return ", ".join(parts)
        return self.error.strip()


class APIThrottledError(APIClientError):
    """A request was still answered 429 when its ``throttle_timeout`` ran out (``error`` is the last body)."""

    def __init__(self, method: str, url: str, error: str, *, throttled: int, seconds: float, timeout: float) -> None:
        super().__init__(method, url, 429, error)
        self.throttled = throttled
        self.seconds = seconds
        self.timeout = timeout

    @property
    def detail(self) -> str:
        return (
            f"{super().detail} (answered 429 {self.throttled} times over {self.seconds:.0f}s; "
            f"gave up after throttle_timeout={self.timeout:g}s)"
        )


class APITransportError(APIClientError):
    """The request failed without an HTTP response (connection refused, timeout, dropped connection)."""

    def __init__(self, method: str, url: str, error: str) -> None:
        super().__init__(method, url, None, error)

    def __str__(self) -> str:
        return f"[{self.method}] {self.url} - {self.error}"


class PollingTimeoutError(TimeoutError):
    """A polling helper (``poll_task``, ``poll_annotation`` ...) ran past its overall ``timeout``."""


class TaskFailedError(Exception):
    """A polled task ended in status ``failed``; ``task`` is the deserialized task."""

    def __init__(self, task: object, message: str) -> None:
        super().__init__(message)
        self.task = task
