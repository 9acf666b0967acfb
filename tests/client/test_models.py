"""The pydantic models: SDK field names and required fields, leniency (K22), the schema tree (K23), rule actions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from rossum_iac.client import Resource, deserialize_default
from rossum_iac.client.models import (
    RESOURCE_TO_MODEL,
    Annotation,
    AutomationBlocker,
    AutomationStats,
    Datapoint,
    Document,
    DocumentAutomationTimeSeriesData,
    Email,
    Hook,
    HookTemplate,
    LabelsPayload,
    Multivalue,
    Queue,
    Rule,
    RuleAction,
    Schema,
    Section,
    ShowMessagePayload,
    Task,
    TaskStatus,
    Tuple,
    User,
    ValueSource,
)

DATA = Path(__file__).parent / "data"
PAYLOADS: dict[str, dict[str, Any]] = json.loads((DATA / "payloads.json").read_text())
NODE_MODELS = {"Datapoint": Datapoint, "Multivalue": Multivalue, "Tuple": Tuple, "Section": Section}


def _required_fields_table() -> dict[str, set[str]]:
    table = {}
    for line in (DATA / "sdk-required-response-fields.txt").read_text().splitlines():
        name, _, fields = line.partition(":")
        table[name.strip()] = set(json.loads(fields.strip().replace("'", '"')))
    return table


REQUIRED = _required_fields_table()


def _model(name: str) -> Any:
    return NODE_MODELS.get(name) or RESOURCE_TO_MODEL[Resource[name]]


def _required(model: Any) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items() if info.is_required()}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_required_fields_are_those_the_sdk_requires(name: str) -> None:
    assert _required(_model(name)) == REQUIRED[name]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_minimal_payload_validates_and_each_required_field_is_required(name: str) -> None:
    model = RESOURCE_TO_MODEL[Resource[name]]
    assert isinstance(deserialize_default(Resource[name], PAYLOADS[name]), model)
    for field in _required(model):
        broken = {k: v for k, v in PAYLOADS[name].items() if k != field}
        with pytest.raises(ValidationError):
            model.model_validate(broken)


def test_every_resource_with_a_model_has_a_test_payload() -> None:
    assert {r.name for r in RESOURCE_TO_MODEL} == set(PAYLOADS)


def test_resource_without_model_returns_payload_unchanged() -> None:
    assert deserialize_default(Resource.Auth, {"key": "x"}) == {"key": "x"}


def test_unknown_fields_are_kept() -> None:
    queue = Queue.model_validate({**PAYLOADS["Queue"], "archive_enabled": True, "workflows": [{"url": "w"}]})
    assert queue.archive_enabled is True  # type: ignore[attr-defined]
    dumped = queue.model_dump(by_alias=True)
    assert dumped["workflows"] == [{"url": "w"}] and dumped["schema"] == PAYLOADS["Queue"]["schema"]


@pytest.mark.parametrize(
    ("name", "changes", "attr", "value"),
    [
        ("Task", {"status": "paused"}, "status", "paused"),
        ("Task", {"type": "documents_archive"}, "type", "documents_archive"),
        ("Hook", {"type": "serverless"}, "type", "serverless"),
        ("Hook", {"events": ["email.sent", "annotation_status"]}, "events", ["email.sent", "annotation_status"]),
        ("Hook", {"extension_source": "marketplace"}, "extension_source", "marketplace"),
        ("Inbox", {"dmarc_check_action": "quarantine"}, "dmarc_check_action", "quarantine"),
        ("EmailTemplate", {"type": "reminder"}, "type", "reminder"),
        ("Engine", {"type": "classifier"}, "type", "classifier"),
        ("EngineField", {"type": "boolean", "multiline": True}, "multiline", True),
        ("Email", {"type": "internal", "labels": ["spam"]}, "labels", ["spam"]),
        ("DocumentRelation", {"type": "archive"}, "type", "archive"),
        ("Relation", {"type": "split"}, "type", "split"),
        ("RulesExecutionLog", {"execution_result": "skipped"}, "execution_result", "skipped"),
        ("AutomationTarget", {"type": "automation_assistant_v9"}, "type", "automation_assistant_v9"),
        ("HookRunData", {"log_level": "DEBUG", "hook_type": "job"}, "log_level", "DEBUG"),
    ],
)
def test_unknown_enum_values_do_not_crash(name: str, changes: dict[str, Any], attr: str, value: Any) -> None:
    obj = deserialize_default(Resource[name], {**PAYLOADS[name], **changes})
    assert getattr(obj, attr) == value


def test_known_enum_values_compare_with_the_str_enums() -> None:
    task = Task.model_validate(PAYLOADS["Task"])
    assert task.status == TaskStatus.SUCCEEDED


def test_null_gives_the_default_for_non_nullable_fields_but_required_stay_required() -> None:
    queue = Queue.model_validate({**PAYLOADS["Queue"], "locale": None, "hooks": None, "settings": None})
    assert (queue.locale, queue.hooks, queue.settings) == ("en_GB", [], {})
    hook = Hook.model_validate({**PAYLOADS["Hook"], "metadata": None, "queues": None, "type": None})
    assert (hook.metadata, hook.queues, hook.type) == ({}, [], "webhook")
    assert Queue.model_validate({**PAYLOADS["Queue"], "workspace": None}).workspace is None
    with pytest.raises(ValidationError):
        Queue.model_validate({**PAYLOADS["Queue"], "name": None})


def test_email_from_alias() -> None:
    email = Email.model_validate(PAYLOADS["Email"])
    assert email.from_ == {"email": "sender@example.com"}
    assert email.model_dump(by_alias=True)["from"] == {"email": "sender@example.com"}
    assert Email.model_validate({**PAYLOADS["Email"], "from": None}).from_ == {}


def test_hook_run_data_settings_sent_as_json_text() -> None:
    # the reference's hooks/logs example sends "settings": "{}" (text), the SDK model declares a dict
    base = PAYLOADS["HookRunData"]
    assert deserialize_default(Resource.HookRunData, {**base, "settings": '{"a": 1}'}).settings == {"a": 1}
    assert deserialize_default(Resource.HookRunData, {**base, "settings": "{}"}).settings == {}
    assert deserialize_default(Resource.HookRunData, {**base, "settings": "not json"}).settings == "not json"
    assert deserialize_default(Resource.HookRunData, {**base, "settings": {"b": 2}}).settings == {"b": 2}


def test_hook_template_id_from_url() -> None:
    assert HookTemplate.model_validate(PAYLOADS["HookTemplate"]).id == 3
    assert HookTemplate.model_validate({**PAYLOADS["HookTemplate"], "id": 42}).id == 42
    assert HookTemplate.model_validate({"name": "x", "url": "no-id-here"}).id is None


def test_automation_counts_are_integers() -> None:
    row = DocumentAutomationTimeSeriesData.model_validate(
        {
            "date": "2024-01-01",
            "automated_count": 3.0,
            "non_automated_count": 1,
            "touched_count": 2.0,
            "touchless_count": 0.0,
        }
    )
    assert (row.automated_count, row.touched_count) == (3, 2) and isinstance(row.automated_count, int)
    stats = AutomationStats.model_validate(
        {
            "document_automation_rate": 0.5,
            "document_automation_timeseries": [
                {
                    "date": "d",
                    "automated_count": 1.0,
                    "non_automated_count": 0.0,
                    "touched_count": 0.0,
                    "touchless_count": 1.0,
                }
            ],
        }
    )
    assert stats.document_automation_timeseries[0].touchless_count == 1


# -- annotation embedding ----------------------------------------------------------------------------------------


def test_annotation_fields_hold_urls_objects_or_raw_dicts() -> None:
    embedded = Annotation.model_validate(
        {
            **PAYLOADS["Annotation"],
            "modifier": PAYLOADS["User"],
            "document": PAYLOADS["Document"],
            "queue": PAYLOADS["Queue"],
            "automation_blocker": {"id": 1, "url": "u", "annotation": "a", "content": [{"level": "x", "type": "new"}]},
        }
    )
    assert isinstance(embedded.modifier, User) and isinstance(embedded.document, Document)
    assert isinstance(embedded.queue, Queue) and isinstance(embedded.automation_blocker, AutomationBlocker)
    partial = Annotation.model_validate({**PAYLOADS["Annotation"], "modifier": {"id": 3, "username": "jane"}})
    assert partial.modifier == {"id": 3, "username": "jane"}
    plain = Annotation.model_validate(PAYLOADS["Annotation"])
    assert plain.modifier == PAYLOADS["Annotation"]["modifier"] and plain.queue == PAYLOADS["Annotation"]["queue"]


def test_annotation_of_a_json_export_validates() -> None:
    """The documented export shape (``schema``/``document`` objects, content tree) broke the SDK's model."""
    exported = {
        "url": "http://localhost/api/v1/annotations/315777",
        "status": "exported",
        "arrived_at": "2019-10-13T21:33:01.509886Z",
        "document": {"url": "http://localhost/api/v1/documents/315877", "file_name": "template_invoice.pdf"},
        "modifier": None,
        "schema": {"url": "http://localhost/api/v1/schemas/31336"},
        "metadata": {},
        "content": [{"category": "section", "schema_id": "invoice_details_section", "children": []}],
    }
    annotation = Annotation.model_validate(exported)
    assert annotation.schema == {"url": "http://localhost/api/v1/schemas/31336"}
    assert annotation.document == exported["document"] and annotation.id is None


