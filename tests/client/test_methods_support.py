"""Shared helpers of the client method tests (no tests here): one test body drives both client flavours.

``Expect`` describes one request a method must send (method, path, query, JSON/form/multipart body) and the
response to give; ``ScriptedAPI`` serves a list of them in order through respx and fails on anything else.
"""

from __future__ import annotations

import email
import inspect
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import respx

from rossum_iac.client import AsyncRossumAPIClient, SyncRossumAPIClient, Token, UserCredentials
from rossum_iac.client._async import _concurrency as async_concurrency
from rossum_iac.client._sync import _concurrency as sync_concurrency

DATA = Path(__file__).parent / "data"
BASE = "http://localhost/api/v1"
PAYLOADS: dict[str, dict[str, Any]] = json.loads((DATA / "payloads.json").read_text())
FLAVOURS = ("async", "sync")
LIST_QS = [
    ("page_size", "100"),
    ("ordering", ""),
    ("sideload", ""),
    ("content.schema_id", ""),
    ("include_total", "true"),
]


def payload(name: str, **changes: Any) -> dict[str, Any]:
    """A minimal valid payload of a resource (``tests/client/data/payloads.json``) with ``changes``."""
    return {**json.loads(json.dumps(PAYLOADS[name])), **changes}


def page(*results: Any, total_pages: int = 1, next_url: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "pagination": {"total": len(results), "total_pages": total_pages, "next": next_url, "previous": None},
        "results": list(results),
        **extra,
    }


def list_qs(*extra: tuple[str, str], **overrides: str) -> list[tuple[str, str]]:
    """The SDK's list query string (``LIST_QS``) with ``overrides`` of its keys and ``extra`` filters."""
    return [(k, overrides.get(k, v)) for k, v in LIST_QS] + list(extra)


@dataclass
class Part:
    """One multipart field as received."""

    name: str
    filename: str | None
    content_type: str | None
    value: bytes


def multipart_parts(request: httpx.Request) -> dict[str, Part]:
    content_type = request.headers["content-type"]
    message = email.message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content)
    parts: dict[str, Part] = {}
    for sub in message.get_payload():
        assert isinstance(sub, Message)
        name = sub.get_param("name", header="content-disposition")
        raw = sub.get_payload(decode=True)
        filename = re.search(r'filename="([^"]*)"', str(sub.get("content-disposition")))
        parts[str(name)] = Part(
            name=str(name),
            filename=filename.group(1) if filename else None,
            content_type=sub.get("content-type"),
            value=raw if isinstance(raw, bytes) else b"",
        )
    return parts


@dataclass
class Expect:
    """A request the method must send (in order) and the response it gets."""

    method: str
    path: str
    query: list[tuple[str, str]] | None = None  # None: no query string at all
    json: Any = None  # expected JSON body (compared when not None)
    form: dict[str, str] | None = None  # expected form body
    files: dict[str, tuple[str | None, str | None]] | None = None  # multipart field -> (filename, content type)
    status: int = 200
    body: Any = field(default_factory=dict)  # JSON response (or bytes)

    def check(self, request: httpx.Request) -> None:
        label = f"{request.method} {request.url}"
        assert request.method == self.method, label
        assert urlsplit(str(request.url)).path == urlsplit(BASE).path + "/" + self.path, label
        query = parse_qsl(request.url.query.decode(), keep_blank_values=True)
        assert sorted(query) == sorted(self.query or []), label
        if self.json is not None:
            assert json.loads(request.content) == self.json, label
        if self.form is not None:
            assert dict(parse_qsl(request.content.decode())) == self.form, label
        if self.files is not None:
            parts = multipart_parts(request)
            assert {n: (p.filename, p.content_type) for n, p in parts.items()} == self.files, label

    def response(self) -> httpx.Response:
        if isinstance(self.body, bytes):
            return httpx.Response(self.status, content=self.body)
        if self.status == 204:
            return httpx.Response(204)
        return httpx.Response(self.status, json=self.body)


class ScriptedAPI:
    """Serves ``expects`` in order; any other request fails the test. ``requests`` keeps what was received."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.expects: list[Expect] = []
        self.requests: list[httpx.Request] = []
        router.route().mock(side_effect=self._serve)

    def script(self, *expects: Expect) -> None:
        self.expects.extend(expects)

    def _serve(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.expects, f"unexpected request {request.method} {request.url}"
        expect = self.expects.pop(0)
        expect.check(request)
        return expect.response()

    def assert_done(self) -> None:
        assert not self.expects, f"requests not sent: {[(e.method, e.path) for e in self.expects]}"


def make_client(
    flavour: str, credentials: Token | UserCredentials | None = None, base_url: str = BASE, **kwargs: Any
) -> Any:
    """A client of ``flavour``; no pacing unless asked for (these tests are about requests, not their rate)."""
    cls = AsyncRossumAPIClient if flavour == "async" else SyncRossumAPIClient
    kwargs.setdefault("requests_per_second", 0)
    return cls(base_url, credentials or Token("tok"), n_retries=1, **kwargs)


async def run(result: Any) -> Any:
    """Await a coroutine, drain an (async) iterator into a list, or return a plain value."""
    if inspect.isawaitable(result):
        return await result
    if inspect.isasyncgen(result):
        return [item async for item in result]
    if inspect.isgenerator(result):
        return list(result)
    return result


async def close(client: Any) -> None:
    await run(client.close())


@pytest.fixture(name="api")
def api_fixture() -> Iterator[ScriptedAPI]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        yield ScriptedAPI(router)


@pytest.fixture(name="sleeps")
def sleeps_fixture(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the sleeps of both flavours (pollers, retries) instead of sleeping."""
    recorded: list[float] = []

    async def async_sleep(seconds: float) -> None:
        recorded.append(seconds)

    def sync_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(async_concurrency, "sleep", async_sleep)
    monkeypatch.setattr(sync_concurrency, "sleep", sync_sleep)
    return recorded


@pytest.fixture(name="pdf")
def pdf_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4 test")
    return path


Check = Callable[[Any], None]
