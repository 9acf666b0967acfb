"""The pure logic under both transports: URLs, list params, retry policy, response helpers, credentials."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from rossum_iac.client._core import pagination as p
from rossum_iac.client._core.responses import body_text, describe_exception, parse_json_body, redact
from rossum_iac.client._core.retry import RetryPolicy, is_idempotent, parse_retry_after
from rossum_iac.client._core.urls import id_from_url, join_url, normalize_base_url, parent_id_from_url
from rossum_iac.client.credentials import Token, UserCredentials

# -- urls --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "url", "expected"),
    [
        ("http://h/api/v1", "queues/1", "http://h/api/v1/queues/1"),
        ("http://h/api/v1/", "/queues/1", "http://h/api/v1/queues/1"),
        ("http://h/api/v1//", "//queues", "http://h/api/v1/queues"),
        ("http://h/api/v1", "https://other/api/v1/queues/2", "https://other/api/v1/queues/2"),
        ("http://h/api/v1", "http://h/api/v1/queues?page=2", "http://h/api/v1/queues?page=2"),
    ],
)
def test_join_url(base: str, url: str, expected: str) -> None:
    assert join_url(base, url) == expected


def test_normalize_base_url() -> None:
    assert normalize_base_url("http://localhost:8000/api/v1///") == "http://localhost:8000/api/v1"
    with pytest.raises(ValueError, match="absolute http"):
        normalize_base_url("localhost/api/v1")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h/api/v1/annotations/12", 12),
        ("http://h/api/v1/annotations/12/", 12),
        ("http://h/api/v1/annotations/12/content", 12),
        ("http://h/api/v1/annotations/12?sideload=content#x", 12),
        ("http://h/api/v1/annotations/12/content/345", 345),
        ("queues/7", 7),
    ],
)
def test_id_from_url(url: str, expected: int) -> None:
    assert id_from_url(url) == expected


def test_id_from_url_errors_and_parent_id() -> None:
    with pytest.raises(ValueError, match="no numeric id"):
        id_from_url("http://h/api/v1/queues")
    assert parent_id_from_url("http://h/api/v1/annotations/12/content/345", "annotations") == 12
    with pytest.raises(ValueError, match="no annotations/<id>"):
        parent_id_from_url("http://h/api/v1/queues/1", "annotations")


# -- list params -------------------------------------------------------------------------------------------------


def test_list_params_match_the_sdk() -> None:
    assert p.list_params() == {"page_size": 100, "ordering": "", "sideload": "", "content.schema_id": ""}
    params = p.list_params(
        ordering=["-id", "name"], sideloads=("content",), content_schema_ids=[1, 2], filters={"page_size": 10, "x": 1}
    )
    assert params == {
        "page_size": 10,
        "ordering": "-id,name",
        "sideload": "content",
        "content.schema_id": "1,2",
        "x": 1,
    }
    assert p.list_params(ordering="name")["ordering"] == "name"  # a string is not split into characters (K16)


def test_encode_params() -> None:
    import enum

    class Status(enum.Enum):
        EXPORTED = "exported"

    assert p.encode_params(
        {"a": [1, 2], "b": True, "c": False, "d": None, "e": "", "f": Status.EXPORTED, "g": (Status.EXPORTED, None)}
    ) == (("a", "1"), ("a", "2"), ("b", "true"), ("c", "false"), ("e", ""), ("f", "exported"), ("g", "exported"))
    assert p.encode_params(None) == ()


def test_first_page_and_page_params() -> None:
    assert p.first_page_params(None) == {"page_size": 100, "include_total": True}
    first = p.first_page_params({"page_size": 5, "q": 1})
    assert first == {"page_size": 5, "include_total": True, "q": 1}
    assert p.page_params(first, 3) == {**first, "page": 3}


@pytest.mark.parametrize(("params", "expected"), [(None, 1), ({}, 1), ({"page": 4}, 4), ({"page": "2"}, 2)])
def test_start_page(params: dict[str, object] | None, expected: int) -> None:
    assert p.start_page(params) == expected


@pytest.mark.parametrize("bad", [0, -1, "x", 1.5j])
def test_start_page_rejects_bad_values(bad: object) -> None:
    with pytest.raises(ValueError, match="page filter must be a positive integer"):
        p.start_page({"page": bad})


@pytest.mark.parametrize(
    ("start", "total", "max_pages", "expected"),
    [(1, 5, None, [2, 3, 4, 5]), (1, 5, 0, [2, 3, 4, 5]), (1, 5, 2, [2]), (3, 5, None, [4, 5]), (3, 5, 2, [4]),
     (1, 1, None, []), (1, 0, None, []), (6, 5, None, [])],
)  # fmt: skip
def test_remaining_pages(start: int, total: int, max_pages: int | None, expected: list[int]) -> None:
    assert list(p.remaining_pages(start, total, max_pages)) == expected


def test_page_body_helpers() -> None:
    body = {"pagination": {"total_pages": 3, "next": "http://h/x?page=2"}, "results": []}
    assert p.is_paginated(body) and p.total_pages(body) == 3 and p.has_next_page(body)
    assert p.total_pages({"pagination": {"total_pages": True}}) is None
    assert not p.is_paginated({"results": []}) and not p.is_paginated([1])
    assert p.next_cursor_url({"next": "http://h/n"}) == "http://h/n"
    assert p.next_cursor_url({"next": None, "pagination": {"next": "x"}}) is None


# -- retry policy ------------------------------------------------------------------------------------------------


NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), (" 1.5 ", 1.5), ("-3", 0.0), ("Tue, 01 Jan 2030 12:00:30 GMT", 30.0),
     ("Tue, 01 Jan 2030 11:00:00 GMT", 0.0), (None, None), ("", None), ("soon", None), ("nan", None)],
)  # fmt: skip
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_backoff_formula_and_caps() -> None:
    policy = RetryPolicy(attempts=10, backoff_factor=2.0, max_jitter=1.0, max_backoff=30.0, max_retry_after=60.0)
    assert policy.backoff(1, rand=lambda: 0.0) == 2.0
    assert policy.backoff(2, rand=lambda: 0.5) == 4.5
    assert policy.backoff(3, rand=lambda: 1.0) == 9.0
    assert policy.backoff(5, rand=lambda: 0.0) == 30.0  # 32 capped
    assert policy.backoff(1, retry_after=12.0) == 12.0
    assert policy.backoff(1, retry_after=600.0) == 60.0


def test_idempotent_methods() -> None:
    assert all(is_idempotent(m) for m in ("GET", "get", "HEAD", "PUT", "DELETE", "OPTIONS"))
    assert not any(is_idempotent(m) for m in ("POST", "PATCH"))


@pytest.mark.parametrize(
    ("method", "status", "headers", "retry"),
    [
        ("GET", 500, {}, True), ("GET", 429, {}, True), ("GET", 408, {}, True), ("DELETE", 504, {}, True),
        ("GET", 501, {}, False), ("GET", 409, {}, False), ("GET", 401, {}, False), ("GET", 404, {}, False),
        ("POST", 500, {}, False), ("POST", 502, {}, False), ("POST", 504, {}, False), ("POST", 408, {}, False),
        ("POST", 429, {}, True), ("PATCH", 429, {}, True), ("POST", 503, {}, False),
        ("POST", 503, {"Retry-After": "3"}, True), ("PATCH", 503, {"retry-after": "3"}, True),
        ("POST", 503, {"Retry-After": "garbage"}, False),
    ],
)  # fmt: skip
def test_status_decisions(method: str, status: int, headers: dict[str, str], retry: bool) -> None:
    policy = RetryPolicy(attempts=3)
    wait = policy.wait_after_status(method, status, headers, attempt=1, rand=lambda: 0.0)
    assert (wait is not None) is retry
    assert policy.wait_after_status(method, status, headers, attempt=3) is None  # attempts exhausted


def test_status_decision_uses_retry_after_from_httpx_headers() -> None:
    policy = RetryPolicy()
    assert policy.wait_after_status("POST", 503, httpx.Headers({"RETRY-AFTER": "4"}), attempt=1) == 4.0
    assert policy.wait_after_status("POST", 503, {}, attempt=1, idempotent=True) is not None  # e.g. login


@pytest.mark.parametrize(
    ("exc", "for_get", "for_post"),
    [
        (httpx.ConnectError("x"), True, True),
        (httpx.ConnectTimeout("x"), True, True),
        (httpx.PoolTimeout("x"), True, True),
        (httpx.ReadTimeout("x"), True, False),
        (httpx.WriteTimeout("x"), True, False),
        (httpx.ReadError("x"), True, False),
        (httpx.RemoteProtocolError("x"), True, False),
        (httpx.UnsupportedProtocol("x"), False, False),
        (httpx.DecodingError("x"), False, False),
    ],
)
def test_exception_decisions(exc: Exception, for_get: bool, for_post: bool) -> None:
    policy = RetryPolicy(attempts=2)
    assert (policy.wait_after_exception("GET", exc, 1) is not None) is for_get
    assert (policy.wait_after_exception("POST", exc, 1) is not None) is for_post
    assert policy.wait_after_exception("GET", exc, 2) is None


@pytest.mark.parametrize(
    "kwargs",
    [{"attempts": 0}, {"attempts": 1.5}, {"backoff_factor": -1.0}, {"max_jitter": -0.1}],
)
def test_policy_validation(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


# -- responses, credentials --------------------------------------------------------------------------------------


def test_response_helpers() -> None:
    assert parse_json_body(b"") == {} and parse_json_body(b"  \n") == {}
    assert parse_json_body(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(ValueError):
        parse_json_body(b"<html>")
    assert body_text(b"ok \xff") == "ok \ufffd"
    assert describe_exception(httpx.ReadTimeout("")) == "ReadTimeout"
    assert describe_exception(httpx.ConnectError("refused")) == "ConnectError: refused"


def test_redact() -> None:
    assert redact("Bearer abc123 and abc123.", ["abc123", None, ""]) == "Bearer *** and ***."
    assert redact("ReadTimeout: t", ["t"]) == "ReadTimeout: ***"  # only whole occurrences
    assert redact("p+w(d) leaked", ["p+w(d)"]) == "*** leaked"


def test_credentials_never_show_secrets() -> None:
    token = Token("tok-123")
    user = UserCredentials("alice", "pw-456")
    assert "tok-123" not in repr(token) and "tok-123" not in str(token)
    assert "pw-456" not in repr(user) and "alice" in repr(user)
    assert token.token == "tok-123" and user.password == "pw-456"
    with pytest.raises(AttributeError):
        token.token = "other"  # type: ignore[misc]
    assert Token("a") == Token("a") and hash(UserCredentials("u", "p")) == hash(UserCredentials("u", "p"))
