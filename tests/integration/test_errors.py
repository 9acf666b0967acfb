"""API errors surface as ``APIClientError`` with the status code and a readable ``detail``, both flavours;
4xx answers are not retried (one request each in the emulator's log)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from rossum_iac.client import APIClientError, APITransportError

from ._support import PDF_BYTES, ClientAPI

Call = Callable[[], Awaitable[Any]]


async def expect_error(api: ClientAPI, call: Call, status: int) -> APIClientError:
    """Run ``call``; it must raise ``APIClientError(status)`` after exactly one request."""
    before = len(api.emu.request_log)
    with pytest.raises(APIClientError) as caught:
        await call()
    error = caught.value
    assert not isinstance(error, APITransportError)
    assert error.status_code == status, str(error)
    sent = api.emu.request_log[before:]
    assert [s for _, _, s in sent] == [status], f"a {status} must not be retried: {sent}"
    assert f"HTTP {status}" in str(error) and error.url.startswith(api.emu.base_url)
    assert api.emu.token not in str(error)
    return error


async def test_not_found(api: ClientAPI) -> None:
    await api.retrieve_current_user()  # log in first, so the login is not part of the counted requests
    for call in (
        lambda: api.retrieve_queue(999_999),
        lambda: api.retrieve_workspace(999_999),
        lambda: api.retrieve_annotation(999_999),
        lambda: api.update_part_hook(999_999, {"name": "x"}),
        lambda: api.delete_rule(999_999),
        lambda: api.retrieve_task(999_999),
    ):
        error = await expect_error(api, call, 404)
        assert error.detail == "Not found."
    error = await expect_error(api, lambda: api.retrieve_document_content(999_999), 404)
    assert error.method == "GET" and error.url.endswith("/documents/999999/content")


async def test_bad_request(api: ClientAPI) -> None:
    org = await api.retrieve_own_organization()
    workspace = await api.create_new_workspace({"name": "W", "organization": org.url})

    error = await expect_error(api, lambda: api.create_new_queue({"name": "Q", "workspace": workspace.url}), 400)
    assert error.detail == "schema: This field is required."
    error = await expect_error(api, lambda: api.create_new_workspace({"name": "", "organization": org.url}), 400)
    assert error.detail.startswith("name: ") and "blank" in error.detail
    missing_schema = f"{api.emu.base_url}/schemas/999999"
    error = await expect_error(
        api, lambda: api.create_new_queue({"name": "Q", "workspace": workspace.url, "schema": missing_schema}), 400
    )
    assert error.detail.startswith("schema: ")
    error = await expect_error(
        api, lambda: api.create_new_hook({"name": "H", "events": [], "config": {}, "type": "carrier-pigeon"}), 400
    )
    assert error.detail.startswith("type: ") and "carrier-pigeon" in error.detail
    error = await expect_error(api, lambda: api.create_new_schema({"name": "S", "content": [{"id": "x"}]}), 400)
    assert error.detail.startswith("content")
    document = await api.create_new_document("a.pdf", PDF_BYTES)
    _, _, queue = await api.make_queue()
    error = await expect_error(
        api,
        lambda: api.create_new_annotation({"status": "to_review", "document": document.url, "queue": queue.url}),
        400,
    )
    assert error.detail.startswith("status: ") and "created" in error.detail
    # client-side validation happens before any request
    before = len(api.emu.request_log)
    with pytest.raises(ValueError, match="query"):
        await api.search_for_annotations()
    with pytest.raises(ValueError, match="content_schema_ids"):
        await api.list_annotations(sideloads=["content"])
    with pytest.raises(FileNotFoundError):
        await api.upload_document(queue.id, [(api.tmp_path / "missing.pdf", "missing.pdf")])
    assert len(api.emu.request_log) == before


async def test_conflicts(api: ClientAPI) -> None:
    workspace, schema, queue = await api.make_queue()

    error = await expect_error(api, lambda: api.delete_workspace(workspace.id), 409)
    assert error.detail and "queue" in error.detail.lower()
    error = await expect_error(api, lambda: api.delete_schema(schema.id), 409)
    assert error.detail and error.detail != error.error

    document = await api.create_new_document("a.pdf", PDF_BYTES)
    annotation = await api.create_new_annotation({"status": "created", "document": document.url, "queue": queue.url})
    assert annotation.id is not None
    error = await expect_error(api, lambda: api.start_annotation(annotation.id), 409)
    assert "created" in error.detail

    files = {"content": ("dup.pdf", PDF_BYTES, "application/pdf")}
    params = {"queue": queue.id, "reject_identical": "true"}
    assert (await api.request("POST", "uploads", params=params, files=files)).status_code == 202
    error = await expect_error(api, lambda: api.request("POST", "uploads", params=params, files=files), 409)
    assert error.detail