# -- schema tree ---------------------------------------------------------------------------------------------------


@pytest.fixture
def real_schema() -> dict[str, Any]:
    return json.loads((DATA / "real-samples" / "schema.json").read_text())


def _all_nodes(content: list[Any]) -> list[dict[str, Any]]:
    nodes = []
    for node in content:
        nodes.append(node)
        children = node.get("children")
        if isinstance(children, dict):
            nodes.extend(_all_nodes([children]))
        elif isinstance(children, list):
            nodes.extend(_all_nodes(children))
    return nodes


def test_real_schema_parses_into_a_typed_tree(real_schema: dict[str, Any]) -> None:
    schema = Schema.model_validate(real_schema)
    raw_nodes = [n for n in _all_nodes(real_schema["content"]) if n["category"] != "section"]
    raw_non_buttons = [n for n in raw_nodes if n.get("type") != "button"]
    assert [n.id for n in schema.traverse()] == [n["id"] for n in raw_non_buttons]
    assert len(list(schema.traverse(ignore_buttons=False))) == len(raw_nodes)
    assert all(isinstance(s, Section) for s in schema.content)
    multivalues = [n for n in schema.traverse() if isinstance(n, Multivalue)]
    assert multivalues and all(isinstance(m.children, Tuple | Datapoint) for m in multivalues)


