"""Client behaviour beyond single requests, in both flavours: pollers (K4), uploads (K1, K12), the custom
deserializer everywhere (K24), sideloads (K14), search paging (K25), generic requests (K20), lifecycle (K27)."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx

from rossum_iac.client import (
    APIClientError,
    AsyncRossumAPIClient,
    PollingTimeoutError,
    Resource,
    SyncRossumAPIClient,
    TaskFailedError,
    Token,
    UserCredentials,
)
from rossum_iac.client._async import client as async_client_module
from rossum_iac.client._sync import client as sync_client_module
from rossum_iac.client.models import RESOURCE_TO_MODEL, Annotation, Document, Queue, RossumModel, Task

from .test_methods import CASES, Case, _with_file
from .test_methods_support import (  # noqa: F401  (fixtures)
    BASE,
    FLAVOURS,
    Expect,
    ScriptedAPI,
    api_fixture,
    close,
    list_qs,
    make_client,
    page,
    payload,
    pdf_fixture,
    run,
    sleeps_fixture,
)

TASK = "tasks/5"
NO_REDIRECT = [("no_redirect", "True")]


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> SimpleNamespace:
    """A fake monotonic clock for the pollers that the recorded sleeps advance."""
    clock = SimpleNamespace(now=1000.0)

    def monotonic() -> float:
        return clock.now + sum(sleeps)

    fake_time = SimpleNamespace(monotonic=monotonic)
    monkeypatch.setattr(async_client_module, "time", fake_time)
    monkeypatch.setattr(sync_client_module, "time", fake_time)
    return clock


def task(status: str, **extra: Any) -> dict[str, Any]:
    return payload("Task", status=status, **extra)


# -- pollers (K4) -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_poll_task_until_succeeded_polls_with_sleep(flavour: str, api: ScriptedAPI, sleeps: list[float]) -> None:
    api.script(*(Expect("GET", TASK, NO_REDIRECT, body=task(s)) for s in ("running", "running", "succeeded")))
    client = make_client(flavour)
    result = await run(client.poll_task_until_succeeded(5, sleep_s=2))
    await close(client)
    assert isinstance(result, Task) and result.status == "succeeded"
    assert sleeps == [2, 2]
    api.assert_done()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_poll_task_raises_on_failed_task(flavour: str, api: ScriptedAPI, sleeps: list[float]) -> None:
    api.script(
        Expect("GET", TASK, NO_REDIRECT, body=task("running")),
        Expect("GET", TASK, NO_REDIRECT, body=task("failed", detail="unsupported file")),
    )
    client = make_client(flavour)
    with pytest.raises(TaskFailedError, match="task 5 failed: unsupported file") as caught:
        await run(client.poll_task_until_succeeded(5))
    await close(client)
    assert isinstance(caught.value.task, Task) and caught.value.task.status == "failed"
    api.assert_done()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_poll_task_returns_a_failed_task_the_predicate_accepts(flavour: str, api: ScriptedAPI) -> None:
    api.script(Expect("GET", TASK, NO_REDIRECT, body=task("failed")))
    client = make_client(flavour)
    result = await run(client.poll_task(5, lambda t: t.status in ("succeeded", "failed")))
    await close(client)
    assert result.status == "failed"


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_poll_task_timeout(flavour: str, api: ScriptedAPI, sleeps: list[float], clock: SimpleNamespace) -> None:
    api.script(*(Expect("GET", TASK, NO_REDIRECT, body=task("running")) for _ in range(4)))
    client = make_client(flavour)
    with pytest.raises(PollingTimeoutError, match="task 5 did not reach the expected state within 7 s"):
        await run(client.poll_task_until_succeeded(5, sleep_s=3, timeout=7))
    await close(client)
    assert sleeps == [3, 3, 1]  # the last sleep is cut to the deadline, then one final poll
    api.assert_done()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_poll_annotation_timeout_through_poll_kwargs(
    flavour: str, api: ScriptedAPI, sleeps: list[float], clock: SimpleNamespace
) -> None:
    importing = payload("Annotation", status="importing")
    api.script(*(Expect("GET", "annotations/9", body=importing) for _ in range(3)))
    client = make_client(flavour)
    with pytest.raises(PollingTimeoutError, match="annotation 9"):
        await run(client.poll_annotation_until_imported(9, sleep_s=5, timeout=10))
    await close(client)
    assert sleeps == [5, 5]
    api.assert_done()


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("timeout", [0, -1])
async def test_poll_timeout_must_be_positive(flavour: str, timeout: float, api: ScriptedAPI) -> None:
    client = make_client(flavour)
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        await run(client.poll_task(5, bool, timeout=timeout))
    await close(client)
    assert api.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_poll_annotation_sideloads_once_at_the_end(flavour: str, api: ScriptedAPI, sleeps: list[float]) -> None:
    api.script(
        Expect("GET", "annotations/9", body=payload("Annotation", status="importing")),
        Expect("GET", "annotations/9", body=payload("Annotation", status="failed_import")),
        Expect("GET", "documents/4", body=payload("Document")),
    )
    client = make_client(flavour)
    result = await run(client.poll_annotation_until_imported(9, sleep_s=1, sideloads=["documents"]))
    await close(client)
    assert result.status == "failed_import" and isinstance(result.document, Document)
    api.assert_done()


# -- uploads (K1, K12) ---------------------------------------------------------------------------------------------


def _upload_router(router: respx.MockRouter, in_flight: list[int], peak: list[int], delay: float) -> None:
    """``POST uploads`` answers a task URL whose id is the file's number; tasks answer succeeded."""

    async def upload(request: httpx.Request) -> httpx.Response:
        in_flight[0] += 1
        peak[0] = max(peak[0], in_flight[0])
        await asyncio.sleep(delay)
        in_flight[0] -= 1
        number = int(request.content.split(b'filename="f')[1].split(b".pdf")[0])
        return httpx.Response(202, json={"url": f"{BASE}/tasks/{number}"})

    def sync_upload(request: httpx.Request) -> httpx.Response:
        number = int(request.content.split(b'filename="f')[1].split(b".pdf")[0])
        return httpx.Response(202, json={"url": f"{BASE}/tasks/{number}"})

    def get_task(request: httpx.Request) -> httpx.Response:
        task_id = int(request.url.path.rsplit("/", 1)[1])
        return httpx.Response(200, json=payload("Task", id=task_id, url=f"{BASE}/tasks/{task_id}"))

    router.post(f"{BASE}/uploads").mock(side_effect=upload if delay else sync_upload)
    router.get(url__regex=rf"{BASE}/tasks/\d+").mock(side_effect=get_task)


