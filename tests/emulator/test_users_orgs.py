"""users, groups, organizations, organization groups; role checks."""

from __future__ import annotations


def test_groups_are_seeded_read_only(api):
    groups = api.get("/groups").json()
    names = {g["name"]: g["id"] for g in groups["results"]}
    assert names["viewer"] == 1 and names["annotator"] == 2 and names["admin"] == 3 and names["approver"] == 7
    assert {"manager", "annotator_limited", "organization_group_admin"} <= set(names)
    assert api.get("/groups", params={"name": "admin"}).json()["results"][0]["id"] == 3
    assert api.post("/groups", json={"name": "x"}).status_code == 405
    assert api.patch("/groups/3", json={"name": "x"}).status_code == 405


def test_organization_update_and_limits(api):
    org_url = api.get("/auth/user").json()["organization"]
    org = api.get(org_url).json()
    for key in ("workspaces", "users", "organization_group", "is_trial", "created_at"):
        assert key in org
    assert org["organization_group"] and api.get(org["organization_group"]).status_code == 200
    r = api.patch(org_url, json={"name": "Renamed", "metadata": {"a": 1}, "is_trial": True})
    assert r.status_code == 200
    assert r.json()["name"] == "Renamed" and r.json()["metadata"] == {"a": 1} and r.json()["is_trial"] is False
    assert api.post("/organizations", json={"name": "x"}).status_code == 405
    assert api.delete(org_url).status_code == 405
    limits = api.get(f"{org_url}/limits").json()
    assert limits["email_limits"]["email_per_day_limit"] == 10
    assert api.get("/organization_groups").json()["pagination"]["total"] == 1


def test_user_crud_and_soft_delete(api, anon):
    org = api.get("/auth/user").json()["organization"]
    r = api.post(
        "/users",
        json={
            "organization": org,
            "username": "jane@example.com",
            "email": "jane@example.com",
            "password": "s3cret-pass-99",
            "groups": ["http://127.0.0.1/api/v1/groups/2"],
        },
    )
    assert r.status_code == 201
    user = r.json()
    assert (
        "password" not in user and user["first_name"] == "" and user["is_active"] is True and user["deleted"] is False
    )
    assert user["date_joined"] and user["last_login"] is None
    assert api.post("/users", json={"username": "jane@example.com"}).json() == {
        "username": ["A user with that username already exists."]
    }
    login = anon.post("/auth/login", json={"username": "jane@example.com", "password": "s3cret-pass-99"})
    assert login.status_code == 200
    jane = {"Authorization": f"Token {login.json()['key']}"}
    assert api.get(user["url"]).json()["last_login"] is not None
    # an annotator cannot change configuration, but can edit themselves
    assert anon.post("/workspaces", json={"name": "nope"}, headers=jane).status_code == 403
    assert anon.patch(user["url"], json={"first_name": "Jane"}, headers=jane).status_code == 200
    assert api.delete(user["url"]).status_code == 204
    got = api.get(user["url"]).json()
    assert got["deleted"] is True and got["is_active"] is False
    assert anon.get("/auth/user", headers=jane).status_code == 401
    assert api.get("/users", params={"deleted": "true"}).json()["results"][0]["id"] == user["id"]


def test_last_admin_cannot_be_deleted(api):
    me = api.get("/auth/user").json()
    r = api.delete(me["url"])
    assert r.status_code == 403
    assert api.get("/auth/user").status_code == 200


def test_users_filters_and_ordering(api):
    for name in ("b@example.com", "a@example.com"):
        api.post("/users", json={"username": name, "first_name": name[0].upper()})
    usernames = [u["username"] for u in api.get("/users", params={"ordering": "username"}).json()["results"]]
    assert usernames == sorted(usernames)
    assert api.get("/users", params={"first_name": "A"}).json()["results"][0]["username"] == "a@example.com"
    assert api.get("/users", params={"groups": 3}).json()["pagination"]["total"] == 1
