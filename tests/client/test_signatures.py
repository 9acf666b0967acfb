"""Both clients have every public SDK method with a compatible signature (data/sdk_methods.json).

``sdk_methods.json`` was extracted once from the SDK's client documentation and the conformance method table
(``data/extract_sdk_methods.py``). Compatible means: the SDK's parameters in the same order with the same kinds
and defaults; extra parameters only keyword-only with a default, placed after the SDK's own (before ``**kwargs``).
Async methods are coroutine functions, listing methods async generator functions; sync ones are neither.
"""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from rossum_iac.client import AsyncRossumAPIClient, SyncRossumAPIClient

SDK = json.loads((Path(__file__).parent / "data" / "sdk_methods.json").read_text())
METHODS: list[dict[str, Any]] = SDK["methods"]
CLIENTS = {"async": AsyncRossumAPIClient, "sync": SyncRossumAPIClient}


def _default_source(param: inspect.Parameter) -> str | None:
    if param.default is inspect.Parameter.empty:
        return None
    return repr(param.default)


def _same_default(sdk_default: str | None, ours: str | None) -> bool:
    if sdk_default is None or ours is None:
        return sdk_default == ours
    return bool(ast.literal_eval(sdk_default) == ast.literal_eval(ours))


def test_extraction_has_the_whole_sdk_surface() -> None:
    names = [m["name"] for m in METHODS]
    assert len(names) == len(set(names)) == 96  # 95 per SDK class: 94 shared + get_token + retrieve_my_organization
    assert {m["name"] for m in METHODS if m["sdk_flavours"] == ["async"]} == {"get_token"}
    assert {m["name"] for m in METHODS if m["sdk_flavours"] == ["sync"]} == {"retrieve_my_organization"}


@pytest.mark.parametrize("flavour", CLIENTS)
@pytest.mark.parametrize("sdk", METHODS, ids=[m["name"] for m in METHODS])
def test_signature_compatible(sdk: dict[str, Any], flavour: str) -> None:
    method = getattr(CLIENTS[flavour], sdk["name"], None)
    assert method is not None, f"{flavour} client lacks {sdk['name']}"
    params = list(inspect.signature(method).parameters.values())[1:]  # drop self
    sdk_params = sdk["params"]
    ours_by_kind = [p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD]
    sdk_no_varkw = [p for p in sdk_params if p["kind"] != "VAR_KEYWORD"]
    for index, expected in enumerate(sdk_no_varkw):
        assert index < len(ours_by_kind), f"missing parameter {expected['name']}"
        ours = ours_by_kind[index]
        assert ours.name == expected["name"]
        assert ours.kind.name == expected["kind"], ours
        assert _same_default(expected["default"], _default_source(ours)), (ours, expected["default"])
    for extra in ours_by_kind[len(sdk_no_varkw) :]:
        assert extra.kind is inspect.Parameter.KEYWORD_ONLY, f"extra parameter {extra.name} must be keyword-only"
        assert extra.default is not inspect.Parameter.empty, f"extra parameter {extra.name} needs a default"
    has_varkw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    assert has_varkw == any(p["kind"] == "VAR_KEYWORD" for p in sdk_params)
    if has_varkw:
        assert params[-1].kind is inspect.Parameter.VAR_KEYWORD and params[-1].name == sdk_params[-1]["name"]


@pytest.mark.parametrize("sdk", METHODS, ids=[m["name"] for m in METHODS])
def test_async_and_sync_kinds(sdk: dict[str, Any]) -> None:
    async_method = getattr(AsyncRossumAPIClient, sdk["name"])
    sync_method = getattr(SyncRossumAPIClient, sdk["name"])
    if sdk["iterator"]:
        assert inspect.isasyncgenfunction(async_method)
        assert inspect.isgeneratorfunction(sync_method)
    else:
        assert inspect.iscoroutinefunction(async_method)
        assert not inspect.iscoroutinefunction(sync_method) and not inspect.isgeneratorfunction(sync_method)
    assert not inspect.isasyncgenfunction(sync_method)


def test_both_flavours_have_the_same_methods_and_signatures() -> None:
    def surface(cls: type) -> dict[str, str]:
        out = {}
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") and name != "__init__":
                continue
            text = str(inspect.signature(member))
            for async_name, sync_name in (("AsyncIterator", "Iterator"), ("httpx.AsyncClient", "httpx.Client")):
                text = text.replace(async_name, sync_name)
            out[name] = text
        return out

    async_surface = surface(AsyncRossumAPIClient)
    assert async_surface.pop("aclose") == async_surface["close"]
    assert async_surface == surface(SyncRossumAPIClient)


@pytest.mark.parametrize("flavour", CLIENTS)
def test_constructor_matches_the_async_sdk(flavour: str) -> None:
    params = list(inspect.signature(CLIENTS[flavour].__init__).parameters.values())[1:]
    expected = [
        ("base_url", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("credentials", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("deserializer", "KEYWORD_ONLY", None),
        ("timeout", "KEYWORD_ONLY", None),
        ("n_retries", "KEYWORD_ONLY", 3),
        ("retry_backoff_factor", "KEYWORD_ONLY", 1.0),
        ("retry_max_jitter", "KEYWORD_ONLY", 1.0),
        # Deliberately not the SDK's 4: ours bounds every request of the client (the SDK only the pages of one
        # listing) and pacing keeps the rate polite; see DEFAULT_MAX_IN_FLIGHT_REQUESTS.
        ("max_in_flight_requests", "KEYWORD_ONLY", 16),
        ("response_post_processor", "KEYWORD_ONLY", None),
    ]
    assert [(p.name, p.kind.name, p.default) for p in params[: len(expected)]] == expected
    extras = {p.name: p.default for p in params[len(expected) :]}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[len(expected) :])
    assert extras == {
        "http_client": None,
        "headers": None,
        "requests_per_second": 10.0,  # the API's documented limit
        "throttle_timeout": 300.0,
    }


def test_public_imports() -> None:
    import rossum_iac.client as client_package
    from rossum_iac.client import (  # noqa: F401  (the import itself is the test)
        APIClientError,
        APIThrottledError,
        APITransportError,
        AsyncRossumAPIClient,
        PollingTimeoutError,
        Resource,
        SyncRossumAPIClient,
        TaskFailedError,
        Token,
        UserCredentials,
        models,
    )

    assert issubclass(APITransportError, APIClientError) and issubclass(APIThrottledError, APIClientError)
    assert models.Queue.__name__ == "Queue" and Resource.Queue.value == "queues"
    assert set(client_package.__all__) >= {"AsyncRossumAPIClient", "SyncRossumAPIClient", "Token", "models"}
