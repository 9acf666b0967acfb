"""Hostile and malformed requests: each gets the status the real API would give, never a 500 or a traceback."""

from __future__ import annotations

import re
import socket
import sqlite3
from typing import Any

import httpx
import pytest

from rossum_iac.emulator.http import MAX_JSON_DEPTH
from rossum_iac.emulator.resource import RESOURCES
from rossum_iac.emulator.routing import ROUTER
from rossum_iac.emulator.server import JSON_MAX_BODY_BYTES

BIG = "99999999999999999999999"  # beyond SQLite's INTEGER (2**63 - 1)
JSON = {"content-type": "application/json"}


@pytest.fixture(autouse=True)
def _no_traceback(capfd: pytest.CaptureFixture[str]) -> Any:
    yield
    err = capfd.readouterr().err
    assert "Traceback" not in err, err


def _count(api: httpx.Client, collection: str) -> int:
    return int(api.get(f"/{collection}").json()["pagination"]["total"])


# ------------------------------------------------------------------------------------------ huge ids


@pytest.mark.parametrize("path", ["/workspaces/" + BIG, "/queues/" + BIG, "/hooks/" + BIG + "/", "/workspaces/9" * 1])
def test_huge_id_in_path_is_404(api, path):
    if path == "/workspaces/9":
        path = "/workspaces/" + "9" * 5000  # longer than Python's int() accepts by default
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        r = api.request(method, path, json={"name": "x"} if method in ("PATCH", "PUT") else None)
        assert r.status_code == 404, (method, r.text)
        assert r.json() == {"detail": "Not found."}


def test_huge_id_with_leading_zeros_is_an_ordinary_id(api, make):
    ws = make.workspace()
    r = api.get(f"/workspaces/{'0' * 30}{ws['id']}")
    assert r.status_code == 200 and r.json()["id"] == ws["id"]


@pytest.mark.parametrize("param", ["id", "workspace", "schema"])
def test_huge_id_in_filter_is_400_with_field_message(api, param):
    r = api.get("/queues", params={param: BIG})
    assert r.status_code == 400
    assert r.json() == {param: [f"Select a valid choice. {BIG} is not one of the available choices."]}
    r = api.get("/queues", params={param: f"1,{BIG}"})
    assert r.status_code == 400 and param in r.json()


def test_non_ascii_digits_in_filter_are_400(api):
    r = api.get("/workspaces", params={"id": "\u00b2"})  # "²".isdigit() is True, int("²") fails
    assert r.status_code == 400 and "id" in r.json()


def test_huge_id_in_body_reference_is_400_with_field_message(api, make, emulator):
    schema = make.schema()
    before = _count(api, "queues")
    r = api.post(
        "/queues",
        json={"name": "q", "workspace": f"{emulator.base_url}/workspaces/{BIG}", "schema": schema["url"]},
    )
    assert r.status_code == 400
    assert r.json() == {"workspace": ["Invalid hyperlink - Object does not exist."]}
    r = api.post(
        "/hooks",
        json={
            "name": "h",
            "config": {"url": "http://127.0.0.1:9/h"},
            "events": [],
            "queues": [f"{emulator.base_url}/queues/{'9' * 5000}"],
        },
    )
    assert r.status_code == 400 and "queues" in r.json()
    assert _count(api, "queues") == before


def test_huge_integer_field_value_is_400(api, make):
    hook = make.hook()
    r = api.patch(f"/hooks/{hook['id']}", json={"token_lifetime_s": int(BIG)})
    assert r.status_code == 400 and "token_lifetime_s" in r.json()


