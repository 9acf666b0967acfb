"""Turning responses and failures into results and error texts (pure; no secrets in any output)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any


def body_text(content: bytes) -> str:
    """Response body as text for error messages; invalid UTF-8 is replaced, never raised (K17)."""
    return content.decode("utf-8", errors="replace")


def parse_json_body(content: bytes) -> Any:
    """Parsed JSON body; an empty (or whitespace-only) body, as sent with 204/202/some 200s, gives ``{}`` (K17).

    Raises ``ValueError`` for a body that is not JSON.
    """
    if not content.strip():
        return {}
    return json.loads(content)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of a secret replaced by ``***``.

    Only whole occurrences count (not letters of a longer word), so a short test token such as ``"t"`` does not
    mangle the message; a real token or an echoed password is always a whole word.
    """
    for secret in secrets:
        if secret:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", "***", text)
    return text


def describe_exception(exc: BaseException) -> str:
    """``"ConnectError: [Errno 111] Connection refused"``; the exception's class name when it has no message."""
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
