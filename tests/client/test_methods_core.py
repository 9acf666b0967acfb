"""The I/O-free helpers behind the client methods: sideloads (K14), multipart bodies, export/search/poll logic."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from rossum_iac.client._core import multipart
from rossum_iac.client._core import requests as r
from rossum_iac.client._core import sideloads as s
from rossum_iac.client.models import DatapointAutomationTarget, FieldErrorRateLimit, Task

B = "http://localhost/api/v1"


def annotation(annotation_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": annotation_id,
        "url": f"{B}/annotations/{annotation_id}",
        "content": f"{B}/annotations/{annotation_id}/content",
        **fields,
    }


# -- sideload embedding ------------------------------------------------------------------------------------------


def test_field_name_is_the_singular() -> None:
    assert [s.field_name(x) for x in ("modifiers", "automation_blockers", "content", "queues")] == [
        "modifier",
        "automation_blocker",
        "content",
        "queue",
    ]


def test_embeds_objects_by_id_and_by_url() -> None:
    body = {
        "results": [annotation(1, modifier=f"{B}/users/3", document=f"{B}/documents/4/")],
        "modifiers": [{"id": 3, "url": f"{B}/users/3", "username": "jane"}],
        "documents": [{"id": 4, "url": f"{B}/documents/4", "original_file_name": "a.pdf"}],
    }
    [result] = s.embed_sideloads(body, ["modifiers", "documents"])
    assert result["modifier"]["username"] == "jane"
    assert result["document"]["original_file_name"] == "a.pdf"  # trailing slash: matched by id
    assert body["results"][0]["modifier"] == f"{B}/users/3"  # input not modified


def test_missing_sideload_list_leaves_urls() -> None:
    body = {"results": [annotation(1, modifier=f"{B}/users/3")]}
    assert s.embed_sideloads(body, ["modifiers", "content"])[0]["modifier"] == f"{B}/users/3"
    assert s.embed_sideloads(body, ["content"])[0]["content"] == f"{B}/annotations/1/content"


def test_unknown_id_keeps_the_url_and_none_stays_none() -> None:
    body = {
        "results": [annotation(1, modifier=f"{B}/users/99"), annotation(2, modifier=None)],
        "modifiers": [{"id": 3, "url": f"{B}/users/3"}, "garbage", {"no": "id"}],
    }
    first, second = s.embed_sideloads(body, ["modifiers"])
    assert first["modifier"] == f"{B}/users/99" and second["modifier"] is None


def test_list_fields_and_plural_field_names() -> None:
    body = {
        "results": [annotation(1, labels=[f"{B}/labels/1", f"{B}/labels/2"], relations=[])],
        "labels": [{"id": 1, "url": f"{B}/labels/1", "name": "urgent"}],
        "relations": [],
    }
    [result] = s.embed_sideloads(body, ["labels", "relations"])
    assert result["labels"] == [{"id": 1, "url": f"{B}/labels/1", "name": "urgent"}, f"{B}/labels/2"]
    assert result["relations"] == []


def test_content_grouped_by_annotation_id() -> None:
    body = {
        "results": [annotation(1), annotation(2), {"url": f"{B}/annotations/3", "content": f"{B}/x"}],
        "content": [
            {"id": 10, "url": f"{B}/annotations/1/content/10", "schema_id": "a"},
            {"id": 11, "url": f"{B}/annotations/3/content/11", "schema_id": "a"},
            {"id": 12, "url": f"{B}/annotations/1/content/12", "schema_id": "b"},
            {"id": 13, "schema_id": "no-url"},
            {"id": 14, "url": "not-a-datapoint-url"},
        ],
    }
    first, second, third = s.embed_sideloads(body, ["content"])
    assert [d["id"] for d in first["content"]] == [10, 12]
    assert second["content"] == []
    assert [d["id"] for d in third["content"]] == [11]  # id from url


def test_queues_sideload_embeds_the_queue() -> None:
    body = {"results": [annotation(1, queue=f"{B}/queues/5")], "queues": [{"id": 5, "url": f"{B}/queues/5"}]}
    assert s.embed_sideloads(body, ["queues"])[0]["queue"] == {"id": 5, "url": f"{B}/queues/5"}


def test_body_without_results() -> None:
    assert s.embed_sideloads({}, ["modifiers"]) == []
    assert s.embed_sideloads({"results": None}, []) == []


def test_as_list_never_splits_characters() -> None:
    assert s.as_list("content") == ["content"]
    assert s.as_list("modifiers,documents") == ["modifiers", "documents"]
    assert s.as_list(("a", "b")) == ["a", "b"] and s.as_list(None) == []


def test_content_sideload_needs_schema_ids() -> None:
    with pytest.raises(ValueError, match="content_schema_ids"):
        s.check_content_sideload(["content"], [])
    s.check_content_sideload(["content"], ["amount"])
    s.check_content_sideload(["modifiers"], [])


def test_single_sideload_plan_and_apply() -> None:
    ann = annotation(1, document=f"{B}/documents/4", modifier=None, automation_blocker={"id": 1})
    plan = s.single_sideload_plan(
        ann, ["documents", "modifiers", "automation_blockers", "content"], {"content": {"schema_id": "a"}}
    )
    assert plan == [
        ("document", f"{B}/documents/4", None),
        ("content", f"{B}/annotations/1/content", {"schema_id": "a"}),
    ]
    s.apply_single_sideload(ann, "content", {"content": [{"id": 1}], "results": [{"id": 1}]})
    s.apply_single_sideload(ann, "document", {"id": 4})
    assert ann["content"] == [{"id": 1}] and ann["document"] == {"id": 4}


def test_single_sideload_params_must_be_requested() -> None:
    with pytest.raises(ValueError, match="content"):
        s.single_sideload_plan(annotation(1), ["documents"], {"content": {"schema_id": "a"}})


# -- multipart --------------------------------------------------------------------------------------------------


def test_upload_files() -> None:
    files = multipart.upload_files("a.pdf", b"%PDF", {"upload:x": "1"}, {"m": [1]})
    assert files["content"] == ("a.pdf", b"%PDF", "application/octet-stream")
    assert files["values"] == ("", json.dumps({"upload:x": "1"}), "application/json")
    assert files["metadata"] == ("", '{"m": [1]}', "application/json")
    assert set(multipart.upload_files("a.pdf", b"x")) == {"content"}
    assert set(multipart.upload_files("a.pdf", b"x", {}, {})) == {"content", "values", "metadata"}


def test_document_and_email_files() -> None:
    assert multipart.document_files("f.pdf", b"x") == {
        "content": ("f.pdf", b"x"),
        "metadata": ("", "{}", "application/json"),
    }
    assert multipart.document_files("f.pdf", b"x", parent=f"{B}/documents/1")["parent"] == ("", f"{B}/documents/1")
    assert multipart.email_files(b"raw", "in@x") == {"raw_message": ("email.eml", b"raw"), "recipient": (None, "in@x")}
    assert multipart.email_files(b"raw", "in@x", "message/rfc822")["raw_message"] == (
        "email.eml",
        b"raw",
        "message/rfc822",
    )


# -- export, search ---------------------------------------------------------------------------------------------


def test_export_method_and_params() -> None:
    assert r.export_method({"status": "exported"}) == "GET"
    assert r.export_method({"to_status": "exported"}) == "POST"
    assert r.export_file_params(r.ExportFileFormats.CSV, {"columns": "meta_file_name"}) == {
        "format": "csv",
        "columns": "meta_file_name",
    }
    assert r.export_file_params("XLSX", {"columns": ("a", "b"), "append_columns": ["c"], "prepend_columns": None}) == {
        "format": "xlsx",
        "columns": "a,b",
        "append_columns": "c",
        "prepend_columns": None,
    }
    with pytest.raises(ValueError, match="export_format must be one of"):
        r.export_file_params("pdf", {})
    params = r.export_json_params({"status": "exported", "columns": ["a"]})
    assert params["format"] == "json" and params["page_size"] == 100 and params["columns"] == "a"


def test_search_body() -> None:
    assert r.search_body({"$and": []}, None) == {"query": {"$and": []}}
    assert r.search_body(None, {"string": "x"}) == {"query_string": {"string": "x"}}
    assert set(r.search_body({}, {"string": "x"})) == {"query", "query_string"}
    with pytest.raises(ValueError, match="query or query_string"):
        r.search_body(None, None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"pagination": {"next": f"{B}/annotations/search?search_after=x"}, "results": []},
            f"{B}/annotations/search?search_after=x",
        ),
        ({"pagination": {"next": None}, "results": [], "next": "ignored"}, None),
        ({"next": f"{B}/x?cursor=1", "results": []}, f"{B}/x?cursor=1"),
        ({"results": []}, None),
        ([], None),
    ],
)
def test_next_page_url(body: Any, expected: str | None) -> None:
    assert r.next_page_url(body) == expected


# -- predicates ------------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Custom:
    status: str


def test_predicates_work_on_models_dicts_and_custom_objects() -> None:
    task = Task.model_validate(
        {"id": 1, "url": "u", "type": "t", "status": "failed", "expires_at": "e", "detail": "bad file"}
    )
    assert r.is_task_failed(task) and not r.is_task_succeeded(task)
    assert r.is_task_succeeded({"status": "succeeded"}) and r.is_task_failed(Custom("failed"))
    assert r.task_failure_message(1, task) == "task 1 failed: bad file"
    assert r.task_failure_message(2, {"status": "failed"}) == "task 2 failed"
    assert [r.is_imported(Custom(x)) for x in ("importing", "created", "to_review", "failed_import")] == [
        False,
        False,
        True,
        True,
    ]
    assert r.status_of(object()) is None


# -- automation, generic requests, responses -----------------------------------------------------------------------


def test_projections_request() -> None:
    params, body = r.projections_request(
        [FieldErrorRateLimit(schema_id="a", error_rate_limit=0.1), {"schema_id": "b", "error_rate_limit": 0.2}],
        ["extension", "rule"],
    )
    assert params == {"exclude_blockers": "extension,rule"}
    assert body == {
        "fields": [{"schema_id": "a", "error_rate_limit": 0.1}, {"schema_id": "b", "error_rate_limit": 0.2}]
    }
    assert r.projections_request([], ())[0] is None
    assert r.projections_request([], "extension")[0] == {"exclude_blockers": "extension"}
    with pytest.raises(TypeError, match="expected a model"):
        r.projections_request([("a", 0.1)])


def test_automation_target_body_always_has_error_rate_limit() -> None:
    @dataclasses.dataclass
    class Target:
        schema_id: str
        error_rate_target: float
        confidence_threshold: float

    body = r.automation_target_body(
        0.9,
        0.1,
        [
            DatapointAutomationTarget(
                schema_id="a", error_rate_target=0.1, confidence_threshold=0.9, error_rate_limit=0.2
            ),
            {"schema_id": "b", "error_rate_target": 0.1, "confidence_threshold": 0.8},
            Target("c", 0.1, 0.7),
        ],
        "automation_assistant_v1",
    )
    assert [t["error_rate_limit"] for t in body["datapoint_automation_targets"]] == [0.2, None, None]
    assert body["type"] == "automation_assistant_v1"


def test_paginated_call_maps_positional_arguments_in_one_order() -> None:
    options, filters = r.paginated_call("f", (["id"], ["content"], ["a"], "POST", 2, {"q": 1}), {"queue": 3})
    assert options == {
        "ordering": ["id"],
        "sideloads": ["content"],
        "content_schema_ids": ["a"],
        "method": "POST",
        "max_pages": 2,
        "json": {"q": 1},
    }
    assert filters == {"queue": 3}
    options, filters = r.paginated_call("f", (), {"method": "POST", "paginated": True, "name": "x"})
    assert options["method"] == "POST" and filters == {"name": "x"}
    with pytest.raises(TypeError, match="at most 6 positional"):
        r.paginated_call("f", (1, 2, 3, 4, 5, 6, 7), {})
    with pytest.raises(TypeError, match="multiple values for argument 'ordering'"):
        r.paginated_call("f", (["id"],), {"ordering": ["name"]})


def test_ids_from_responses() -> None:
    assert r.organization_id({"organization": f"{B}/organizations/7"}) == 7
    assert r.task_url_id({"url": f"{B}/tasks/5"}) == 5
    assert r.imported_annotation_ids(
        {"results": [{"annotation": f"{B}/annotations/9"}, {"annotation": f"{B}/annotations/10"}]}
    ) == [9, 10]
    with pytest.raises(ValueError, match="organization"):
        r.organization_id({})
    with pytest.raises(ValueError, match="task URL"):
        r.task_url_id({"results": []})
    with pytest.raises(ValueError, match="queues/<id>/upload"):
        r.imported_annotation_ids({"url": "x"})
    with pytest.raises(ValueError, match="annotation URL"):
        r.imported_annotation_ids({"results": [{"document": "d"}]})


def test_password_change_body() -> None:
    assert r.password_change_body("new", "old") == {
        "new_password1": "new",
        "new_password2": "new",
        "old_password": "old",
    }
