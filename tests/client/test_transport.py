"""Transport behaviour, each test run against both AsyncTransport and the generated SyncTransport."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
import respx

from rossum_iac import __version__
from rossum_iac.client._async.transport import DEFAULT_TIMEOUT, AsyncTransport
from rossum_iac.client._sync.transport import SyncTransport
from rossum_iac.client.credentials import Token, UserCredentials
from rossum_iac.client.errors import APIClientError, APITransportError

from ._transport_support import BASE, LOGIN, api_fixture, flavour_fixture, make_fixture, sleeps_fixture  # noqa: F401  (fixtures)

USER = UserCredentials("alice", "s3cret-pw")


def login_route(api: respx.MockRouter, *keys: str) -> respx.Route:
    """Login answering with the given tokens in turn (the last one repeats)."""
    responses = [httpx.Response(200, json={"key": key, "domain": "x"}) for key in keys]
    calls = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        index = min(calls["n"], len(responses) - 1)
        calls["n"] += 1
        return responses[index]

    return api.post(LOGIN).mock(side_effect=answer)


# -- auth ------------------------------------------------------------------------------------------------------


async def test_login_form_body_and_bearer_header(api: respx.MockRouter, make: Any) -> None:
    login = login_route(api, "tok-1")
    queue = api.get(f"{BASE}/queues/1").respond(200, json={"id": 1})
    t = make(USER)
    assert t.token is None
    assert await t.request_json("GET", "queues/1") == {"id": 1}
    login_request = login.calls.last.request
    assert login_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert login_request.content == b"username=alice&password=s3cret-pw"
    assert "authorization" not in login_request.headers
    assert queue.calls.last.request.headers["authorization"] == "Bearer tok-1"
    assert queue.calls.last.request.headers["user-agent"] == f"rossum-iac/{__version__}"
    assert t.token == "tok-1"


async def test_lazy_login_happens_once(api: respx.MockRouter, make: Any) -> None:
    login = login_route(api, "tok-1")
    api.get(f"{BASE}/queues").respond(200, json={})
    t = make(USER)
    assert login.call_count == 0  # constructing logs nobody in
    await t.request("GET", "queues")
    await t.request("GET", "queues")
    assert login.call_count == 1


async def test_token_credentials_never_log_in(api: respx.MockRouter, make: Any) -> None:
    login = login_route(api, "never")
    route = api.get(f"{BASE}/queues/1").respond(401, json={"detail": "Invalid token."})
    t = make(Token("my-token"))
    assert t.token == "my-token"
    with pytest.raises(APIClientError) as info:
        await t.request("GET", "queues/1")
    assert info.value.status_code == 401
    assert login.call_count == 0
    assert route.call_count == 1
    assert route.calls.last.request.headers["authorization"] == "Bearer my-token"


async def test_401_relogs_in_once_and_replays(api: respx.MockRouter, make: Any, sleeps: list[float]) -> None:
    login = login_route(api, "old", "new")

    def answer(request: httpx.Request) -> httpx.Response:
        ok = request.headers["authorization"] == "Bearer new"
        return httpx.Response(200 if ok else 401, json={"ok": ok})

    route = api.get(f"{BASE}/queues/1").mock(side_effect=answer)
    t = make(USER, n_retries=1)  # the replay after re-login is not a retry
    assert await t.request_json("GET", "queues/1") == {"ok": True}
    assert login.call_count == 2
    assert route.call_count == 2
    assert sleeps == []  # replayed at once, no backoff


async def test_persistent_401_raises_after_one_relogin(api: respx.MockRouter, make: Any, sleeps: list[float]) -> None:
    login = login_route(api, "a", "b", "c")
    route = api.get(f"{BASE}/queues/1").respond(401, text="nope")
    t = make(USER)
    with pytest.raises(APIClientError) as info:
        await t.request("GET", "queues/1")
    assert info.value.status_code == 401
    assert login.call_count == 2  # lazy login + exactly one re-login (the SDK does 3, K6)
    assert route.call_count == 2
    assert sleeps == []


async def test_get_token_and_authenticate(api: respx.MockRouter, make: Any) -> None:
    login = login_route(api, "t1", "t2", "t3")
    t = make(USER)
    assert await t.get_token() == "t1"
    assert await t.get_token() == "t1"
    assert await t.get_token(refresh=True) == "t2"
    await t.authenticate()
    assert t.token == "t3"
    assert login.call_count == 3


async def test_token_transport_cannot_authenticate(make: Any) -> None:
    t = make(Token("tk"))
    assert await t.get_token(refresh=True) == "tk"
    with pytest.raises(ValueError, match="UserCredentials"):
        await t.authenticate()


async def test_login_is_retried_and_errors_hide_the_password(
    api: respx.MockRouter, make: Any, sleeps: list[float]
) -> None:
    login = api.post(LOGIN).mock(
        side_effect=[
            httpx.Response(500),
            httpx.Response(400, json={"non_field_errors": ["Unable to log in as alice with s3cret-pw."]}),
        ]
    )
    t = make(USER)
    with pytest.raises(APIClientError) as info:
        await t.request("GET", "queues")
    assert login.call_count == 2  # login POST retried on 500: it cannot create anything
    assert info.value.status_code == 400
    assert "s3cret-pw" not in str(info.value)
    assert "***" in str(info.value)
    assert len(sleeps) == 1


async def test_login_response_without_key(api: respx.MockRouter, make: Any) -> None:
    api.post(LOGIN).respond(200, json={"detail": "odd"})
    with pytest.raises(APIClientError, match="no token"):
        await make(USER).request("GET", "queues")


# -- retries -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])  # 429: time budget, see test_pacing.py
async def test_retryable_status_is_tried_n_retries_times(
    api: respx.MockRouter, make: Any, sleeps: list[float], status: int
) -> None:
    route = api.get(f"{BASE}/queues").respond(status, text="busy")
    t = make(Token("t"))
    with pytest.raises(APIClientError) as info:
        await t.request("GET", "queues")
    assert info.value.status_code == status
    assert route.call_count == 3  # n_retries counts attempts, like the SDK
    assert len(sleeps) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 409, 501])
async def test_other_status_is_not_retried(api: respx.MockRouter, make: Any, sleeps: list[float], status: int) -> None:
    route = api.get(f"{BASE}/queues").respond(status)
    with pytest.raises(APIClientError):
        await make(Token("t")).request("GET", "queues")
    assert route.call_count == 1
    assert sleeps == []


@pytest.mark.parametrize("n_retries", [1, 2, 5])
async def test_n_retries_is_total_attempts(api: respx.MockRouter, make: Any, n_retries: int) -> None:
    route = api.get(f"{BASE}/queues").respond(503)
    with pytest.raises(APIClientError):
        await make(Token("t"), n_retries=n_retries).request("GET", "queues")
    assert route.call_count == n_retries


async def test_retry_then_success(api: respx.MockRouter, make: Any, sleeps: list[float]) -> None:
    api.get(f"{BASE}/queues").mock(side_effect=[httpx.Response(502), httpx.Response(200, json={"a": 1})])
    t = make(Token("t"), retry_backoff_factor=0.5, retry_max_jitter=0.0)
    assert await t.request_json("GET", "queues") == {"a": 1}
    assert sleeps == [0.5]


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("7", 7.0),
        ("0", 0.0),
        ("3600", 60.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 60.0),
    ],
)
@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured_and_capped(
    api: respx.MockRouter, make: Any, sleeps: list[float], retry_after: str, expected: float, status: int
) -> None:
    api.get(f"{BASE}/queues").mock(
        side_effect=[httpx.Response(status, headers={"Retry-After": retry_after}), httpx.Response(200, json={})]
    )
    await make(Token("t"), retry_max_jitter=0.0).request("GET", "queues")  # 429s add jitter (test_pacing.py)
    assert sleeps == [expected]


async def test_backoff_is_exponential_with_jitter_and_capped(
    api: respx.MockRouter, make: Any, sleeps: list[float]
) -> None:
    api.get(f"{BASE}/queues").respond(500)
    t = make(Token("t"), n_retries=9, retry_backoff_factor=1.0, retry_max_jitter=0.5)
    with pytest.raises(APIClientError):
        await t.request("GET", "queues")
    assert len(sleeps) == 8
    for attempt, wait in enumerate(sleeps, start=1):
        base = 2 ** (attempt - 1)
        if base >= 30:
            assert wait == 30.0  # cap (the SDK has none, K8)
        else:
            assert base <= wait <= base + 0.5


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("status", [500, 502, 504, 408])
async def test_post_patch_not_retried_on_server_errors(
    api: respx.MockRouter, make: Any, sleeps: list[float], method: str, status: int
) -> None:
    route = api.route(method=method, url=f"{BASE}/queues").respond(status)
    with pytest.raises(APIClientError) as info:
        await make(Token("t")).request(method, "queues", json={"name": "q"})
    assert info.value.status_code == status
    assert route.call_count == 1  # the request may have been processed: a retry could duplicate it (K7)
    assert sleeps == []


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_post_not_retried_on_read_timeout_or_dropped_connection(
    api: respx.MockRouter, make: Any, method: str
) -> None:
    route = api.route(method=method, url=f"{BASE}/queues").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")]
    )
    t = make(Token("t"))
    with pytest.raises(APITransportError, match="ReadTimeout"):
        await t.request(method, "queues", json={})
    with pytest.raises(APITransportError, match="RemoteProtocolError"):
        await t.request(method, "queues", json={})
    assert route.call_count == 2


@pytest.mark.parametrize(
    "first",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("connect timeout"),
        httpx.Response(429),
        httpx.Response(503, headers={"Retry-After": "2"}),
    ],
    ids=["connect-error", "connect-timeout", "429", "503-retry-after"],
)
async def test_post_retried_when_not_processed(api: respx.MockRouter, make: Any, first: Any) -> None:
    route = api.post(f"{BASE}/queues").mock(side_effect=[first, httpx.Response(201, json={"id": 5})])
    assert await make(Token("t")).request_json("POST", "queues", json={"name": "q"}) == {"id": 5}
    assert route.call_count == 2


async def test_post_not_retried_on_503_without_retry_after(api: respx.MockRouter, make: Any) -> None:
    route = api.post(f"{BASE}/queues").respond(503)
    with pytest.raises(APIClientError):
        await make(Token("t")).request("POST", "queues", json={})
    assert route.call_count == 1


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), httpx.RemoteProtocolError("dropped")]
)
async def test_idempotent_requests_retried_on_transport_errors(
    api: respx.MockRouter, make: Any, method: str, error: Exception
) -> None:
    route = api.route(method=method, url=f"{BASE}/queues/1").mock(side_effect=[error, httpx.Response(204)])
    assert await make(Token("t")).request_json(method, "queues/1") == {}
    assert route.call_count == 2


# -- errors ------------------------------------------------------------------------------------------------------


async def test_error_str_format(api: respx.MockRouter, make: Any) -> None:
    api.get(f"{BASE}/queues/1").respond(404, text='{"detail":"Not found."}')
    with pytest.raises(APIClientError) as info:
        await make(Token("t")).request("GET", "queues/1")
    err = info.value
    assert str(err) == '[GET] http://localhost/api/v1/queues/1 - HTTP 404 - {"detail":"Not found."}'
    assert (err.method, err.url, err.status_code) == ("GET", f"{BASE}/queues/1", 404)
    assert err.detail == "Not found."


async def test_non_utf8_error_body(api: respx.MockRouter, make: Any) -> None:
    api.get(f"{BASE}/queues/1").respond(400, content=b"bad \xff\xfe body")
    with pytest.raises(APIClientError) as info:
        await make(Token("t")).request("GET", "queues/1")
    assert info.value.error == "bad \ufffd\ufffd body"


async def test_redirect_is_an_error(api: respx.MockRouter, make: Any) -> None:
    api.get(f"{BASE}/tasks/1").respond(303, headers={"Location": f"{BASE}/annotations/2"})
    with pytest.raises(APIClientError) as info:
        await make(Token("t")).request("GET", "tasks/1")
    assert info.value.status_code == 303


async def test_transport_error_is_wrapped_without_secrets(api: respx.MockRouter, make: Any) -> None:
    route = api.get(f"{BASE}/queues").mock(side_effect=httpx.ConnectError("refused; sent Bearer tok-XYZ"))
    with pytest.raises(APITransportError) as info:
        await make(Token("tok-XYZ")).request("GET", "queues")
    err = info.value
    assert isinstance(err, APIClientError)
    assert err.status_code is None
    assert str(err) == "[GET] http://localhost/api/v1/queues - ConnectError: refused; sent Bearer ***"
    assert "tok-XYZ" not in repr(err.args)
    assert err.__cause__ is None and err.__suppress_context__  # the httpx exception (and request) is not chained
    assert route.call_count == 3


@pytest.mark.parametrize("status", [200, 201, 202, 204])
async def test_empty_bodies_give_empty_dict(api: respx.MockRouter, make: Any, status: int) -> None:
    api.post(f"{BASE}/annotations/1/confirm").respond(status, content=b"")
    assert await make(Token("t")).request_json("POST", "annotations/1/confirm") == {}


async def test_invalid_json_raises_client_error(api: respx.MockRouter, make: Any) -> None:
    api.get(f"{BASE}/queues").respond(200, text="<html>")
    with pytest.raises(APIClientError, match="not JSON"):
        await make(Token("t")).request_json("GET", "queues")


# -- headers, urls, params, hooks ------------------------------------------------------------------------------------


async def test_custom_headers_merge_with_defaults(api: respx.MockRouter, make: Any) -> None:
    route = api.get(f"{BASE}/queues").respond(200, json={})
    t = make(Token("t"), headers={"user-agent": "my-app/1", "X-Team": "ops"})
    await t.request("GET", "queues", headers={"X-Request-Id": "r1", "X-Team": "dev"})
    headers = route.calls.last.request.headers
    assert headers["user-agent"] == "my-app/1"
    assert headers.get_list("user-agent") == ["my-app/1"]
    assert headers["x-team"] == "dev"
    assert headers["x-request-id"] == "r1"
    assert headers["authorization"] == "Bearer t"


@pytest.mark.parametrize("base", [BASE, BASE + "/"])
@pytest.mark.parametrize("path", ["queues/1", "/queues/1"])
async def test_url_joining(api: respx.MockRouter, make: Any, base: str, path: str) -> None:
    route = api.get(f"{BASE}/queues/1").respond(200, json={})
    t = make(Token("t"), base_url=base)
    assert t.base_url == BASE
    await t.request("GET", path)
    assert str(route.calls.last.request.url) == f"{BASE}/queues/1"


async def test_absolute_url_is_used_as_is(api: respx.MockRouter, make: Any) -> None:
    route = api.get("http://127.0.0.1:9/other/api/queues/7").respond(200, json={"id": 7})
    assert await make(Token("t")).request_json("GET", "http://127.0.0.1:9/other/api/queues/7") == {"id": 7}
    assert route.called


async def test_query_params_encoding(api: respx.MockRouter, make: Any) -> None:
    route = api.get(f"{BASE}/annotations").respond(200, json={})
    params = {"status": ["to_review", "exported"], "deleting": False, "queue": 5, "engine": None, "ordering": ""}
    await make(Token("t")).request("GET", "annotations", params=params)
    assert route.calls.last.request.url.query == b"status=to_review&status=exported&deleting=false&queue=5&ordering="


async def test_response_post_processor_sees_every_response(
    api: respx.MockRouter, make: Any, sleeps: list[float]
) -> None:
    seen: list[tuple[str, int]] = []
    login_route(api, "a", "b")
    api.get(f"{BASE}/queues").mock(side_effect=[httpx.Response(401), httpx.Response(503), httpx.Response(200, json={})])
    t = make(USER, response_post_processor=lambda r: seen.append((r.request.url.path, r.status_code)))
    await t.request("GET", "queues")
    assert seen == [
        ("/api/v1/auth/login", 200),
        ("/api/v1/queues", 401),
        ("/api/v1/auth/login", 200),
        ("/api/v1/queues", 503),
        ("/api/v1/queues", 200),
    ]


async def test_debug_logging_has_no_secrets(
    api: respx.MockRouter, make: Any, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    login_route(api, "tok-secret-1")
    api.get(f"{BASE}/queues").mock(side_effect=[httpx.Response(500), httpx.Response(200, json={})])
    caplog.set_level(logging.DEBUG, logger="rossum_iac.client")
    await make(USER).request("GET", "queues")
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "rossum_iac.client")
    assert "GET http://localhost/api/v1/queues -> 500 (attempt 1/3)" in text
    assert "GET http://localhost/api/v1/queues -> 200 (attempt 2/3)" in text
    assert "retrying in" in text
    assert "tok-secret-1" not in text
    assert "s3cret-pw" not in text


# -- timeouts and lifecycle --------------------------------------------------------------------------------------


async def test_default_timeout_is_finite(make: Any) -> None:
    t = make(Token("t"))
    timeout = t.transport._client.timeout
    assert timeout == DEFAULT_TIMEOUT
    assert None not in (timeout.connect, timeout.read, timeout.write, timeout.pool)


async def test_custom_timeout(make: Any) -> None:
    t = make(Token("t"), timeout=3.5)
    assert t.transport._client.timeout == httpx.Timeout(3.5)


async def test_own_http_client_is_used_not_closed_and_gets_the_timeout(
    api: respx.MockRouter, flavour: str, sleeps: list[float]
) -> None:
    route = api.get(f"{BASE}/queues").respond(200, json={})
    if flavour == "async":
        async_client = httpx.AsyncClient()
        async with AsyncTransport(BASE, Token("t"), http_client=async_client, timeout=2.0) as at:
            await at.request("GET", "queues")
        assert not async_client.is_closed
        await async_client.aclose()
    else:
        sync_client = httpx.Client()
        with SyncTransport(BASE, Token("t"), http_client=sync_client, timeout=2.0) as st:
            st.request("GET", "queues")
        assert not sync_client.is_closed
        sync_client.close()
    assert route.calls.last.request.extensions["timeout"] == httpx.Timeout(2.0).as_dict()


async def test_context_manager_closes_own_client(api: respx.MockRouter, flavour: str) -> None:
    api.get(f"{BASE}/queues").respond(200, json={})
    if flavour == "async":
        async with AsyncTransport(BASE, Token("t")) as at:
            await at.request("GET", "queues")
        assert at._client.is_closed
    else:
        with SyncTransport(BASE, Token("t")) as st:
            st.request("GET", "queues")
        assert st._client.is_closed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"credentials": "tok"}, "credentials must be Token or UserCredentials"),
        ({"n_retries": 0}, "n_retries must be an integer >= 1"),
        ({"max_in_flight_requests": 0}, "max_in_flight_requests must be an integer >= 1"),
        ({"retry_backoff_factor": -1}, "backoff_factor must be >= 0"),
        ({"base_url": "localhost/api"}, "base_url must be an absolute http"),
    ],
)
def test_bad_arguments_are_named(flavour: str, kwargs: dict[str, Any], message: str) -> None:
    cls = AsyncTransport if flavour == "async" else SyncTransport
    args: dict[str, Any] = {"base_url": BASE, "credentials": Token("t"), **kwargs}
    with pytest.raises((TypeError, ValueError), match=message):
        cls(args.pop("base_url"), args.pop("credentials"), **args)