def _files(tmp_path: Path, count: int) -> list[tuple[Path, str]]:
    files = []
    for number in range(1, count + 1):
        path = tmp_path / f"f{number}.pdf"
        path.write_bytes(b"%PDF " + bytes([number]))
        files.append((path, f"f{number}.pdf"))
    return files


async def test_async_uploads_run_concurrently_within_the_bound(tmp_path: Path) -> None:
    in_flight, peak = [0], [0]
    with respx.mock(assert_all_called=True) as router:
        _upload_router(router, in_flight, peak, delay=0.02)
        async with make_client("async", max_in_flight_requests=3) as client:
            tasks = await client.upload_document(1, _files(tmp_path, 8))
    assert [t.id for t in tasks] == list(range(1, 9))  # input order
    assert peak[0] == 3


def test_sync_upload_document_works_and_is_sequential(tmp_path: Path) -> None:
    with respx.mock(assert_all_called=True) as router:
        _upload_router(router, [0], [0], delay=0)
        with make_client("sync") as client:
            tasks = client.upload_document(1, _files(tmp_path, 3), values={"upload:k": "v"})
        calls = [c.request for c in router.calls]
    assert [t.id for t in tasks] == [1, 2, 3]
    assert [c.method for c in calls] == ["POST", "GET"] * 3  # one file after the other (K1: works at all)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_upload_failure_is_raised_as_api_error(flavour: str, tmp_path: Path) -> None:
    with respx.mock() as router:
        router.post(f"{BASE}/uploads").mock(return_value=httpx.Response(413, json={"detail": "too large"}))
        client = make_client(flavour)
        with pytest.raises(APIClientError) as caught:
            await run(client.upload_document(1, _files(tmp_path, 3)))
        await close(client)
    assert caught.value.status_code == 413 and "too large" in caught.value.error


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("method", ["upload_document", "import_document"])
async def test_missing_file_fails_before_any_upload(
    flavour: str, method: str, api: ScriptedAPI, tmp_path: Path
) -> None:
    files = [*_files(tmp_path, 1), (tmp_path / "missing.pdf", "missing.pdf")]
    client = make_client(flavour)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(FileNotFoundError, match=r"files\[1\]: no such file: .*missing.pdf"):
            await run(getattr(client, method)(1, files))
        with pytest.raises(TypeError, match=r"files\[0\] must be a \(path, file name\) pair"):
            await run(getattr(client, method)(1, [str(files[0][0])]))
    await close(client)
    assert api.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_import_document_keeps_file_order(flavour: str, tmp_path: Path) -> None:
    def upload(request: httpx.Request) -> httpx.Response:
        number = int(request.content.split(b'filename="f')[1].split(b".pdf")[0])
        return httpx.Response(201, json={"results": [{"annotation": f"{BASE}/annotations/{100 + number}"}]})

    with respx.mock() as router:
        router.post(f"{BASE}/queues/1/upload").mock(side_effect=upload)
        client = make_client(flavour)
        with pytest.warns(DeprecationWarning, match="upload_document"):
            ids = await run(client.import_document(1, _files(tmp_path, 4)))
        await close(client)
    assert ids == [101, 102, 103, 104]


