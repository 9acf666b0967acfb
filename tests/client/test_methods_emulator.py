"""Both clients against the local emulator (real HTTP on 127.0.0.1): the configuration objects' life cycle that
the plan/apply engine relies on, so a mismatch between the client and the documented API shapes shows up here
and not only in respx tables written by the same hand."""

from __future__ import annotations

from typing import Any

import pytest

from rossum_iac.client import APIClientError, Token, UserCredentials
from rossum_iac.client.models import (
    Connector,
    EmailTemplate,
    Group,
    Hook,
    Inbox,
    Organization,
    OrganizationLimit,
    Queue,
    Rule,
    Schema,
    Section,
    User,
    Workspace,
)

from .test_methods_support import FLAVOURS, make_client, run

SCHEMA_CONTENT = [
    {
        "category": "section",
        "id": "invoice_section",
        "label": "Invoice",
        "children": [
            {"category": "datapoint", "id": "invoice_id", "label": "Invoice number", "type": "string"},
            {
                "category": "multivalue",
                "id": "line_items",
                "label": "Items",
                "children": {
                    "category": "tuple",
                    "id": "line_item",
                    "label": "Item",
                    "children": [{"category": "datapoint", "id": "item_amount", "label": "Amount", "type": "number"}],
                },
            },
        ],
    }
]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_configuration_life_cycle(flavour: str, emulator: Any) -> None:
    client = make_client(flavour, UserCredentials("admin@example.com", "admin"), emulator.base_url)
    try:
        org = await run(client.retrieve_own_organization())
        assert isinstance(org, Organization)
        assert isinstance(await run(client.retrieve_organization_limit(org.id)), OrganizationLimit)
        roles = await run(client.list_user_roles())
        assert roles and all(isinstance(r, Group) for r in roles)
        me = await run(client.retrieve_current_user())
        assert isinstance(me, User) and me.username == "admin@example.com"

        marker = {"rossum_iac": {"stack": "test", "key": "ws"}}
        workspace = await run(client.create_new_workspace({"name": "AP", "organization": org.url, "metadata": marker}))
        assert isinstance(workspace, Workspace) and workspace.metadata == marker
        schema = await run(client.create_new_schema({"name": "Invoices", "content": SCHEMA_CONTENT}))
        assert isinstance(schema, Schema) and isinstance(schema.content[0], Section)
        assert schema.get_by_id("item_amount").parent.id == "line_item"  # type: ignore[union-attr]
        queue = await run(client.create_new_queue({"name": "Q", "workspace": workspace.url, "schema": schema.url}))
        assert isinstance(queue, Queue) and queue.schema == schema.url

        listed = await run(client.list_queues(workspace=workspace.id))
        assert [q.id for q in listed] == [queue.id]
        templates = await run(client.list_email_templates(queue=queue.id))
        assert len(templates) == 5 and all(isinstance(t, EmailTemplate) for t in templates)
        custom = await run(client.create_new_email_template({"queue": queue.url, "name": "Thanks", "type": "custom"}))
        assert (await run(client.update_part_email_template(custom.id, {"subject": "Hi"}))).subject == "Hi"

        inbox = await run(client.create_new_inbox({"name": "In", "email_prefix": "ap-in", "queues": [queue.url]}))
        assert isinstance(inbox, Inbox)
        assert [i.id for i in await run(client.list_inboxes())] == [inbox.id]
        assert (await run(client.update_part_inbox(inbox.id, {"name": "Inbox"}))).name == "Inbox"

        hook = await run(
            client.create_new_hook(
                {
                    "name": "H",
                    "queues": [queue.url],
                    "config": {"url": "http://localhost/hook"},
                    "events": ["annotation_status.changed"],
                }
            )
        )
        assert isinstance(hook, Hook) and hook.queues == [queue.url]
        assert (await run(client.update_part_hook(hook.id, {"active": False}))).active is False
        connector = await run(
            client.create_new_connector({"name": "C", "service_url": "http://localhost/svc", "queues": [queue.url]})
        )
        assert isinstance(connector, Connector)
        rule = await run(
            client.create_new_rule(
                {
                    "name": "R",
                    "queues": [queue.url],
                    "trigger_condition": "True",
                    "actions": [
                        {
                            "id": "a1",
                            "type": "show_message",
                            "event": "validation",
                            "payload": {"type": "info", "content": "hi"},
                        }
                    ],
                }
            )
        )
        assert isinstance(rule, Rule) and rule.actions[0].payload.content == "hi"  # type: ignore[union-attr]

        renamed = await run(client.update_part_queue(queue.id, {"name": "Q2"}))
        assert renamed.name == "Q2" and (await run(client.retrieve_queue(queue.id))).name == "Q2"
        updated_schema = await run(client.update_part_schema(schema.id, {"name": "Invoices v2"}))
        assert updated_schema.name == "Invoices v2"
        assert (await run(client.update_part_workspace(workspace.id, {"name": "AP2"}))).name == "AP2"

        await run(client.delete_rule(rule.id))
        await run(client.delete_hook(hook.id))
        await run(client.delete_connector(connector.id))
        await run(client.delete_inbox(inbox.id))
        await run(client.delete_email_template(custom.id))
        await run(client.delete_queue(queue.id, delete_after="0"))
        await run(client.delete_workspace(workspace.id))
        await run(client.delete_schema(schema.id))
        with pytest.raises(APIClientError) as caught:
            await run(client.retrieve_workspace(workspace.id))
        assert caught.value.status_code == 404
    finally:
        await run(client.close())


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_token_client_reads_the_emulator(flavour: str, emulator: Any) -> None:
    client = make_client(flavour, Token(emulator.token), emulator.base_url)
    try:
        assert await run(client.get_token()) == emulator.token
        users = await run(client.list_users(ordering=["username"]))
        assert any(u.username == "admin@example.com" for u in users)
    finally:
        await run(client.close())
