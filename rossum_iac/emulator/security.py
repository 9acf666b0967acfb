"""Passwords (PBKDF2) and API tokens; resolving the ``Authorization`` header to a user.

Schemes accepted everywhere: ``Bearer <key>``, ``Token <key>`` (legacy) and HTTP ``Basic`` (the API
documents Basic for upload/export/document endpoints; the emulator accepts it on every endpoint).
Missing credentials -> 401 "Authentication credentials were not provided."; unknown, expired or
logged-out token, or a deleted/inactive user -> 401 "Invalid token." / "Invalid username/password.".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from typing import Any

from rossum_iac.emulator.http import Unauthorized
from rossum_iac.emulator.store import Tx

TOKEN_LIFETIME_S = 583200  # 162 hours: the default and the maximum
_ITERATIONS = 20_000


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), _ITERATIONS).hex()
    return f"pbkdf2_sha256${_ITERATIONS}${salt}${digest}"


def check_password(password: str, encoded: str | None) -> bool:
    if not encoded:
        return False
    try:
        _, iterations, salt, digest = encoded.split("$")
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)


def new_token() -> str:
    return secrets.token_hex(20)


def issue_token(tx: Tx, user_id: int, lifetime_s: float | None = TOKEN_LIFETIME_S) -> str:
    key = new_token()
    now = time.time()
    tx.add_token(key, user_id, now, None if lifetime_s is None else now + lifetime_s)
    return key


def user_by_username(tx: Tx, username: str) -> dict[str, Any] | None:
    users = tx.find("users", username=username)
    return users[0] if users else None


def login(tx: Tx, username: str, password: str) -> dict[str, Any] | None:
    """The active, non-deleted user with these credentials, or None."""
    user = user_by_username(tx, username)
    if user is None or user.get("deleted") or not user.get("is_active", True):
        return None
    if not check_password(password, user.get("_password")):
        return None
    return user


def authenticate(tx: Tx, header: str | None) -> tuple[dict[str, Any], str | None]:
    """(user, token key or None for Basic) for an ``Authorization`` header; 401 otherwise."""
    if not header or not header.strip():
        raise Unauthorized()
    scheme, _, credentials = header.strip().partition(" ")
    scheme = scheme.lower()
    credentials = credentials.strip()
    if scheme in ("bearer", "token"):
        if not credentials:
            raise Unauthorized("Invalid token header. No credentials provided.")
        user_id = tx.token_user(credentials, time.time())
        user = tx.get("users", user_id) if user_id is not None else None
        if user is None or user.get("deleted") or not user.get("is_active", True):
            raise Unauthorized("Invalid token.")
        return user, credentials
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized("Invalid basic header. Credentials not correctly base64 encoded.") from None
        username, sep, password = decoded.partition(":")
        user = login(tx, username, password) if sep else None
        if user is None:
            raise Unauthorized("Invalid username/password.")
        return user, None
    raise Unauthorized("Authentication credentials were not provided.")