# -- the custom deserializer is used by every typed method (K24) ---------------------------------------------------


class Marker:
    def __init__(self, resource: Resource, payload: dict[str, Any]) -> None:
        self.resource = resource
        self.payload = payload
        self.status = payload.get("status")  # so poll predicates and poll_task's failure check still work


def _items(result: Any) -> list[Any]:
    return list(result) if isinstance(result, list) else [result]


TYPED_CASES = [c for c in CASES if c.method != "request"]  # request() returns the raw httpx.Response


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("case", TYPED_CASES, ids=[c.id for c in TYPED_CASES])
async def test_custom_deserializer_replaces_every_model(
    case: Case, flavour: str, api: ScriptedAPI, pdf: Path, sleeps: list[float]
) -> None:
    """Run each table case twice: with the default deserializer, then with one returning ``Marker``s. Every
    model of the first run must be a ``Marker`` of the same resource in the second, and no model may remain."""
    results = []
    for deserializer in (None, Marker):
        client = make_client(
            flavour, UserCredentials("u", "p") if case.user_credentials else None, deserializer=deserializer
        )
        api.script(*case.expects)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            results.append(await run(getattr(client, case.method)(*_with_file(case.args, pdf), **case.kwargs)))
        await close(client)
        api.assert_done()
    default, custom = (_items(r) for r in results)
    assert len(default) == len(custom)
    for plain, marked in zip(default, custom, strict=True):
        if isinstance(plain, RossumModel):
            assert isinstance(marked, Marker), (case.id, marked)
            assert RESOURCE_TO_MODEL[marked.resource] is type(plain)
        else:
            assert not isinstance(marked, RossumModel | Marker)
            assert marked == plain


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_poll_predicates_receive_the_custom_objects(flavour: str, api: ScriptedAPI) -> None:
    api.script(
        Expect("GET", "annotations/9", body=payload("Annotation")),
        Expect("GET", TASK, NO_REDIRECT, body=task("succeeded")),
    )
    seen: list[Any] = []
    client = make_client(flavour, deserializer=Marker)
    await run(client.poll_annotation(9, lambda a: seen.append(a) or True))
    await run(client.poll_task(5, lambda t: seen.append(t) or True))
    await close(client)
    assert [(type(x), x.resource) for x in seen] == [(Marker, Resource.Annotation), (Marker, Resource.Task)]


