"""auth/login, auth/logout, auth/token, auth/user (GET/PUT/PATCH), auth/password/{change,reset,score},
auth/membership_token, and the API root ``GET /``.

Choices: login takes JSON or form bodies; missing fields -> 400 field errors; bad credentials -> 401
``{"detail": "Unable to log in with provided credentials."}``; ``max_token_lifetime_s`` must be 1..583200.
Logout deletes the token used (the fixed seeded token is kept: it always works). Password change
checks the old password, equality of the two new ones and the documented length 12..64 / not numeric
only, and answers the user object. Password reset always answers 200 (no account enumeration).
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import now_iso
from rossum_iac.emulator.http import BadRequest, Request, Unauthorized
from rossum_iac.emulator.resources.users import USERS
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.security import TOKEN_LIFETIME_S, check_password, hash_password, issue_token, login

COLLECTIONS = (
    "organizations", "workspaces", "schemas", "connectors", "inboxes", "queues", "documents", "users", "groups",
    "annotations", "pages",
)  # fmt: skip


def _domain(req: Request, user: dict[str, Any]) -> str | None:
    org = req.tx.get("organizations", user.get("organization") or 0)
    return org.get("_domain") if org else None


def _lifetime(body: dict[str, Any]) -> float:
    raw = body.get("max_token_lifetime_s")
    if raw in (None, ""):
        return TOKEN_LIFETIME_S
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise BadRequest({"max_token_lifetime_s": ["A valid number is required."]}) from None
    if not 0 < value <= TOKEN_LIFETIME_S:
        raise BadRequest({"max_token_lifetime_s": [f"Ensure this value is between 1 and {TOKEN_LIFETIME_S}."]})
    return value


@route("GET", "/")
def api_root(req: Request) -> Any:
    return {name: req.absolute(f"/{name}") for name in COLLECTIONS}


@route("POST", "/auth/login", auth=False)
def auth_login(req: Request) -> Any:
    body = req.json_object()
    errors = {k: ["This field is required."] for k in ("username", "password") if not body.get(k)}
    if errors:
        raise BadRequest(errors)
    lifetime = _lifetime(body)
    user = login(req.tx, str(body["username"]), str(body["password"]))
    if user is None:
        raise Unauthorized("Unable to log in with provided credentials.")
    key = issue_token(req.tx, user["id"], lifetime)
    user["last_login"] = now_iso()
    req.tx.save("users", user)
    return {"key": key, "domain": _domain(req, user)}


@route("POST", "/auth/logout")
def auth_logout(req: Request) -> Any:
    if req.token and req.tx.meta_get("fixed_token") != req.token:
        req.tx.delete_token(req.token)
    return {"detail": "Successfully logged out."}


@route("POST", "/auth/token")
def auth_token(req: Request) -> Any:
    body = req.json_object()
    scope = body.get("scope") or "default"
    if scope not in ("default", "approval"):
        raise BadRequest({"scope": [f'"{scope}" is not a valid choice.']})
    assert req.user is not None
    key = issue_token(req.tx, req.user["id"], _lifetime(body))
    return {"key": key, "domain": _domain(req, req.user), "scope": scope}


@route("POST", "/auth/membership_token")
def auth_membership_token(req: Request) -> Any:
    from rossum_iac.emulator.resource import require_ref

    body = req.json_object()
    if "organization" not in body:
        raise BadRequest({"organization": ["This field is required."]})
    org_id = require_ref(req, "organization", body["organization"], "organizations")
    assert req.user is not None
    if org_id != req.user["organization"]:
        raise BadRequest({"organization": ["You are not a member of this organization."]})
    return {
        "key": issue_token(req.tx, req.user["id"], _lifetime(body)),
        "organization": req.url_for("organizations", org_id),
    }


@route("GET", "/auth/user")
def auth_user(req: Request) -> Any:
    assert req.user is not None
    return USERS.render(req, req.user)


@route("PUT", "/auth/user")
def auth_user_put(req: Request) -> Any:
    assert req.user is not None
    return USERS.render(req, USERS.update(req, req.user, req.json_object(), partial=False))


@route("PATCH", "/auth/user")
def auth_user_patch(req: Request) -> Any:
    assert req.user is not None
    return USERS.render(req, USERS.update(req, req.user, req.json_object(), partial=True))


def _password_problems(password: str, username: str) -> list[str]:
    problems = []
    if not 12 <= len(password) <= 64:
        problems.append("The password must be 12 to 64 characters long.")
    if password.isdigit():
        problems.append("This password is entirely numeric.")
    if username and password.lower() in username.lower():
        problems.append("The password is too similar to the username.")
    return problems


@route("POST", "/auth/password/change")
def auth_password_change(req: Request) -> Any:
    body = req.json_object()
    user = req.user
    assert user is not None
    errors: dict[str, list[str]] = {
        k: ["This field is required."] for k in ("old_password", "new_password1", "new_password2") if not body.get(k)
    }
    if errors:
        raise BadRequest(errors)
    if not check_password(str(body["old_password"]), user.get("_password")):
        raise BadRequest({"old_password": ["Your old password was entered incorrectly. Please enter it again."]})
    if body["new_password1"] != body["new_password2"]:
        raise BadRequest({"new_password2": ["The two password fields didn't match."]})
    problems = _password_problems(str(body["new_password1"]), user.get("username", ""))
    if problems:
        raise BadRequest({"new_password2": problems})
    user["_password"] = hash_password(str(body["new_password1"]))
    req.tx.save("users", user)
    return USERS.render(req, user)


@route("POST", "/auth/password/reset", auth=False)
def auth_password_reset(req: Request) -> Any:
    body = req.json_object()
    if not body.get("email"):
        raise BadRequest({"email": ["This field is required."]})
    return {"detail": "Password reset e-mail has been sent."}


@route("POST", "/auth/password/score", auth=False)
def auth_password_score(req: Request) -> Any:
    body = req.json_object()
    password = body.get("password")
    if not isinstance(password, str) or not password:
        raise BadRequest({"password": ["This field is required."]})
    classes = sum(bool(c) for c in (
        any(ch.islower() for ch in password), any(ch.isupper() for ch in password),
        any(ch.isdigit() for ch in password), any(not ch.isalnum() for ch in password),
    ))  # fmt: skip
    score = max(0, min(4, len(password) // 4 + classes - 2))
    messages = [] if score >= 3 else ["Add another word or two. Uncommon words are better."]
    return {"score": score, "messages": messages}
