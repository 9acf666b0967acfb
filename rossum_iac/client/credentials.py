"""Credentials accepted by the API clients (same names and fields as the public SDK's ``rossum_api.dtos``).

Both are frozen dataclasses whose ``repr`` never shows the secret, so they are safe to log or print.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Token:
    """An API token (``Authorization: Bearer <token>``); a client given a token never logs in."""

    token: str = field(repr=False)

    def __repr__(self) -> str:
        return "Token(token='***')"


@dataclass(frozen=True)
class UserCredentials:
    """Username and password; the client logs in lazily and once more when the token expires (401)."""

    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"UserCredentials(username={self.username!r}, password='***')"