def test_every_route_answers_huge_ids_without_a_server_error(api, emulator):
    """Every registered route, with huge path ids, huge ids in the usual body references and huge paging."""
    big_url = f"{emulator.base_url}/queues/{BIG}"
    body = {
        "queue": big_url,
        "queues": [big_url],
        "annotations": [big_url],
        "target_queue": big_url,
        "documents": [big_url],
        "annotation": big_url,
        "id": int(BIG),
        "name": "x",
        "timeout_s": int(BIG),
    }
    routes = [(r.method, r.pattern) for r in ROUTER.routes]
    assert len(routes) > 100
    for method, pattern in routes:
        path = re.sub(r"\{(\w+)(?::(\w+))?\}", lambda m: BIG if (m.group(2) or "int") == "int" else "x", pattern)
        r = api.request(method, path, json=body, params={"page": BIG, "page_size": BIG})
        assert r.status_code < 500, (method, pattern, r.status_code, r.text)


def test_every_list_filter_answers_huge_and_odd_values_without_a_server_error(api):
    odd = [BIG, "-" + BIG, "\u00b2", "1e400", "9" * 5000, "http://h/api/v1/queues/" + BIG]
    for collection, resource in RESOURCES.items():
        if ("GET", f"/{collection}") not in {(r.method, r.pattern) for r in ROUTER.routes}:
            continue
        for name in resource.filters:
            for value in odd:
                r = api.get(f"/{collection}", params={name: value})
                assert r.status_code in (200, 400), (collection, name, value[:30], r.status_code, r.text)


# ------------------------------------------------------------------------------------------ bodies


def test_deeply_nested_json_is_400(api):
    before = _count(api, "workspaces")
    r = api.post("/workspaces", content=b"[" * 100_000 + b"]" * 100_000, headers=JSON)
    assert r.status_code == 400
    assert r.json() == {"detail": f"JSON parse error - JSON nested deeper than {MAX_JSON_DEPTH} levels."}
    r = api.post(
        "/workspaces", content=b'{"name": "x", "metadata": ' + b'{"a": ' * 150 + b"1" + b"}" * 151, headers=JSON
    )
    assert r.status_code == 400 and "nested deeper" in r.json()["detail"]
    assert _count(api, "workspaces") == before


def test_json_at_the_depth_limit_is_accepted(api):
    nested: Any = 1
    for _ in range(MAX_JSON_DEPTH - 2):  # the body object and metadata are the outer two levels
        nested = {"a": nested}
    r = api.post("/workspaces", json={"name": "deep", "metadata": {"a": nested}})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_json_constants_are_400(api, literal):
    before = _count(api, "workspaces")
    r = api.post("/workspaces", content=f'{{"name": {literal}}}'.encode(), headers=JSON)
    assert r.status_code == 400
    assert r.json() == {"detail": f"JSON parse error - Out of range float values are not JSON compliant: {literal}"}
    assert _count(api, "workspaces") == before


def test_float_overflowing_a_double_is_400(api):
    r = api.post("/workspaces", content=b'{"name": "x", "metadata": {"n": 1e400}}', headers=JSON)
    assert r.status_code == 400 and "Out of range float" in r.json()["detail"]


def test_invalid_json_and_non_utf8_are_400(api):
    r = api.post("/workspaces", content=b'{"name": ', headers=JSON)
    assert r.status_code == 400 and r.json()["detail"].startswith("JSON parse error - ")
    r = api.post("/workspaces", content=b'{"name": "\xff"}', headers=JSON)
    assert r.status_code == 400 and r.json()["detail"].startswith("JSON parse error - ")


def test_json_value_that_is_not_an_object_is_400(api):
    r = api.post("/workspaces", json=[1, 2])
    assert r.status_code == 400
    assert r.json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


@pytest.mark.parametrize(
    ("headers", "shown"),
    [
        ({"content-type": "text/plain"}, "text/plain"),
        ({}, ""),
        ({"content-type": "application/xml"}, "application/xml"),
    ],
)
def test_unsupported_content_type_is_415(api, headers, shown):
    before = _count(api, "workspaces")
    r = api.post("/workspaces", content=b'{"name": "x"}', headers=headers)
    assert r.status_code == 415
    assert r.json() == {"detail": f'Unsupported media type "{shown}" in request.'}
    assert _count(api, "workspaces") == before


