"""Requests an apply spends besides the creates: a template of a queue created in the same apply lists the queue's
own templates only when it configures one of them (the plan says which; a new template is simply created), and the
records of the templates of one queue that are ready together are one write of its marker."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from rossum_iac.client import AsyncRossumAPIClient, Token
from rossum_iac.emulator import serve_in_thread
from rossum_iac.engine import execute, make_plan
from rossum_iac.manifest.model import DesiredObject, Ref, SourceLocation, Stack

SOURCE = SourceLocation(Path("stack.yaml"))
CONTENT = [{"category": "section", "id": "s", "label": "S", "children": [
    {"category": "datapoint", "id": "d", "label": "D", "type": "string"}]}]


def _obj(kind: str, key: str, **fields: Any) -> DesiredObject:
    return DesiredObject(kind=kind, key=key, fields=fields, source=SOURCE)


def _stack() -> Stack:
    objects = (
        _obj("Workspace", "ws", name="WS"),
        _obj("Schema", "sc", name="SC", content=CONTENT),
        _obj("Queue", "q", name="Q", workspace=Ref("Workspace", "ws"), schema=Ref("Schema", "sc")),
        _obj("EmailTemplate", "reminder", name="Reminder", type="custom", queue=Ref("Queue", "q"), subject="Hi"),
        _obj("EmailTemplate", "other", name="Other", type="custom", queue=Ref("Queue", "q"), subject="Yo"),
        _obj("EmailTemplate", "reject", name="Rejected", type="rejection_default", queue=Ref("Queue", "q"),
             subject="Sorry"),
    )
    return Stack(name="requests", root=Path("."), objects=objects, digest="sha256:requests")


async def test_only_templates_configuring_a_default_look_the_defaults_up() -> None:
    sent: list[tuple[str, str]] = []

    def count(response: Any) -> None:
        sent.append((response.request.method, str(response.request.url)))

    with serve_in_thread() as emu:
        async with AsyncRossumAPIClient(emu.base_url, Token(emu.token), requests_per_second=0,
                                        response_post_processor=count) as client:
            plan, context = await make_plan(client, _stack())
            sent.clear()
            result = await execute(client, plan, context, parallelism=4)
            assert result.ok, [r.to_json() for r in result.results]
            lookups = [url for method, url in sent if method == "GET" and "email_templates?" in url and "queue=" in url]
            assert len(lookups) == 1  # the rejection_default template only
            templates = [t async for t in client.request_paginated("email_templates")]
            queue_id = next(r.id for r in result.results if r.address == "Queue/q")
            mine = [t for t in templates if str(t.get("queue", "")).endswith(f"/queues/{queue_id}")]
            names = sorted(t["name"] for t in mine)
            assert names.count("Reminder") == 1 and names.count("Other") == 1
            assert len([t for t in mine if t.get("type") == "rejection_default"]) == 1  # configured, not added
            again, _ = await make_plan(client, _stack())
            assert not again.has_changes


@pytest.mark.parametrize("parallelism", [1, 4])
async def test_templates_of_one_queue_are_recorded_in_one_write_of_its_marker(parallelism: int) -> None:
    patches: list[str] = []

    def count(response: Any) -> None:
        if response.request.method == "PATCH" and "/queues/" in str(response.request.url):
            patches.append(str(response.request.url))

    with serve_in_thread(latency_ms=2) as emu:
        async with AsyncRossumAPIClient(emu.base_url, Token(emu.token), requests_per_second=0,
                                        response_post_processor=count) as client:
            plan, context = await make_plan(client, _stack())
            result = await execute(client, plan, context, parallelism=parallelism)
            assert result.ok, [r.to_json() for r in result.results]
            assert len(patches) == 1, patches  # the three templates' records, one write of the queue's marker
            again, _ = await make_plan(client, _stack())
            assert not again.has_changes
            patches.clear()
            # removing two of them: both records go in one write too (deleted and forgotten together)
            kept = dataclasses.replace(_stack(), objects=_stack().objects[:4])
            plan, context = await make_plan(client, kept)
            result = await execute(client, plan, context, parallelism=parallelism)
            assert result.ok, [r.to_json() for r in result.results]
            assert len(patches) == 1, patches
            final, _ = await make_plan(client, kept)
            assert not final.has_changes
