"""Authentication, the organization and its group, users and user roles - both flavours, real HTTP."""

from __future__ import annotations

import pytest

from rossum_iac.client import APIClientError, Token, UserCredentials
from rossum_iac.client.models import Group, Organization, OrganizationGroup, OrganizationLimit, User

from ._support import ClientAPI, drain, scenario


@scenario
async def test_login_token_refresh_and_organization(api: ClientAPI) -> None:
    token = await api.get_token()
    assert token and token != api.emu.token, "UserCredentials must log in (POST auth/login) for a token of its own"
    assert await api.get_token() == token  # cached
    await api.authenticate()
    second = await api.get_token()
    assert second != token
    assert await api.get_token(refresh=True) not in (token, second)
    logins = [entry for entry in api.emu.request_log if entry[:2] == ("POST", "/api/v1/auth/login")]
    assert [status for _, _, status in logins] == [200, 200, 200]

    org = await api.retrieve_own_organization()
    assert isinstance(org, Organization)
    with pytest.warns(DeprecationWarning):
        assert (await api.retrieve_my_organization()).id == org.id
    assert (await api.retrieve_organization(org.id)).url == org.url
    assert [o.id for o in await api.list_organizations()] == [org.id]
    assert [o.id for o in await api.list_organizations(name=org.name)] == [org.id]
    renamed = await api.update_part_organization(org.id, {"name": "Renamed", "metadata": {"k": "v"}})
    assert (renamed.name, renamed.metadata) == ("Renamed", {"k": "v"})
    assert (await api.retrieve_organization(org.id)).name == "Renamed"

    limit = await api.retrieve_organization_limit(org.id)
    assert isinstance(limit, OrganizationLimit) and limit.email_limits.count_today >= 0

    groups = await api.list_organization_groups()
    assert [g.url for g in groups] == [org.organization_group]
    group = await api.retrieve_organization_group(groups[0].id)
    assert isinstance(group, OrganizationGroup) and group.name == groups[0].name

    me = await api.retrieve_current_user()
    assert isinstance(me, User) and me.username == api.emu.username and me.organization == org.url
    roles = await api.list_user_roles()
    assert all(isinstance(r, Group) for r in roles)
    assert {"viewer", "annotator", "admin", "manager"} <= {r.name for r in roles}
    assert [r.name for r in await api.list_user_roles(name="admin")] == ["admin"]
    assert [r.name for r in await api.list_user_roles(ordering=["-name"])] == sorted(
        (r.name for r in roles), reverse=True
    )


@scenario
async def test_users_crud_and_passwords(api: ClientAPI) -> None:
    org = await api.retrieve_own_organization()
    roles = {r.name: r.url for r in await api.list_user_roles()}
    created = await api.create_new_user(
        {
            "username": "jane@example.com",
            "email": "jane@example.com",
            "organization": org.url,
            "groups": [roles["annotator"]],
            "password": "a-long-enough-secret-1",
        }
    )
    assert isinstance(created, User) and created.groups == [roles["annotator"]]
    assert "password" not in created.model_dump(exclude_none=True), "passwords are write-only"
    assert (await api.retrieve_user(created.id)).username == "jane@example.com"
    assert [u.id for u in await api.list_users(username="jane@example.com")] == [created.id]
    assert [u.username for u in await api.list_users(ordering=["-username"])] == sorted(
        (u.username for u in await api.list_users()), reverse=True
    )

    replaced = await api.update_user(
        created.id,
        {"username": "jane@example.com", "organization": org.url, "first_name": "Jane", "groups": [roles["viewer"]]},
    )
    assert (replaced.first_name, replaced.groups) == ("Jane", [roles["viewer"]])
    patched = await api.update_part_user(created.id, {"last_name": "Doe"})
    assert (patched.first_name, patched.last_name) == ("Jane", "Doe")

    jane = api.new_client(credentials=UserCredentials("jane@example.com", "a-long-enough-secret-1"))
    try:
        assert (await drain(jane.retrieve_current_user())).id == created.id
    finally:
        await drain(jane.close())

    await api.delete_user(created.id)
    deleted = await api.retrieve_user(created.id)
    assert deleted.deleted is True, "DELETE users/{id} is a soft delete (facts 5.10)"

    # password change of the current (admin) user: the new password logs in, the old one no longer does
    new_password = "another-long-secret-2"
    changed = await api.change_user_password(new_password)
    assert isinstance(changed, dict) and changed
    fresh = api.new_client(credentials=UserCredentials(api.emu.username, new_password))
    stale = api.new_client(credentials=UserCredentials(api.emu.username, api.emu.password), n_retries=1)
    try:
        await drain(fresh.authenticate())
        with pytest.raises(APIClientError) as caught:
            await drain(stale.authenticate())
        assert caught.value.status_code == 401
    finally:
        await drain(fresh.close())
        await drain(stale.close())
    with pytest.raises(APIClientError) as wrong_old:
        await api.change_user_password("yet-another-secret-3", old_password="not-the-password")
    assert wrong_old.value.status_code == 400 and "old_password" in wrong_old.value.detail

    reset = await api.reset_user_password("jane@example.com")
    assert isinstance(reset, dict) and reset.get("detail")


async def test_token_client_cannot_log_in(api: ClientAPI) -> None:
    client = api.new_client(credentials=Token(api.emu.token))
    try:
        assert await drain(client.get_token(refresh=True)) == api.emu.token
        with pytest.raises(ValueError, match="UserCredentials"):
            await drain(client.authenticate())
        with pytest.raises(ValueError, match="old_password"):
            await drain(client.change_user_password("whatever-long-password"))
        bad = api.new_client(credentials=Token("0" * 40), n_retries=1)
        try:
            with pytest.raises(APIClientError) as caught:
                await drain(bad.retrieve_current_user())
            assert caught.value.status_code == 401
        finally:
            await drain(bad.close())
    finally:
        await drain(client.close())