def test_schema_round_trips_to_the_same_json(real_schema: dict[str, Any]) -> None:
    schema = Schema.model_validate(real_schema)
    assert schema.model_dump(by_alias=True, exclude_unset=True) == real_schema


def test_parents_are_set_at_every_level(real_schema: dict[str, Any]) -> None:
    schema = Schema.model_validate(real_schema)
    for section in schema.sections:
        assert section.parent is schema
    for node in schema.traverse(ignore_buttons=False):
        parent = node.parent
        assert parent is not None
        children = parent.children if isinstance(parent.children, list) else [parent.children]
        assert any(child is node for child in children)
    tuple_node = next(n for n in schema.traverse() if isinstance(n, Tuple))
    assert isinstance(tuple_node.parent, Multivalue) and isinstance(tuple_node.parent.parent, Section)
    alone = Datapoint.model_validate({"id": "x", "category": "datapoint"})
    assert alone.parent is None


def test_unknown_categories_are_kept_raw_and_skipped() -> None:
    schema = Schema.model_validate(
        {
            "id": 1,
            "content": [
                {
                    "category": "section",
                    "id": "s",
                    "children": [
                        {"category": "datapoint", "id": "a", "type": "string"},
                        {"category": "button_group", "id": "g", "buttons": []},
                        {"category": "multivalue", "id": "m", "children": {"category": "widget", "id": "w"}},
                    ],
                },
                {"category": "page_break", "id": "p"},
            ],
        }
    )
    section = schema.content[0]
    assert isinstance(section, Section)
    assert section.children[1] == {"category": "button_group", "id": "g", "buttons": []}
    assert schema.content[1] == {"category": "page_break", "id": "p"}
    assert [n.id for n in schema.traverse()] == ["a", "m"]
    assert schema.get_by_id("s") is section and schema.get_by_id("g") is None