# -- sideloads through the client (K14) -----------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_list_annotations_sideloads_never_crash(flavour: str, api: ScriptedAPI) -> None:
    first = payload("Annotation", modifier=f"{BASE}/users/404")
    second = payload("Annotation", id=10, url=f"{BASE}/annotations/10", modifier=None, queue=f"{BASE}/queues/1")
    api.script(
        Expect(
            "GET",
            "annotations",
            list_qs(sideload="modifiers,queues,documents"),
            body=page(first, second, modifiers=[payload("User")], queues=[payload("Queue")]),
        )
    )
    client = make_client(flavour)
    result = await run(client.list_annotations(sideloads=["modifiers", "queues", "documents"]))
    await close(client)
    assert result[0].modifier == f"{BASE}/users/404"  # unknown id: URL kept (SDK: [] -> crash)
    assert result[0].document == f"{BASE}/documents/4"  # no "documents" list in the response: URL kept
    assert result[1].modifier is None and isinstance(result[1].queue, Queue)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_content_sideload_without_schema_ids_is_refused(flavour: str, api: ScriptedAPI) -> None:
    client = make_client(flavour)
    with pytest.raises(ValueError, match="content_schema_ids"):
        await run(client.list_annotations(sideloads=["content"]))
    with pytest.raises(ValueError, match="sideload_query_params has keys"):
        await run(client.retrieve_annotation(9, ["documents"], sideload_query_params={"content": {}}))
    await close(client)
    assert api.requests == []


# -- search paging (K25) --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_search_follows_the_cursor_with_the_same_body(flavour: str, api: ScriptedAPI) -> None:
    body = {"query": {"status": {"$eq": "to_review"}}}
    next_url = f"{BASE}/annotations/search?search_after=abc&page_size=100"
    api.script(
        Expect(
            "POST",
            "annotations/search",
            list_qs(ordering="-created_at", sideload="content", **{"content.schema_id": "amount"}),
            json=body,
            body={"pagination": {"next": next_url, "total": None}, "results": [payload("Annotation")]},
        ),
        Expect(
            "POST",
            "annotations/search",
            [("search_after", "abc"), ("page_size", "100")],
            json=body,
            body=page(payload("Annotation", id=10), next_url=None),
        ),
    )
    client = make_client(flavour)
    result = await run(
        client.search_for_annotations(
            query=body["query"], ordering=["-created_at"], sideloads=["content"], content_schema_ids=["amount"]
        )
    )
    await close(client)
    assert [a.id for a in result] == [9, 10] and all(isinstance(a, Annotation) for a in result)
    api.assert_done()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_search_needs_a_query(flavour: str, api: ScriptedAPI) -> None:
    client = make_client(flavour)
    with pytest.raises(ValueError, match="query or query_string"):
        await run(client.search_for_annotations())
    await close(client)
    assert api.requests == []


