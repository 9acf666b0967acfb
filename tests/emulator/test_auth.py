"""auth endpoints and authentication schemes, over real HTTP."""

from __future__ import annotations

import base64

import httpx


def test_login_with_form_and_json_returns_working_tokens(emulator, anon):
    form = anon.post("/auth/login", data={"username": emulator.username, "password": emulator.password})
    assert form.status_code == 200
    key = form.json()["key"]
    assert len(key) == 40 and key != emulator.token
    assert form.json()["domain"]
    as_json = anon.post("/auth/login", json={"username": emulator.username, "password": emulator.password})
    assert as_json.status_code == 200 and as_json.json()["key"] != key
    for token in (key, as_json.json()["key"]):
        r = anon.get("/auth/user", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        assert r.json()["username"] == emulator.username


def test_login_bad_credentials_401_and_missing_fields_400(emulator, anon):
    r = anon.post("/auth/login", json={"username": emulator.username, "password": "wrong"})
    assert r.status_code == 401
    assert "detail" in r.json()
    r = anon.post("/auth/login", json={"username": emulator.username})
    assert r.status_code == 400
    assert r.json() == {"password": ["This field is required."]}
    r = anon.post("/auth/login", json={"username": "a", "password": "b", "max_token_lifetime_s": 10**9})
    assert r.status_code == 400 and "max_token_lifetime_s" in r.json()


def test_bearer_token_and_basic_schemes(emulator, anon):
    for header in (f"Bearer {emulator.token}", f"Token {emulator.token}", f"token {emulator.token}"):
        assert anon.get("/workspaces", headers={"Authorization": header}).status_code == 200
    basic = base64.b64encode(f"{emulator.username}:{emulator.password}".encode()).decode()
    assert anon.get("/workspaces", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    bad_basic = base64.b64encode(f"{emulator.username}:nope".encode()).decode()
    assert anon.get("/workspaces", headers={"Authorization": f"Basic {bad_basic}"}).status_code == 401


def test_missing_or_bad_token_is_401_with_detail(anon):
    r = anon.get("/workspaces")
    assert r.status_code == 401
    assert r.json() == {"detail": "Authentication credentials were not provided."}
    r = anon.get("/workspaces", headers={"Authorization": "Bearer " + "0" * 40})
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid token."}
    assert anon.post("/workspaces", json={"name": "x"}, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_logout_invalidates_login_token_but_not_fixed_token(emulator, anon):
    key = anon.post("/auth/login", json={"username": emulator.username, "password": emulator.password}).json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    r = anon.post("/auth/logout", headers=headers)
    assert r.status_code == 200
    assert r.json() == {"detail": "Successfully logged out."}
    assert anon.get("/auth/user", headers=headers).status_code == 401
    fixed = {"Authorization": f"Bearer {emulator.token}"}
    assert anon.post("/auth/logout", headers=fixed).status_code == 200
    assert anon.get("/auth/user", headers=fixed).status_code == 200


def test_short_lived_token_expires(emulator, anon):
    import time

    body = {"username": emulator.username, "password": emulator.password, "max_token_lifetime_s": 0.3}
    key = anon.post("/auth/login", json=body).json()["key"]
    assert anon.get("/auth/user", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    time.sleep(0.4)
    assert anon.get("/auth/user", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_password_change_and_reset(emulator, api, anon):
    r = api.post("/auth/password/change", json={"old_password": "bad", "new_password1": "x", "new_password2": "x"})
    assert r.status_code == 400 and "old_password" in r.json()
    new = "Correct-Horse-Battery-9"
    r = api.post(
        "/auth/password/change",
        json={"old_password": emulator.password, "new_password1": new, "new_password2": new + "x"},
    )
    assert r.status_code == 400 and "new_password2" in r.json()
    r = api.post(
        "/auth/password/change", json={"old_password": emulator.password, "new_password1": new, "new_password2": new}
    )
    assert r.status_code == 200
    assert r.json()["username"] == emulator.username
    assert anon.post("/auth/login", json={"username": emulator.username, "password": new}).status_code == 200
    assert (
        anon.post("/auth/login", json={"username": emulator.username, "password": emulator.password}).status_code == 401
    )
    r = anon.post("/auth/password/reset", json={"email": "someone@example.com"})
    assert r.status_code == 200 and r.json() == {"detail": "Password reset e-mail has been sent."}


def test_auth_user_patch_updates_own_user(api):
    r = api.patch("/auth/user", json={"first_name": "Ada", "email": "changed@example.com"})
    assert r.status_code == 200
    assert r.json()["first_name"] == "Ada"
    assert r.json()["email"] != "changed@example.com"  # email cannot be changed through the API


def test_api_root_lists_collections(api, emulator):
    r = api.get("/")
    assert r.status_code == 200
    assert r.json()["queues"] == f"{emulator.base_url}/queues"


def test_unknown_path_404_and_wrong_method_405(api, emulator):
    assert api.get("/nonexistent").status_code == 404
    r = api.delete("/workspaces")
    assert r.status_code == 405
    assert "detail" in r.json()
    assert httpx.get(emulator.base_url.replace("/api/v1", "/other")).status_code == 404
