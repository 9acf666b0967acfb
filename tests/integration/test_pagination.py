"""Listings past 100 objects (the client's page size), both flavours: every object once, in order."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from ._support import PDF_BYTES, ClientAPI


def _requests(api: ClientAPI, method: str, path: str) -> list[dict[str, list[str]]]:
    """Query strings of the requests to ``path`` (as the emulator received them)."""
    out = []
    for logged_method, target, status in api.emu.request_log:
        split = urlsplit(target)
        if logged_method == method and split.path == f"/api/v1/{path}":
            assert status == 200, target
            out.append(parse_qs(split.query, keep_blank_values=True))
    return out


async def test_250_workspaces_in_order_without_duplicates(api: ClientAPI) -> None:
    org = await api.retrieve_own_organization()
    created = [
        (await api.create_new_workspace({"name": f"ws-{n:03d}", "organization": org.url})).id for n in range(250)
    ]
    api.emu.request_log.clear()

    listed = await api.list_workspaces()
    assert [w.id for w in listed] == sorted(created), "default ordering is by id"
    pages = _requests(api, "GET", "workspaces")
    assert sorted(q.get("page", ["1"])[0] for q in pages) == ["1", "2", "3"]
    assert all(q["page_size"] == ["100"] and q["include_total"] == ["true"] for q in pages)

    by_name_desc = await api.list_workspaces(ordering=["-name"])
    assert [w.name for w in by_name_desc] == [f"ws-{n:03d}" for n in reversed(range(250))]
    filtered = await api.list_workspaces(organization=org.id, ordering=["id"])
    assert len({w.id for w in filtered}) == len(filtered) == 250
    raw = await api.request_paginated("workspaces", ordering=["name"])
    assert [w["name"] for w in raw] == [f"ws-{n:03d}" for n in range(250)]


async def test_queues_and_their_email_templates_past_100(api: ClientAPI) -> None:
    org = await api.retrieve_own_organization()
    workspace = await api.create_new_workspace({"name": "Many", "organization": org.url})
    schema = await api.create_new_schema({"name": "S", "content": []})
    queue_ids = []
    for n in range(110):
        queue = await api.create_new_queue({"name": f"q-{n:03d}", "workspace": workspace.url, "schema": schema.url})
        queue_ids.append(queue.id)

    queues = await api.list_queues(workspace=workspace.id, ordering=["-name"])
    assert [q.id for q in queues] == queue_ids[::-1]
    templates = await api.list_email_templates()
    assert len(templates) == len({t.id for t in templates}) == 5 * 110, "five default templates per queue"
    assert [t.id for t in templates] == sorted(t.id for t in templates)


async def test_annotations_list_and_search_past_100(api: ClientAPI) -> None:
    _, _, queue = await api.make_queue()
    document = await api.create_new_document("shared.pdf", PDF_BYTES)
    ids = [
        (await api.create_new_annotation({"status": "created", "document": document.url, "queue": queue.url})).id
        for _ in range(130)
    ]
    listed = await api.list_annotations(queue=queue.id, ordering=["id"])
    assert [a.id for a in listed] == ids

    api.emu.request_log.clear()
    found = await api.search_for_annotations(query={"queue": {"$eq": queue.url}}, ordering=["-id"])
    assert [a.id for a in found] == ids[::-1]
    searches = _requests(api, "POST", "annotations/search")
    assert len(searches) == 2 and "search_after" in searches[1], "the second page follows pagination.next"
