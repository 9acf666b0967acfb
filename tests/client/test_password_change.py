"""After ``change_user_password`` succeeds, later logins (a re-login on 401) use the new password, both flavours."""

from __future__ import annotations

import pytest

from rossum_iac.client import APIClientError, UserCredentials

from .test_methods_support import (  # noqa: F401  (fixtures)
    FLAVOURS,
    Expect,
    ScriptedAPI,
    api_fixture,
    close,
    make_client,
    payload,
    run,
)

USER = payload("User", id=3, username="u")


def _login(password: str, key: str) -> Expect:
    return Expect("POST", "auth/login", form={"username": "u", "password": password}, body={"key": key})


def _change(new: str, old: str, status: int = 200) -> Expect:
    body = {"id": 3} if status == 200 else {"old_password": ["Wrong password."]}
    json = {"new_password1": new, "new_password2": new, "old_password": old}
    return Expect("POST", "auth/password/change", json=json, status=status, body=body)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_relogin_after_a_password_change_uses_the_new_password(flavour: str, api: ScriptedAPI) -> None:
    api.script(
        _login("old-pass", "k1"),
        _change("n3w-pass", "old-pass"),
        Expect("GET", "auth/user", status=401, body={"detail": "Invalid token."}),
        _login("n3w-pass", "k2"),
        Expect("GET", "auth/user", body=USER),
        _change("third", "n3w-pass"),  # the default old password follows the change too
    )
    client = make_client(flavour, UserCredentials("u", "old-pass"))
    assert await run(client.change_user_password("n3w-pass")) == {"id": 3}
    assert (await run(client.retrieve_current_user())).username == "u"
    assert client._transport.token == "k2"
    assert await run(client.change_user_password("third")) == {"id": 3}
    await close(client)
    api.assert_done()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_refused_password_change_keeps_the_old_password(flavour: str, api: ScriptedAPI) -> None:
    api.script(
        _login("old-pass", "k1"),
        _change("n3w-pass", "old-pass", status=400),
        Expect("GET", "auth/user", status=401, body={"detail": "Invalid token."}),
        _login("old-pass", "k2"),
        Expect("GET", "auth/user", body=USER),
    )
    client = make_client(flavour, UserCredentials("u", "old-pass"))
    with pytest.raises(APIClientError):
        await run(client.change_user_password("n3w-pass"))
    assert (await run(client.retrieve_current_user())).username == "u"
    await close(client)
    api.assert_done()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_transport_replace_credentials_checks_its_argument(flavour: str, api: ScriptedAPI) -> None:
    client = make_client(flavour, UserCredentials("u", "old-pass"))
    with pytest.raises(TypeError, match="UserCredentials"):
        client._transport.replace_credentials("n3w-pass")
    await close(client)
    assert api.requests == []
