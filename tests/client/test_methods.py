"""Every public method of both clients, from one table: the exact requests sent and the parsed result.

Each ``Case`` lists the requests its method must send, in order (method, path, query, body / multipart fields;
conformance sections 1.2 and 6.5), the responses it gets, and a check of the returned value. The test runs every
case against ``AsyncRossumAPIClient`` and ``SyncRossumAPIClient``; ``test_every_public_method_has_a_case`` makes
sure no public method is left out.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from rossum_iac.client import AsyncRossumAPIClient, SyncRossumAPIClient, UserCredentials
from rossum_iac.client._core.requests import ExportFileFormats
from rossum_iac.client.models import (
    Annotation,
    AnnotationProcessingDuration,
    AutomationProjections,
    AutomationStats,
    AutomationTarget,
    Connector,
    DatapointAutomationTarget,
    Document,
    DocumentRelation,
    Email,
    EmailTemplate,
    Engine,
    EngineField,
    FieldErrorRateLimit,
    Group,
    Hook,
    HookRunData,
    HookTemplate,
    Inbox,
    Organization,
    OrganizationGroup,
    OrganizationLimit,
    Queue,
    Relation,
    Rule,
    RulesExecutionLog,
    Schema,
    Task,
    Upload,
    User,
    Workspace,
)

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

FILE = "<file>"  # replaced by the path of a small PDF written to tmp_path
OCTET = "application/octet-stream"
JSON_PART = (None, "application/json")  # the empty filename is omitted on the wire (httpx), as with the SDK


@dataclass
class Case:
    id: str
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    expects: list[Expect] = field(default_factory=list)
    check: Callable[[Any], None] = lambda result: None
    user_credentials: bool = False
    warns: type[Warning] | None = None


def is_model(model: type, **attrs: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert isinstance(result, model), result
        for key, value in attrs.items():
            assert getattr(result, key) == value, (key, getattr(result, key))

    return check


def are_models(model: type, count: int = 1, **attrs: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert isinstance(result, list) and len(result) == count, result
        for item in result:
            is_model(model, **attrs)(item)

    return check


def equals(expected: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert result == expected

    return check


def is_none(result: Any) -> None:
    assert result is None


def crud(
    name: str,
    collection: str,
    resource: str,
    model: type,
    object_id: int,
    *,
    ops: tuple[str, ...] = ("list", "retrieve", "create", "update", "update_part", "delete"),
    list_name: str | None = None,
) -> list[Case]:
    """Cases of the plain CRUD methods of one resource (``list_x``/``retrieve_x``/``create_new_x``/...)."""
    item = payload(resource)
    path = f"{collection}/{object_id}"
    cases = []
    if "list" in ops:
        cases.append(
            Case(
                f"list_{list_name or collection}",
                f"list_{list_name or collection}",
                kwargs={"ordering": ["-id", "name"], "id": [1, 2], "active": True},
                expects=[
                    Expect(
                        "GET",
                        collection,
                        list_qs(("id", "1"), ("id", "2"), ("active", "true"), ordering="-id,name"),
                        body=page(item, item),
                    )
                ],
                check=are_models(model, 2),
            )
        )
    if "retrieve" in ops:
        cases.append(
            Case(
                f"retrieve_{name}",
                f"retrieve_{name}",
                (object_id,),
                expects=[Expect("GET", path, body=item)],
                check=is_model(model),
            )
        )
    if "create" in ops:
        cases.append(
            Case(
                f"create_new_{name}",
                f"create_new_{name}",
                ({"name": "x"},),
                expects=[Expect("POST", collection, json={"name": "x"}, status=201, body=item)],
                check=is_model(model),
            )
        )
    if "update" in ops:
        cases.append(
            Case(
                f"update_{name}",
                f"update_{name}",
                (object_id, {"name": "y"}),
                expects=[Expect("PUT", path, json={"name": "y"}, body=item)],
                check=is_model(model),
            )
        )
    if "update_part" in ops:
        cases.append(
            Case(
                f"update_part_{name}",
                f"update_part_{name}",
                (object_id, {"name": "z"}),
                expects=[Expect("PATCH", path, json={"name": "z"}, body=item)],
                check=is_model(model),
            )
        )
    if "delete" in ops:
        cases.append(
            Case(
                f"delete_{name}",
                f"delete_{name}",
                (object_id,),
                expects=[Expect("DELETE", path, status=204)],
                check=is_none,
            )
        )
    return cases


ANNOTATION = payload("Annotation")
TASK_URL = f"{BASE}/tasks/5"
UPLOAD_RESPONSE = {"results": [{"annotation": f"{BASE}/annotations/9", "document": f"{BASE}/documents/4"}]}

CASES: list[Case] = [
    # -- queues
    *crud("queue", "queues", "Queue", Queue, 1, ops=("list", "retrieve", "create", "update", "update_part")),
    Case("delete_queue", "delete_queue", (1,), expects=[Expect("DELETE", "queues/1", status=202)], check=is_none),
    Case(
        "delete_queue_now",
        "delete_queue",
        (1,),
        {"delete_after": "0"},
        expects=[Expect("DELETE", "queues/1", [("delete_after", "0")], status=202)],
        check=is_none,
    ),
    Case(
        "list_queues_sdk_mock",
        "list_queues",
        kwargs={"workspace": 1},
        expects=[Expect("GET", "queues", list_qs(("workspace", "1")), body=page(payload("Queue")))],
        check=are_models(Queue, 1, id=1, name="Invoices", schema=f"{BASE}/schemas/1"),
    ),
    Case(
        "import_document",
        "import_document",
        (1, [(FILE, "a.pdf")], {"upload:x": "1"}, {"m": 1}),
        expects=[
            Expect(
                "POST",
                "queues/1/upload",
                files={"content": ("a.pdf", OCTET), "values": JSON_PART, "metadata": JSON_PART},
                status=201,
                body=UPLOAD_RESPONSE,
            )
        ],
        check=equals([9]),
        warns=DeprecationWarning,
    ),
    Case(
        "upload_document",
        "upload_document",
        (1, [(FILE, "a.pdf")]),
        expects=[
            Expect(
                "POST",
                "uploads",
                [("queue", "1")],
                files={"content": ("a.pdf", OCTET)},
                status=202,
                body={"url": TASK_URL},
            ),
            Expect("GET", "tasks/5", [("no_redirect", "True")], body=payload("Task")),
        ],
        check=lambda r: are_models(Task, 1, id=5, status="succeeded")(r),
    ),
    Case(
        "retrieve_upload",
        "retrieve_upload",
        (6,),
        expects=[Expect("GET", "uploads/6", body=payload("Upload"))],
        check=is_model(Upload, id=6),
    ),
    # -- export
    Case(
        "export_annotations_to_json",
        "export_annotations_to_json",
        (1,),
        {"status": "exported"},
        expects=[
            Expect("GET", "queues/1/export", list_qs(("format", "json"), ("status", "exported")), body=page(ANNOTATION))
        ],
        check=are_models(Annotation, 1, id=9),
    ),
    Case(
        "export_annotations_to_json_to_status",
        "export_annotations_to_json",
        (1,),
        {"to_status": "exported"},
        expects=[
            Expect(
                "POST", "queues/1/export", list_qs(("format", "json"), ("to_status", "exported")), body=page(ANNOTATION)
            )
        ],
        check=are_models(Annotation, 1),
    ),
    Case(
        "export_annotations_to_file",
        "export_annotations_to_file",
        (1, ExportFileFormats.CSV),
        {"columns": "meta_file_name", "status": "exported"},
        expects=[
            Expect(
                "GET",
                "queues/1/export",
                [("format", "csv"), ("columns", "meta_file_name"), ("status", "exported")],
                body=b"meta_file_name\na.pdf\n",
            )
        ],
        check=lambda r: equals(b"meta_file_name\na.pdf\n")(b"".join(r)),
    ),
    Case(
        "export_annotations_to_file_columns_list",
        "export_annotations_to_file",
        (1, "xml"),
        {"columns": ["a", "b"], "to_status": "exporting"},
        expects=[
            Expect(
                "POST",
                "queues/1/export",
                [("format", "xml"), ("columns", "a,b"), ("to_status", "exporting")],
                body=b"<export/>",
            )
        ],
        check=lambda r: equals(b"<export/>")(b"".join(r)),
    ),
    # -- organizations
    *crud("organization", "organizations", "Organization", Organization, 7, ops=("list", "retrieve", "update_part")),
    Case(
        "retrieve_own_organization",
        "retrieve_own_organization",
        expects=[
            Expect("GET", "auth/user", body=payload("User")),
            Expect("GET", "organizations/7", body=payload("Organization")),
        ],
        check=is_model(Organization, id=7),
    ),
    Case(
        "retrieve_my_organization",
        "retrieve_my_organization",
        expects=[
            Expect("GET", "auth/user", body=payload("User")),
            Expect("GET", "organizations/7", body=payload("Organization")),
        ],
        check=is_model(Organization, id=7),
        warns=DeprecationWarning,
    ),
    Case(
        "retrieve_organization_limit",
        "retrieve_organization_limit",
        (7,),
        expects=[Expect("GET", "organizations/7/limits", body=payload("OrganizationLimit"))],
        check=lambda r: (is_model(OrganizationLimit)(r), equals(100)(r.email_limits.email_per_day_limit)),
    ),
    *crud(
        "organization_group", "organization_groups", "OrganizationGroup", OrganizationGroup, 2, ops=("list", "retrieve")
    ),
    # -- schemas, users, roles
    *crud("schema", "schemas", "Schema", Schema, 1),
    *crud("user", "users", "User", User, 3),
    Case(
        "retrieve_current_user",
        "retrieve_current_user",
        expects=[Expect("GET", "auth/user", body=payload("User"))],
        check=is_model(User, id=3),
    ),
    Case(
        "change_user_password",
        "change_user_password",
        ("n3w-Passw0rd-long",),
        {"old_password": "old"},
        expects=[
            Expect(
                "POST",
                "auth/password/change",
                json={
                    "new_password1": "n3w-Passw0rd-long",
                    "new_password2": "n3w-Passw0rd-long",
                    "old_password": "old",
                },
                body=payload("User"),
            )
        ],
        check=lambda r: equals(3)(r["id"]),
    ),
    Case(
        "reset_user_password",
        "reset_user_password",
        ("jane@example.com",),
        expects=[
            Expect(
                "POST",
                "auth/password/reset",
                json={"email": "jane@example.com"},
                body={"detail": "Password reset e-mail has been sent."},
            )
        ],
        check=equals({"detail": "Password reset e-mail has been sent."}),
    ),
    Case(
        "list_user_roles",
        "list_user_roles",
        kwargs={"ordering": ["name"]},
        expects=[Expect("GET", "groups", list_qs(ordering="name"), body=page(payload("Group")))],
        check=are_models(Group, 1, name="admin"),
    ),
    # -- annotations
    Case(
        "list_annotations",
        "list_annotations",
        kwargs={"ordering": ["-created_at"], "queue": 1},
        expects=[Expect("GET", "annotations", list_qs(("queue", "1"), ordering="-created_at"), body=page(ANNOTATION))],
        check=are_models(Annotation, 1, id=9, status="to_review"),
    ),
    Case(
        "list_annotations_sideloads",
        "list_annotations",
        kwargs={"sideloads": ["modifiers", "documents", "content"], "content_schema_ids": ["amount", "date"]},
        expects=[
            Expect(
                "GET",
                "annotations",
                list_qs(sideload="modifiers,documents,content", **{"content.schema_id": "amount,date"}),
                body=page(
                    ANNOTATION,
                    modifiers=[payload("User")],
                    documents=[payload("Document")],
                    content=[{"id": 1, "url": f"{BASE}/annotations/9/content/1", "schema_id": "amount"}],
                ),
            )
        ],
        check=lambda r: (
            is_model(User, id=3)(r[0].modifier),
            is_model(Document, id=4)(r[0].document),
            equals("amount")(r[0].content[0]["schema_id"]),
        ),
    ),
    Case(
        "search_for_annotations",
        "search_for_annotations",
        kwargs={"query_string": {"string": "x"}},
        expects=[
            Expect(
                "POST", "annotations/search", list_qs(), json={"query_string": {"string": "x"}}, body=page(ANNOTATION)
            )
        ],
        check=are_models(Annotation, 1, id=9),
    ),
    Case(
        "retrieve_annotation",
        "retrieve_annotation",
        (9,),
        expects=[Expect("GET", "annotations/9", body=ANNOTATION)],
        check=is_model(Annotation, id=9, document=f"{BASE}/documents/4"),
    ),
    Case(
        "retrieve_annotation_sideloads",
        "retrieve_annotation",
        (9, ["documents", "content"]),
        {"sideload_query_params": {"content": {"schema_id": "amount"}}},
        expects=[
            Expect("GET", "annotations/9", body=ANNOTATION),
            Expect("GET", "documents/4", body=payload("Document")),
            Expect(
                "GET",
                "annotations/9/content",
                [("schema_id", "amount")],
                body={"content": [{"id": 1, "schema_id": "amount"}]},
            ),
        ],
        check=lambda r: (is_model(Document, id=4)(r.document), equals([{"id": 1, "schema_id": "amount"}])(r.content)),
    ),
    Case(
        "retrieve_annotation_content",
        "retrieve_annotation_content",
        (9,),
        expects=[Expect("GET", "annotations/9/content", body={"content": [{"id": 1}]})],
        check=equals({"content": [{"id": 1}]}),
    ),
    Case(
        "poll_annotation",
        "poll_annotation",
        (9, lambda a: a.status == "to_review"),
        expects=[Expect("GET", "annotations/9", body=ANNOTATION)],
        check=is_model(Annotation, id=9),
    ),
    Case(
        "poll_annotation_until_imported",
        "poll_annotation_until_imported",
        (9,),
        expects=[Expect("GET", "annotations/9", body=ANNOTATION)],
        check=is_model(Annotation, status="to_review"),
    ),
    Case(
        "poll_task",
        "poll_task",
        (5, lambda t: t.status == "succeeded"),
        expects=[Expect("GET", "tasks/5", [("no_redirect", "True")], body=payload("Task"))],
        check=is_model(Task),
    ),
    Case(
        "poll_task_until_succeeded",
        "poll_task_until_succeeded",
        (5,),
        expects=[Expect("GET", "tasks/5", [("no_redirect", "True")], body=payload("Task"))],
        check=is_model(Task, id=5),
    ),
    Case(
        "retrieve_task",
        "retrieve_task",
        (5,),
        expects=[Expect("GET", "tasks/5", [("no_redirect", "True")], body=payload("Task"))],
        check=is_model(Task, id=5, type="upload_created"),
    ),
    Case(
        "upload_and_wait_until_imported",
        "upload_and_wait_until_imported",
        (1, FILE, "a.pdf"),
        expects=[
            Expect("POST", "queues/1/upload", files={"content": ("a.pdf", OCTET)}, status=201, body=UPLOAD_RESPONSE),
            Expect("GET", "annotations/9", body=ANNOTATION),
        ],
        check=is_model(Annotation, id=9),
    ),
    Case(
        "start_annotation",
        "start_annotation",
        (9,),
        expects=[
            Expect(
                "POST",
                "annotations/9/start",
                body={"annotation": f"{BASE}/annotations/9", "session_timeout": "01:00:00"},
            )
        ],
        check=is_none,
    ),
    Case(
        "update_annotation",
        "update_annotation",
        (9, {"status": "x"}),
        expects=[Expect("PUT", "annotations/9", json={"status": "x"}, body=ANNOTATION)],
        check=is_model(Annotation),
    ),
    Case(
        "update_part_annotation",
        "update_part_annotation",
        (9, {"status": "x"}),
        expects=[Expect("PATCH", "annotations/9", json={"status": "x"}, body=ANNOTATION)],
        check=is_model(Annotation),
    ),
    Case(
        "bulk_update_annotation_data",
        "bulk_update_annotation_data",
        (9, [{"op": "remove", "id": 1}]),
        expects=[
            Expect(
                "POST",
                "annotations/9/content/operations",
                json={"operations": [{"op": "remove", "id": 1}]},
                body={"content": []},
            )
        ],
        check=is_none,
    ),
    Case(
        "confirm_annotation",
        "confirm_annotation",
        (9,),
        expects=[Expect("POST", "annotations/9/confirm", status=204)],
        check=is_none,
    ),
    Case(
        "postpone_annotation",
        "postpone_annotation",
        (9,),
        expects=[Expect("POST", "annotations/9/postpone", status=204)],
        check=is_none,
    ),
    Case(
        "create_new_annotation",
        "create_new_annotation",
        ({"x": 1},),
        expects=[Expect("POST", "annotations", json={"x": 1}, status=201, body=ANNOTATION)],
        check=is_model(Annotation),
    ),
    Case(
        "delete_annotation",
        "delete_annotation",
        (9,),
        expects=[Expect("POST", "annotations/9/delete", status=204)],
        check=is_none,
    ),
    Case(
        "cancel_annotation",
        "cancel_annotation",
        (9,),
        expects=[Expect("POST", "annotations/9/cancel", status=204)],
        check=is_none,
    ),
    Case(
        "retrieve_annotation_processing_duration",
        "retrieve_annotation_processing_duration",
        (9,),
        expects=[Expect("GET", "annotations/9/processing_duration", body=payload("AnnotationProcessingDuration"))],
        check=is_model(AnnotationProcessingDuration, time_spent_overall=2.0),
    ),
    # -- documents
    *crud("document", "documents", "Document", Document, 4, ops=("list", "retrieve")),
    Case(
        "retrieve_document_content",
        "retrieve_document_content",
        (4,),
        expects=[Expect("GET", "documents/4/content", body=b"%PDF-1.4")],
        check=equals(b"%PDF-1.4"),
    ),
    Case(
        "create_new_document",
        "create_new_document",
        ("f.pdf", b"%PDF"),
        {"metadata": {"a": 1}, "parent": f"{BASE}/documents/1"},
        expects=[
            Expect(
                "POST",
                "documents",
                files={"content": ("f.pdf", "application/pdf"), "metadata": JSON_PART, "parent": (None, None)},
                status=201,
                body=payload("Document"),
            )
        ],
        check=is_model(Document, id=4),
    ),
    Case(
        "create_new_document_defaults",
        "create_new_document",
        ("f.pdf", b"%PDF"),
        expects=[
            Expect(
                "POST",
                "documents",
                files={"content": ("f.pdf", "application/pdf"), "metadata": JSON_PART},
                status=201,
                body=payload("Document"),
            )
        ],
        check=is_model(Document),
    ),
    *crud("document_relation", "document_relations", "DocumentRelation", DocumentRelation, 5),
    *crud("relation", "relations", "Relation", Relation, 2, ops=("list", "create")),
    *crud("workspace", "workspaces", "Workspace", Workspace, 1),
    # -- engines
    *crud("engine", "engines", "Engine", Engine, 8, ops=("list", "retrieve")),
    Case(
        "retrieve_engine_fields",
        "retrieve_engine_fields",
        (8,),
        expects=[Expect("GET", "engine_fields", list_qs(("engine", "8")), body=page(payload("EngineField")))],
        check=are_models(EngineField, 1, id=11),
    ),
    Case(
        "retrieve_engine_fields_all",
        "retrieve_engine_fields",
        expects=[Expect("GET", "engine_fields", list_qs(), body=page(payload("EngineField")))],
        check=are_models(EngineField, 1),
    ),
    Case(
        "retrieve_engine_queues",
        "retrieve_engine_queues",
        (8,),
        expects=[Expect("GET", "queues", list_qs(("engine", "8")), body=page(payload("Queue")))],
        check=are_models(Queue, 1),
    ),
    # -- inboxes, emails, email templates, connectors
    *crud("inbox", "inboxes", "Inbox", Inbox, 12, list_name="inboxes"),
    Case(
        "retrieve_email",
        "retrieve_email",
        (1,),
        expects=[Expect("GET", "emails/1", body=payload("Email"))],
        check=lambda r: (is_model(Email, id=1)(r), equals({"email": "sender@example.com"})(r.from_)),
    ),
    Case(
        "import_email",
        "import_email",
        (b"From: a@b\r\n\r\nhi", "in@example.com", "message/rfc822"),
        expects=[
            Expect(
                "POST",
                "emails/import",
                files={"raw_message": ("email.eml", "message/rfc822"), "recipient": (None, None)},
                status=202,
                body={"url": TASK_URL},
            )
        ],
        check=equals(TASK_URL),
    ),
    *crud("email_template", "email_templates", "EmailTemplate", EmailTemplate, 1),
    *crud("connector", "connectors", "Connector", Connector, 1),
    # -- hooks and rules
    *crud("hook", "hooks", "Hook", Hook, 1),
    Case(
        "list_hook_run_data",
        "list_hook_run_data",
        kwargs={"hook": 1},
        expects=[
            Expect(
                "GET",
                "hooks/logs",
                [("page_size", "100"), ("ordering", ""), ("sideload", ""), ("content.schema_id", ""), ("hook", "1")],
                body={"results": [payload("HookRunData")]},
            )
        ],
        check=are_models(HookRunData, 1, hook_id=1),
    ),
    Case(
        "list_hook_templates",
        "list_hook_templates",
        expects=[Expect("GET", "hook_templates", list_qs(), body=page(payload("HookTemplate")))],
        check=are_models(HookTemplate, 1, id=3),
    ),
    Case(
        "retrieve_hook_template",
        "retrieve_hook_template",
        (3,),
        expects=[Expect("GET", "hook_templates/3", body=payload("HookTemplate"))],
        check=is_model(HookTemplate, id=3),
    ),
    *crud("rule", "rules", "Rule", Rule, 1),
    Case(
        "list_rules_execution_logs",
        "list_rules_execution_logs",
        kwargs={"rule": 1},
        expects=[
            Expect("GET", "rules_execution_logs", list_qs(("rule", "1")), body=page(payload("RulesExecutionLog")))
        ],
        check=are_models(RulesExecutionLog, 1, rule_id=1),
    ),
    # -- automation
    Case(
        "retrieve_automation_insights",
        "retrieve_automation_insights",
        (1,),
        expects=[Expect("GET", "queues/1/automation/insights", body=payload("AutomationStats"))],
        check=is_model(AutomationStats, document_automation_rate=0.5),
    ),
    Case(
        "retrieve_automation_projections",
        "retrieve_automation_projections",
        (1, [FieldErrorRateLimit(schema_id="a", error_rate_limit=0.1)], ["extension"]),
        expects=[
            Expect(
                "POST",
                "queues/1/automation/projections",
                [("exclude_blockers", "extension")],
                json={"fields": [{"schema_id": "a", "error_rate_limit": 0.1}]},
                body=payload("AutomationProjections"),
            )
        ],
        check=is_model(AutomationProjections, total_document_count=10),
    ),
    Case(
        "list_automation_targets",
        "list_automation_targets",
        (1,),
        expects=[Expect("GET", "queues/1/automation/targets", body={"results": [payload("AutomationTarget")]})],
        check=are_models(AutomationTarget, 1, type="automation_assistant_v1"),
    ),
    Case(
        "create_new_automation_target",
        "create_new_automation_target",
        (1, 0.9, 0.1, [DatapointAutomationTarget(schema_id="a", error_rate_target=0.1, confidence_threshold=0.9)]),
        expects=[
            Expect(
                "POST",
                "queues/1/automation/targets",
                json={
                    "automation_rate_target": 0.9,
                    "error_rate_target": 0.1,
                    "datapoint_automation_targets": [
                        {
                            "schema_id": "a",
                            "error_rate_target": 0.1,
                            "confidence_threshold": 0.9,
                            "error_rate_limit": None,
                        }
                    ],
                    "type": "automation_assistant_v1",
                },
                status=201,
                body={},
            )
        ],
        check=is_none,
    ),
    # -- generic requests and auth
    Case(
        "request_paginated",
        "request_paginated",
        ("workspaces",),
        {"ordering": ["id"], "name": "W"},
        expects=[Expect("GET", "workspaces", list_qs(("name", "W"), ordering="id"), body=page(payload("Workspace")))],
        check=equals([payload("Workspace")]),
    ),
    Case(
        "request_cursor_paginated",
        "request_cursor_paginated",
        ("workspaces",),
        expects=[
            Expect(
                "GET",
                "workspaces",
                [("page_size", "100"), ("ordering", ""), ("sideload", ""), ("content.schema_id", "")],
                body={"next": f"{BASE}/workspaces?cursor=abc", "results": [{"id": 1}]},
            ),
            Expect("GET", "workspaces", [("cursor", "abc")], body={"next": None, "results": [{"id": 2}]}),
        ],
        check=equals([{"id": 1}, {"id": 2}]),
    ),
    Case(
        "request_json",
        "request_json",
        ("GET", "workspaces/1"),
        expects=[Expect("GET", "workspaces/1", body=payload("Workspace"))],
        check=equals(payload("Workspace")),
    ),
    Case(
        "request",
        "request",
        ("POST", "hooks/1/test"),
        {"json": {"payload": {}}},
        expects=[Expect("POST", "hooks/1/test", json={"payload": {}}, body={"response": {}})],
        check=lambda r: (equals(200)(r.status_code), equals({"response": {}})(r.json())),
    ),
    Case(
        "get_token",
        "get_token",
        user_credentials=True,
        expects=[Expect("POST", "auth/login", form={"username": "u", "password": "p"}, body={"key": "k1"})],
        check=equals("k1"),
    ),
    Case(
        "authenticate",
        "authenticate",
        user_credentials=True,
        expects=[Expect("POST", "auth/login", form={"username": "u", "password": "p"}, body={"key": "k1"})],
        check=is_none,
    ),
]


def _with_file(value: Any, path: Path) -> Any:
    if value == FILE:
        return path
    if isinstance(value, list):
        return [_with_file(v, path) for v in value]
    if isinstance(value, tuple):
        return tuple(_with_file(v, path) for v in value)
    return value


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_method(case: Case, flavour: str, api: ScriptedAPI, pdf: Path, sleeps: list[float]) -> None:
    client = make_client(flavour, UserCredentials("u", "p") if case.user_credentials else None)
    api.script(*case.expects)
    args = _with_file(case.args, pdf)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = await run(getattr(client, case.method)(*args, **case.kwargs))
    finally:
        await close(client)
    api.assert_done()
    case.check(result)
    categories = {w.category for w in caught}
    if case.warns is not None:
        assert case.warns in categories
    else:
        assert DeprecationWarning not in categories


def public_methods(cls: type) -> set[str]:
    return {name for name, member in inspect.getmembers(cls) if not name.startswith("_") and callable(member)}


LIFECYCLE = {"close", "aclose"}  # tested in test_methods_behaviour.py


@pytest.mark.parametrize("cls", [AsyncRossumAPIClient, SyncRossumAPIClient])
def test_every_public_method_has_a_case(cls: type) -> None:
    assert public_methods(cls) - LIFECYCLE == {c.method for c in CASES}


def test_request_sends_headers(api: ScriptedAPI) -> None:
    """Not possible with the SDK (K15): ``request(..., headers=...)`` reaches the server."""
    client = make_client("sync")
    api.script(Expect("GET", "workspaces/1", body={}))
    response = client.request("GET", "workspaces/1", headers={"X-Trace": "t1"})
    client.close()
    assert isinstance(response, httpx.Response)
    assert api.requests[0].headers["X-Trace"] == "t1"
    assert api.requests[0].headers["Authorization"] == "Bearer tok"