# -- listing, generic requests (K20) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_list_reads_all_pages_in_order(flavour: str, api: ScriptedAPI) -> None:
    queues = [payload("Queue", id=n) for n in range(1, 6)]
    api.script(
        Expect("GET", "queues", list_qs(), body=page(*queues[:2], total_pages=3)),
        Expect("GET", "queues", [*list_qs(), ("page", "2")], body=page(*queues[2:4], total_pages=3)),
        Expect("GET", "queues", [*list_qs(), ("page", "3")], body=page(queues[4], total_pages=3)),
    )
    client = make_client(flavour, max_in_flight_requests=1)
    result = await run(client.list_queues())
    await close(client)
    assert [q.id for q in result] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_request_paginated_positional_order_and_max_pages(flavour: str, api: ScriptedAPI) -> None:
    api.script(
        Expect("GET", "workspaces", list_qs(("name", "W"), ordering="id"), body=page({"id": 1}, total_pages=3)),
    )
    client = make_client(flavour)
    result = await run(client.request_paginated("workspaces", ["id"], (), (), "GET", 1, name="W"))
    with pytest.raises(TypeError, match="multiple values for argument 'ordering'"):
        await run(client.request_paginated("workspaces", ["id"], ordering=["name"]))
    await close(client)
    assert result == [{"id": 1}]
    api.assert_done()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_request_paginated_post_body_and_sideloads(flavour: str, api: ScriptedAPI) -> None:
    api.script(
        Expect(
            "POST",
            "annotations/search",
            list_qs(sideload="modifiers"),
            json={"query": {}},
            body=page(payload("Annotation"), modifiers=[payload("User")]),
        )
    )
    client = make_client(flavour)
    result = await run(
        client.request_paginated("annotations/search", method="POST", json={"query": {}}, sideloads=["modifiers"])
    )
    await close(client)
    assert result[0]["modifier"]["username"] == "jane"


# -- passwords -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_change_password_defaults_to_the_credentials_password(flavour: str, api: ScriptedAPI) -> None:
    api.script(
        Expect("POST", "auth/login", form={"username": "u", "password": "old-pass"}, body={"key": "k"}),
        Expect(
            "POST",
            "auth/password/change",
            json={"new_password1": "n3w", "new_password2": "n3w", "old_password": "old-pass"},
            body={"id": 3},
        ),
    )
    client = make_client(flavour, UserCredentials("u", "old-pass"))
    assert await run(client.change_user_password("n3w")) == {"id": 3}
    await close(client)
    api.assert_done()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_change_password_with_token_needs_the_old_password(flavour: str, api: ScriptedAPI) -> None:
    client = make_client(flavour)
    with pytest.raises(ValueError, match="old_password"):
        await run(client.change_user_password("n3w"))
    await close(client)
    assert api.requests == []


# -- lifecycle (K27) -------------------------------------------------------------------------------------------------


async def test_async_client_context_manager_and_aclose() -> None:
    async with AsyncRossumAPIClient(BASE, Token("tok")) as client:
        assert client.base_url == BASE
        inner = client._transport._client
    assert inner.is_closed
    other = make_client("async")
    await other.aclose()
    assert other._transport._client.is_closed


def test_sync_client_context_manager_and_close() -> None:
    with SyncRossumAPIClient(BASE, Token("tok")) as client:
        inner = client._transport._client
    assert inner.is_closed


async def test_own_http_client_is_not_closed() -> None:
    async with httpx.AsyncClient() as own:
        client = AsyncRossumAPIClient(BASE, Token("tok"), http_client=own)
        await client.close()
        assert not own.is_closed


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_custom_headers_on_every_request(flavour: str, api: ScriptedAPI) -> None:
    api.script(Expect("GET", "queues/1", body=payload("Queue")))
    client = make_client(flavour, headers={"X-Team": "ap"})
    await run(client.retrieve_queue(1))
    await close(client)
    assert api.requests[0].headers["X-Team"] == "ap"


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_unknown_server_values_reach_the_caller(flavour: str, api: ScriptedAPI) -> None:
    api.script(Expect("GET", TASK, NO_REDIRECT, body=task("paused", type="ai_batch", new_field={"x": 1})))
    client = make_client(flavour)
    result = await run(client.retrieve_task(5))
    await close(client)
    assert (result.status, result.type, result.new_field) == ("paused", "ai_batch", {"x": 1})
