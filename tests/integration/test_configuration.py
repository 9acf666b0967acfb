"""Configuration objects end to end, both flavours: full (PUT) and partial updates, listing filters and
ordering, the links the API keeps between objects, deletion. Complements tests/client/test_methods_emulator.py
(which walks the create/patch/delete life cycle) with the methods and behaviours it does not touch."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rossum_iac.client import APIClientError
from rossum_iac.client.models import (
    Connector,
    EmailTemplate,
    Engine,
    EngineField,
    Hook,
    HookRunData,
    HookTemplate,
    Inbox,
    Rule,
    RulesExecutionLog,
    Schema,
)
from rossum_iac.emulator.resources.hook_logs import record_hook_log
from rossum_iac.emulator.resources.rules_execution_logs import record_rules_execution

from ._support import SCHEMA_CONTENT, ClientAPI, scenario


@scenario
async def test_workspaces_schemas_queues(api: ClientAPI) -> None:
    org = await api.retrieve_own_organization()
    workspace, schema, queue = await api.make_queue()
    other = await api.create_new_workspace({"name": "Another", "organization": org.url})

    assert (await api.retrieve_workspace(workspace.id)).queues == [queue.url]
    assert [w.id for w in await api.list_workspaces(name="Another")] == [other.id]
    assert [w.name for w in await api.list_workspaces(ordering=["-name"])] == ["Invoices WS", "Another"]
    replaced = await api.update_workspace(
        workspace.id, {"name": "AP", "organization": org.url, "metadata": {"team": "ap"}}
    )
    assert (replaced.name, replaced.metadata, replaced.queues) == ("AP", {"team": "ap"}, [queue.url])
    assert (await api.update_part_workspace(workspace.id, {"metadata": {}})).name == "AP"

    assert [s.id for s in await api.list_schemas(name="Invoices schema")] == [schema.id]
    fetched = await api.retrieve_schema(schema.id)
    assert isinstance(fetched, Schema) and fetched.queues == [queue.url]
    content = copy.deepcopy(SCHEMA_CONTENT)
    content[0]["children"].append({"category": "datapoint", "id": "due_date", "label": "Due", "type": "date"})
    put_schema = await api.update_schema(schema.id, {"name": "Invoices v2", "content": content})
    assert put_schema.name == "Invoices v2" and put_schema.get_by_id("due_date") is not None
    assert (await api.update_part_schema(schema.id, {"metadata": {"v": 2}})).get_by_id("due_date") is not None

    assert [q.id for q in await api.list_queues(workspace=workspace.id)] == [queue.id]
    put_queue = await api.update_queue(
        queue.id, {"name": "Invoices EU", "workspace": workspace.url, "schema": schema.url, "locale": "de_DE"}
    )
    assert (put_queue.name, put_queue.locale) == ("Invoices EU", "de_DE")
    patched = await api.update_part_queue(queue.id, {"workspace": other.url, "session_timeout": "00:30:00"})
    assert (patched.workspace, patched.session_timeout) == (other.url, "00:30:00")
    assert (await api.retrieve_workspace(workspace.id)).queues == []
    assert (await api.retrieve_queue(queue.id)).locale == "de_DE"

    # DELETE queues/{id} without delete_after schedules the deletion (facts 5.3): 202, status
    # deletion_requested, delete_after set, unlinked from its workspace, which becomes deletable.
    await api.delete_queue(queue.id)
    assert ("DELETE", f"/api/v1/queues/{queue.id}", 202) in api.emu.request_log
    scheduled = await api.retrieve_queue(queue.id)
    assert scheduled.status == "deletion_requested" and scheduled.delete_after and scheduled.workspace is None
    await api.delete_workspace(other.id)
    await api.delete_queue(queue.id, delete_after="0")
    await api.delete_schema(schema.id)
    await api.delete_workspace(workspace.id)
    for retrieve, object_id in (
        (api.retrieve_queue, queue.id),
        (api.retrieve_schema, schema.id),
        (api.retrieve_workspace, workspace.id),
    ):
        with pytest.raises(APIClientError) as caught:
            await retrieve(object_id)
        assert caught.value.status_code == 404


@scenario
async def test_connectors_inboxes_email_templates(api: ClientAPI) -> None:
    _, _, queue = await api.make_queue()

    connector = await api.create_new_connector(
        {"name": "ERP", "service_url": "http://localhost/erp", "queues": [queue.url], "asynchronous": False}
    )
    assert isinstance(connector, Connector) and (await api.retrieve_queue(queue.id)).connector == connector.url
    assert (await api.retrieve_connector(connector.id)).asynchronous is False
    assert [c.id for c in await api.list_connectors(name="ERP")] == [connector.id]
    put_connector = await api.update_connector(
        connector.id, {"name": "ERP 2", "service_url": "http://localhost/erp2", "queues": [queue.url]}
    )
    assert (put_connector.name, put_connector.service_url) == ("ERP 2", "http://localhost/erp2")
    assert (await api.update_part_connector(connector.id, {"params": "x=1"})).params == "x=1"
    await api.delete_connector(connector.id)
    assert (await api.retrieve_queue(queue.id)).connector is None

    inbox = await api.create_new_inbox({"name": "AP inbox", "email_prefix": "ap-invoices", "queues": [queue.url]})
    assert isinstance(inbox, Inbox) and inbox.email.startswith("ap-invoices")
    assert (await api.retrieve_queue(queue.id)).inbox == inbox.url
    assert (await api.retrieve_inbox(inbox.id)).queues == [queue.url]
    assert [i.id for i in await api.list_inboxes(name="AP inbox")] == [inbox.id]
    put_inbox = await api.update_inbox(
        inbox.id, {"name": "AP inbox 2", "email_prefix": "ap-invoices", "bounce_email_to": "ops@example.com"}
    )
    assert (put_inbox.name, put_inbox.bounce_email_to, put_inbox.email) == (
        "AP inbox 2",
        "ops@example.com",
        inbox.email,
    )
    assert (await api.update_part_inbox(inbox.id, {"dmarc_check_action": "drop"})).dmarc_check_action == "drop"
    await api.delete_inbox(inbox.id)
    assert (await api.retrieve_queue(queue.id)).inbox is None

    defaults = await api.list_email_templates(queue=queue.id, ordering=["id"])
    assert len(defaults) == 5 and all(isinstance(t, EmailTemplate) for t in defaults)
    assert {t.type for t in defaults} >= {"rejection_default", "email_with_no_processable_attachments"}
    fetched = await api.retrieve_email_template(defaults[0].id)
    assert fetched.queue == queue.url and fetched.name == defaults[0].name
    custom = await api.create_new_email_template(
        {"queue": queue.url, "name": "Thanks", "type": "custom", "subject": "Hi", "message": "<p>Thanks</p>"}
    )
    assert [t.id for t in await api.list_email_templates(queue=queue.id, name="Thanks")] == [custom.id]
    put_template = await api.update_email_template(
        custom.id, {"queue": queue.url, "name": "Thanks!", "subject": "Hello", "message": "<p>Thank you</p>"}
    )
    assert (put_template.name, put_template.subject, put_template.type) == ("Thanks!", "Hello", "custom")
    assert (await api.update_part_email_template(custom.id, {"automate": False})).automate is False
    await api.delete_email_template(custom.id)
    assert len(await api.list_email_templates(queue=queue.id)) == 5


@scenario
async def test_hooks_templates_and_run_logs(api: ClientAPI) -> None:
    _, _, queue = await api.make_queue()
    hook = await api.create_new_hook(
        {
            "name": "Validator",
            "type": "webhook",
            "queues": [queue.url],
            "events": ["annotation_content.initialize"],
            "config": {"url": "http://localhost/validate"},
            "secrets": {"api_key": "s3cret"},
        }
    )
    assert isinstance(hook, Hook) and hook.queues == [queue.url]
    assert "s3cret" not in hook.model_dump_json(), "hook secrets are write-only"
    assert (await api.retrieve_queue(queue.id)).hooks == [hook.url]
    assert (await api.retrieve_hook(hook.id)).events == ["annotation_content.initialize"]
    assert [h.id for h in await api.list_hooks(queue=queue.id)] == [hook.id]
    put_hook = await api.update_hook(
        hook.id,
        {
            "name": "Validator v2",
            "type": "webhook",
            "queues": [queue.url],
            "events": ["annotation_content.initialize", "annotation_content.updated"],
            "config": {"url": "http://localhost/validate2"},
        },
    )
    assert (put_hook.name, put_hook.config["url"], len(put_hook.events)) == (
        "Validator v2",
        "http://localhost/validate2",
        2,
    )
    assert (await api.update_part_hook(hook.id, {"queues": []})).queues == []
    assert (await api.retrieve_queue(queue.id)).hooks == []

    templates = await api.list_hook_templates()
    assert templates and all(isinstance(t, HookTemplate) for t in templates)
    assert (await api.retrieve_hook_template(templates[0].id)).name == templates[0].name

    # The emulator never calls hooks, so log entries are recorded in its store directly; what is under test
    # is the client's single-request, non-paginated read of hooks/logs with filters.
    org = await api.retrieve_own_organization()
    with api.emu.app.store.transaction() as tx:
        for index in range(3):
            record_hook_log(
                tx,
                hook_id=hook.id,
                queue_id=queue.id,
                organization_id=org.id,
                event="annotation_content",
                action="initialize",
                message=f"call {index}",
                status_code=200 if index else 500,
            )
        record_hook_log(tx, hook_id=hook.id + 1000, organization_id=org.id, event="email", action="received")
    runs = await api.list_hook_run_data(hook=hook.id)
    assert len(runs) == 3 and all(isinstance(r, HookRunData) and r.hook_id == hook.id for r in runs)
    assert [r.message for r in await api.list_hook_run_data(hook=hook.id, status_code=500)] == ["call 0"]
    hook_log_requests = [e for e in api.emu.request_log if e[1].startswith("/api/v1/hooks/logs")]
    assert len(hook_log_requests) == 2 and "page=" not in hook_log_requests[0][1]

    await api.delete_hook(hook.id)
    assert [h.id for h in await api.list_hooks()] == []


@scenario
async def test_rules_and_execution_logs(api: ClientAPI) -> None:
    _, _, queue = await api.make_queue()
    action = {
        "id": "warn",
        "type": "show_message",
        "event": "validation",
        "payload": {"type": "warning", "content": "Check the total", "schema_id": "amount_total"},
    }
    rule = await api.create_new_rule(
        {"name": "Total check", "queues": [queue.url], "trigger_condition": "{amount_total} > 100", "actions": [action]}
    )
    assert isinstance(rule, Rule) and rule.queues == [queue.url]
    assert rule.organization == (await api.retrieve_own_organization()).url
    assert (await api.retrieve_rule(rule.id)).trigger_condition == "{amount_total} > 100"
    assert [r.id for r in await api.list_rules(queue=queue.id)] == [rule.id]
    put_rule = await api.update_rule(
        rule.id,
        {"name": "Total check v2", "queues": [queue.url], "trigger_condition": "True", "actions": [action]},
    )
    assert (put_rule.name, put_rule.trigger_condition) == ("Total check v2", "True")
    assert (await api.update_part_rule(rule.id, {"enabled": False})).enabled is False

    # The emulator does not evaluate rules: executions are recorded in its store directly (as the API would
    # for an annotation event); under test is the client's paginated, filtered read.
    with api.emu.app.store.transaction() as tx:
        for result, error in (("success", None), ("failure", "division by zero")):
            record_rules_execution(
                tx,
                rule_id=rule.id,
                rule_name=rule.name,
                queue_id=queue.id,
                annotation_id=1,
                trigger_event="validation",
                execution_result=result,
                execution_error=error,
            )
    logs = await api.list_rules_execution_logs(rule=rule.id)
    assert len(logs) == 2 and all(isinstance(log, RulesExecutionLog) for log in logs)
    failures = await api.list_rules_execution_logs(execution_result="failure", ordering=["-created_at"])
    assert [(log.execution_result, log.execution_error) for log in failures] == [("failure", "division by zero")]

    await api.delete_rule(rule.id)
    with pytest.raises(APIClientError) as caught:
        await api.retrieve_rule(rule.id)
    assert caught.value.status_code == 404


@scenario
async def test_engines_fields_and_queues(api: ClientAPI) -> None:
    _, schema, queue = await api.make_queue()
    org = await api.retrieve_own_organization()
    before = {e.id for e in await api.list_engines()}
    created: dict[str, Any] = await api.request_json(
        "POST", "engines", json={"name": "Invoices engine", "type": "extractor", "organization": org.url}
    )
    engine = await api.retrieve_engine(created["id"])
    assert isinstance(engine, Engine) and engine.name == "Invoices engine" and engine.organization == org.url
    assert {e.id for e in await api.list_engines()} == before | {engine.id}
    newest_first = await api.list_engines(type="extractor", ordering=["-id"])
    assert newest_first[0].id == engine.id and all(e.type == "extractor" for e in newest_first)

    await api.request_json(
        "POST",
        "engine_fields",
        json={"engine": engine.url, "name": "invoice_id", "label": "Invoice ID", "schemas": [schema.url]},
    )
    fields = await api.retrieve_engine_fields(engine.id)
    assert [f.name for f in fields] == ["invoice_id"] and isinstance(fields[0], EngineField)
    assert "invoice_id" in [f.name for f in await api.retrieve_engine_fields()]

    assert await api.retrieve_engine_queues(engine.id) == []
    await api.update_part_queue(queue.id, {"engine": engine.url})
    assert [q.id for q in await api.retrieve_engine_queues(engine.id)] == [queue.id]
