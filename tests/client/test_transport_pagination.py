"""Page-number and cursor pagination and streamed downloads, against both flavours."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from rossum_iac.client._core.pagination import list_params
from rossum_iac.client.credentials import Token, UserCredentials
from rossum_iac.client.errors import APIClientError, APITransportError

from ._transport_support import (  # noqa: F401  (fixtures)
    BASE,
    LOGIN,
    ChunkStream,
    api_fixture,
    collect,
    flavour_fixture,
    make_fixture,
    page_body,
    page_of,
    sleeps_fixture,
)


def pages_route(api: respx.MockRouter, total: int | None, path: str = "queues", method: str = "GET") -> respx.Route:
    return api.route(method=method, url=f"{BASE}/{path}").mock(
        side_effect=lambda request: httpx.Response(200, json=page_body(page_of(request), total))
    )


def pages_of(bodies: list[dict[str, Any]]) -> list[int]:
    return [body["results"][0]["page"] for body in bodies]


# -- page-number pagination --------------------------------------------------------------------------------------


async def test_pages_in_order_with_sdk_params(api: respx.MockRouter, make: Any) -> None:
    route = pages_route(api, total=3)
    params = list_params(ordering=["name", "-id"], filters={"workspace": 7})
    bodies = await collect(make(Token("t")).paginate("queues", params=params))
    assert pages_of(bodies) == [1, 2, 3]
    assert all("pagination" in body for body in bodies)  # whole page bodies, not just results
    queries = sorted((str(c.request.url.query, "ascii") for c in route.calls), key=len)
    assert queries[0] == "page_size=100&include_total=true&ordering=name%2C-id&sideload=&content.schema_id=&workspace=7"
    assert sorted(queries[1:]) == [queries[0] + "&page=2", queries[0] + "&page=3"]


async def test_user_filters_override_defaults(api: respx.MockRouter, make: Any) -> None:
    route = pages_route(api, total=1)
    await collect(make(Token("t")).paginate("queues", params={"page_size": 5, "include_total": False}))
    assert route.calls.last.request.url.params["page_size"] == "5"
    assert route.calls.last.request.url.params["include_total"] == "false"


async def test_sideloads_are_yielded_with_each_page(api: respx.MockRouter, make: Any) -> None:
    api.get(f"{BASE}/annotations").mock(
        side_effect=lambda r: httpx.Response(200, json=page_body(page_of(r), 2, documents=[{"id": page_of(r)}]))
    )
    bodies = await collect(make(Token("t")).paginate("annotations", params=list_params(sideloads=["documents"])))
    assert [b["documents"] for b in bodies] == [[{"id": 1}], [{"id": 2}]]


async def test_user_page_filter_starts_there(api: respx.MockRouter, make: Any) -> None:
    route = pages_route(api, total=5)
    bodies = await collect(make(Token("t")).paginate("queues", params={"page": 3, "page_size": 1}))
    assert pages_of(bodies) == [3, 4, 5]  # the SDK yields 3, 2, 3 (K13)
    assert sorted(page_of(c.request) for c in route.calls) == [3, 4, 5]


@pytest.mark.parametrize(("max_pages", "expected"), [(None, 6), (0, 6), (1, 1), (3, 3), (10, 6)])
async def test_max_pages(api: respx.MockRouter, make: Any, max_pages: int | None, expected: int) -> None:
    route = pages_route(api, total=6)
    bodies = await collect(make(Token("t")).paginate("queues", max_pages=max_pages))
    assert pages_of(bodies) == list(range(1, expected + 1))
    assert route.call_count == expected


async def test_max_pages_counts_from_user_page(api: respx.MockRouter, make: Any) -> None:
    pages_route(api, total=9)
    bodies = await collect(make(Token("t")).paginate("queues", params={"page": 4}, max_pages=2))
    assert pages_of(bodies) == [4, 5]


async def test_without_total_pages_follows_next(api: respx.MockRouter, make: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        page = page_of(request)
        body = page_body(page, None)
        if page == 4:
            body["pagination"]["next"] = None
        return httpx.Response(200, json=body)

    route = api.get(f"{BASE}/queues").mock(side_effect=answer)
    bodies = await collect(make(Token("t")).paginate("queues", params={"include_total": False}))
    assert pages_of(bodies) == [1, 2, 3, 4]
    assert route.call_count == 4
    bodies = await collect(make(Token("t")).paginate("queues", params={"include_total": False}, max_pages=2))
    assert pages_of(bodies) == [1, 2]


async def test_body_without_pagination_is_single_shot(api: respx.MockRouter, make: Any) -> None:
    route = api.get(f"{BASE}/hooks/logs").respond(200, json={"results": [{"log": 1}]})
    bodies = await collect(make(Token("t")).paginate("hooks/logs", params={"hook": 3}))
    assert bodies == [{"results": [{"log": 1}]}]
    assert route.call_count == 1


async def test_paginated_post_resends_body(api: respx.MockRouter, make: Any) -> None:
    route = pages_route(api, total=2, path="annotations/search", method="POST")
    query = {"query": {"$and": [{"field": "status", "value": "exported"}]}}
    bodies = await collect(make(Token("t")).paginate("annotations/search", method="POST", json=query))
    assert pages_of(bodies) == [1, 2]
    assert [json.loads(c.request.content) for c in route.calls] == [query, query]


async def test_page_error_propagates(api: respx.MockRouter, make: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if page_of(request) == 2:
            return httpx.Response(404, text="gone")
        return httpx.Response(200, json=page_body(page_of(request), 3))

    api.get(f"{BASE}/queues").mock(side_effect=answer)
    with pytest.raises(APIClientError) as info:
        await collect(make(Token("t")).paginate("queues"))
    assert info.value.status_code == 404


async def test_non_object_page_is_an_error(api: respx.MockRouter, make: Any) -> None:
    api.get(f"{BASE}/queues").respond(200, json=[1, 2])
    with pytest.raises(APIClientError, match="expected a JSON object"):
        await collect(make(Token("t")).paginate("queues"))


async def test_early_stop_sync_is_lazy(api: respx.MockRouter, make: Any, flavour: str) -> None:
    route = pages_route(api, total=50)
    bodies = await collect(make(Token("t"), max_in_flight_requests=4).paginate("queues"), limit=2)
    assert pages_of(bodies) == [1, 2]
    # sync fetches nothing ahead; async at most max_in_flight_requests pages ahead (see test_transport_concurrency)
    assert route.call_count == 2 if flavour == "sync" else route.call_count <= 2 + 4


# -- cursor pagination -------------------------------------------------------------------------------------------


async def test_cursor_follows_next_verbatim_and_resends_body(api: respx.MockRouter, make: Any) -> None:
    next_urls = {1: f"{BASE}/annotations/search?search_after=abc", 2: f"{BASE}/annotations/search?search_after=def"}

    def answer(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("search_after")
        n = {None: 1, "abc": 2, "def": 3}[cursor]
        return httpx.Response(200, json={"results": [n], "next": next_urls.get(n), "pagination": {"next": "ignored"}})

    route = api.post(f"{BASE}/annotations/search").mock(side_effect=answer)
    body = {"query": {"status": "to_review"}}
    t = make(Token("t"))
    bodies = await collect(t.cursor_paginate("annotations/search", params={"page_size": 2}, method="POST", json=body))
    assert [b["results"] for b in bodies] == [[1], [2], [3]]
    urls = [str(c.request.url) for c in route.calls]
    assert urls == [f"{BASE}/annotations/search?page_size=2", next_urls[1], next_urls[2]]  # no extra params
    assert all(json.loads(c.request.content) == body for c in route.calls)

    route.reset()
    bodies = await collect(t.cursor_paginate("annotations/search", method="POST", json=body, max_pages=2))
    assert [b["results"] for b in bodies] == [[1], [2]]
    assert route.call_count == 2


# -- streams -----------------------------------------------------------------------------------------------------


async def test_stream_yields_chunks_with_auth(api: respx.MockRouter, make: Any) -> None:
    route = api.get(f"{BASE}/queues/1/export").mock(
        return_value=httpx.Response(200, stream=ChunkStream([b"a,b\n", b"1,2\n"]))
    )
    chunks = await collect(make(Token("tok")).stream("GET", "queues/1/export", params={"format": "csv"}))
    assert b"".join(chunks) == b"a,b\n1,2\n"
    assert route.calls.last.request.headers["authorization"] == "Bearer tok"
    assert route.calls.last.request.url.params["format"] == "csv"


async def test_stream_failing_after_data_is_not_retried(api: respx.MockRouter, make: Any) -> None:
    route = api.get(f"{BASE}/queues/1/export").mock(
        side_effect=lambda r: httpx.Response(200, stream=ChunkStream([b"AAA,"], httpx.ReadError("reset")))
    )
    received: list[bytes] = []
    with pytest.raises(APITransportError, match="stream interrupted after data was delivered: ReadError: reset"):
        stream = make(Token("t")).stream("GET", "queues/1/export")
        if hasattr(stream, "__aiter__"):
            async for chunk in stream:
                received.append(chunk)
        else:
            for chunk in stream:
                received.append(chunk)
    assert received == [b"AAA,"]  # never re-yielded from the start (the SDK gives AAA,AAA,..., K3)
    assert route.call_count == 1


async def test_stream_failing_before_data_is_retried(api: respx.MockRouter, make: Any, sleeps: list[float]) -> None:
    route = api.get(f"{BASE}/queues/1/export").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(200, stream=ChunkStream([], httpx.ReadError("reset"))),
            httpx.Response(503),
            httpx.Response(200, stream=ChunkStream([b"AAA,", b"BBB"])),
        ]
    )
    chunks = await collect(make(Token("t"), n_retries=4).stream("GET", "queues/1/export"))
    assert b"".join(chunks) == b"AAA,BBB"
    assert route.call_count == 4
    assert len(sleeps) == 3


async def test_stream_post_not_retried_on_read_error(api: respx.MockRouter, make: Any) -> None:
    route = api.post(f"{BASE}/queues/1/export").mock(
        side_effect=lambda r: httpx.Response(200, stream=ChunkStream([], httpx.ReadError("reset")))
    )
    with pytest.raises(APITransportError, match="ReadError"):
        await collect(make(Token("t")).stream("POST", "queues/1/export", json={"to_status": "exported"}))
    assert route.call_count == 1


async def test_stream_error_status(api: respx.MockRouter, make: Any) -> None:
    api.get(f"{BASE}/queues/1/export").respond(400, content=b'{"detail": "bad format \xff"}')
    with pytest.raises(APIClientError) as info:
        await collect(make(Token("t")).stream("GET", "queues/1/export"))
    assert info.value.status_code == 400
    assert info.value.error == '{"detail": "bad format \ufffd"}'


async def test_stream_token_401_does_not_log_in(api: respx.MockRouter, make: Any) -> None:
    login = api.post(LOGIN).respond(200, json={"key": "x"})
    api.get(f"{BASE}/queues/1/export").respond(401)
    with pytest.raises(APIClientError) as info:
        await collect(make(Token("t")).stream("GET", "queues/1/export"))
    assert info.value.status_code == 401
    assert login.call_count == 0  # the sync SDK logs in with empty credentials here (K2)


async def test_stream_401_relogs_in_once(api: respx.MockRouter, make: Any) -> None:
    login = api.post(LOGIN).mock(
        side_effect=[httpx.Response(200, json={"key": "k1"}), httpx.Response(200, json={"key": "k2"})]
    )
    api.get(f"{BASE}/queues/1/export").mock(
        side_effect=lambda r: (
            httpx.Response(200, stream=ChunkStream([b"ok"]))
            if r.headers["authorization"] == "Bearer k2"
            else httpx.Response(401)
        )
    )
    chunks = await collect(make(UserCredentials("u", "p")).stream("GET", "queues/1/export"))
    assert chunks == [b"ok"]
    assert login.call_count == 2


async def test_stream_persistent_401_raises(api: respx.MockRouter, make: Any) -> None:
    login = api.post(LOGIN).respond(200, json={"key": "k"})
    route = api.get(f"{BASE}/queues/1/export").respond(401)
    with pytest.raises(APIClientError):
        await collect(make(UserCredentials("u", "p")).stream("GET", "queues/1/export"))
    assert (login.call_count, route.call_count) == (2, 2)


async def test_stream_closed_early_closes_response(api: respx.MockRouter, make: Any) -> None:
    closed: list[bool] = []

    class Tracked(ChunkStream):
        def close(self) -> None:
            closed.append(True)

        async def aclose(self) -> None:
            closed.append(True)

    api.get(f"{BASE}/big").mock(return_value=httpx.Response(200, stream=Tracked([b"1", b"2", b"3"])))
    chunks = await collect(make(Token("t")).stream("GET", "big"), limit=1)
    assert chunks == [b"1"]
    assert closed == [True]


async def test_stream_error_body_that_fails_to_arrive(api: respx.MockRouter, make: Any) -> None:
    api.get(f"{BASE}/queues/1/export").mock(
        side_effect=lambda r: httpx.Response(404, stream=ChunkStream([], httpx.ReadError("reset")))
    )
    with pytest.raises(APIClientError) as info:
        await collect(make(Token("t")).stream("GET", "queues/1/export"))
    assert (info.value.status_code, info.value.error) == (404, "")