def test_schema_helpers_and_value_source() -> None:
    schema = Schema.model_validate(
        {
            "id": 1,
            "content": [
                {
                    "category": "section",
                    "id": "s",
                    "children": [
                        {
                            "category": "datapoint",
                            "id": "f",
                            "type": "number",
                            "ui_configuration": {"type": "formula"},
                            "formula": "1",
                        },
                        {
                            "category": "datapoint",
                            "id": "r",
                            "type": "string",
                            "ui_configuration": {"type": "reasoning"},
                        },
                        {"category": "datapoint", "id": "m", "type": "string", "disable_prediction": True},
                        {"category": "datapoint", "id": "n", "type": "string", "ui_configuration": {"type": "llm_v2"}},
                        {"category": "datapoint", "id": "b", "type": "button"},
                    ],
                }
            ],
        }
    )
    assert [d.id for d in schema.formula_fields()] == ["f"]
    assert [d.id for d in schema.reasoning_fields()] == ["r"]
    by_id = {n.id: n for n in schema.traverse(ignore_buttons=False)}
    assert by_id["m"].value_source == ValueSource.MANUAL  # type: ignore[union-attr]
    assert by_id["n"].value_source == "llm_v2"  # type: ignore[union-attr]
    assert by_id["b"].is_button and schema.get_by_id("b") is None  # type: ignore[union-attr]
    assert schema.get_by_id("b", ignore_buttons=False) is by_id["b"]


def test_node_equality_ignores_parents_and_does_not_recurse() -> None:
    data = {"category": "section", "id": "s", "children": [{"category": "datapoint", "id": "a"}]}
    first, second = Section.model_validate(data), Section.model_validate(data)
    assert first == second and first.children[0] == second.children[0]
    assert first.children[0] == Datapoint.model_validate({"category": "datapoint", "id": "a"})
    assert first != Section.model_validate({**data, "label": "other"})


def test_invalid_schema_node_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Schema.model_validate({"id": 1, "content": [{"category": "section", "id": "s", "children": "oops"}]})
    with pytest.raises(ValidationError):
        Schema.model_validate({"id": 1, "content": [{"category": "section", "children": []}]})


def test_matching_configuration_aliases() -> None:
    datapoint = Datapoint.model_validate(
        {
            "id": "vendor",
            "matching": {
                "type": "master_data_hub",
                "configuration": {
                    "dataset": "vendors",
                    "queries": [{"//": "by name", "aggregate": [{"$match": {}}]}],
                    "variables": {"name": {"__formula": "field.vendor_name"}},
                },
            },
        }
    )
    matching = datapoint.matching
    assert not isinstance(matching, dict) and matching is not None
    assert matching.configuration.queries[0].comment == "by name"
    assert matching.configuration.variables["name"].formula == "field.vendor_name"
    odd = Datapoint.model_validate({"id": "v", "matching": {"type": "future_matcher", "whatever": 1}})
    assert odd.matching == {"type": "future_matcher", "whatever": 1}


# -- rules ----------------------------------------------------------------------------------------------------------


def test_rule_actions_are_typed_by_type_with_raw_fallbacks() -> None:
    rule = Rule.model_validate(
        {
            **PAYLOADS["Rule"],
            "actions": [
                {
                    "id": "1",
                    "type": "show_message",
                    "event": "validation",
                    "payload": {"type": "error", "content": "bad", "schema_id": "amount"},
                },
                {"id": "2", "type": "add_label", "event": "validation", "payload": {"labels": ["l1"]}},
                {"id": "3", "type": "future_action", "event": "validation", "payload": {"x": 1}},
                {"id": "4", "type": "show_message", "event": "validation", "payload": {"unexpected": True}},
                {"type": "show_message", "payload": {}},
            ],
        }
    )
    first, second, third, fourth, fifth = rule.actions
    assert isinstance(first, RuleAction) and isinstance(first.payload, ShowMessagePayload)
    assert first.payload.schema_id == "amount"
    assert isinstance(second, RuleAction) and isinstance(second.payload, LabelsPayload)
    assert isinstance(third, RuleAction) and third.payload == {"x": 1}
    assert isinstance(fourth, RuleAction) and fourth.payload == {"unexpected": True}
    assert fifth == {"type": "show_message", "payload": {}}
    assert rule.model_dump(by_alias=True)["actions"][0]["payload"] == {
        "type": "error",
        "content": "bad",
        "schema_id": "amount",
    }