def test_json_with_charset_and_form_bodies_are_accepted(api):
    r = api.post("/workspaces", content=b'{"name": "a"}', headers={"content-type": "application/json; charset=utf-8"})
    assert r.status_code == 201
    r = api.post("/workspaces", data={"name": "b"})
    assert r.status_code == 201 and r.json()["name"] == "b"


def test_json_body_over_the_limit_is_413(api, emulator):
    before = _count(api, "workspaces")
    body = b'{"name": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    r = api.post("/workspaces", content=body, headers=JSON)
    assert r.status_code == 413
    assert r.json() == {"detail": "Request entity too large."}
    assert emulator.request_log[-1] == ("POST", "/api/v1/workspaces", 413)
    assert _count(api, "workspaces") == before
    just_below = b'{"name": "x", "metadata": {}, "pad": "' + b" " * (JSON_MAX_BODY_BYTES - 100) + b'"}'
    assert api.post("/workspaces", content=just_below, headers=JSON).status_code == 201


def _raw(emulator: Any, data: bytes) -> bytes:
    with socket.create_connection((emulator.host, emulator.port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


@pytest.mark.parametrize("length", [b"abc", b"-5", b"99999999999999999999999999"])
def test_invalid_content_length_is_400(emulator, length):
    head = (
        b"POST /api/v1/workspaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + emulator.token.encode() + b"\r\nContent-Length: " + length + b"\r\n\r\n"
    )
    answer = _raw(emulator, head)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]


def test_invalid_chunk_size_is_400(emulator):
    head = (
        b"POST /api/v1/workspaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nAuthorization: Bearer " + emulator.token.encode() + b"\r\n\r\nzz\r\n"
    )
    assert _raw(emulator, head).startswith(b"HTTP/1.1 400 ")


# ------------------------------------------------------------------------------------------ routing, auth


def test_unknown_paths_are_404(api, anon):
    for path in ("/nope", "/queues/1/nope", "/../../etc/passwd"):
        r = api.get(path)
        assert r.status_code == 404 and r.json() == {"detail": "Not found."}
    r = httpx.get(str(api.base_url).replace("/api/v1", "/admin/"), timeout=10)
    assert r.status_code == 404


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Token " + "0" * 40, "Bearer", "Basic !!!", "Basic " + "eDp5", "Weird scheme", ""]
)
def test_bad_credentials_are_401(anon, header):
    r = anon.get("/queues", headers={"Authorization": header} if header else {})
    assert r.status_code == 401
    assert set(r.json()) == {"detail"}


def test_wrong_and_unknown_methods_are_405_with_allow(api, make):
    ws = make.workspace()
    r = api.post(f"/workspaces/{ws['id']}", json={})
    assert r.status_code == 405 and r.json() == {"detail": 'Method "POST" not allowed.'}
    assert set(r.headers["allow"].split(", ")) == {"GET", "PUT", "PATCH", "DELETE"}
    r = api.request("FROB", "/workspaces")
    assert r.status_code == 405 and r.json() == {"detail": 'Method "FROB" not allowed.'}


# ------------------------------------------------------------------------------------------ locked database


def test_database_locked_by_another_process_answers_503_then_recovers(emulator_factory, tmp_path):
    db = tmp_path / "locked.db"
    emu = emulator_factory(db=db)
    emu.app.store.set_busy_timeout(0.05)
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=10) as api:
        other = sqlite3.connect(db, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            r = api.post("/workspaces", json={"name": "blocked"})
            assert r.status_code == 503
            assert r.headers["retry-after"] == "1"
            assert r.json() == {"detail": "The database is busy, try again later."}
            other.execute("ROLLBACK")
        finally:
            other.close()
        assert api.post("/workspaces", json={"name": "after"}).status_code == 201
        names = [w["name"] for w in api.get("/workspaces").json()["results"]]
        assert "after" in names and "blocked" not in names
